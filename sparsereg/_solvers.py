"""Solvers: pure functions from a :class:`~sparsereg._design.Design` to a certified solution."""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._alpha import alpha_max_of_design
from ._kernels._cd import cd_solve
from ._kernels._gram import gram_solve
from ._kernels._prox import duality_gap
from ._penalty import make_penalty

WORKING_SET_MIN = 100
ROUNDOFF_FACTOR = 64
ALPHA_MAX_SLACK = 1e-10  # relative round-off allowed when comparing alpha with alpha_max
GRAM_MIN_RATIO = 10  # use the Gram kernel when n >= GRAM_MIN_RATIO * p ...
GRAM_MAX_FEATURES = 4000  # ... and p is small enough for a p x p matrix


@dataclass
class Solution:
    """A solution of the penalized least-squares problem with its certificate."""

    coef: np.ndarray
    intercept: float
    dual_gap: float
    n_iter: int
    converged: bool


def gap_tolerance(design, tol):
    """``tol * P(0)``, but not below what float64 round-off lets a gap certify.

    The gap is assembled from sums of magnitude P(0), so values below ~``1e-14`` of that are
    noise; asking for less would only exhaust ``max_iter``.
    """
    floor = ROUNDOFF_FACTOR * np.finfo(np.float64).eps * design.null_objective
    return max(tol * design.null_objective, floor)


def _finish(design, w, gap, n_iter, tol_abs, warn, exact=False):
    converged = exact or bool(gap <= tol_abs)
    if warn and not converged:
        warnings.warn(
            f"Objective did not converge in {n_iter} iterations: duality gap {gap:.3e} > "
            f"tol * P(0) = {tol_abs:.3e}. Increase max_iter, loosen tol, or scale the "
            "features.", ConvergenceWarning, stacklevel=4)
    intercept = design.y_mean - float(design.means @ w) if design.fit_intercept else 0.0
    # A solution certified by the first gap check (e.g. alpha >= alpha_max) still took one pass.
    return Solution(coef=w, intercept=intercept, dual_gap=float(gap), n_iter=max(int(n_iter), 1),
                    converged=converged)


def use_gram(design, solver):
    """Whether the Gram kernel should solve this design."""
    if solver == "gram" or not design.has_rows:
        return True
    if solver == "cd":
        return False
    return (not design.sparse and design.n_samples >= GRAM_MIN_RATIO * design.n_features
            and design.n_features <= GRAM_MAX_FEATURES)


def solve_enet(design, alpha, l1_ratio, *, penalty_factor=None, positive=False, tol=1e-4,
               max_iter=1000, coef_init=None, solver="auto", warn=True):
    """Coordinate descent for the elastic net, stopped at duality gap <= ``tol * P(0)``."""
    gram = use_gram(design, solver)
    if gram:
        design.gram()  # computed first so that the penalty statistics reuse it
    penalty = make_penalty(design, alpha, l1_ratio, penalty_factor)
    tol_abs = gap_tolerance(design, tol)
    if coef_init is None and l1_ratio > 0 and not (positive and penalty.unpen.size) \
            and alpha >= (1.0 - ALPHA_MAX_SLACK) * alpha_max_of_design(
                design, l1_ratio, penalty_factor, use_gram=gram):
        # Zero is optimal (up to round-off in alpha_max): return it exactly, with the
        # unpenalized features fitted, if its certificate holds.
        w = np.zeros(design.n_features)
        if penalty.unpen.size:
            w[penalty.unpen] = design.least_squares(penalty.unpen)[0]
        gap = certify(design, penalty, w, positive)
        if gap <= tol_abs:
            return _finish(design, w, gap, 1, tol_abs, warn)
    w = (np.zeros(design.n_features) if coef_init is None
         else np.array(coef_init, dtype=np.float64))
    if gram:
        Q, g0, yy = design.gram()
        gap, _, n_iter = gram_solve(Q, g0, yy, penalty.a, penalty.b, positive, w, tol_abs,
                                    max_iter, *penalty.kernel_args())
    else:
        R = np.empty(design.n_samples)  # filled by the kernel from w
        gap, _, n_iter = cd_solve(design.X, design.y, design.c, design.q, design.lips,
                                  penalty.a, penalty.b, positive, design.fit_intercept,
                                  design.S, w, R, tol_abs, max_iter, *penalty.kernel_args(),
                                  WORKING_SET_MIN)
    return _finish(design, w, gap, n_iter, tol_abs, warn)


def certify(design, penalty, w, positive=False):
    """Duality gap of ``w`` computed from scratch (one pass over the data)."""
    grad, rr, ry = design.residual_stats(w)
    gap, _, _ = duality_gap(w, grad, rr, ry, penalty.a, penalty.b, positive,
                            *penalty.kernel_args())
    return gap
