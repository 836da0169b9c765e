"""Column access for the coordinate-descent kernels, one implementation per storage format.

``X`` is either a Fortran-ordered 2-D array or a CSC triple ``(data, indices, indptr)``.
The solvers call ``col_dot`` / ``col_update`` and Numba picks the implementation from the type,
so the dense and sparse solvers are the same source compiled twice.
"""

import numpy as np
from numba import types
from numba.extending import overload


def col_dot(X, j, v):  # pragma: no cover - replaced by the Numba overload
    """``x_j^T v``."""
    raise NotImplementedError


_FAST = {"reassoc", "contract", "nsz", "arcp"}


@overload(col_dot, jit_options={"fastmath": _FAST})
def _col_dot(X, j, v):
    if isinstance(X, types.Array):
        def dense(X, j, v):
            total = 0.0
            for i in range(X.shape[0]):
                total += X[i, j] * v[i]
            return total
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, v):
            data, indices, indptr = X
            total = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                total += data[k] * v[indices[k]]
            return total
        return csc
    return None


def col_centered_sqnorm(X, j, c, mean_j, S):  # pragma: no cover - replaced by Numba
    """``||x_j - mean_j c||^2`` without forming the centred column."""
    raise NotImplementedError


@overload(col_centered_sqnorm, jit_options={"fastmath": _FAST})
def _col_centered_sqnorm(X, j, c, mean_j, S):
    if isinstance(X, types.Array):
        def dense(X, j, c, mean_j, S):
            total = 0.0
            for i in range(X.shape[0]):
                d = X[i, j] - mean_j * c[i]
                total += d * d
            return total
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, c, mean_j, S):
            # Rows outside the pattern contribute mean_j^2 c_i^2, which sum to mean_j^2 (S - ...).
            data, indices, indptr = X
            total = mean_j * mean_j * S
            for k in range(indptr[j], indptr[j + 1]):
                ci = c[indices[k]]
                d = data[k] - mean_j * ci
                total += d * d - mean_j * mean_j * ci * ci
            return total
        return csc
    return None


def col_update(X, j, scale, v, c, q_j, S):  # pragma: no cover - replaced by Numba
    """Move the residual ``v`` by ``scale`` times column j; returns the change of ``c^T v``.

    Dense: ``v += scale * (x_j - mean_j c)``, which keeps a centred residual centred (no
    cancellation when column means are large; the extra work is free next to the axpy).
    CSC: ``v += scale * x_j`` on the pattern only, O(nnz_j); the centring is carried by the
    returned change ``scale * q_j`` of the residual's weighted sum.
    """
    raise NotImplementedError


@overload(col_update, jit_options={"fastmath": _FAST})
def _col_update(X, j, scale, v, c, q_j, S):
    if isinstance(X, types.Array):
        def dense(X, j, scale, v, c, q_j, S):
            shift = q_j / S
            for i in range(X.shape[0]):
                v[i] += scale * (X[i, j] - shift * c[i])
            return 0.0
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, scale, v, c, q_j, S):
            data, indices, indptr = X
            for k in range(indptr[j], indptr[j + 1]):
                v[indices[k]] += scale * data[k]
            return scale * q_j
        return csc
    return None


def col_axpy(X, j, scale, v, absolute):  # pragma: no cover - replaced by Numba
    """``v += scale * x_j`` (``|x_j|`` when ``absolute``): the linear predictor of a
    coefficient change, or the size of its terms for the round-off model."""
    raise NotImplementedError


@overload(col_axpy, jit_options={"fastmath": _FAST})
def _col_axpy(X, j, scale, v, absolute):
    if isinstance(X, types.Array):
        def dense(X, j, scale, v, absolute):
            if absolute:
                for i in range(X.shape[0]):
                    v[i] += scale * abs(X[i, j])
            else:
                for i in range(X.shape[0]):
                    v[i] += scale * X[i, j]
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, scale, v, absolute):
            data, indices, indptr = X
            if absolute:
                for k in range(indptr[j], indptr[j + 1]):
                    v[indices[k]] += scale * abs(data[k])
            else:
                for k in range(indptr[j], indptr[j + 1]):
                    v[indices[k]] += scale * data[k]
        return csc
    return None


def take_columns(X, cols, row_scale, q, sq):  # pragma: no cover - replaced by Numba
    """``diag(row_scale) X[:, cols]`` in float64, in the storage of ``X`` (F-ordered or CSC):
    the working set's design of a weighted least-squares problem (prox-Newton's inner
    problem), solved by the same coordinate-descent kernels as every other design. In the
    same pass, ``q[k] = row_scale^T out_k`` and ``sq[k] = ||out_k||^2``."""
    raise NotImplementedError


@overload(take_columns, jit_options={"fastmath": _FAST})
def _take_columns(X, cols, row_scale, q, sq):
    if isinstance(X, types.Array):
        def dense(X, cols, row_scale, q, sq):
            n = X.shape[0]
            out = np.empty((cols.shape[0], n)).T  # F-ordered (n, m)
            for k in range(cols.shape[0]):
                j = cols[k]
                q_k, sq_k = 0.0, 0.0
                for i in range(n):
                    v = X[i, j] * row_scale[i]
                    out[i, k] = v
                    q_k += row_scale[i] * v
                    sq_k += v * v
                q[k], sq[k] = q_k, sq_k
            return out
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, cols, row_scale, q, sq):
            data, indices, indptr = X
            m = cols.shape[0]
            ptr = np.zeros(m + 1, dtype=indptr.dtype)
            for k in range(m):
                ptr[k + 1] = ptr[k] + indptr[cols[k] + 1] - indptr[cols[k]]
            out_data = np.empty(ptr[m])
            out_indices = np.empty(ptr[m], dtype=indices.dtype)
            for k in range(m):
                start = indptr[cols[k]]
                q_k, sq_k = 0.0, 0.0
                for t in range(ptr[k + 1] - ptr[k]):
                    i = indices[start + t]
                    v = data[start + t] * row_scale[i]
                    out_indices[ptr[k] + t] = i
                    out_data[ptr[k] + t] = v
                    q_k += row_scale[i] * v
                    sq_k += v * v
                q[k], sq[k] = q_k, sq_k
            return (out_data, out_indices, ptr)
        return csc
    return None


def n_columns(X):  # pragma: no cover - replaced by Numba
    """The number of columns of ``X``."""
    raise NotImplementedError


@overload(n_columns)
def _n_columns(X):
    if isinstance(X, types.Array):
        return lambda X: X.shape[1]
    if isinstance(X, types.BaseTuple):
        return lambda X: X[2].shape[0] - 1
    return None


def col_moments(X, j, c):  # pragma: no cover - replaced by Numba
    """``(sum_i x_ij, sum_i x_ij^2, sum_i c_i x_ij^2)``."""
    raise NotImplementedError


@overload(col_moments, jit_options={"fastmath": _FAST})
def _col_moments(X, j, c):
    if isinstance(X, types.Array):
        def dense(X, j, c):
            total, sq, wsq = 0.0, 0.0, 0.0
            for i in range(X.shape[0]):
                x = X[i, j]
                total += x
                sq += x * x
                wsq += c[i] * x * x
            return total, sq, wsq
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, c):
            data, indices, indptr = X
            total, sq, wsq = 0.0, 0.0, 0.0
            for k in range(indptr[j], indptr[j + 1]):
                x = data[k]
                total += x
                sq += x * x
                wsq += c[indices[k]] * x * x
            return total, sq, wsq
        return csc
    return None


def col_axpy_weighted(X, j, scale, v, w):  # pragma: no cover - replaced by Numba
    """``v += scale * w * x_j`` (elementwise weights ``w``)."""
    raise NotImplementedError


@overload(col_axpy_weighted, jit_options={"fastmath": _FAST})
def _col_axpy_weighted(X, j, scale, v, w):
    if isinstance(X, types.Array):
        def dense(X, j, scale, v, w):
            for i in range(X.shape[0]):
                v[i] += scale * w[i] * X[i, j]
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, scale, v, w):
            data, indices, indptr = X
            for k in range(indptr[j], indptr[j + 1]):
                v[indices[k]] += scale * w[indices[k]] * data[k]
        return csc
    return None


def col_dot_rows(X, j, V, VT, out):  # pragma: no cover - replaced by Numba
    """``out[r] = x_j^T V[r]`` for every row of ``V`` (R, n), ``VT`` being its transpose:
    one column against several vectors. Dense: a contiguous dot per row, the column staying
    in cache between them; CSC: one walk over the pattern, each row index meeting its R
    neighbours in ``VT``."""
    raise NotImplementedError


@overload(col_dot_rows, jit_options={"fastmath": _FAST})
def _col_dot_rows(X, j, V, VT, out):
    if isinstance(X, types.Array):
        def dense(X, j, V, VT, out):
            if V.shape[0] == 2:  # two vectors (a binary fit's two dual points): one read
                v0, v1 = V[0], V[1]
                t0 = 0.0
                t1 = 0.0
                for i in range(X.shape[0]):
                    x = X[i, j]
                    t0 += x * v0[i]
                    t1 += x * v1[i]
                out[0], out[1] = t0, t1
                return
            for r in range(V.shape[0]):
                v = V[r]
                total = 0.0
                for i in range(X.shape[0]):
                    total += X[i, j] * v[i]
                out[r] = total
        return dense
    if isinstance(X, types.BaseTuple):
        def csc(X, j, V, VT, out):
            data, indices, indptr = X
            out[:] = 0.0
            for t in range(indptr[j], indptr[j + 1]):
                x = data[t]
                i = indices[t]
                for r in range(VT.shape[1]):
                    out[r] += x * VT[i, r]
        return csc
    return None
