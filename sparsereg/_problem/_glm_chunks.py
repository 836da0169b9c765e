"""Row chunks of a Poisson, Gamma or Tweedie problem reduced to sums: what a proximal-Newton
step of :mod:`sparsereg._glm_dask` and its certificate need, computed block by block (where a
dask chunk lives, or in memory by :class:`~._class_chunks.RowChunks`).

One pass at a model ``(w, b)`` gives the loss and what the certificate reads at its predictor
``eta = X w + b`` (:class:`GLMSums`), the gradient ``X^T (s l')`` that prices any direction,
the sums of the intercept's closed-form shift and the Hessian of the intercept and the
unpenalized coefficients (their refit), and, when asked, the
:class:`~._stats.SufficientStats` of the Newton step's weighted least-squares model (working
response ``z = eta - l' / l''``, weights ``s l''``): the Gram matrix it is solved on. The
first pass also gives X's column norms and largest row norm. The certificate's last pass
sums the loss's conjugate at the scaled dual point (:func:`conjugate_sums`). Every quantity is
a sum over rows (the largest row norm a maximum), so chunks merge by addition. Weights are the
raw sample weights ``s``; the solver divides by their total.
"""

from dataclasses import dataclass, fields

import numpy as np

from ._class_chunks import constraint_block
from ._datafit import HalfTweedieDeviance
from ._stats import SufficientStats

WEIGHT_FLOOR = 1e-12  # IRLS weights below this fraction of the chunk's largest are raised


@dataclass
class GLMSums:
    """Sums over a block of rows at one model (see the module docstring)."""

    loss: float  # sum s l
    abs_loss: float  # sum s |l|
    abs_gradient: float  # sum s |l'|
    xg: np.ndarray  # X^T (s l'), (p,)
    gsum: float  # sum s l'
    grad_sq: float  # sum (s l')^2
    top: float  # sum s y exp((1 - p) eta): the intercept's shift is log(top / bottom)
    bottom: float  # sum s exp((2 - p) eta)
    block_hessian: np.ndarray  # B^T diag(s l'') B, B = [1 (intercept), X_U (unpenalized)]
    stats: object = None  # SufficientStats of the quadratic model, when asked
    col_sq: object = None  # sum of squares of each column (the first pass)
    row_max: object = None  # the largest squared row norm (the first pass)

    def __add__(self, other):
        out = {}
        for f in fields(self):
            x, y = getattr(self, f.name), getattr(other, f.name)
            out[f.name] = None if x is None else max(x, y) if f.name == "row_max" else x + y
        return GLMSums(**out)


@dataclass
class ConjugateSums:
    conjugate: float  # sum over rows of c l*(y, kappa l'(eta)), c = s / S

    def __add__(self, other):
        return ConjugateSums(self.conjugate + other.conjugate)


def _predictor(X, w, b):
    return np.asarray(X @ w, dtype=np.float64).ravel() + b


def glm_sums(X, y, s, w, b, power, unpen, fit_intercept, with_stats=False, with_norms=False):
    """:class:`GLMSums` of one block at ``(w, b)``."""
    X = np.asarray(X)
    y = np.asarray(y, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    col_sq = row_max = None
    if with_norms:
        squares = np.square(X, dtype=np.float64)
        col_sq, rows = squares.sum(axis=0), squares.sum(axis=1)
        if not np.all(np.isfinite(col_sq)):
            raise ValueError("Input X contains NaN or infinity (or values too large for "
                             "float64).")
        row_max = float(rows.max(initial=0.0))
    fit = HalfTweedieDeviance(power)
    eta = _predictor(X, w, b)
    terms = fit._terms(y, eta)
    lprime, lsecond = fit.derivative(y, eta), fit.second_derivative(y, eta)
    g = s * lprime
    B = constraint_block(X, unpen, fit_intercept)
    stats = None
    if with_stats:
        h = np.maximum(lsecond, WEIGHT_FLOOR * float(lsecond.max(initial=0.0)))
        z = eta - np.divide(lprime, h, out=np.zeros_like(h), where=h > 0)
        weights = s * h
        # as in memory: X read once in cache-sized blocks, shifted by its (chunk's) means
        stats = SufficientStats.of_weighted_rows(X, z, weights, X.mean(axis=0)) \
            if weights.sum() > 0 else SufficientStats.empty(X.shape[1], len(y))
    return GLMSums(float(s @ terms), float(s @ np.abs(terms)), float(s @ np.abs(lprime)),
                   np.asarray(X.T @ g, dtype=np.float64).ravel(), float(g.sum()), float(g @ g),
                   float(s @ (y * np.exp((1.0 - power) * eta))),
                   float(s @ np.exp((2.0 - power) * eta)),
                   (B * (s * lsecond)[:, None]).T @ B, stats, col_sq, row_max)


def conjugate_sums(X, y, s, w, b, power, total_weight, kappa):
    """:class:`ConjugateSums` of one block: the conjugate at ``kappa`` times the loss's
    derivative at ``(w, b)`` (the dual point), over the rows with positive weight."""
    y = np.asarray(y, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    live = s > 0
    fit = HalfTweedieDeviance(power)
    lprime = fit.derivative(y[live], _predictor(np.asarray(X)[live], w, b))
    return ConjugateSums(fit.conjugate(y[live], kappa * lprime, s[live] / total_weight))
