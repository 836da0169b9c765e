"""Penalties as data: per-feature L1 and L2 weights, and the unpenalized features.

Every estimator (L1, L2, elastic net, ``penalty_factor``, unpenalized features) is described by
two vectors ``a = alpha * l1_ratio * v`` and ``b = alpha * (1 - l1_ratio) * v``.
"""

from dataclasses import dataclass

import numpy as np

from .._kernels._bundles import PenaltyData


@dataclass
class Penalty:
    """``a * |w| + b / 2 * w^2`` per feature (``w >= 0`` under ``positive``), plus the
    statistics of the unpenalized features that the duality gap's projection needs."""

    a: np.ndarray
    b: np.ndarray
    positive: bool
    unpen: np.ndarray  # indices with a == b == 0
    pinv_uu: np.ndarray  # pinv(X_U^T X_U / S), centred
    g_u: np.ndarray  # X_c^T X_U / S, shape (p, |U|)
    gy_u: np.ndarray  # X_U^T y_c / S

    def data(self):
        """The penalty as the kernels' :class:`~sparsereg._kernels._bundles.PenaltyData`
        (without unpenalized features: None for their statistics, so that the kernels are
        compiled without their projection)."""
        if self.unpen.size == 0:
            return PenaltyData(self.a, self.b, bool(self.positive), None, None, None, None)
        return PenaltyData(self.a, self.b, bool(self.positive), self.unpen, self.pinv_uu,
                           self.g_u, self.gy_u)


def make_penalty(design, alpha, l1_ratio, penalty_factor=None, positive=False):
    """Per-feature penalty weights (in the design's solver units, where the L1 weights are
    divided by ``y_scale``) and the unpenalized-feature statistics for ``design``."""
    p = design.n_features
    v = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)
    a = alpha * l1_ratio * v / design.y_scale
    b = alpha * (1.0 - l1_ratio) * v
    # from the unscaled weights: a / y_scale may underflow where alpha * l1_ratio * v does not
    unpen = np.flatnonzero((alpha * l1_ratio * v == 0.0) & (b == 0.0)).astype(np.int64)
    if unpen.size == 0:
        return Penalty(a, b, bool(positive), unpen, np.zeros((0, 0)), np.zeros((p, 0)),
                       np.zeros(0))
    g_u, gy_u = design.cross_products(unpen)  # constant columns are exactly zero there
    return Penalty(a, b, bool(positive), unpen, psd_pinv(g_u[unpen]), np.ascontiguousarray(g_u),
                   gy_u)


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
