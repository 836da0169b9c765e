"""Coordinate descent on the Gram matrix ``Q = X_c^T W X_c / S`` (for n >> p, and for Dask).

The gradient ``g = X_c^T W y_c / S - Q w`` is kept up to date, so a coordinate update costs
O(p) whatever n is, and the duality gap comes from the statistics alone:
``||r||^2 / S = yy - w.g0 - w.g`` and ``y^T r / S = yy - w.g0``.
"""

import numpy as np

from ._anderson import ANDERSON_K, anderson_point
from ._jit import kernel
from ._prox import duality_gap, penalty_value, prox_step


@kernel
def _objective(w, grad, g0, yy, a, b):
    """Primal objective from the statistics: ``||r||^2 / (2S) + penalty``."""
    return 0.5 * (yy - np.dot(w, g0) - np.dot(w, grad)) + penalty_value(w, a, b)


@kernel
def gram_solve(Q, g0, yy, a, b, positive, w, tol_abs, max_epochs,
               unpen, pinv_uu, g_u, gy_u, norms, eps_root_n, y_norm):
    """Minimise the elastic net given its sufficient statistics; ``w`` is updated in place.

    Returns
    -------
    gap, primal, epochs : float, float, int
    """
    p = w.shape[0]
    grad = g0 - Q @ w
    buffer = np.empty((ANDERSON_K + 1, p))
    epochs = 0
    fresh = True
    while True:
        wg0 = np.dot(w, g0)
        rr = max(yy - wg0 - np.dot(w, grad), 0.0)
        gap, primal, _ = duality_gap(w, grad, rr, yy - wg0, a, b, positive,
                                     unpen, pinv_uu, g_u, gy_u, norms, eps_root_n, y_norm)
        # At least one epoch: below alpha_max the all-zero start can already meet a loose
        # tol, but a lasso that never moved would hide which features enter.
        if fresh and ((gap <= tol_abs and epochs > 0) or epochs >= max_epochs):
            return gap, primal, epochs
        if (gap <= tol_abs and epochs > 0) or epochs >= max_epochs:
            # certify on a gradient free of accumulated round-off
            grad = g0 - Q @ w
            fresh = True
            continue
        fresh = False
        for j in range(p):
            lips = Q[j, j]
            if lips + b[j] == 0.0:
                continue
            new = prox_step(w[j] * lips + grad[j], lips, a[j], b[j], positive)
            delta = new - w[j]
            if delta != 0.0:
                w[j] = new
                for k in range(p):
                    grad[k] -= delta * Q[j, k]  # Q is symmetric and C-ordered
        epochs += 1
        slot = (epochs - 1) % (ANDERSON_K + 1)
        buffer[slot] = w
        if slot == ANDERSON_K:
            w_acc = anderson_point(buffer, positive)
            if w_acc.shape[0] > 0:
                grad_acc = g0 - Q @ w_acc
                if _objective(w_acc, grad_acc, g0, yy, a, b) < _objective(w, grad, g0, yy, a, b):
                    w[:] = w_acc
                    grad[:] = grad_acc
