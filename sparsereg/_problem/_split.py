"""Rows split by column density, for weighted Gram statistics when most of X is zeros.

One-hot encoded factors (insurance rating factors, categorical covariates) make X mostly
zeros: its weighted Gram matrix ``X^T diag(h) X``, formed at every Newton step of a GLM fit
with n >> p, costs ``n p^2 / 2`` dense but ``n (k^2 / 2 + k p_d + p_d^2 / 2)`` when each row
has ``k`` nonzeros among the mostly-zero columns and ``p_d`` dense columns (glum's split
matrices rest on the same observation). :class:`SplitRows` holds the mostly-zero columns as
CSR rows and the others as a dense block shifted by its column means (so that centring
cancels no digits there), made once per X.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._kernels._stats import (
    csc_to_csr,
    dense_columns_to_csc,
    nonzero_counts,
    sparse_weighted_products,
)
from ._centered import block_products, symmetric
from ._stats import SufficientStats

SPARSE_COLUMN = 0.25  # a column with at most this fraction of nonzeros goes to the CSR part
SPLIT_PAYS = 0.25  # the split is used when its flops are at most this fraction of dense's


@dataclass
class SplitRows:
    """``X[:, sparse]`` as CSR and ``X[:, dense] - shift`` as a C-ordered block."""

    sparse: np.ndarray  # column indices
    dense: np.ndarray
    csr: sp.csr_matrix
    block: np.ndarray  # (n, len(dense)), shifted
    shift: np.ndarray  # the dense columns' means
    cost: float = 0.0  # flops per row of :meth:`weighted_stats` (its products)

    @classmethod
    def of(cls, X):
        """The split of X (dense or scipy.sparse), or None when it would not pay."""
        n, p = X.shape
        if n == 0 or p == 0:
            return None
        if sp.issparse(X):
            Xc = sp.csc_matrix(X)
            counts = np.diff(Xc.indptr)
        else:
            Xc = None
            counts = nonzero_counts(np.asarray(X, dtype=np.float64))
        is_sparse = counts <= SPARSE_COLUMN * n
        sparse, dense = np.flatnonzero(is_sparse), np.flatnonzero(~is_sparse)
        k = counts[sparse].sum() / n  # nonzeros per row in the sparse part
        cost = k * k / 2 + k * len(dense) + len(dense) ** 2 / 2
        if len(sparse) == 0 or cost > SPLIT_PAYS * p * p / 2:
            return None
        if Xc is None:
            X64 = np.asarray(X, dtype=np.float64)
            data, indices, indptr = dense_columns_to_csc(
                X64, sparse.astype(np.int64), counts[sparse].astype(np.int64))
            block = np.array(X64[:, dense], order="C")
        else:
            part = Xc[:, sparse]  # a copy: duplicates summed here (the kernels pair entries)
            part.sum_duplicates()
            data, indices, indptr = (np.asarray(part.data, np.float64),
                                     part.indices.astype(np.int64), part.indptr.astype(np.int64))
            block = np.ascontiguousarray(Xc[:, dense].toarray(), dtype=np.float64)
        # CSR with int64 indices (the kernels' type), sorted within rows
        csr = sp.csr_matrix(csc_to_csr(indptr, indices, data, n), shape=(n, len(sparse)))
        shift = block.mean(axis=0) if len(dense) else np.zeros(0)
        block -= shift
        return cls(sparse, dense, csr, block, shift, float(cost))

    def matvec(self, w):
        """``X @ w``."""
        return self.csr @ w[self.sparse] + self.block @ w[self.dense] + self.shift @ w[self.dense]

    def squared_norms(self):
        """``(||x_j||^2 per column, ||x_i||^2 per row)`` of X."""
        csr = self.csr
        squares = csr.data * csr.data
        cols = np.empty(len(self.sparse) + len(self.dense))
        cols[self.sparse] = np.bincount(csr.indices, weights=squares,
                                        minlength=len(self.sparse))
        rows = np.asarray(sp.csr_matrix((squares, csr.indices, csr.indptr),
                                        shape=csr.shape).sum(axis=1)).ravel()
        if len(self.dense):
            x = self.block + self.shift
            cols[self.dense] = np.einsum("ij,ij->j", x, x)
            rows += np.einsum("ij,ij->i", x, x)
        return cols, rows

    def correlation_scales(self, norms):
        """What scales the round-off of :meth:`rmatvec`'s ``x_j^T theta`` per column, given
        the columns' norms: ``||x_j||`` for the CSR part (the same sums as X's); for the
        dense block, ``||x_j - shift_j||`` (its products) plus ``2 ||x_j|| / sqrt(n)``: the
        shift times ``sum(theta)`` (whose round-off is ``sqrt(n) ||theta||`` at most), and
        the block's own rounding when it was formed (``eps |x_ij|`` per entry)."""
        n = self.block.shape[0]
        out = np.array(norms, dtype=np.float64)
        if len(self.dense):
            spread = np.sqrt(np.einsum("ij,ij->j", self.block, self.block))
            out[self.dense] = spread + 2.0 * norms[self.dense] / np.sqrt(n)
        return out

    def rmatvec(self, theta):
        """``X^T theta``."""
        out = np.empty(len(self.sparse) + len(self.dense))
        out[self.sparse] = self.csr.T @ theta
        out[self.dense] = self.block.T @ theta + self.shift * theta.sum()
        return out

    def weighted_stats(self, z, weights):
        """The :class:`SufficientStats` of the rows with target ``z`` and ``weights``
        (positive), as ``SufficientStats.of_weighted_rows`` gives them for dense X."""
        s, d = self.sparse, self.dense
        m_s, m_d, p = len(s), len(d), len(s) + len(d)
        Q_ss, Q_sd = np.zeros((m_s, m_s)), np.zeros((m_s, m_d))
        u_s, v_s = np.zeros(m_s), np.zeros(m_s)
        h, z = np.asarray(weights, np.float64), np.asarray(z, np.float64)
        sparse_weighted_products(self.csr.indptr, self.csr.indices, self.csr.data, h, z,
                                 self.block, Q_ss, Q_sd, u_s, v_s)
        Q = np.empty((p, p))
        Q[np.ix_(s, s)] = symmetric(Q_ss)
        Q[np.ix_(s, d)] = Q_sd
        Q[np.ix_(d, s)] = Q_sd.T
        u, v, shift = np.empty(p), np.empty(p), np.zeros(p)
        u[s], v[s] = u_s, v_s
        if m_d:
            root = np.sqrt(h)
            Q_dd, cross = block_products(self.block, root, root * z, None, rows_scaled=False)
            Q[np.ix_(d, d)] = symmetric(Q_dd)
            u[d], v[d], shift[d] = cross[:, 1], cross[:, 0], self.shift
        S = float(h.sum())
        m = u / S  # the weighted mean of x - shift
        mean_y = float(h @ z) / S
        yc = z - mean_y
        return SufficientStats(len(z), S, shift + m, mean_y, Q - S * np.outer(m, m),
                               v - S * m * mean_y, float(h @ (yc * yc)))
