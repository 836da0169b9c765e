"""Column access for the coordinate-descent kernels, one implementation per storage format.

``X`` is either a Fortran-ordered 2-D array or a CSC triple ``(data, indices, indptr)``.
The solvers call ``col_dot`` / ``col_update`` and Numba picks the implementation from the type,
so the dense and sparse solvers are the same source compiled twice.
"""

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
