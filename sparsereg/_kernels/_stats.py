"""Per-feature statistics computed once per design matrix."""

import numpy as np

from ._columns import col_centered_sqnorm, col_moments, n_columns
from ._jit import kernel


@kernel
def centered_sqnorms(X, c, means, S):
    """``||x_j - mean_j c||^2`` for every column ``j``."""
    p = means.shape[0]
    out = np.empty(p)
    for j in range(p):
        out[j] = max(col_centered_sqnorm(X, j, c, means[j], S), 0.0)
    return out


@kernel
def column_moments(X, c):
    """Per column, in one pass: ``sum_i x_ij``, ``sum_i x_ij^2`` and ``sum_i c_i x_ij^2``
    (dense F-ordered or CSC)."""
    p = n_columns(X)
    total = np.zeros(p)
    sq = np.zeros(p)
    wsq = np.zeros(p)
    for j in range(p):
        total[j], sq[j], wsq[j] = col_moments(X, j, c)
    return total, sq, wsq


@kernel
def sparse_weighted_products(indptr, indices, data, h, z, D, Q_ss, Q_sd, u_s, v_s):
    """Adds, over the rows ``i`` of a CSR matrix (sorted indices) with weights ``h`` and a
    target ``z``, ``h_i x_i x_i^T`` to the upper triangle of ``Q_ss``, ``h_i x_i d_i^T`` to
    ``Q_sd`` (``D``: C-ordered rows of the other columns), ``h_i x_i`` to ``u_s`` and
    ``h_i z_i x_i`` to ``v_s``: ``O(nnz_i^2 + nnz_i p_d)`` per row, not ``p^2``."""
    n = indptr.shape[0] - 1
    p_d = D.shape[1]
    for i in range(n):
        hi = h[i]
        zi = z[i]
        end = indptr[i + 1]
        for k in range(indptr[i], end):
            a = indices[k]
            va = hi * data[k]
            u_s[a] += va
            v_s[a] += va * zi
            for m in range(k, end):
                Q_ss[a, indices[m]] += va * data[m]
            for t in range(p_d):
                Q_sd[a, t] += va * D[i, t]


@kernel
def dense_columns_to_csc(X, cols, counts):
    """``X[:, cols]`` (dense, F-ordered is read contiguously) as CSC arrays ``(data,
    indices, indptr)``; ``counts``: each column's number of nonzeros."""
    m = cols.shape[0]
    indptr = np.zeros(m + 1, dtype=np.int64)
    for t in range(m):
        indptr[t + 1] = indptr[t] + counts[t]
    data = np.empty(indptr[m])
    indices = np.empty(indptr[m], dtype=np.int64)
    n = X.shape[0]
    for t in range(m):
        j = cols[t]
        k = indptr[t]
        for i in range(n):
            v = X[i, j]
            if v != 0.0:
                data[k] = v
                indices[k] = i
                k += 1
    return data, indices, indptr


ROW_BLOCK = 8192  # rows whose CSR entries are written together (their output stays cached)


@kernel
def csc_to_csr(indptr, indices, data, n_rows):
    """The CSR arrays ``(data, indices, indptr)`` of a CSC matrix with ``n_rows`` rows and
    sorted row indices within each column; each row's column indices come out sorted.

    Rows are filled a block at a time, every column advancing its own cursor through the
    block's rows, so that the scattered writes stay within the block's part of the output.
    """
    m = indptr.shape[0] - 1
    nnz = indptr[m]
    row_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    for k in range(nnz):
        row_ptr[indices[k] + 1] += 1
    for i in range(n_rows):
        row_ptr[i + 1] += row_ptr[i]
    cursor = row_ptr[:n_rows].copy()
    col_cursor = indptr[:m].copy()
    out_data = np.empty(nnz)
    out_cols = np.empty(nnz, dtype=np.int64)
    for stop in range(ROW_BLOCK, n_rows + ROW_BLOCK, ROW_BLOCK):
        for j in range(m):
            k = col_cursor[j]
            end = indptr[j + 1]
            while k < end and indices[k] < stop:
                i = indices[k]
                out_data[cursor[i]] = data[k]
                out_cols[cursor[i]] = j
                cursor[i] += 1
                k += 1
            col_cursor[j] = k
    return out_data, out_cols, row_ptr


@kernel
def nonzero_counts(X):
    """The number of nonzeros of each column of dense X (one pass, no temporary)."""
    n, p = X.shape
    out = np.zeros(p, dtype=np.int64)
    for j in range(p):
        count = 0
        for i in range(n):
            if X[i, j] != 0.0:
                count += 1
        out[j] = count
    return out
