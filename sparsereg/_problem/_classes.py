"""The classification design: labels, weights and X prepared once for the logistic datafit.

The logistic and multinomial losses do not fold weights into the rows (their IRLS weights
change at every Newton step): X is kept as given, in the kernels' storage, with offset columns
shifted exactly as for least squares (:func:`~._storage.offset_shift`), and the sample weights
(class weights folded in) are normalised to ``c = s / S``. Rows of weight zero are dropped.
"""

import numpy as np
import scipy.sparse as sp

from .._kernels._bundles import PenaltyData
from .._kernels._stats import column_moments
from ._class_chunks import constraint_block, labels_matrix
from ._penalty import box_arrays
from ._storage import OFFSET_RATIO, kernel_matrix, scipy_csc

HUGE_PENALTY = 1e300  # a finite "infinite" L1 weight: keeps every penalized coefficient at 0


class ClassDesign:
    """X, labels and weights of a classification problem, in the kernels' form.

    Attributes
    ----------
    X : F-ordered ndarray or CSC triple
        X with offset columns shifted by ``shift``.
    Y : ndarray (K, n)
        0/1 labels (``K = 1``: two classes) or one-hot rows (``K >= 3`` classes).
    c : ndarray (n,)
        Sample weights over their sum.
    n_samples, n_features, n_classes, fit_intercept, sparse
    shift : ndarray (p,)
    has_offsets : bool
        Whether some column's mean is large against its spread (more than 4 standard
        deviations, as for least squares): shifted with an intercept; without one, such
        columns make a shared, penalized intercept that class-by-class steps crawl along
        (``newton_solve``'s joint steps are for them).
    norms, cnorms : ndarray (p,)
        Column norms of the stored X, and ``sqrt(sum_i c_i x_ij^2)`` (which bounds the
        weighted centred norm that gap-safe screening needs).
    null_objective : float
        P(0): the objective of the model with zero coefficients and the best intercepts.
    """

    def __init__(self, X, codes, n_classes, sample_weight, fit_intercept):
        s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight,
                                                                         dtype=np.float64)
        keep = s > 0
        if not np.all(keep):
            X, codes, s = X[keep], codes[keep], s[keep]
        n, p = X.shape
        self.n_samples, self.n_features = n, p
        self.fit_intercept = bool(fit_intercept)
        self.sparse = sp.issparse(X)
        self.codes = codes
        self.total_weight = float(s.sum())
        self.c = s / self.total_weight
        K = 1 if n_classes == 2 else n_classes
        self.n_classes = n_classes
        self.Y = labels_matrix(codes, K)
        storage = kernel_matrix(X, None)
        total, sq, wsq = column_moments(storage, self.c)
        self.shift = np.zeros(p)
        # offset columns (mean large against spread, as for least squares)
        mean = total / n
        with np.errstate(over="ignore", invalid="ignore"):
            offset = n * mean * mean > OFFSET_RATIO * np.maximum(sq - n * mean * mean, 0.0)
        self.has_offsets = bool(np.any(offset))
        if fit_intercept and self.has_offsets:  # shifted
            columns = np.flatnonzero(offset) if self.sparse else None
            self.shift = np.where(offset, mean, 0.0) if self.sparse else mean
            storage = kernel_matrix(X, None, self.shift, columns)
            total, sq, wsq = column_moments(storage, self.c)
        self.X = storage
        self.norms = np.sqrt(sq)
        # sum_i c_i x_ij^2 bounds the centred sum (offset columns are shifted, so little is
        # lost): an upper bound keeps the screening radius safe.
        self.cnorms = np.sqrt(wsq)
        self.class_mass = self.Y @ self.c  # weighted class frequencies (K,)
        self.null_objective = self._null_objective()

    def matrix(self):
        """The stored X as a numpy array or scipy CSC matrix (made once)."""
        if self.sparse:
            if getattr(self, "_scipy", None) is None:
                self._scipy = scipy_csc(self.X, (self.n_samples, self.n_features))
            return self._scipy
        return self.X

    def _null_objective(self):
        return null_objective(self.class_mass, self.fit_intercept)

    def null_intercepts(self):
        """The optimal intercepts of the zero-coefficient model (log-odds of the classes)."""
        return null_intercepts(self.class_mass, self.fit_intercept)

    def null_correlations(self):
        """``X^T theta_0`` (K, p) at the zero-coefficient model with its best intercepts."""
        K = self.Y.shape[0]
        if self.fit_intercept:
            center = self.class_mass[:, None]
        else:
            center = 0.5 if K == 1 else 1.0 / K
        theta = self.c * (self.Y - center)
        return np.asarray(self.matrix().T @ theta.T).T

    def constraint_columns(self, unpen):
        """The columns whose dual constraints are equalities: ones (intercept) and the
        unpenalized features, dense (n, m)."""
        return constraint_block(self.matrix(), unpen, self.fit_intercept)

    def coef_in(self, coef, intercept):
        """``(W, B)`` in the stored X's terms from coefficients in the data's."""
        W = np.array(coef, dtype=np.float64).reshape(self.Y.shape[0], self.n_features)
        B = np.array(intercept, dtype=np.float64).reshape(-1) + W @ self.shift \
            if self.fit_intercept else np.zeros(self.Y.shape[0])
        return np.ascontiguousarray(W), B

    def coef_out(self, W, B):
        """``(coef, intercept)`` in the data's terms; multinomial intercepts sum to 0 (the
        softmax only determines them up to a common constant), as scikit-learn's."""
        if not self.fit_intercept:
            return W.copy(), np.zeros(W.shape[0])
        return W.copy(), centered_intercepts(B - W @ self.shift)


def null_objective(class_mass, fit_intercept):
    """P(0): the entropy of the weighted class frequencies ``class_mass`` (K,; one entry for
    two classes) with intercepts, ``log`` of the number of classes without."""
    K = class_mass.shape[0]
    if not fit_intercept:
        return float(np.log(2.0 if K == 1 else K))
    pi = np.array([class_mass[0], 1.0 - class_mass[0]]) if K == 1 else class_mass
    pi = pi[pi > 0]
    return float(-(pi * np.log(pi)).sum())


def null_intercepts(class_mass, fit_intercept):
    """The optimal intercepts of the zero-coefficient model (log-odds of the classes)."""
    K = class_mass.shape[0]
    if not fit_intercept:
        return np.zeros(K)
    pi = np.clip(class_mass, 1e-300, None)
    if K == 1:
        return np.array([np.log(pi[0]) - np.log(max(1.0 - pi[0], 1e-300))])
    logs = np.log(pi)
    return logs - logs.mean()


def centered_intercepts(B):
    """Multinomial intercepts moved to sum 0 (binary: unchanged)."""
    return B - B.mean() if B.shape[0] > 1 else B


def classification_penalty(n_features, alpha, l1_ratio, penalty_factor=None, bounds=None):
    """The kernels' :class:`PenaltyData` for a logistic problem: per-feature L1 and L2 weights,
    the box (a :class:`~._penalty.Bounds` or None) and the unpenalized features (their dual
    constraints are handled by the dual point)."""
    v = np.ones(n_features) if penalty_factor is None \
        else np.asarray(penalty_factor, dtype=np.float64)
    a = alpha * l1_ratio * v
    b = alpha * (1.0 - l1_ratio) * v
    unpen = np.flatnonzero((a == 0.0) & (b == 0.0)).astype(np.int64)
    # the kernels need the indices only (the dual point handles their constraints)
    return PenaltyData(a, b, *box_arrays(bounds, n_features), unpen, None, None, None)
