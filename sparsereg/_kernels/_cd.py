"""Coordinate descent for the elastic net on a design matrix (dense or CSC).

The residual ``R`` is kept together with its weighted sum ``sum_r = c^T R``; the optimal
intercept for the current ``w`` is ``sum_r / S``, so the residual proper is
``r = R - (sum_r / S) c``. For sparse X, ``R = y - X w`` is uncentred and the centred column
``x_j - mean_j`` is never formed: a coordinate update costs O(nnz(x_j)), also with an
intercept. For dense X the update centres on the fly and ``R`` stays centred (see
``col_update``), which avoids cancellation when column means are large.

Outer loop: one pass for the full gradient, the duality gap (stop when small enough), gap-safe
screening, and a working set (current support plus the worst KKT violators). Inner loop: cyclic
epochs on the working set with Anderson extrapolation.
"""

import numpy as np

from ._anderson import ANDERSON_K, anderson_point
from ._arrays import copy_into, flatnonzero, kth_smallest, scatter
from ._columns import col_dot, col_update
from ._jit import kernel
from ._prox import clip, duality_gap, kkt_violation, penalty_value, prox_step

INNER_MAX_EPOCHS = 500  # then back to the outer loop: a fresh gradient, gap and working set


@kernel(internal=True)
def _epoch(d, ws, w, R, sum_r, pen):
    """One cyclic pass over ``ws``; returns the new ``sum_r``, the largest
    ``curvature_j |dw_j|`` and the largest ``|dw_j|``."""
    X, c, q, lips, S = d.X, d.c, d.q, d.lips, d.S
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    max_step = 0.0
    max_move = 0.0
    for j in ws:
        curvature = lips[j] + b[j]
        if curvature == 0.0:
            continue
        grad_j = (col_dot(X, j, R) - sum_r / S * q[j]) / S
        new = prox_step(w[j] * lips[j] + grad_j, lips[j], a[j], b[j], lower[j], upper[j])
        delta = new - w[j]
        if delta != 0.0:
            sum_r += col_update(X, j, -delta, R, c, q[j], S)
            w[j] = new
            max_step = max(max_step, abs(delta) * curvature)
            max_move = max(max_move, abs(delta))
    return sum_r, max_step, max_move


@kernel(internal=True)
def _residual_stats(d, R, sum_r):
    """``||r||^2 / S`` and ``y^T r / S`` with ``r = R - (sum_r / S) c``."""
    y, c, S = d.y, d.c, d.S
    b0 = sum_r / S if d.fit_intercept else 0.0
    rr = 0.0
    ry = 0.0
    for i in range(R.shape[0]):
        r_i = R[i] - b0 * c[i]
        rr += r_i * r_i
        ry += y[i] * r_i
    return rr / S, ry / S


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def _anderson(d, ws, buffer, w, R, sum_r, pen):
    """Try the Anderson extrapolation of the last iterates; keep it if the objective drops."""
    w_acc = anderson_point(buffer)
    if w_acc.shape[0] == 0:
        return sum_r
    if pen.bounded:
        for k in range(ws.shape[0]):
            w_acc[k] = clip(w_acc[k], pen.lower[ws[k]], pen.upper[ws[k]])
    R_acc = np.empty(R.shape[0])
    copy_into(R, R_acc)
    sum_acc = sum_r
    for k in range(ws.shape[0]):
        delta = w_acc[k] - w[ws[k]]
        if delta != 0.0:
            sum_acc += col_update(d.X, ws[k], -delta, R_acc, d.c, d.q[ws[k]], d.S)
    rr_old, _ = _residual_stats(d, R, sum_r)
    rr_new, _ = _residual_stats(d, R_acc, sum_acc)
    w_new = np.empty(w.shape[0])
    copy_into(w, w_new)
    scatter(w_acc, ws, w_new)
    if 0.5 * rr_new + penalty_value(w_new, pen) < 0.5 * rr_old + penalty_value(w, pen):
        scatter(w_acc, ws, w)
        copy_into(R_acc, R)
        return sum_acc
    return sum_r


@kernel(internal=True)
def _unpenalized_block_step(d, w, R, sum_r, pen, unpen):
    """Jointly refit the unpenalized features ``unpen`` (``pen.unpen``) given the others
    (one Newton step is exact).

    Coordinate descent alone crawls when unpenalized columns are correlated; this keeps them
    optimal, like the intercept, so the penalized coordinates see a well-conditioned problem.
    """
    if unpen is None:  # pruned at compile time: nothing to compile without such features
        return sum_r
    X, c, q, S = d.X, d.c, d.q, d.S
    n_u = unpen.shape[0]
    if n_u == 0:
        return sum_r
    grad_u = np.empty(n_u)
    for k in range(n_u):
        grad_u[k] = (col_dot(X, unpen[k], R) - sum_r / S * q[unpen[k]]) / S
    step = np.empty(n_u)
    np.dot(pen.pinv_uu, grad_u, step)  # pinv_uu @ grad_u (see _gram._gradient)
    for k in range(n_u):
        if step[k] != 0.0:
            sum_r += col_update(X, unpen[k], -step[k], R, c, q[unpen[k]], S)
            w[unpen[k]] += step[k]
    return sum_r


@kernel(inline="always")
def settled(move, prev_move, scale, move_tol):
    """Whether coordinate descent has come to rest: its remaining distance, estimated from the
    last epoch's largest move and the rate of the last two (``move * rate / (1 - rate)``, the
    rest of a geometric series; the rate capped at 0.999), and that move itself are at most
    ``move_tol * scale``. scikit-learn tests the last move only, which on a poorly
    conditioned problem stops where the iterates crawl, far from the solution."""
    if move <= 1e-3 * move_tol * scale:
        return True
    if not prev_move > 0.0:  # no rate yet (first epoch, or just after an extrapolation)
        return False
    rate = min(move / prev_move, 0.999)
    return move * max(1.0, rate / (1.0 - rate)) <= move_tol * scale


@kernel(internal=True)
def inner_solve(d, ws, w, R, sum_r, pen, tol_inner, move_tol, max_epochs):
    """Epochs on the working set until the largest step is below ``tol_inner`` and the
    coefficients have ``settled`` to ``move_tol``; returns ``sum_r``, the number of epochs and
    whether they settled (False when not tested: ``move_tol`` infinite)."""
    buffer = np.empty((ANDERSON_K + 1, ws.shape[0]))
    epochs = 0
    calm = True  # untested while move_tol is infinite
    move = 0.0
    while epochs < max_epochs:
        prev_move = move
        sum_r, max_step, move = _epoch(d, ws, w, R, sum_r, pen)
        if not pen.bounded:  # the joint step ignores the box
            sum_r = _unpenalized_block_step(d, w, R, sum_r, pen, pen.unpen)
        epochs += 1
        if move_tol < np.inf:
            scale = 0.0
            for j in ws:
                scale = max(scale, abs(w[j]))
            calm = settled(move, prev_move, scale, move_tol)
        if max_step <= tol_inner and calm:
            break
        slot = (epochs - 1) % (ANDERSON_K + 1)
        for k in range(ws.shape[0]):
            buffer[slot, k] = w[ws[k]]
        if slot == ANDERSON_K:
            sum_r = _anderson(d, ws, buffer, w, R, sum_r, pen)
            move = 0.0  # the next epoch starts a new rate
    return sum_r, epochs, calm and move_tol < np.inf


# The same kernel inlined into cd_solve, its one caller there: compiled apart it would be
# optimized again inside cd_solve (see _jit). The classifiers' Newton steps call the compiled
# one: inlined there too, it made that larger kernel's typing slower than the compile it saved.
_inner_solve_inlined = kernel(inline="always")(inner_solve.py_func)


@kernel(internal=True)
def refresh_residual(d, w, R):
    """Recompute the residual from scratch (y is centred); returns its weighted sum."""
    copy_into(d.y, R)
    sum_r = 0.0
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            sum_r += col_update(d.X, j, -w[j], R, d.c, d.q[j], d.S)
    return sum_r


@kernel(internal=True)
def _full_gradient(d, R, sum_r, active, grad):
    for j in range(grad.shape[0]):
        if active[j]:
            grad[j] = (col_dot(d.X, j, R) - sum_r / d.S * d.q[j]) / d.S
        else:
            grad[j] = 0.0


@kernel(internal=True)
def working_set(w, grad, pen, active, ws_min):
    """The working set (sorted indices) and the largest KKT violation of the active features.

    The set holds the support (and unpenalized features) plus the worst KKT violators.

    Size ``max(ws_min, 2 * |support|)``; only features that violate their KKT condition
    compete for the free places, so the selection sorts a short list, not all p features.
    """
    a, b = pen.a, pen.b
    violation = kkt_violation(w, grad, pen)
    p = w.shape[0]
    keep = np.empty(p, dtype=np.bool_)  # filled below (np.zeros compiles a helper of its own)
    n_keep = 0
    n_candidates = 0
    worst = 0.0
    for j in range(p):
        keep[j] = False
        if active[j]:
            worst = max(worst, violation[j])
            if w[j] != 0.0 or (a[j] == 0.0 and b[j] == 0.0):
                keep[j] = True
                n_keep += 1
            elif violation[j] > 0.0:
                n_candidates += 1
    candidates = np.empty(n_candidates, dtype=np.int64)
    k = 0
    for j in range(p):
        if active[j] and not keep[j] and violation[j] > 0.0:
            candidates[k] = j
            k += 1
    n_free = max(ws_min, 2 * n_keep) - n_keep
    if n_candidates > n_free:
        # The n_free largest violations: those above the cut, then ties in index order; a
        # selection (O(m)), not a full sort.
        scores = np.empty(n_candidates)
        work = np.empty(n_candidates)  # reordered by the selection
        for t in range(n_candidates):
            scores[t] = violation[candidates[t]]
            work[t] = scores[t]
        cut = kth_smallest(work, n_candidates - n_free)
        n_ties = n_free
        for t in range(n_candidates):
            if scores[t] > cut:
                n_ties -= 1
        for t in range(n_candidates):
            if scores[t] > cut:
                keep[candidates[t]] = True
            elif scores[t] == cut and n_ties > 0:
                keep[candidates[t]] = True
                n_ties -= 1
    else:
        for j in candidates:
            keep[j] = True
    return flatnonzero(keep), worst


@kernel
def cd_solve(d, pen, rnd, w, R, tol_abs, move_tol, max_epochs, ws_min):
    """Minimise the elastic-net objective from ``(w, R)`` (updated in place).

    Parameters
    ----------
    d : RowData
        The design (dense or CSC), rows scaled by sqrt(sample_weight).
    pen : PenaltyData
        Per-feature penalty, box and unpenalized statistics.
    rnd : Roundoff
        The round-off model of the correlations (see ``_prox.duality_gap``).
    w, R : ndarray
        Starting point, and a work array of length n for its residual; overwritten with the
        solution and its residual.
    tol_abs : float
        Stop when the duality gap is at most this value ...
    move_tol : float
        ... and the coefficients have ``settled`` to ``move_tol * max_j |w_j|`` (on a poorly
        conditioned problem a small gap alone can leave them far from the solution, where
        scikit-learn's defaults, which also test the coefficients' moves, are closer).
    max_epochs, ws_min : int
        Epoch budget and smallest working set.

    Returns
    -------
    gap, primal, epochs : float, float, int
    """
    a, b, lips = pen.a, pen.b, d.lips
    p = w.shape[0]
    active = np.empty(p, dtype=np.bool_)
    for j in range(p):
        # a constant column: its coefficient is 0 and stays 0
        active[j] = not (lips[j] + b[j] == 0.0 and a[j] > 0.0)
    sum_r = refresh_residual(d, w, R)
    grad = np.empty(p)
    epochs = 0
    fresh = False
    calm = False
    move_test = np.inf  # no movement test inside the epochs until the gap is small enough
    while True:
        _full_gradient(d, R, sum_r, active, grad)
        rr, ry = _residual_stats(d, R, sum_r)
        gap, primal, reach_theta = duality_gap(w, grad, rr, ry, pen, rnd)
        # At least one epoch: below alpha_max the all-zero start can already meet a loose
        # tol, but a lasso that never moved would hide which features enter.
        small_gap = gap <= tol_abs and epochs > 0
        if small_gap:
            move_test = move_tol
        done = (small_gap and calm) or epochs >= max_epochs
        if fresh and done:
            return gap, primal, epochs
        if done:
            # The incrementally updated residual drifts by round-off: certify on a fresh one.
            sum_r = refresh_residual(d, w, R)
            fresh = True
            continue
        fresh = False

        # Gap-safe screening: |x_j^T theta*| < a_j (on the sides the box allows) certifies
        # w_j* = 0.
        for j in range(p):
            if active[j] and a[j] > 0.0:
                if reach_theta[j] + np.sqrt(2.0 * lips[j] * gap) < a[j]:
                    active[j] = False
                    if w[j] != 0.0:
                        sum_r += col_update(d.X, j, w[j], R, d.c, d.q[j], d.S)
                        w[j] = 0.0

        ws, worst = working_set(w, grad, pen, active, ws_min)
        # With the gap small already, only the coefficients' rest is missing: a step
        # tolerance from the KKT violations would sit at round-off, where an update can
        # cycle by an ulp for every epoch of the budget (500 epochs for one coefficient).
        tol_inner = np.inf if small_gap else 0.3 * worst
        budget = min(max_epochs - epochs, INNER_MAX_EPOCHS)
        sum_r, inner, calm = _inner_solve_inlined(d, ws, w, R, sum_r, pen, tol_inner,
                                                  move_test, budget)
        epochs += inner
