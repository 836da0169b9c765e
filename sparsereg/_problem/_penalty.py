"""Penalties as data: per-feature L1 and L2 weights, the box, and the unpenalized features.

Every estimator (L1, L2, elastic net, ``penalty_factor``, unpenalized features) is described by
two vectors ``a = alpha * l1_ratio * v`` and ``b = alpha * (1 - l1_ratio) * v``, and the box
``lower <= w <= upper`` (:class:`Bounds`; ``positive=True`` is ``lower = 0``).
"""

from dataclasses import dataclass

import numpy as np

from .._kernels._bundles import PenaltyData


@dataclass(frozen=True)
class Bounds:
    """The box ``lower <= w <= upper`` of each feature's coefficient, glmnet's
    ``lower.limits`` / ``upper.limits``: ``lower <= 0 <= upper`` (0 is always feasible, so the
    null model and ``alpha_max`` keep their meaning), ``-inf`` / ``inf`` where unbounded."""

    lower: np.ndarray
    upper: np.ndarray

    @classmethod
    def positive(cls, n_features):
        """``w >= 0``: scikit-learn's ``positive=True``."""
        return cls(np.zeros(n_features), np.full(n_features, np.inf))

    def clip(self, w):
        """``w`` (one model, or one per row) projected on the box, as a new array: a warm
        start from an unconstrained fit must be made feasible before its gap means
        anything."""
        return np.clip(w, self.lower, self.upper)

    def scaled(self, factor):
        """The box of ``w / factor`` (solver units; ``factor > 0``)."""
        return Bounds(self.lower / factor, self.upper / factor)

    def round_into(self, coefs, dtype):
        """``coefs`` rounded to ``dtype`` (float32 storage), each kept inside the box: a
        bound that ``dtype`` cannot hold is replaced by its nearest value inside the box, so
        that a coefficient at its bound does not round out of it."""
        lower, upper = self.lower.astype(dtype), self.upper.astype(dtype)
        zero = np.zeros((), dtype=dtype)
        lower = np.where(lower < self.lower, np.nextafter(lower, zero), lower)
        upper = np.where(upper > self.upper, np.nextafter(upper, zero), upper)
        with np.errstate(over="ignore"):
            return np.clip(np.asarray(coefs).astype(dtype), lower, upper)

    def take(self, cols):
        """The box of the features ``cols``."""
        return Bounds(self.lower[cols], self.upper[cols])


def stored_coefficients(coefs, dtype, bounds):
    """``coefs`` as a model stores them in ``dtype``, inside ``bounds`` (or None)."""
    if bounds is None:
        with np.errstate(over="ignore"):
            return np.asarray(coefs).astype(dtype, copy=False)
    return bounds.round_into(coefs, dtype)


def box_arrays(bounds, n_features):
    """The kernels' ``(lower, upper, bounded)`` for ``bounds`` (a :class:`Bounds` or None)."""
    if bounds is None:
        return np.full(n_features, -np.inf), np.full(n_features, np.inf), False
    return bounds.lower, bounds.upper, True


def box_reach(v, bounds):
    """How far the correlations ``v`` push each feature away from 0 in the directions its
    box allows (``|v|`` without a box; ``-inf`` for a feature fixed at 0): the quantity its
    L1 weight bounds at a solution where it is 0 (the kernels' ``_prox.reach``, vectorised)."""
    if bounds is None:
        return np.abs(v)
    up = np.where(bounds.upper > 0, v, -np.inf)
    return np.maximum(up, np.where(bounds.lower < 0, -v, -np.inf))


@dataclass
class Penalty:
    """``a * |w| + b / 2 * w^2`` per feature, the box (a :class:`Bounds` in solver units, or
    None), plus the statistics of the unpenalized features that the duality gap's projection
    needs."""

    a: np.ndarray
    b: np.ndarray
    bounds: object
    unpen: np.ndarray  # indices with a == b == 0
    pinv_uu: np.ndarray  # pinv(X_U^T X_U / S), centred
    g_u: np.ndarray  # X_c^T X_U / S, shape (p, |U|)
    gy_u: np.ndarray  # X_U^T y_c / S

    def data(self):
        """The penalty as the kernels' :class:`~sparsereg._kernels._bundles.PenaltyData`
        (without unpenalized features: None for their statistics, so that the kernels are
        compiled without their projection)."""
        box = box_arrays(self.bounds, self.a.shape[0])
        if self.unpen.size == 0:
            return PenaltyData(self.a, self.b, *box, None, None, None, None)
        return PenaltyData(self.a, self.b, *box, self.unpen, self.pinv_uu, self.g_u, self.gy_u)


def make_penalty(design, alpha, l1_ratio, penalty_factor=None, bounds=None):
    """Per-feature penalty weights (in the design's solver units, where the L1 weights and
    the box are divided by ``y_scale``) and the unpenalized-feature statistics for
    ``design``."""
    p = design.n_features
    v = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)
    a = alpha * l1_ratio * v / design.y_scale
    b = alpha * (1.0 - l1_ratio) * v
    # from the unscaled weights: a / y_scale may underflow where alpha * l1_ratio * v does not
    unpen = np.flatnonzero((alpha * l1_ratio * v == 0.0) & (b == 0.0)).astype(np.int64)
    box = None if bounds is None else bounds.scaled(design.y_scale)
    if unpen.size == 0:
        return Penalty(a, b, box, unpen, np.zeros((0, 0)), np.zeros((p, 0)),
                       np.zeros(0))
    g_u, gy_u = design.cross_products(unpen)  # constant columns are exactly zero there
    return Penalty(a, b, box, unpen, psd_pinv(g_u[unpen]), np.ascontiguousarray(g_u), gy_u)


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
