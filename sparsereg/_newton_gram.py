"""Proximal Newton on sufficient statistics: one pass over the rows per Newton step.

For n >> p, and for dask arrays (where a pass is the unit of cost), each Newton step is
solved on the weighted Gram matrix of its quadratic model: one pass over the row chunks
gives, per class, the :class:`~sparsereg._problem._stats.SufficientStats` of the working
response with the IRLS weights, and the elastic-net solver for least squares
(:func:`~sparsereg._solvers.solve_enet` on a
:class:`~sparsereg._problem._stats.GramDesign`, the engine of every Gram fit) returns the
Newton point. The classes of a multinomial model take their steps together from the same
point (each with its own diagonal Hessian block), and a backtracking line search on the
true objective takes the step; the loss at the new point comes with the next pass. The
certificate is the duality gap of the in-memory solver, from two more passes (the corrected
dual point's correlations, then its entropy).
"""

import numpy as np

from ._kernels._centring import center_classes
from ._kernels._linesearch import MAX_HALVINGS, accepts, objective_roundoff
from ._kernels._logistic import constraint_step, residual_holds
from ._kernels._newton_gap import (
    certified_gap,
    correlation_errors,
    dual_scaling,
    penalty_conjugate,
)
from ._kernels._prox import penalty_value
from ._newton import ClassSolution, warn_unconverged
from ._problem._class_chunks import dual_sums, entropy_sums, model_sums
from ._problem._classes import (
    centered_intercepts,
    classification_penalty,
    null_intercepts,
    null_objective,
)
from ._problem._stats import GramDesign
from ._solvers import solve_enet

INNER_TOL = 1e-7  # relative gap of each Newton point's least-squares solve (p x p: cheap)


def _penalty(W, pen):
    return float(sum(penalty_value(W[k], pen) for k in range(W.shape[0])))


def certify(chunks, info, W, B, sums, pen):
    """The duality gap at ``(W, B)`` (two passes), round-off margin included."""
    S, p = info.total_weight, W.shape[1]
    delta = constraint_step(sums.viol / S, sums.M / S)
    unpen, fi = pen.unpen, info.fit_intercept
    ds = chunks.reduce(dual_sums, W, B, unpen, fi, delta)
    equality = np.ones((ds.residual.shape[0] // W.shape[0], W.shape[0]), dtype=np.bool_)
    feasible = ds.inside and residual_holds(ds.residual, ds.scale, info.n_samples, equality)
    G = ds.G / S
    err = correlation_errors(np.sqrt(ds.theta_sq) / S, info.n_samples)
    kappa = dual_scaling(G, feasible, pen, info.norms, err, False)
    entropy = chunks.reduce(entropy_sums, W, B, unpen, fi, delta, kappa).entropy / S
    dual = entropy - penalty_conjugate(G, kappa, pen, info.norms, err, False)
    primal = sums.loss / S + _penalty(W, pen)
    return float(certified_gap(primal, dual, ds.size / S, info.n_samples + p * W.shape[0]))


def solve_logistic_stats(chunks, info, alpha, l1_ratio, *, penalty_factor=None,
                         bounds=None, tol=1e-4, max_iter=100, coef_init=None,
                         intercept_init=None, warn=True):
    """Proximal Newton with every step solved on the weighted Gram matrix.

    Parameters
    ----------
    chunks : RowChunks or DaskChunks
        The rows, reduced by ``chunks.reduce(func, *args)``.
    info : ClassInfo
        ``n_samples``, ``n_features``, ``n_rows`` (K), ``total_weight``, ``class_mass``,
        ``norms`` (column norms) and ``fit_intercept``.
    alpha, l1_ratio, penalty_factor, bounds, tol, max_iter, coef_init, intercept_init, warn
        As :func:`~sparsereg._newton.solve_logistic`; ``max_iter`` counts Newton steps (one
        pass each).

    Returns
    -------
    ClassSolution
    """
    p, K, S, fi = info.n_features, info.n_rows, info.total_weight, info.fit_intercept
    pen = classification_penalty(p, alpha, l1_ratio, penalty_factor, bounds)
    if coef_init is None:
        W, B = np.zeros((K, p)), null_intercepts(info.class_mass, fi)
    else:
        W = np.array(coef_init, dtype=np.float64).reshape(K, p)
        B = np.array(intercept_init, dtype=np.float64).reshape(K) if fi else np.zeros(K)
        if bounds is not None:
            W = bounds.clip(W)
    target = tol * null_objective(info.class_mass, fi)
    sums = chunks.reduce(model_sums, W, B, pen.unpen, fi)
    n_iter, gap = 0, np.inf
    while True:
        primal = sums.loss / S + _penalty(W, pen)
        V, C = W.copy(), B.copy()
        for k in range(K):
            stats = sums.stats[k]
            sol = solve_enet(GramDesign(stats, fi), alpha * S / stats.S, l1_ratio,
                             penalty_factor=penalty_factor, bounds=bounds, tol=INNER_TOL,
                             max_iter=100000, coef_init=W[k], warn=False)
            V[k], C[k] = sol.coef, sol.intercept if fi else 0.0
        if K > 1 and bounds is None:
            center_classes(V, pen, False)  # same loss, less penalty (the softmax's free direction)
        D, dB = V - W, C - B
        decrease = float(np.sum(sums.xg.T * D) + sums.gsum @ dB) / S + _penalty(V, pen) \
            - _penalty(W, pen)
        if n_iter >= max_iter:
            gap = certify(chunks, info, W, B, sums, pen)
            break
        # Close to the optimum (the model's decrease is below the target): the step is
        # taken first, and the certificate is computed at the new point.
        close = -decrease <= 0.5 * target
        roundoff = objective_roundoff(sums.loss / S, _penalty(W, pen))
        t, accepted = 1.0, False
        for _ in range(MAX_HALVINGS):
            Wt, Bt = W + t * D, B + t * dB
            trial = chunks.reduce(model_sums, Wt, Bt, pen.unpen, fi)
            value = trial.loss / S + _penalty(Wt, pen)
            if accepts(value, primal, t, decrease, roundoff):
                accepted = True
                break
            t *= 0.5
        n_iter += 1
        if not accepted:  # no progress is possible at this precision: certify where we are
            gap = certify(chunks, info, W, B, sums, pen)
            break
        W, B, sums = Wt, Bt, trial
        if close:
            gap = certify(chunks, info, W, B, sums, pen)
            if gap <= target:
                break
    converged = bool(gap <= target)
    if warn and not converged:
        floor = 8.0 * np.finfo(np.float64).eps * (info.n_samples + p * K + 8) \
            * null_objective(info.class_mass, fi)
        warn_unconverged(gap, target, n_iter, floor, stacklevel=4)
    primal = sums.loss / S + _penalty(W, pen)
    return ClassSolution(W, centered_intercepts(B) if fi else np.zeros(K), float(gap),
                         max(n_iter, 1), converged, float(primal), float(sums.loss / S))
