"""Ridge cross-validation of wide data from one n x n kernel (issue 11, item 1).

For p > n a training fold's ridge solution lives in the span of its rows:
``w = A^T (A A^T + S alpha I)^{-1} y~`` with ``A`` the fold's centred rows scaled by the square
roots of their weights and ``y~`` its centred response. Held-out predictions need only inner
products of rows, so every fold is served by the kernel ``G = X_c X_c^T`` of all n rows,
formed once (``X_c``: X minus its column means; any common shift leaves the fold's centred
inner products unchanged, and removing the means keeps them free of cancellation). A fold
costs the eigendecomposition of its n_train x n_train block, and each alpha a product with the
held-out rows' block: no copy of X, no p-sized vector, where a refit per fold copies its rows
and forms ``V = A^T U`` (p x n_train).

The fold fits are exact (up to round-off) and are only scored; the refit on all the data is
solved and certified as any other.
"""

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from ._problem._storage import kernel_by_blocks

KERNEL_MAX_SAMPLES = 4096  # the n x n kernel: at most 134 MB


def kernel_folds_suffice(X, n_train, l1_ratio, solver, penalty_factor):
    """Whether in-memory ridge folds of ``X`` may be scored from its kernel: ridge (l1_ratio
    0) with a direct solver, every feature penalized alike, p > n_train (the dual is the
    cheaper form) and n small enough for an n x n matrix."""
    return (l1_ratio == 0.0 and solver in ("auto", "svd", "cholesky")
            and (penalty_factor is None or np.all(np.asarray(penalty_factor) == 1.0))
            and X.shape[1] > n_train and X.shape[0] <= KERNEL_MAX_SAMPLES)


def row_kernel(X, centre=True):
    """``X_c X_c^T`` with ``X_c = X - column means`` (``centre=False``: ``X X^T``): dense X by
    blocks of columns (one block in memory at a time), sparse X over its nonempty columns
    from ``X X^T`` and rank-one corrections."""
    if sp.issparse(X):
        X = X.tocsc()
        X = X[:, np.flatnonzero(np.diff(X.indptr))].tocsr().astype(np.float64)  # empty: 0
        G = np.asarray((X @ X.T).todense())
        if not centre:
            return G
        means = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        xm = np.asarray(X @ means).ravel()
        return G - xm[:, None] - xm[None, :] + means @ means
    means = np.asarray(X.mean(axis=0), dtype=np.float64).ravel() if centre else None

    def block(cols):
        B = np.array(X[:, cols], dtype=np.float64)
        if centre:
            B -= means[cols]
        return B
    return kernel_by_blocks(*X.shape, block)


class KernelFolds:
    """The folds of ``splits`` of in-memory ``(X, y, sample_weight)`` scored through
    :func:`row_kernel` (see the module docstring)."""

    def __init__(self, X, y, sample_weight, splits, fit_intercept):
        self.X = X
        self.G = None  # formed by errors(), dropped after: the refit needs the memory
        self.y = np.asarray(y, dtype=np.float64)
        self.sw = None if sample_weight is None else np.asarray(sample_weight, np.float64)
        self.splits = splits
        self.fit_intercept = fit_intercept

    def __len__(self):
        return len(self.splits)

    def errors(self, alphas):
        """Held-out weighted mean squared errors, shape ``(len(alphas), n_folds)``."""
        alphas = np.asarray(alphas, dtype=np.float64)
        self.G = row_kernel(self.X, centre=self.fit_intercept)
        try:
            return np.stack([self._fold_errors(train, test, alphas)
                             for train, test in self.splits], axis=-1)
        finally:
            self.G = None

    def _fold_errors(self, train, test, alphas):
        G, y = self.G, self.y
        s = np.ones(len(train)) if self.sw is None else self.sw[train]
        t = np.ones(len(test)) if self.sw is None else self.sw[test]
        S = s.sum()
        K = G[np.ix_(train, train)]
        C = G[np.ix_(test, train)]
        y_mean = 0.0
        if self.fit_intercept:
            # centre on the fold's weighted row mean m: <x_i - m, x_j - m> from G alone
            h_train, h_test = K @ s / S, C @ s / S
            mm = s @ h_train / S
            K += mm - h_train[:, None] - h_train[None, :]
            C += mm - h_test[:, None] - h_train[None, :]
            y_mean = s @ y[train] / S
        root = np.sqrt(s)
        K *= np.multiply.outer(root, root)
        C *= root
        lam, U = la.eigh(K, overwrite_a=True, check_finite=False)
        lam = np.maximum(lam, 0.0)  # round-off below 0 on a singular kernel
        z = U.T @ (root * (y[train] - y_mean))
        P = C @ U
        residual = (y[test] - y_mean)[:, None] - P @ (z[:, None] / (lam[:, None] + S * alphas))
        total = t.sum()
        return (t @ residual ** 2) / (total if total > 0 else 1.0)
