"""The proximal-Newton solver for the logistic and multinomial losses (a pure function from a
:class:`~sparsereg._problem._classes.ClassDesign` to a certified solution)."""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._kernels._grouped import group_penalty
from ._kernels._logistic import class_flag, loss_and_probabilities
from ._kernels._newton import MAX_INNER, newton_solve
from ._kernels._prox import penalty_value
from ._problem._classes import HUGE_PENALTY, classification_penalty
from ._problem._penalty import box_reach

WORKING_SET_MIN = 10
# Newton directions are solved to this fraction of the largest KKT violation: loosely from a
# cold start (early directions need not be exact), tightly from a warm start close to the
# solution (a fine path's next alpha, where one accurate step usually finishes), loosely
# again after a coarse step of alpha (a CV grid's), where the first directions are revised
# as the working set changes. Measured (tol 1e-5, one run each): the 100-alpha path L6
# (alpha ratio 0.955 per step) 230 ms at 0.001, 314 ms at 0.05; the 20-alpha CVs of
# benchmarks/bench_class_cv.py (ratios 0.48-0.78) at 0.001 / 0.05: l2-tall 3.52 / 2.58 s,
# l1-wide 0.88 / 0.74 s, a 3-class L1 15.4 / 9.4 s. Single cold fits are fastest at 0.3.
INNER_TOL_COLD = 0.3
INNER_TOL_WARM = 0.001
INNER_TOL_STEP = 0.05
FINE_STEP = 0.9  # alpha / previous alpha at least this: a fine path's step


@dataclass
class ClassSolution:
    """Coefficients ``(K, p)``, intercepts ``(K,)`` and the certificate (objective units)."""

    coef: np.ndarray
    intercept: np.ndarray
    dual_gap: float
    n_iter: int
    converged: bool
    primal: float
    loss: float  # the datafit part of primal
    state: "NewtonState" = None


@dataclass
class NewtonState:
    """A solution in the kernel's terms, ``(W, B)``, and every correlation ``G[k, j] = x_j^T
    theta_k`` of its dual point: the next alpha of a path starts there without a pass over
    X (valid for the same design, unpenalized features, box and ``grouped``)."""

    W: np.ndarray
    B: np.ndarray
    G: np.ndarray
    alpha: float = None
    before: tuple = None  # the path's previous (W, alpha), for an extrapolated start


def solve_logistic(design, alpha, l1_ratio, *, penalty_factor=None, bounds=None, tol=1e-4,
                   max_iter=100, coef_init=None, intercept_init=None, warn=True,
                   grouped=False, state=None, keep_state=False):
    """Minimise ``(1/S) sum_i s_i logloss_i + alpha * penalty(W)`` by proximal Newton,
    stopped at duality gap <= ``tol * P(0)``.

    Parameters
    ----------
    design : ClassDesign
    alpha, l1_ratio : float
    penalty_factor : ndarray (p,), optional
    bounds : Bounds, optional
        The box of the coefficients (the same for every class).
    tol : float
        Relative to ``P(0)``, the intercept-only model's objective.
    max_iter : int
        Proximal-Newton iterations (one pass over X each) at most.
    coef_init, intercept_init : ndarray, optional
        Warm start (data units).
    warn : bool
        Raise a ConvergenceWarning when the certificate exceeds ``tol * P(0)``.
    grouped : bool
        glmnet's grouped multinomial penalty (a feature's K coefficients together).
    state : NewtonState, optional
        Warm start from a previous solve's ``state`` (replaces ``coef_init``).
    keep_state : bool
        Return the solution's :class:`NewtonState` in ``state`` (all its correlations
        are then computed, no screened pair skipped).

    Returns
    -------
    ClassSolution
    """
    K = design.Y.shape[0]
    pen = classification_penalty(design.n_features, alpha, l1_ratio, penalty_factor, bounds)
    G = np.zeros((K, design.n_features))
    if state is not None:
        W, B = state.W.copy(), state.B.copy()
        G[:] = state.G
        guess = path_guess(state, alpha, bounds)
    elif coef_init is None:
        W = np.zeros((K, design.n_features))
        B = design.null_intercepts()
    else:
        W, B = design.coef_in(coef_init, intercept_init if intercept_init is not None
                              else np.zeros(K))
        if bounds is not None:  # a warm start must be feasible before it is certified
            W = np.ascontiguousarray(bounds.clip(W))
    A = design.constraint_columns(pen.unpen)
    target = tol * design.null_objective
    cold = coef_init is None and state is None
    inner_tol, max_inner = (INNER_TOL_COLD, 1) if cold else (warm_inner_tol(state, alpha),
                                                             MAX_INNER)
    gap, primal, n_iter, _ = newton_solve(design.X, design.Y, design.c, A, design.norms,
                                          design.cnorms, pen, W, B, design.fit_intercept,
                                          target, int(max_iter), WORKING_SET_MIN, inner_tol,
                                          max_inner, True if grouped and K > 1 else None,
                                          class_flag(K), True if pen.unpen.size else None, G,
                                          state is not None, bool(keep_state),
                                          guess if state is not None else W,
                                          True if not design.fit_intercept and
                                          design.has_offsets and not (grouped and K > 1)
                                          and not pen.bounded else None)
    converged = bool(gap <= target)
    if warn and not converged:
        warn_unconverged(gap, target, n_iter, roundoff_floor(design), stacklevel=4)
    coef, intercept = design.coef_out(W, B)
    penalty = group_penalty(W, pen) if grouped and K > 1 else \
        sum(penalty_value(W[k], pen) for k in range(K))
    return ClassSolution(coef, intercept, float(gap), max(int(n_iter), 1), converged,
                         float(primal), float(primal - penalty),
                         NewtonState(W, B, G, alpha, None if state is None else
                                     (state.W, state.alpha)) if keep_state else None)


def warm_inner_tol(state, alpha):
    """The Newton directions' inner tolerance from a warm start: tight after a fine step of
    a path (or a user's warm start), loose after a coarse one (see ``INNER_TOL_STEP``)."""
    if state is not None and state.alpha is not None and state.alpha > 0 \
            and alpha / state.alpha < FINE_STEP:
        return INNER_TOL_STEP
    return INNER_TOL_WARM


def path_guess(state, alpha, bounds):
    """Where the path's next solution is likely: the last two solutions extrapolated
    linearly in log(alpha), a coefficient that would cross 0 held at 0 (a start for the
    first Newton direction's coordinate descent, never a point that is certified)."""
    if state.before is None or state.before[1] is None or state.alpha is None \
            or state.before[1] == state.alpha:
        return state.W
    W_before, alpha_before = state.before
    r = np.log(alpha / state.alpha) / np.log(state.alpha / alpha_before)
    r = min(max(r, 0.0), 2.0)
    guess = state.W + r * (state.W - W_before)
    guess[np.sign(guess) != np.sign(state.W)] = 0.0
    return guess if bounds is None else bounds.clip(guess)


def roundoff_floor(design):
    """About the smallest gap float64 can certify for this design (see ``certified_gap``)."""
    n_terms = design.n_samples + design.n_features * design.Y.shape[0] + 8
    return 8.0 * np.finfo(np.float64).eps * n_terms * design.null_objective


def warn_unconverged(gap, target, n_iter, floor, stacklevel):
    """The ConvergenceWarning of a fit whose certificate exceeds ``tol * P(0)``."""
    if gap <= 16.0 * floor:
        reason = ("float64 round-off cannot certify less on this data (the gap is at its "
                  "round-off floor); loosen tol")
    else:
        reason = ("increase max_iter or alpha (separable data have no finite solution as "
                  "alpha -> 0), or loosen tol")
    warnings.warn(f"Proximal Newton did not converge in {n_iter} iterations: duality gap "
                  f"{gap:.3e} > tol * P(0) = {target:.3e}; {reason}.", ConvergenceWarning,
                  stacklevel=stacklevel)


def logistic_alpha_max(design, l1_ratio=1.0, penalty_factor=None, bounds=None,
                       grouped=False):
    """The smallest ``alpha`` at which every penalized coefficient is zero.

    With unpenalized features their fit is solved first (every penalized feature held at 0
    by a huge L1 weight); the answer is ``max |x_j^T theta| / (l1_ratio v_j)`` at that fit's
    dual point.
    """
    p = design.n_features
    v = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)
    if l1_ratio <= 0:
        return np.inf
    G = design.null_correlations()
    if np.any(v == 0):
        pen = classification_penalty(p, HUGE_PENALTY, 1.0, np.where(v > 0, 1.0, 0.0), bounds)
        K = design.Y.shape[0]
        W, B = np.zeros((K, p)), design.null_intercepts()
        newton_solve(design.X, design.Y, design.c, design.constraint_columns(pen.unpen),
                     design.norms, design.cnorms, pen, W, B, design.fit_intercept,
                     1e-12 * design.null_objective, 200, WORKING_SET_MIN, INNER_TOL_COLD, 1,
                     None, class_flag(K), True, np.zeros((K, p)), False, False, W, None)
        eta = np.ascontiguousarray(np.asarray(design.matrix() @ W.T).T + B[:, None])
        t = np.empty_like(eta)
        loss_and_probabilities(eta, design.Y, design.c, t, class_flag(K))  # overflow-free
        G = np.asarray(design.matrix().T @ (design.c * (design.Y - t)).T).T
    G = np.maximum(box_reach(G, bounds), 0.0)
    if grouped:  # a feature enters when its classes' correlations have norm a_j
        G = np.sqrt((G * G).sum(axis=0, keepdims=True))
    pen_cols = v > 0
    if not np.any(pen_cols):
        return 0.0
    return float((G[:, pen_cols] / v[pen_cols]).max() / l1_ratio)
