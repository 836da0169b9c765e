"""The grouped multinomial penalty (glmnet's ``type.multinomial="grouped"``): a feature's K
coefficients enter or leave together.

The penalty of feature ``j`` is ``a_j ||W_j||_2 + b_j / 2 ||W_j||^2`` (``W_j`` its K
coefficients). Its Newton step cannot be taken class by class, so it is one block
coordinate descent over the working set's features on the quadratic model of all classes
(per-class IRLS weights ``h_k = c t_k (1 - t_k)``, the diagonal of each class's Hessian
block), each block bounded by its largest class curvature so that the block prox is the
group soft-threshold ``max(0, 1 - a / (L ||v||)) v / (1 + b / L)``, the grouped counterpart of
:func:`~._prox.prox_step`. The intercepts take their exact model step after each epoch. The
line search is the shared one (:mod:`._linesearch`).
"""

import numpy as np

from ._columns import col_axpy, col_axpy_weighted, col_dot, col_moments
from ._jit import kernel
from ._linesearch import MAX_HALVINGS, accepts, is_descent, objective_roundoff
from ._logistic import WEIGHT_FLOOR, softmax_state

@kernel
def group_penalty(W, pen):
    """``sum_j a_j ||W_j||_2 + b_j / 2 ||W_j||^2``."""
    return block_penalty(W, np.arange(W.shape[1]), pen)


@kernel(internal=True)
def block_penalty(V, cols, pen):
    """The group penalty of the blocks ``V[:, t]`` of the features ``cols[t]``."""
    K, m = V.shape
    total = 0.0
    for t in range(m):
        sq = 0.0
        for k in range(K):
            sq += V[k, t] * V[k, t]
        total += pen.a[cols[t]] * np.sqrt(sq) + 0.5 * pen.b[cols[t]] * sq
    return total


@kernel(internal=True)
def group_violation(W, G, pen):
    """Per feature, how far ``G_j`` (the correlations ``x_j^T theta``) is from the
    subdifferential of the group penalty at ``W_j``."""
    K, p = W.shape
    out = np.empty(p)
    for j in range(p):
        norm = 0.0
        for k in range(K):
            norm += W[k, j] * W[k, j]
        norm = np.sqrt(norm)
        gap = 0.0
        if norm > 0.0:
            for k in range(K):
                d = G[k, j] - pen.b[j] * W[k, j] - pen.a[j] * W[k, j] / norm
                gap += d * d
            out[j] = np.sqrt(gap)
        else:
            for k in range(K):
                gap += G[k, j] * G[k, j]
            out[j] = max(np.sqrt(gap) - pen.a[j], 0.0)
    return out


@kernel
def group_working_set(W, G, pen, active, ws_min):
    """The support (and unpenalized features) plus the worst violators, as in the
    elementwise working set; returns the indices and the largest violation."""
    K, p = W.shape
    violation = group_violation(W, G, pen)
    keep = np.zeros(p, dtype=np.bool_)
    n_keep = 0
    worst = 0.0
    for j in range(p):
        if not active[j]:
            continue
        worst = max(worst, violation[j])
        nonzero = False
        for k in range(K):
            nonzero = nonzero or W[k, j] != 0.0
        if nonzero or (pen.a[j] == 0.0 and pen.b[j] == 0.0):
            keep[j] = True
            n_keep += 1
    n_free = max(ws_min, 2 * n_keep) - n_keep
    candidates = np.flatnonzero(active & ~keep & (violation > 0.0))
    if candidates.shape[0] > n_free:
        order = np.argsort(-violation[candidates])
        candidates = candidates[order[:n_free]]
    for j in candidates:
        keep[j] = True
    return np.flatnonzero(keep), worst


@kernel
def grouped_step(X, Y, c, W, B, ETA, T, LSE, pen, ws, fit_intercept, tol_inner, loss,
                 max_epochs):
    """One proximal-Newton step of all classes on the working set's features; returns the
    new loss and the epochs run."""
    K, n = ETA.shape
    m = ws.shape[0]
    g = np.empty((K, n))
    h = np.empty((K, n))
    S_h = np.zeros(K)
    for k in range(K):
        for i in range(n):
            t = T[k, i]
            g[k, i] = c[i] * (t - Y[k, i])
            h[k, i] = max(c[i] * t * (1.0 - t), c[i] * WEIGHT_FLOOR)
            S_h[k] += h[k, i]
    # per-feature block curvature: the largest class curvature sum_i h_ki x_ij^2
    L = np.zeros(m)
    for t_ in range(m):
        for k in range(K):
            L[t_] = max(L[t_], col_moments(X, ws[t_], h[k])[2])
    V = np.empty((K, m))
    for t_ in range(m):
        for k in range(K):
            V[k, t_] = W[k, ws[t_]]
    V_old = V.copy()
    D = np.zeros((K, n))  # the model's change of eta
    R = g.copy()  # the model's gradient in eta: g + h D
    d_b = np.zeros(K)
    z = np.empty(K)
    epochs = 0
    for _ in range(max_epochs):
        epochs += 1
        max_step = 0.0
        for t_ in range(m):
            j = ws[t_]
            if L[t_] == 0.0:
                continue
            norm = 0.0
            for k in range(K):
                # x_j^T (g_k + h_k D_k): the model's gradient in w_jk
                z[k] = V[k, t_] - col_dot(X, j, R[k]) / L[t_]
                norm += z[k] * z[k]
            norm = np.sqrt(norm)
            scale = 0.0
            if norm > 0.0:
                scale = max(0.0, 1.0 - pen.a[j] / (L[t_] * norm)) / (1.0 + pen.b[j] / L[t_])
            for k in range(K):
                new = scale * z[k]
                delta = new - V[k, t_]
                if delta != 0.0:
                    col_axpy(X, j, delta, D[k], False)
                    col_axpy_weighted(X, j, delta, R[k], h[k])
                    V[k, t_] = new
                    max_step = max(max_step, abs(delta) * L[t_])
        if fit_intercept:
            for k in range(K):
                total = 0.0
                for i in range(n):
                    total += R[k, i]
                step = -total / S_h[k]
                d_b[k] += step
                for i in range(n):
                    D[k, i] += step
                    R[k, i] += step * h[k, i]
        if max_step <= tol_inner:
            break
    pen_old = block_penalty(V_old, ws, pen)
    decrease = block_penalty(V, ws, pen) - pen_old
    for k in range(K):
        for i in range(n):
            decrease += g[k, i] * D[k, i]
    roundoff = objective_roundoff(loss, pen_old)
    if not is_descent(decrease, roundoff):
        return loss, epochs
    t_step = 1.0
    trial = np.empty((K, n))
    T_new = np.empty((K, n))
    LSE_new = np.empty(n)
    for _ in range(MAX_HALVINGS):
        for k in range(K):
            for i in range(n):
                trial[k, i] = ETA[k, i] + t_step * D[k, i]
        new_loss = softmax_state(trial, Y, c, T_new, LSE_new, True)  # multinomial only
        V_t = V_old + t_step * (V - V_old)
        pen_t = block_penalty(V_t, ws, pen)
        if accepts(new_loss + pen_t, loss + pen_old, t_step, decrease, roundoff):
            for t_ in range(m):
                for k in range(K):
                    W[k, ws[t_]] = V_t[k, t_]
            for k in range(K):
                B[k] += t_step * d_b[k]
            for k in range(K):  # loops: slice assignment compiles seconds of error message
                for i in range(n):
                    ETA[k, i] = trial[k, i]
                    T[k, i] = T_new[k, i]
            for i in range(n):
                LSE[i] = LSE_new[i]
            return new_loss, epochs
        t_step *= 0.5
    return loss, epochs

