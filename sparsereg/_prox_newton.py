"""The proximal-Newton loop of the GLM losses (:mod:`._glm`): one loop for the problem in
memory (:class:`~._glm.GLMProblem`) and in chunks (:class:`~._glm_dask.ChunkedGLMProblem`),
which reach the data through the same methods (``newton_point``, ``move``, ``slope``,
``trial``, ``refresh``, ``duality_gap``)."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._kernels._prox import EPS
from ._solvers import Solution

ARMIJO = 1e-4
MAX_HALVINGS = 60
STALL = 3  # certified gaps in a row that did not halve: the fit stops there


def prox_newton(problem, loss, alpha, l1_ratio, *, penalty_factor=None, tol=1e-4,
                max_iter=100, coef_init=None, solver="auto", warn=True):
    """The loop of :func:`~._glm.solve_glm` on a problem in memory
    (:class:`~._glm.GLMProblem`) or in chunks (:class:`~._glm_dask.ChunkedGLMProblem`), which reach the data through the same
    methods; ``eta`` is whatever the problem keeps of a model's predictor. Its warning points
    at the caller of the caller's caller (an estimator's ``fit``)."""
    fit_intercept = problem.fit_intercept
    target = tol * problem.null_objective()
    w = np.zeros(len(problem.a)) if coef_init is None \
        else np.array(coef_init, dtype=np.float64)
    if problem.bounds is not None:  # a warm start from outside the box: made feasible first
        w = problem.bounds.clip(w)
    w, intercept, eta = problem.refit_unpenalized(w, 0.0)
    gap, primal = problem.duality_gap(w, intercept, eta)
    # The gap (a pass over X for the correlations, and the conjugate) is computed when the
    # step's predicted decrease, the Newton decrement, says the target may be met; between
    # times the decrement stands in for it (as the inner solves' accuracy).
    estimate, certified = gap, True
    n_iter, stalled = 0, 0
    while not (certified and gap <= target) and n_iter < max_iter and stalled < STALL:
        n_iter += 1
        inner_tol = float(np.clip(0.1 * estimate / max(abs(primal), 1e-300), 1e-12, 1e-3))
        w_new, b_new = problem.newton_point(w, intercept, eta, l1_ratio, alpha,
                                            penalty_factor, inner_tol, solver)
        d_w, d_b = w_new - w, b_new - intercept
        move = problem.move(d_w, d_b)
        slope = problem.slope(eta, move) + problem.penalty(w_new) - problem.penalty(w)
        step, accepted = 1.0, False
        for _ in range(MAX_HALVINGS):
            trial, eta_trial = problem.trial(w + step * d_w, intercept + step * d_b, eta,
                                             move, step)
            if trial <= primal + ARMIJO * step * min(slope, 0.0) + 64 * EPS * abs(primal):
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break  # no decrease left to find in float64: the gap below says how far it got
        w = w + step * d_w
        intercept = intercept + step * d_b
        eta = eta_trial
        primal, estimate, certified = trial, -slope, False
        if -slope <= target or n_iter == max_iter:
            eta = problem.refresh(w, intercept, eta)  # the certificate's predictor
            last, (gap, primal) = gap, problem.duality_gap(w, intercept, eta)
            estimate, certified = gap, True
            # steps that no longer shrink the gap: its round-off floor is above the target
            stalled = stalled + 1 if gap > 0.5 * last else 0
    if not certified:  # the returned point is certified, whatever stopped the loop
        eta = problem.refresh(w, intercept, eta)
        gap, primal = problem.duality_gap(w, intercept, eta)
    converged = bool(gap <= target)
    if warn and not converged:
        reason = ("float64 round-off cannot certify less on this data (columns with large "
                  "offsets: centre X), or loosen tol") if stalled >= STALL else \
            "increase max_iter or loosen tol"
        warnings.warn(f"The {loss} fit did not converge in {n_iter} Newton steps: duality gap "
                      f"{gap:.3e} > tol * P(0) = {target:.3e}; {reason}.", ConvergenceWarning,
                      stacklevel=4)
    return Solution(coef=w, intercept=float(intercept) if fit_intercept else 0.0,
                    dual_gap=float(gap), n_iter=max(n_iter, 1), converged=converged)
