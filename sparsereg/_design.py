"""The design: validated data turned once into what every solver needs.

Sample weights are folded in by scaling rows with ``sqrt(s_i)``, so the kernels never see
weights; the intercept column becomes ``c = sqrt(s)`` (ones without weights) and
``S = c^T c = sum(s)``. The objective ``1/(2S) sum_i s_i (y_i - x_i w - b)^2`` is then
``1/(2S) ||y~ - X~ w - b c||^2``. Centring is implicit (``means``), so sparse X stays sparse.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas

from ._kernels._stats import centered_sqnorms

GRAM_CHUNK_ROWS = 4096


@dataclass
class Design:
    """Scaled design matrix and its per-feature statistics (see the module docstring)."""

    X: object  # F-ordered ndarray, or a CSC triple (data, indices, indptr)
    y: np.ndarray
    c: np.ndarray
    S: float
    fit_intercept: bool
    means: np.ndarray  # weighted column means (0 without intercept)
    y_mean: float
    lips: np.ndarray  # ||x_j - mean_j c||^2 / S: curvature of coordinate j
    n_samples: int
    n_features: int
    sparse: bool
    _gram: tuple = None

    @property
    def q(self):
        """``x_j^T c = S * mean_j``: how a change of ``w_j`` moves the residual's weighted sum."""
        return self.S * self.means

    @property
    def null_objective(self):
        """P(0): half the weighted mean squared error of the intercept-only model."""
        r = self.y - self.y_mean * self.c
        return 0.5 * float(r @ r) / self.S

    def matvec(self, w):
        """``X~ w`` (no centring)."""
        if self.sparse:
            data, indices, indptr = self.X
            return sp.csc_matrix((data, indices, indptr),
                                 shape=(self.n_samples, self.n_features)) @ w
        return self.X @ w

    def rmatvec(self, r):
        """``X~^T r`` (no centring)."""
        if self.sparse:
            data, indices, indptr = self.X
            return sp.csc_matrix((data, indices, indptr),
                                 shape=(self.n_samples, self.n_features)).T @ r
        return self.X.T @ r

    def centered_rmatvec(self, r):
        """``X_c^T r`` for the centred design."""
        return self.rmatvec(r) - self.means * (self.c @ r)

    def centered_matvec(self, w):
        """``X_c w`` for the centred design."""
        return self.matvec(w) - (self.means @ w) * self.c

    def csc_matrix(self):
        data, indices, indptr = self.X
        return sp.csc_matrix((data, indices, indptr), shape=(self.n_samples, self.n_features))

    def gram(self):
        """``(Q, g0, yy)``: ``X_c^T X_c / S``, ``X_c^T y / S`` and ``||y_c||^2 / S``.

        Dense X is centred chunk by chunk before a rank-k update, which keeps the precision
        of explicit centring (no ``X^T X - S mu mu^T`` cancellation) at small memory cost.
        """
        if self._gram is None:
            p, S = self.n_features, self.S
            y_c = self.y - self.y_mean * self.c
            if self.sparse:
                Xs = self.csc_matrix()
                Q = (Xs.T @ Xs).toarray() - S * np.outer(self.means, self.means)
                g0 = Xs.T @ y_c
            else:
                Q = np.zeros((p, p), order="F")
                g0 = np.zeros(p)
                for start in range(0, self.n_samples, GRAM_CHUNK_ROWS):
                    rows = slice(start, start + GRAM_CHUNK_ROWS)
                    block = np.asarray(self.X[rows], dtype=np.float64)
                    block = block - np.outer(self.c[rows], self.means)
                    Q = blas.dsyrk(1.0, block, beta=1.0, c=Q, trans=1, overwrite_c=1)
                    g0 += block.T @ y_c[rows]
                Q = np.triu(Q) + np.triu(Q, 1).T
            self._gram = (np.ascontiguousarray(Q / S), g0 / S, float(y_c @ y_c) / S)
        return self._gram


def make_design(X, y, sample_weight, fit_intercept):
    """Build a :class:`Design` from validated arrays (X dense or scipy.sparse, y 1-D float64).

    Nothing passed in is modified; X is copied only when a Fortran-ordered view or the row
    scaling by sample weights requires it.
    """
    n, p = X.shape
    weighted = sample_weight is not None
    sqrt_s = np.sqrt(sample_weight) if weighted else np.ones(n)
    S = float(sample_weight.sum()) if weighted else float(n)
    y_scaled = y * sqrt_s if weighted else np.array(y, dtype=np.float64)

    if sp.issparse(X):
        Xc = sp.csc_matrix(X)
        if weighted:
            Xc = sp.csc_matrix(sp.diags(sqrt_s) @ Xc)
        elif Xc is X:
            Xc = Xc.copy()  # we may sort indices; never touch the caller's object
        Xc.sort_indices()
        kernel_X = (Xc.data, Xc.indices.astype(np.int32, copy=False),
                    Xc.indptr.astype(np.int32, copy=False))
        col_sums = np.asarray(Xc.T @ sqrt_s).ravel()
    else:
        kernel_X = np.asfortranarray(X * sqrt_s[:, None] if weighted else X)
        col_sums = kernel_X.T @ sqrt_s

    if fit_intercept:
        means = col_sums / S
        y_mean = float(sqrt_s @ y_scaled) / S
    else:
        means = np.zeros(p)
        y_mean = 0.0
    lips = centered_sqnorms(kernel_X, sqrt_s, means, S) / S
    return Design(X=kernel_X, y=y_scaled, c=sqrt_s, S=S, fit_intercept=fit_intercept,
                  means=means, y_mean=y_mean, lips=lips, n_samples=n, n_features=p,
                  sparse=sp.issparse(X))
