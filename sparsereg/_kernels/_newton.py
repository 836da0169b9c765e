"""Proximal Newton for the logistic and multinomial losses, on the coordinate-descent engine.

Outer loop (one pass over X): the fitted probabilities, the dual point and the duality gap
(stop when small enough), gap-safe screening, and per class a working set (support plus the
worst KKT violators). Per class, the Newton direction minimises the quadratic model of the
loss plus the penalty on the working set: a weighted least-squares problem (IRLS weights
``h = c t (1 - t)``, working response ``eta - g / h``), which is handed to the same
coordinate-descent epochs (``_cd.inner_solve``, with Anderson extrapolation) as every
least-squares fit, on the working set's columns scaled by ``sqrt(h)``. A backtracking
(Armijo) line search on the true objective takes the step. The multinomial loss is
minimised class by class, each with the exact diagonal block of its Hessian (glmnet's
scheme); two classes are the binary case ``K = 1``.

From a warm start (a path's next alpha) several steps follow each pass, stopped by the gap
of the problem restricted to the working set (its columns only), and the certificate also
tries the quadratic model's dual point (:func:`~._logistic.linearized_probabilities`); a
path hands each alpha the previous solution's correlations, so it starts without a pass.

Compile time: Numba links every callee's code into its caller and optimizes and generates
machine code for it again there. The outer loop (:func:`newton_solve`) is therefore Python:
its kernels (the predictor, the certificate's ``gap_parts``, screening, the steps
``_newton_steps``) are compiled apart, once each, and a first fit's compile helper
(:mod:`._parallel`) can take some of them (one plan: :func:`~._parallel.one_plan`); as one
kernel it compiled 5-6 s longer (a classifier's first fit, one core). A Newton iteration
costs a few kernel calls from Python, microseconds next to a pass over X. Within a kernel,
a callee called from one place only (``_class_step``, the certificate's
``_dual_correlations``) is inlined (``inline="always"``) rather than compiled twice. The
certificate lives in :mod:`._newton_gap`, the multinomial centring in :mod:`._centring` (not
compiled for two classes).
"""

from collections import namedtuple

import numpy as np

from ._arrays import copy_rows
from ._bundles import PenaltyData, RowData
from ._cd import inner_solve, refresh_residual, working_set
from ._centring import center_classes
from ._columns import col_axpy, take_columns
from ._grouped import group_penalty, group_working_set, grouped_step
from ._jit import kernel
from ._l1qp import l1_qp
from ._linesearch import MAX_HALVINGS, accepts, is_descent, objective_roundoff
from ._logistic import (
    BINARY_CURVATURE,
    MULTINOMIAL_CURVATURE,
    WEIGHT_FLOOR,
    linearized_probabilities,
    move_class,
    moved_loss,
    softmax_state,
)
from ._newton_gap import certified_gap, gap_parts, screen
from ._parallel import one_plan
from ._prox import penalty_value, subset_penalty

MAX_JOINT = 160  # coefficients (class, feature) of a joint support step at most, and
MAX_JOINT_CELLS = 2 ** 24  # its columns' entries (128 MB; its Hessian costs n m^2 / 2)
INNER_EPOCHS = 100  # coordinate-descent epochs per Newton direction at most
MAX_INNER = 20  # Newton steps on one working set before the next pass over X, unless
INNER_GAP = 0.9  # the restricted problem's gap is below this fraction of tol, or
GAP_DECREASE = 0.1  # this fraction of the last pass's gap (a wrong working set, early on,
# is not worth solving accurately)


@kernel(internal=True)
def predictor(X, W, B, ETA, size):
    """``ETA = W X^T + B`` from scratch (a fresh linear predictor, no drift) and, in
    ``size``, ``sum_k (|b_k| + sum_j |x_ij w_jk|)``: the scale of its round-off."""
    K, n = ETA.shape
    for k in range(K):
        for i in range(n):
            ETA[k, i] = B[k]
    for i in range(n):
        size[i] = 0.0
        for k in range(K):
            size[i] += abs(B[k])
    for k in range(K):
        for j in range(W.shape[1]):
            if W[k, j] != 0.0:
                col_axpy(X, j, W[k, j], ETA[k], False)
                col_axpy(X, j, abs(W[k, j]), size, True)


@kernel(internal=True)
def _sub_penalty(pen, ws, scale):
    """The penalty of the working set's features, divided by ``scale``."""
    m = ws.shape[0]
    a = np.empty(m)
    b = np.empty(m)
    lower = np.empty(m)
    upper = np.empty(m)
    for t in range(m):
        a[t] = pen.a[ws[t]] / scale
        b[t] = pen.b[ws[t]] / scale
        lower[t] = pen.lower[ws[t]]
        upper[t] = pen.upper[ws[t]]
    return PenaltyData(a, b, lower, upper, pen.bounded, None, None, None, None)


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def _class_step(X, Y, c, k, W, B, ETA, T, LSE, pen, ws, fit_intercept, tol_inner, loss,
                guess, classes):
    """One proximal-Newton step on class ``k``'s coefficients and intercept, its
    coordinate descent started from ``guess[k]`` (``W`` itself, or a path's extrapolation:
    only the start changes, not the model); returns the new loss value and the
    coordinate-descent epochs run."""
    n = ETA.shape[1]
    m = ws.shape[0]
    g = np.empty(n)
    sqrt_h = np.empty(n)
    S_h = 0.0
    g_sum = 0.0
    for i in range(n):
        t = T[k, i]
        g[i] = c[i] * (t - Y[k, i])
        h = max(c[i] * t * (1.0 - t), c[i] * WEIGHT_FLOOR)
        sqrt_h[i] = np.sqrt(h)
        S_h += h
        g_sum += g[i]
    # The quadratic model sum_i h_i / 2 (z_i - x_i v - beta)^2 + penalty(v), z = eta - g / h,
    # as the least-squares kernels' problem 1/(2 S_h) ||y - X~ v - beta sqrt_h||^2 + pen / S_h.
    q = np.empty(m)
    sq = np.empty(m)
    Xs = take_columns(X, ws, sqrt_h, q, sq)  # one pass: the columns, x~^T sqrt_h, ||x~||^2
    y = np.empty(n)
    for i in range(n):
        y[i] = sqrt_h[i] * (ETA[k, i] - B[k]) - g[i] / sqrt_h[i]
    lips = np.empty(m)
    if fit_intercept:
        y_bar = 0.0
        for i in range(n):
            y_bar += sqrt_h[i] * y[i]
        y_bar /= S_h
        for i in range(n):
            y[i] -= y_bar * sqrt_h[i]
        # the centred curvature from the two sums (offset columns are shifted, so little
        # cancels; it only sets step sizes, never the certificate)
        for t in range(m):
            centred = sq[t] - q[t] * q[t] / S_h
            # below round-off of the sums: numerically constant, skipped by the epochs
            lips[t] = centred / S_h if centred > 1e-12 * sq[t] else 0.0
    else:
        for t in range(m):
            q[t] = 0.0
            lips[t] = sq[t] / S_h
    d = RowData(Xs, y, sqrt_h, q, lips, S_h, fit_intercept)
    sub = _sub_penalty(pen, ws, S_h)
    w_old = np.empty(m)
    for t in range(m):
        w_old[t] = W[k, ws[t]]
    v = np.empty(m)
    for t in range(m):
        v[t] = guess[k, ws[t]]
    R = np.empty(n)
    sum_r = refresh_residual(d, v, R)
    every = np.empty(m, dtype=np.int64)
    for t in range(m):
        every[t] = t
    sum_r, epochs, _ = inner_solve(d, every, v, R, sum_r, sub, tol_inner / S_h,
                                   np.inf, INNER_EPOCHS)
    # The direction in eta: X (v - w) plus the intercept that minimises the model given v.
    step = np.zeros(n)
    for t in range(m):
        if v[t] != w_old[t]:
            col_axpy(X, ws[t], v[t] - w_old[t], step, False)
    d_b = 0.0
    if fit_intercept:
        hx = 0.0
        for i in range(n):
            hx += sqrt_h[i] * sqrt_h[i] * step[i]
        d_b = -(g_sum + hx) / S_h
        for i in range(n):
            step[i] += d_b
    pen_old = subset_penalty(w_old, ws, pen)
    decrease = subset_penalty(v, ws, pen) - pen_old
    for i in range(n):
        decrease += g[i] * step[i]
    roundoff = objective_roundoff(loss, pen_old)
    if not is_descent(decrease, roundoff):
        return loss, epochs
    t_step = 1.0
    new_loss = loss
    ratios = np.empty(n)
    accepted = False
    trial = np.empty(m)
    for _ in range(MAX_HALVINGS):
        new_loss = moved_loss(ETA, Y, c, k, step, t_step, T, loss, ratios, classes)
        for t in range(m):  # loops, not array expressions: each compiles a helper
            trial[t] = w_old[t] + t_step * (v[t] - w_old[t])
        pen_t = subset_penalty(trial, ws, pen)
        if accepts(new_loss + pen_t, loss + pen_old, t_step, decrease, roundoff):
            accepted = True
            break
        t_step *= 0.5
    if not accepted:
        return loss, epochs
    for t in range(m):
        W[k, ws[t]] = v[t] if t_step == 1.0 else trial[t]
    B[k] += t_step * d_b
    move_class(ETA, T, LSE, k, step, t_step, ratios, classes)
    return new_loss, epochs


@kernel
def _support_step(X, Y, c, W, pen, classes, candidates):
    """One proximal-Newton step jointly over the classes (the full Hessian, not its diagonal
    blocks) on the support of ``W`` and the ``candidates`` (the working sets: the worst KKT
    violators), if at most ``MAX_JOINT`` coefficients whose columns fit in
    ``MAX_JOINT_CELLS`` entries (else on the support alone, if that is small enough): the
    quadratic model plus the L1 part minimised exactly (:func:`~._l1qp.l1_qp`), then an
    Armijo backtracking on the true objective; returns whether ``W`` moved (the caller
    then recomputes the predictors).

    Without an intercept, columns with a common offset make a shared, penalized intercept:
    shifting every class's predictor by the same amount is nearly free for the (softmax)
    loss, but each class alone sees the offset's huge curvature, so class-by-class steps
    (and coordinate descent within a class) crawl along that direction. The joint model
    sees it whole; solved exactly (not by coordinate descent, which crawls on it too, nor
    by a Newton step on the support with its signs held, which stops at the best point of
    the current orthant), the support can grow and signs change in one step."""
    K, n = Y.shape
    p = W.shape[1]
    m = 0
    extra = 0
    for k in range(K):
        for j in range(p):
            if W[k, j] != 0.0:
                m += 1
            elif candidates[k, j]:
                extra += 1
    budget = min(MAX_JOINT, MAX_JOINT_CELLS // n)
    if m > budget:
        return False
    use = m + extra <= budget  # else the support alone
    if use:
        m += extra
    if m == 0:
        return False
    kk = np.empty(m, dtype=np.int64)
    jj = np.empty(m, dtype=np.int64)
    cols = np.zeros((m, n))
    t = 0
    for k in range(K):
        for j in range(p):
            if W[k, j] != 0.0 or (use and candidates[k, j]):
                kk[t] = k
                jj[t] = j
                col_axpy(X, j, 1.0, cols[t], False)
                t += 1
    ETA = np.empty((K, n))
    T = np.empty((K, n))
    LSE = np.empty(n)
    _support_predictor(W, kk, jj, cols, ETA)
    loss = softmax_state(ETA, Y, c, T, LSE, classes)
    # The quadratic model of the loss (its gradient g and full Hessian H, the L2 part
    # included) plus the L1 part, on the chosen coordinates, minimised exactly.
    g = np.empty(m)
    H = np.empty((m, m))
    w = np.empty(m)
    l1 = np.empty(m)
    for a in range(m):
        k, j = kk[a], jj[a]
        w[a] = W[k, j]
        l1[a] = pen.a[j]
        total = 0.0
        for i in range(n):
            total += c[i] * (T[k, i] - Y[k, i]) * cols[a, i]
        g[a] = total + pen.b[j] * w[a]
        for b in range(a + 1):
            l = kk[b]
            total = 0.0
            for i in range(n):
                if k == l:
                    h = T[k, i] * (1.0 - T[k, i])
                else:
                    h = -T[k, i] * T[l, i]
                total += c[i] * h * cols[a, i] * cols[b, i]
            if a == b:
                total += pen.b[j]
            if not np.isfinite(total):  # columns near the float range: eigh would raise
                return False
            H[a, b] = total
            H[b, a] = total
    v = np.empty(m)
    l1_qp(g, H, w, l1, v)
    decrease = 0.0  # the model's: g^T d + the L1 part's change
    for a in range(m):
        decrease += g[a] * (v[a] - w[a]) + l1[a] * (abs(v[a]) - abs(w[a]))
    pen_old = 0.0
    for k in range(K):
        pen_old += penalty_value(W[k], pen)
    roundoff = objective_roundoff(loss, pen_old)
    if not is_descent(decrease, roundoff):
        return False
    trial = np.empty((K, p))
    copy_rows(W, trial)
    step = 1.0
    for _ in range(MAX_HALVINGS):
        pen_t = 0.0
        for a in range(m):
            trial[kk[a], jj[a]] = w[a] + step * (v[a] - w[a])
        for k in range(K):
            pen_t += penalty_value(trial[k], pen)
        _support_predictor(trial, kk, jj, cols, ETA)
        new_loss = softmax_state(ETA, Y, c, T, LSE, classes)
        if accepts(new_loss + pen_t, loss + pen_old, step, decrease, roundoff):
            copy_rows(trial, W)
            return True
        step *= 0.5
    return False


@kernel(internal=True)
def _support_predictor(W, kk, jj, cols, ETA):
    """``ETA = W X^T`` from the support's columns ``cols`` (``W[kk[t], jj[t]]`` the t-th
    nonzero; no intercept)."""
    for k in range(ETA.shape[0]):
        for i in range(ETA.shape[1]):
            ETA[k, i] = 0.0
    for t in range(kk.shape[0]):
        w = W[kk[t], jj[t]]
        for i in range(ETA.shape[1]):
            ETA[kk[t], i] += w * cols[t, i]


@kernel(internal=True)
def _mark(flags, indices):
    for t in range(indices.shape[0]):
        flags[indices[t]] = True


@kernel(internal=True)
def _penalty(W, pen, grouped):
    if grouped is not None:  # True or None (see newton_solve)
        return group_penalty(W, pen)
    total = 0.0
    for k in range(W.shape[0]):
        total += penalty_value(W[k], pen)
    return total


@kernel
def _newton_steps(X, Y, c, W, B, ETA, T, LSE, pen, mask, G, fit_intercept, inner_tol,
                  loss, ws_min, in_ws, record, guess, classes):
    """One proximal-Newton step per class on the working sets drawn from the ``mask``ed
    pairs with the correlations ``G`` (marked in ``in_ws`` if ``record``); returns the new
    loss and the coordinate-descent epochs run. (The grouped penalty's step is
    :func:`~._grouped.grouped_step`, called from :func:`newton_solve`.)"""
    K = W.shape[0]
    epochs = 0
    for k in range(K):
        ws, worst = working_set(W[k], G[k], pen, mask[k], ws_min)
        if record:
            _mark(in_ws[k], ws)
        if ws.shape[0] == 0 and not fit_intercept:
            continue
        loss, inner = _class_step(X, Y, c, k, W, B, ETA, T, LSE, pen, ws, fit_intercept,
                                  inner_tol * worst, loss, guess, classes)
        epochs += inner
    return loss, epochs


NewtonWork = namedtuple("NewtonWork", ["ETA", "Ts", "ETA_ref", "T_ref", "LSE", "theta",
                                       "G_all", "G_ws", "size", "active", "every", "in_ws"])
NewtonWork.__doc__ = """:func:`newton_solve`'s state between its kernels: the predictors
``ETA``, the candidate probabilities of the dual point ``Ts`` (the fitted ones and, after
Newton steps, those linearized at the steps' start from ``ETA_ref`` and ``T_ref``), the
log-normalisers, the dual points ``theta`` and their correlations (over every pair, and over
the working sets), the predictors' round-off scale, and the masks of the pairs not
screened, of every pair and of the working sets."""


def _work(K, n, p, G):
    work = NewtonWork(np.empty((K, n)), np.empty((2, K, n)), np.empty((K, n)),
                      np.empty((K, n)), np.empty(n), np.empty((2 * K, n)),
                      np.zeros((2 * K, p)), np.zeros((2 * K, p)), np.empty(n),
                      np.ones((K, p), dtype=np.bool_), np.ones((K, p), dtype=np.bool_),
                      np.zeros((K, p), dtype=np.bool_))
    work.G_all[:K] = G
    return work


@kernel
def _state(X, Y, c, W, B, pen, wk, loss, fresh, linearize, grouped, classes):
    """The loss and the primal objective: with ``fresh``, from a predictor computed from
    scratch (no drift; cheap next to the correlations; also after a shift of the classes'
    coefficients, which moves every predictor), else ``loss``. With ``linearize``, the
    linearized candidate probabilities ``wk.Ts[1]`` too. Returns ``(loss, inside,
    primal)``: ``inside`` whether that candidate is one (its entries in [0, 1])."""
    if fresh:
        predictor(X, W, B, wk.ETA, wk.size)
        loss = softmax_state(wk.ETA, Y, c, wk.Ts[0], wk.LSE, classes)
    inside = False
    if linearize:
        inside = linearized_probabilities(wk.T_ref, wk.ETA_ref, wk.ETA, wk.Ts[1], classes)
    return loss, inside, loss + _penalty(W, pen, grouped)


@one_plan
def newton_solve(X, Y, c, A, norms, cnorms, pen, W, B, fit_intercept, tol_abs, max_iter,
                 ws_min, inner_tol, max_inner, grouped, classes, unpenalized, G, reuse,
                 complete, guess, joint):
    """Minimise ``F(W X^T + B) + sum_k penalty(W[k])`` (logistic for ``K = 1``, multinomial
    otherwise) from ``(W, B)``, updated in place.

    Each outer iteration makes one pass over X (the duality gap; stop when small enough),
    screens, and draws the working sets; up to ``max_inner`` proximal-Newton steps on them
    follow, until the gap of the problem restricted to the working sets (their columns
    only) is below ``INNER_GAP * tol_abs`` or ``GAP_DECREASE`` times the pass's gap; then
    the next pass checks the whole problem. From a warm start (a path's next alpha) the
    working set is usually right and one pass certifies several steps; from a cold start
    it is not, and one step per pass (``max_inner = 1``) is fastest.

    Parameters
    ----------
    X : F-ordered ndarray (n, p) or CSC triple
        The design (offset columns shifted); never scaled or copied.
    Y : ndarray (K, n)
        Labels (0/1 for ``K = 1``, one-hot otherwise).
    c : ndarray (n,)
        Sample weights normalised to sum 1 (all positive).
    A : ndarray (n, m)
        The columns whose dual constraints are equalities: the intercept's column of ones
        (if fitted) and the unpenalized features.
    norms, cnorms : ndarray (p,)
        Column norms (for round-off) and ``sqrt(sum_i c_i (x_ij - mean_j)^2)`` (for
        screening).
    pen : PenaltyData
    W, B : ndarray (K, p), (K,)
    fit_intercept : bool
    tol_abs : float
        Stop when the duality gap, round-off margin included, is at most this.
    max_iter, ws_min : int
        Newton steps at most; smallest working set.
    inner_tol : float
        Each Newton direction is solved until its largest step is below this fraction of
        the largest KKT violation.
    max_inner : int
        Newton steps per pass over X at most.
    grouped : True or None
        The grouped multinomial penalty (a feature's K coefficients enter together):
        :func:`~._grouped.grouped_step` instead of class-by-class steps (chosen here, so
        that only the kind of step a fit takes is compiled). None, not False, otherwise:
        Numba prunes ``is None`` branches on arguments at compile time, which keeps the
        group penalty out of other fits' kernels (``_penalty``).
    classes : True or None
        True for three classes or more (``K > 1``), None for two: the same pruning keeps
        the centring of the classes' coefficients (:func:`center_classes`, about 0.7 s of
        compilation) out of binary fits, and the binary or multinomial branches of the
        loss kernels (see :mod:`._logistic`) out of the other kind of fit.
    unpenalized : True or None
        True when some feature is unpenalized (``pen.unpen`` not empty): their dual
        equations then need the general constraint system; None compiles only the
        intercepts' (:func:`~._logistic.intercept_point`).
    G : ndarray (K, p)
        Out: the correlations ``x_j^T theta_k`` at the returned point's dual point (all of
        them if ``complete``, else screened pairs are 0). In, with ``reuse``: those of the
        starting ``(W, B)`` (a previous solve's output on the same data, ``complete``).
    reuse, complete : bool
    joint : True or None
        True without an intercept where some column is an offset column (ungrouped,
        unbounded; ``ClassDesign.has_offsets``): after each round of class steps,
        a joint proximal-Newton step on the support and the working sets, its model
        solved exactly (:func:`_support_step`; without an intercept, columns with a
        common offset make class-by-class steps crawl). None otherwise,
        pruned as ``grouped``: other fits do not compile it.

    Returns
    -------
    gap, primal, n_iter, epochs : float, float, int, int
    """
    K, n = Y.shape
    p = W.shape[1]
    is_grouped = grouped is not None
    curvature = BINARY_CURVATURE if K == 1 else MULTINOMIAL_CURVATURE
    wk = _work(K, n, p, G)
    constant = (cnorms == 0.0) & (pen.a > 0.0)
    if constant.any():  # a constant column: its coefficient is 0 and stays 0
        wk.active[:, constant] = False
        W[:, constant] = 0.0
    n_iter = epochs = inner_it = 0
    n_cand = 1
    gap = np.inf
    loss = 0.0
    full = True  # the next gap is the whole problem's (a pass over X: the certificate)
    refresh = False
    while True:
        # after a step, the linearized candidate; on a pass, only where it won before (a
        # second vector to correlate costs as much again on sparse X and K more for classes)
        linearize = not full or n_cand == 2
        loss, inside, primal = _state(X, Y, c, W, B, pen, wk, loss, full or refresh,
                                      linearize, grouped, classes)
        refresh = False
        if linearize:
            n_cand = 2 if inside else 1
        dual, kappa, err, best = gap_parts(X, Y, wk.Ts[:n_cand], c, A, W, pen, norms,
                                           (wk.every if complete else wk.active) if full
                                           else wk.in_ws, fit_intercept, is_grouped,
                                           wk.theta, wk.G_all if full else wk.G_ws, reuse,
                                           classes, unpenalized)
        reuse = False
        if full:
            # (the kernel's formula, in Python: a call from here costs more than it)
            gap = certified_gap.py_func(primal, dual, float(c @ wk.size), n + p * K)
            if gap <= tol_abs or n_iter >= max_iter:
                G[:] = wk.G_all[:K]
                return gap, primal, n_iter, epochs
            # Screening around the dual point of the gap; working sets from the true
            # gradient, drawn by the first step and kept as a mask for the next ones, which
            # draw from it afresh.
            screen(wk.G_all[best * K:(best + 1) * K], W, pen, wk.active, kappa, err, norms,
                   cnorms, np.sqrt(2.0 * curvature * gap), is_grouped)
            wk.in_ws.fill(False)
            inner_it = 0
        else:
            # A stopping rule only (the certificate is the next pass's); it also tells
            # whether the linearized candidate is worth correlating with every column.
            n_cand = 1 + best
            if abs(primal - dual) <= max(INNER_GAP * tol_abs, GAP_DECREASE * gap):
                full = True
                continue
        if max_inner > 1:  # the linearized candidate's reference point
            wk.ETA_ref[:] = wk.ETA
            wk.T_ref[:] = wk.Ts[0]
        first = inner_it == 0
        mask, G_now, ws_now = (wk.active, wk.G_all, ws_min) if first else (wk.in_ws, wk.G_ws, p)
        if is_grouped:  # a feature's K coefficients together: one step for all classes
            ws, worst = group_working_set(W, G_now, pen, mask[0], ws_now)
            if first:
                wk.in_ws[:, ws] = True
            loss, inner = grouped_step(X, Y, c, W, B, wk.ETA, wk.Ts[0], wk.LSE, pen, ws,
                                       fit_intercept, inner_tol * worst, loss, INNER_EPOCHS)
        else:
            loss, inner = _newton_steps(X, Y, c, W, B, wk.ETA, wk.Ts[0], wk.LSE, pen, mask,
                                        G_now, fit_intercept, inner_tol, loss, ws_now,
                                        wk.in_ws, first, guess if n_iter == 0 else W,
                                        classes)
        epochs += inner
        moved = joint is not None and _support_step(X, Y, c, W, pen, classes, wk.in_ws)
        shifted = classes is not None and not pen.bounded and \
            center_classes(W, pen, is_grouped)
        if shifted:  # a shift may move a class's zero: keep it in play
            nonzero = W != 0.0
            np.logical_or(wk.in_ws, nonzero, out=wk.in_ws)
            np.logical_or(wk.active, nonzero, out=wk.active)
        n_iter += 1
        inner_it += 1
        full = n_iter >= max_iter or inner_it == max_inner
        refresh = shifted or moved
