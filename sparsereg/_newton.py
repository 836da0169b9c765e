"""The proximal-Newton solver for the logistic and multinomial losses (a pure function from a
:class:`~sparsereg._problem._classes.ClassDesign` to a certified solution)."""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._kernels._grouped import group_penalty
from ._kernels._logistic import loss_and_probabilities
from ._kernels._newton import newton_solve
from ._kernels._prox import penalty_value
from ._problem._classes import HUGE_PENALTY, classification_penalty

WORKING_SET_MIN = 10
# Newton directions are solved to this fraction of the largest KKT violation: loosely from a
# cold start (early directions need not be exact), tightly from a warm start (a path's next
# alpha, where one accurate step usually finishes). Measured on the 100-alpha path of the
# logistic benchmark (L6): 351 Newton iterations / 531 ms at 0.3, 214 / 398 ms at 0.05,
# 187 / 367 ms at 0.02, 179 / 389 ms at 0.005; single cold fits are fastest at 0.3.
INNER_TOL_COLD = 0.3
INNER_TOL_WARM = 0.02


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


def solve_logistic(design, alpha, l1_ratio, *, penalty_factor=None, positive=False, tol=1e-4,
                   max_iter=100, coef_init=None, intercept_init=None, warn=True,
                   grouped=False):
    """Minimise ``(1/S) sum_i s_i logloss_i + alpha * penalty(W)`` by proximal Newton,
    stopped at duality gap <= ``tol * P(0)``.

    Parameters
    ----------
    design : ClassDesign
    alpha, l1_ratio : float
    penalty_factor : ndarray (p,), optional
    positive : bool
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

    Returns
    -------
    ClassSolution
    """
    K = design.Y.shape[0]
    pen = classification_penalty(design.n_features, alpha, l1_ratio, penalty_factor, positive)
    if coef_init is None:
        W = np.zeros((K, design.n_features))
        B = design.null_intercepts()
    else:
        W, B = design.coef_in(coef_init, intercept_init if intercept_init is not None
                              else np.zeros(K))
        if positive:
            np.maximum(W, 0.0, out=W)  # a warm start must be feasible before it is certified
    A = design.constraint_columns(pen.unpen)
    target = tol * design.null_objective
    inner_tol = INNER_TOL_COLD if coef_init is None else INNER_TOL_WARM
    gap, primal, n_iter, _ = newton_solve(design.X, design.Y, design.c, A, design.norms,
                                          design.cnorms, pen, W, B, design.fit_intercept,
                                          target, int(max_iter), WORKING_SET_MIN, inner_tol,
                                          bool(grouped) and K > 1)
    converged = bool(gap <= target)
    if warn and not converged:
        warn_unconverged(gap, target, n_iter, roundoff_floor(design), stacklevel=4)
    coef, intercept = design.coef_out(W, B)
    penalty = group_penalty(W, pen) if grouped and K > 1 else \
        sum(penalty_value(W[k], pen) for k in range(K))
    return ClassSolution(coef, intercept, float(gap), max(int(n_iter), 1), converged,
                         float(primal), float(primal - penalty))


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


def logistic_alpha_max(design, l1_ratio=1.0, penalty_factor=None, positive=False,
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
        pen = classification_penalty(p, HUGE_PENALTY, 1.0, np.where(v > 0, 1.0, 0.0), positive)
        K = design.Y.shape[0]
        W, B = np.zeros((K, p)), design.null_intercepts()
        newton_solve(design.X, design.Y, design.c, design.constraint_columns(pen.unpen),
                     design.norms, design.cnorms, pen, W, B, design.fit_intercept,
                     1e-12 * design.null_objective, 200, WORKING_SET_MIN, INNER_TOL_COLD,
                     False)
        eta = np.ascontiguousarray(np.asarray(design.matrix() @ W.T).T + B[:, None])
        t = np.empty_like(eta)
        loss_and_probabilities(eta, design.Y, design.c, t)  # the kernels' own, overflow-free
        G = np.asarray(design.matrix().T @ (design.c * (design.Y - t)).T).T
    G = np.maximum(G, 0.0) if positive else np.abs(G)
    if grouped:  # a feature enters when its classes' correlations have norm a_j
        G = np.sqrt((G * G).sum(axis=0, keepdims=True))
    pen_cols = v > 0
    if not np.any(pen_cols):
        return 0.0
    return float((G[:, pen_cols] / v[pen_cols]).max() / l1_ratio)
