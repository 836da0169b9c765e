"""Penalties as data: per-feature L1 and L2 weights, and the unpenalized features.

Every estimator (L1, L2, elastic net, ``penalty_factor``, unpenalized features) is described by
two vectors ``a = alpha * l1_ratio * v`` and ``b = alpha * (1 - l1_ratio) * v``.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Penalty:
    """``a * |w| + b / 2 * w^2`` per feature, plus the statistics of unpenalized features."""

    a: np.ndarray
    b: np.ndarray
    unpen: np.ndarray  # indices with a == b == 0
    pinv_uu: np.ndarray  # pinv(X_U^T X_U / S), centred
    g_u: np.ndarray  # X_c^T X_U / S, shape (p, |U|)
    gy_u: np.ndarray  # X_U^T y_c / S

    design: object  # whose column norms and scale give the certificate's round-off model

    def kernel_args(self):
        """What :func:`~sparsereg._kernels._prox.duality_gap` needs beyond ``a`` and ``b``:
        the unpenalized statistics, and the round-off model of the correlations (column
        norms, ``eps sqrt(n)``, ``||y|| / sqrt(S)``), read when called so that a design
        whose Gram matrix was formed meanwhile supplies its norms without another pass."""
        d = self.design
        return (self.unpen, self.pinv_uu, self.g_u, self.gy_u, d.column_norms(),
                np.finfo(np.float64).eps * np.sqrt(d.n_samples),
                float(np.sqrt(2.0 * d.null_objective)))


def make_penalty(design, alpha, l1_ratio, penalty_factor=None):
    """Per-feature penalty weights (in the design's solver units, where the L1 weights are
    divided by ``y_scale``) and the unpenalized-feature statistics for ``design``."""
    p = design.n_features
    v = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)
    a = alpha * l1_ratio * v / design.y_scale
    b = alpha * (1.0 - l1_ratio) * v
    # from the unscaled weights: a / y_scale may underflow where alpha * l1_ratio * v does not
    unpen = np.flatnonzero((alpha * l1_ratio * v == 0.0) & (b == 0.0)).astype(np.int64)
    if unpen.size == 0:
        return Penalty(a, b, unpen, np.zeros((0, 0)), np.zeros((p, 0)), np.zeros(0), design)
    g_u, gy_u = _unpenalized_cross_products(design, unpen)
    # numerically constant columns are zero once centred (their lips are 0): exactly so here
    const = design.lips == 0.0
    g_u[const, :] = 0.0
    g_u[:, const[unpen]] = 0.0
    gy_u = np.where(const[unpen], 0.0, gy_u)
    return Penalty(a, b, unpen, psd_pinv(g_u[unpen]), np.ascontiguousarray(g_u), gy_u, design)


PINV_RTOL = 1e-12  # eigenvalues of the unit-diagonal Gram below this are round-off


def psd_pinv(Q):
    """A generalized inverse ``G`` of the PSD matrix ``Q`` (``Q G Q = Q``), computed on ``Q``
    scaled to a unit diagonal: columns of very different scales (1e100 next to 1e108) would
    otherwise square their ratio into the condition number and lose every digit.

    Directions whose eigenvalue is round-off (a rank-deficient block, duplicated columns) are
    dropped: inverting them would turn noise into huge coefficients.
    """
    d = np.sqrt(np.maximum(np.diag(Q), 0.0))
    d[~(d > 0.0)] = 1.0
    lam, V = np.linalg.eigh(Q / np.outer(d, d))
    keep = lam > PINV_RTOL * max(float(lam.max(initial=0.0)), 0.0)
    return (V[:, keep] / lam[keep]) @ V[:, keep].T / np.outer(d, d)


def _unpenalized_cross_products(design, unpen):
    """``X_c^T X_U / S`` and ``X_U^T y_c / S`` (reusing the Gram matrix when it exists)."""
    if design._gram is not None:
        Q, g0, _ = design._gram
        return Q[:, unpen], g0[unpen]
    S = design.S
    y_c = design.y
    if design.sparse:
        Xs = design.csc_matrix(np.float64)  # float32 data: products in float64
        cross = np.asarray((Xs.T @ Xs[:, unpen]).todense())
        cross -= S * np.outer(design.means, design.means[unpen])
        gy = np.asarray(Xs[:, unpen].T @ y_c).ravel()
    else:
        block = design.X[:, unpen] - np.outer(design.c, design.means[unpen])
        cross = design.X.T @ block  # X_c^T block == X^T block since block is centred
        gy = block.T @ y_c
    return cross / S, gy / S

