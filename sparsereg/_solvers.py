"""Solvers: pure functions from a design (:mod:`sparsereg._problem`) to a certified solution.

The datafit is the squared loss, whose quadratic model is the problem itself
(``SquaredError.quadratic``): one coordinate-descent (or Gram, or ridge) solve is exact and
its duality gap is the certificate.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._alpha import alpha_max_of_design
from ._kernels._cd import cd_solve
from ._kernels._gram import gram_solve
from ._kernels._prox import duality_gap
from ._problem import make_penalty
from ._problem._penalty import stored_coefficients

WORKING_SET_MIN = 100
ROUNDOFF_FACTOR = 4
ALPHA_MAX_SLACK = 1e-10  # relative round-off allowed when comparing alpha with alpha_max


@dataclass
class Solution:
    """A solution of the penalized least-squares problem with its certificate (data units)."""

    coef: np.ndarray
    intercept: float
    dual_gap: float
    n_iter: int
    converged: bool


def roundoff(design, w=None):
    """What float64 round-off can hide in a computed gap at ``w`` (solver units).

    The gap is a difference of sums of ``n + p`` terms of the size of P(0), each with a
    relative error of ``eps``. And each residual ``y_i - x_i w`` is computed from terms
    ``x_ij w_j`` that cancel when coefficients are large and of opposite signs: its error is
    ``~ eps * sqrt(sum_j (x_ij w_j)^2)``, which moves the primal value by about
    ``eps ||r|| sqrt(sum_j w_j^2 ||x_j||^2) / S``.
    """
    eps = np.finfo(np.float64).eps
    p0 = design.null_objective
    bound = ROUNDOFF_FACTOR * np.sqrt(design.n_samples + design.n_features) * eps * p0
    if w is not None:
        size = np.linalg.norm(w * design.norms)  # column norms over sqrt(S)
        bound += 2.0 * eps * np.sqrt(2.0 * p0) * size
    return bound


def gap_tolerance(design, tol):
    """The solvers' stopping threshold (solver units): ``tol * P(0)`` less the round-off
    margin the certificate adds, but not below that margin (asking for less would only
    exhaust ``max_iter``; the fit then warns that round-off stopped it)."""
    margin = roundoff(design)
    return max(tol * design.null_objective - margin, margin)


def _finish(design, w, gap, n_iter, tol, warn, *, stop_abs=None, direct=False):
    """The :class:`Solution` in data units, certified by ``|gap|`` plus the round-off margin.

    ``w`` and ``gap`` are in solver units. A computed gap that is negative is round-off of
    at least its size, so its magnitude is reported, never 0. ``converged`` means the
    certificate is at most ``tol * P(0)``; ``stop_abs`` (the solver's stopping threshold,
    which the round-off floor may lift above ``tol * P(0)``) and ``direct`` (a closed-form
    solve, exact but for round-off) only word the warning.
    """
    coef = design.coef_out(w)
    certificate = abs(float(gap)) + roundoff(design, w) \
        + design.intercept_roundoff(coef) / design.y_scale ** 2
    target = tol * design.null_objective
    converged = bool(certificate <= target)
    if warn and not converged:
        if design.intercept_roundoff(coef) / design.y_scale ** 2 > 0.5 * target:
            reason = ("float64 cannot hold the intercept that accurately: a column's mean is "
                      "~1e15 times its spread; centre X before fitting")
        elif direct or (stop_abs is not None and abs(float(gap)) <= stop_abs):
            reason = ("float64 round-off cannot certify less on this data (tol too small or "
                      "the system ill-conditioned); loosen tol")
        else:
            reason = "increase max_iter, loosen tol, or scale the features"
        warnings.warn(
            f"Objective did not converge in {n_iter} iterations: duality gap "
            f"{design.gap_out(certificate):.3e} > tol * P(0) = {design.gap_out(target):.3e}; "
            f"{reason}.", ConvergenceWarning, stacklevel=4)
    # A solution certified by the first gap check (e.g. alpha >= alpha_max) still took one pass.
    return Solution(coef=coef, intercept=design.intercepts(coef),
                    dual_gap=float(design.gap_out(certificate)), n_iter=max(int(n_iter), 1),
                    converged=converged)


def solve_enet(design, alpha, l1_ratio, *, penalty_factor=None, bounds=None, tol=1e-4,
               max_iter=1000, coef_init=None, solver="auto", warn=True):
    """Coordinate descent for the elastic net, stopped at duality gap <= ``tol * P(0)``.

    ``coef_init``, ``bounds`` (a :class:`~._problem.Bounds` or None) and the returned
    :class:`Solution` are in the data's units.
    """
    gram = design.prefers_gram(solver)
    if gram:
        design.gram()  # formed first so that the penalty statistics are read from it
    penalty = make_penalty(design, alpha, l1_ratio, penalty_factor, bounds)
    tol_abs = gap_tolerance(design, tol)
    if coef_init is None and l1_ratio > 0 and not (bounds is not None and penalty.unpen.size) \
            and alpha >= (1.0 - ALPHA_MAX_SLACK) * alpha_max_of_design(
                design, l1_ratio, penalty_factor):
        # Zero is optimal (up to round-off in alpha_max): return it exactly, with the
        # unpenalized features fitted, if its certificate holds.
        w = np.zeros(design.n_features)
        if penalty.unpen.size:
            w[penalty.unpen] = design.least_squares(penalty.unpen)[0]
        gap = certify(design, penalty, w)
        if abs(gap) + roundoff(design, w) <= tol * design.null_objective:
            return _finish(design, w, gap, 1, tol, warn, stop_abs=tol_abs)
    w = np.zeros(design.n_features) if coef_init is None else design.coef_in(coef_init)
    if penalty.bounds is not None:
        # A warm start from an unconstrained fit is outside the feasible set: project it
        # first, or its "gap" (and the screening it drives) would not bound anything.
        w = penalty.bounds.clip(w)
    pen, rnd = penalty.data(), design.roundoff_data()
    if gram:
        gd = design.gram_data()

        def run(stop, epochs):
            return gram_solve(gd, pen, rnd, w, stop, tol, epochs)[::2]
    else:
        rows = design.row_data()
        R = np.empty(design.n_samples)  # filled by the kernel from w

        def run(stop, epochs):
            return cd_solve(rows, pen, rnd, w, R, stop, tol, epochs, WORKING_SET_MIN)[::2]
    gap, n_iter = run(tol_abs, max_iter)
    stop = tighter_stop(design, tol, w, gap, tol_abs)
    if stop is not None and n_iter < max_iter:
        gap, more = run(stop, max_iter - n_iter)
        n_iter += more
    return _finish(design, w, gap, n_iter, tol, warn, stop_abs=tol_abs)


def tighter_stop(design, tol, w, gap, stop_abs):
    """A second, tighter stopping threshold when the solver stopped at ``stop_abs`` but the
    round-off margin of its ``w`` (large coefficients) lifts the certificate above
    ``tol * P(0)``; None when no second run is needed or it could not help."""
    target = tol * design.null_objective
    margin = roundoff(design, w)
    if abs(gap) > stop_abs or abs(gap) + margin <= target:
        return None
    stop = target - margin
    return stop if stop > roundoff(design) else None


def warn_rounding_lost(gaps, stored_gaps, target, dtype, stacklevel):
    """A ``ConvergenceWarning`` when models whose float64 solution met ``target`` (``tol *
    P(0)``, data units) no longer do once rounded to ``dtype`` (one model, or a path's);
    ``stacklevel`` is the caller's."""
    gaps, stored = np.atleast_1d(gaps), np.atleast_1d(stored_gaps)
    lost = (gaps <= target) & (stored > target)
    if np.any(lost):
        where, upto = ("", "") if len(gaps) == 1 else \
            (f" at {int(lost.sum())} of {len(gaps)} alphas", "up to ")
        warnings.warn(
            f"The float64 solution meets tol{where}, but rounded to {np.dtype(dtype).name} it "
            f"is only certified to a duality gap of {upto}{stored[lost].max():.3e} > tol * P(0) "
            f"= {target:.3e}; fit float64 data for a tighter model.", ConvergenceWarning,
            stacklevel=stacklevel + 1)


def certify(design, penalty, w):
    """Duality gap of ``w`` (solver units) computed from scratch (one pass over the data)."""
    grad, rr, ry = design.residual_stats(w)
    gap, _, _ = duality_gap(w, grad, rr, ry, penalty.data(), design.roundoff_data())
    return gap


def certify_many(design, penalties, W):
    """:func:`certify` for each row of ``W`` (solver units) with its penalty, from one pass
    over the data for all of them."""
    grads, rr, ry = design.residual_stats(W)
    rnd = design.roundoff_data()
    return np.array([duality_gap(w, g, a, b, pen.data(), rnd)[0]
                     for w, g, a, b, pen in zip(W, grads, rr, ry, penalties)])


def stored_precision(design, coefs, intercepts, dtype, alphas, l1_ratio, penalty_factor=None,
                     bounds=None):
    """Coefficients and intercepts as stored in ``dtype``, with the duality gaps of what is
    stored (data units), or None for float64.

    A float32 model holds the float64 solution rounded, which moves the objective; so the gap
    is certified again at the rounded coefficients (one more pass over the data), plus
    ``(b - b*)^2 / 2`` for an intercept ``b`` rounded away from the optimal ``b*``.
    ``coefs`` holds one model per row (``alphas`` one value per row).
    """
    coefs = np.atleast_2d(coefs)
    intercepts = np.atleast_1d(np.asarray(intercepts, dtype=np.float64))
    # float64: no copy of a path's coefficients; float32: rounded inside the box
    stored = stored_coefficients(coefs, dtype, bounds)
    with np.errstate(over="ignore"):
        stored_b = intercepts.astype(dtype) if design.fit_intercept else np.zeros_like(intercepts)
    if dtype != np.float64 and not (np.all(np.isfinite(stored)) and np.all(np.isfinite(stored_b))):
        warnings.warn(f"The coefficients exceed the range of {np.dtype(dtype).name}: they are "
                      "kept in float64.", RuntimeWarning, stacklevel=3)
        dtype = np.float64
        stored, stored_b = coefs, intercepts
    if dtype == np.float64:
        return stored, stored_b, None
    gaps = np.empty(len(coefs))
    for k, (coef, alpha) in enumerate(zip(stored.astype(np.float64),
                                          np.broadcast_to(alphas, len(coefs)))):
        w = design.coef_in(coef)
        gap = certify(design, make_penalty(design, float(alpha), l1_ratio, penalty_factor,
                                           bounds), w)
        shift = float(stored_b[k]) - design.intercepts(coef) if design.fit_intercept else 0.0
        gaps[k] = design.gap_out(abs(gap) + roundoff(design, w)) + 0.5 * shift * shift \
            + design.intercept_roundoff(coef)
    return stored, stored_b, gaps
