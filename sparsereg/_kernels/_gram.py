"""Coordinate descent on the Gram matrix ``Q = X_c^T W X_c / S`` (for n >> p, and for Dask).

The gradient ``g = X_c^T W y_c / S - Q w`` is kept up to date, so a coordinate update costs
O(p) whatever n is, and the duality gap comes from the statistics alone:
``||r||^2 / S = yy - w.g0 - w.g`` and ``y^T r / S = yy - w.g0``.
"""

import numpy as np

from ._anderson import ANDERSON_K, anderson_point
from ._arrays import copy_into
from ._cd import settled
from ._jit import kernel
from ._prox import clip, duality_gap, penalty_value, prox_step


@kernel(internal=True)
def _objective(w, grad, gd, pen):
    """Primal objective from the statistics: ``||r||^2 / (2S) + penalty``."""
    return 0.5 * (gd.yy - np.dot(w, gd.g0) - np.dot(w, grad)) + penalty_value(w, pen)


@kernel(internal=True)
def _gradient(Q, g0, w):
    """``g0 - Q @ w``. The product by NumPy's three-argument ``np.dot``, which ``@`` calls
    after allocating the result (the same BLAS call) but whose compilation skips that
    layer, about 0.15 s per signature; the difference by a loop (an array expression
    compiles a helper of its own)."""
    grad = np.empty(Q.shape[0])
    np.dot(Q, w, grad)
    for j in range(grad.shape[0]):
        grad[j] = g0[j] - grad[j]
    return grad


@kernel
def gram_solve(gd, pen, rnd, w, tol_abs, move_tol, max_epochs):
    """Minimise the elastic net given its sufficient statistics; ``w`` is updated in place.

    Parameters
    ----------
    gd : GramData
        ``Q``, ``g0`` and ``yy``.
    pen : PenaltyData
        Per-feature penalty, sign constraint and unpenalized statistics.
    rnd : Roundoff
        The round-off model of the correlations (see ``_prox.duality_gap``).
    w : ndarray (p,)
        Starting point, overwritten with the solution.
    tol_abs : float
        Stop when the duality gap is at most this value ...
    move_tol : float
        ... and the coefficients have ``_cd.settled`` to ``move_tol * max_j |w_j|`` (as in
        ``_cd.cd_solve``).
    max_epochs : int
        Epoch budget.

    Returns
    -------
    gap, primal, epochs : float, float, int
    """
    Q, g0, yy = gd.Q, gd.g0, gd.yy
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    p = w.shape[0]
    grad = _gradient(Q, g0, w)
    buffer = np.empty((ANDERSON_K + 1, p))
    epochs = 0
    fresh = True
    calm = False
    move = 0.0
    while True:
        wg0 = np.dot(w, g0)
        rr = max(yy - wg0 - np.dot(w, grad), 0.0)
        gap, primal, _ = duality_gap(w, grad, rr, yy - wg0, pen, rnd)
        # At least one epoch: below alpha_max the all-zero start can already meet a loose
        # tol, but a lasso that never moved would hide which features enter.
        done = (gap <= tol_abs and epochs > 0 and calm) or epochs >= max_epochs
        if fresh and done:
            return gap, primal, epochs
        if done:
            # certify on a gradient free of accumulated round-off
            grad = _gradient(Q, g0, w)
            fresh = True
            continue
        fresh = False
        prev_move = move
        move = 0.0
        for j in range(p):
            lips = Q[j, j]
            if lips + b[j] == 0.0:
                continue
            new = prox_step(w[j] * lips + grad[j], lips, a[j], b[j], lower[j], upper[j])
            delta = new - w[j]
            if delta != 0.0:
                w[j] = new
                move = max(move, abs(delta))
                for k in range(p):
                    grad[k] -= delta * Q[j, k]  # Q is symmetric and C-ordered
        epochs += 1
        scale = 0.0
        for j in range(p):
            scale = max(scale, abs(w[j]))
        calm = settled(move, prev_move, scale, move_tol)
        slot = (epochs - 1) % (ANDERSON_K + 1)
        for j in range(p):
            buffer[slot, j] = w[j]
        if slot == ANDERSON_K:
            w_acc = anderson_point(buffer)
            if w_acc.shape[0] > 0:
                if pen.bounded:
                    for j in range(p):
                        w_acc[j] = clip(w_acc[j], lower[j], upper[j])
                grad_acc = _gradient(Q, g0, w_acc)
                if _objective(w_acc, grad_acc, gd, pen) < _objective(w, grad, gd, pen):
                    copy_into(w_acc, w)
                    copy_into(grad_acc, grad)
            move = 0.0  # the next epoch starts a new rate
