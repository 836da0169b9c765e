"""X in the kernels' storage: F-ordered dense or an unsigned CSC triple, rows scaled by
``sqrt(s_i)``, offset columns shifted by their means (:func:`offset_shift`), so that implicit
centring never cancels digits. Used by every row design (:mod:`._rows`, :mod:`._classes`).
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas

from .._kernels._stats import centered_sqnorms
from ._centered import block_rows

OFFSET_SAMPLE_ROWS = 2048  # dense X: offsets judged on about this many rows
OFFSET_RATIO = 16.0  # S mean_j^2 > OFFSET_RATIO ||x_j - mean_j||^2 (mean > 4 sd): shift the column


def offset_shift(X, sqrt_s, S, fit_intercept, rows_scaled=True):
    """``(shift, columns, column_stats)`` for ``X`` (dense or CSC kernel storage, rows scaled
    by ``sqrt_s``; or, with ``rows_scaled=False``, dense X as given, many rows, whose sample
    is scaled here, so that the kernel's copy of X is made once, shifted): the columns
    whose mean is large against their spread and the means to
    shift them by (None when there is none), and, when they were computed on all of X and
    nothing is shifted, the columns' means and centred squared norms (else None).

    Dense X with many rows is judged on 16 blocks of contiguous rows spread over it, so that
    a design solved on its Gram matrix (one pass over X) does not pay two more passes for the
    question. A column the sample misjudges costs accuracy, never honesty: the certificate's
    round-off model grows with the columns' uncentred norms.
    """
    p = X[2].shape[0] - 1 if isinstance(X, tuple) else X.shape[1]
    if not fit_intercept:
        return None, None, None
    n = sqrt_s.shape[0]
    exact = isinstance(X, tuple) or n <= 2 * OFFSET_SAMPLE_ROWS
    if exact:
        Xs, c = X, sqrt_s
    else:  # blocks of contiguous rows, spread over all
        block = OFFSET_SAMPLE_ROWS // 16
        starts = np.linspace(0, n - block, 16).astype(np.int64)
        Xs = np.asfortranarray(np.concatenate([X[i:i + block] for i in starts]),
                               dtype=np.float64)
        c = np.concatenate([sqrt_s[i:i + block] for i in starts])
        if not rows_scaled:
            Xs *= c[:, None]
    S_s = float(c @ c)
    if isinstance(Xs, tuple):
        means = scipy_csc(Xs, (n, p)).T @ c / S_s
    else:
        means = (c @ Xs) / max(S_s, np.finfo(float).tiny)
    with np.errstate(over="ignore"):  # an overflow is reported by the curvatures later
        centring = S_s * means * means
    spread = centered_sqnorms(Xs, c, means, S_s)
    offset = np.flatnonzero(centring > OFFSET_RATIO * spread)
    if offset.size == 0:
        return None, None, ((means, spread) if exact else None)
    return means, offset, None


def kernel_matrix(X, sqrt_s, shift=None, columns=None):
    """``diag(sqrt_s) (X - 1 shift^T)`` in the kernels' storage: F-ordered, or a CSC triple.

    For sparse X only ``columns`` are shifted; they are stored with all their entries. A
    shifted matrix is float64 whatever X's dtype: ``x - shift`` rounded to float32 would be
    other data than the user's.
    """
    if sp.issparse(X):
        Xc = X.tocsc()
        if shift is not None:
            Xc = _shift_sparse_columns(Xc.astype(np.float64), shift, columns)
        if sqrt_s is not None:
            Xc = sp.csc_matrix(sp.diags(sqrt_s) @ Xc)
        if not Xc.has_canonical_format:
            Xc = Xc.copy()  # never modify the caller's matrix
            Xc.sum_duplicates()
        return kernel_csc(Xc)
    if shift is None and sqrt_s is None and X.flags.f_contiguous:
        return X
    # One copy, by blocks of rows: writing a block into the F-ordered result is 2-5x faster
    # than numpy's whole-array C-to-F copy (measured: 0.1 s against 0.3-0.6 s at 1e6 x 20).
    modified = shift is not None or sqrt_s is not None
    out = np.empty(X.shape, dtype=np.float64 if modified else X.dtype, order="F")
    step = block_rows(X.shape[1])
    for start in range(0, X.shape[0], step):
        rows = slice(start, start + step)
        if shift is not None:
            np.subtract(X[rows], shift, out=out[rows])
        else:
            out[rows] = X[rows]
        if sqrt_s is not None:
            out[rows] *= sqrt_s[rows, None]
    return out


def kernel_csc(Xc):
    """The kernels' CSC triple of a canonical scipy CSC matrix. The index arrays are
    unsigned: Numba checks every signed index for wrap-around (Python's negative
    indexing), which made the sparse column loops ~40% slower than scipy's (measured on a
    20000 x 50000 CSC matrix: 1.55 ms signed, 0.92 ms unsigned, scipy's ``X.T @ v`` 1.04 ms)."""
    row_type = np.uint32 if Xc.shape[0] <= np.iinfo(np.uint32).max else np.uint64
    ptr_type = np.uint32 if Xc.nnz <= np.iinfo(np.uint32).max else np.uint64
    return Xc.data, _as_index(Xc.indices, row_type), _as_index(Xc.indptr, ptr_type)


def _as_index(a, dtype):
    """``a`` (non-negative indices) as ``dtype``: a view when only the sign differs."""
    dtype = np.dtype(dtype)
    return a.view(dtype) if a.dtype.itemsize == dtype.itemsize else a.astype(dtype)


def scipy_csc(triple, shape):
    """A scipy CSC matrix of a kernel triple (scipy wants signed indices: a view of the same
    memory)."""
    data, indices, indptr = triple
    signed = (lambda a: _as_index(a, np.int64 if a.dtype == np.uint64 else np.int32))
    return sp.csc_matrix((data, signed(indices), signed(indptr)), shape=shape, copy=False)


def _shift_sparse_columns(Xc, shift, columns):
    """CSC ``Xc`` with ``columns`` replaced by ``x_j - shift_j`` (stored densely)."""
    p = Xc.shape[1]
    keep = np.ones(p, dtype=Xc.dtype)
    keep[columns] = 0
    rest = sp.csc_matrix(Xc @ sp.diags(keep))
    rest.eliminate_zeros()
    block = sp.csc_matrix(Xc[:, columns].toarray() - shift[columns])
    place = sp.csc_matrix((np.ones(len(columns), dtype=Xc.dtype),
                           (np.arange(len(columns)), columns)), shape=(len(columns), p))
    return sp.csc_matrix(rest + block @ place)


KERNEL_BLOCK_VALUES = 2 ** 20  # entries of one block of columns (8 MiB)


def kernel_by_blocks(n, p, block):
    """``sum_b B_b B_b^T`` (n x n) over the column blocks ``B_b = block(columns_b)`` (slices
    of about 8 MiB), each a new float64 array made by ``block`` (centred, scaled: the
    caller's), so that only one block of X is copied at a time (``dsyrk`` accumulates the
    lower triangle)."""
    K = np.zeros((n, n))
    step = max(1, KERNEL_BLOCK_VALUES // max(n, 1))
    for start in range(0, p, step):
        B = np.asfortranarray(block(slice(start, min(start + step, p))))  # a slice: a view
        K = blas.dsyrk(1.0, B, beta=1.0, c=K, trans=0, lower=1, overwrite_c=1)
    return K + np.tril(K, -1).T
