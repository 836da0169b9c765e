"""The logistic (binary) and multinomial losses for the kernels, and their certificate.

Layout: classes are rows, samples columns. ``Y`` is ``(K, n)``: for two classes ``K = 1`` and
``Y[0]`` holds the 0/1 labels (the second class's predictor is fixed at 0, so the softmax of
``(eta, 0)`` is the sigmoid); for ``K >= 3`` classes ``Y`` is one-hot. ``c`` holds the
normalised sample weights (``c = s / S``, summing to 1), so that every function below is the
datafit ``F(eta) = sum_i c_i l(y_i, eta_i)`` of the objective.

Certificate. With ``theta_i = c_i (y_i - t_i)`` for probabilities ``t_i`` (any point of the
simplex), the Fenchel dual of ``F(X W + b) + penalty(W)`` is
``D(theta) = sum_i c_i H(t_i) - sum_{j,k} penalty_j*(x_j^T theta_k)``, feasible when
``sum_i theta_ik = 0`` (the intercepts), ``x_j^T theta_k = 0`` for unpenalized features and
``|x_j^T theta_k| <= a_j`` for pure-L1 ones; ``H`` is the entropy (the negative conjugate of
the log-sum-exp). The fitted probabilities give a point whose intercept equations hold only
to the accuracy of the fit, so :func:`dual_point` moves them, to first order along the
softmax, until those equations hold exactly; scaling towards ``y`` (``t -> (1 - kappa) y +
kappa t``) keeps ``t`` in the simplex and brings the L1 constraints within reach.
"""

import numpy as np

from ._jit import kernel
from ._linalg import psd_solve

BINARY_CURVATURE = 0.25  # sup of the sigmoid's derivative
MULTINOMIAL_CURVATURE = 0.5  # sup of the softmax Hessian's largest eigenvalue


@kernel(inline="always")
def log1pexp(x):
    """``log(1 + exp(x))`` without overflow."""
    if x > 0.0:
        return x + np.log1p(np.exp(-x))
    return np.log1p(np.exp(x))


@kernel(inline="always")
def _xlogx(t):
    return t * np.log(t) if t > 0.0 else 0.0


@kernel
def loss_and_probabilities(ETA, Y, c, T):
    """``F(eta) = sum_i c_i l(y_i, eta_i)``; fills ``T`` with the fitted probabilities."""
    K, n = ETA.shape
    total = 0.0
    if K == 1:
        for i in range(n):
            e = ETA[0, i]
            total += c[i] * (log1pexp(e) - Y[0, i] * e)
            if e >= 0.0:
                T[0, i] = 1.0 / (1.0 + np.exp(-e))
            else:
                z = np.exp(e)
                T[0, i] = z / (1.0 + z)
        return total
    for i in range(n):
        top = ETA[0, i]
        for k in range(1, K):
            top = max(top, ETA[k, i])
        norm = 0.0
        for k in range(K):
            T[k, i] = np.exp(ETA[k, i] - top)
            norm += T[k, i]
        lse = top + np.log(norm)
        fit = 0.0
        for k in range(K):
            T[k, i] /= norm
            fit += Y[k, i] * ETA[k, i]
        total += c[i] * (lse - fit)
    return total


@kernel
def moved_loss(ETA, Y, c, k, step, t):
    """``F`` at ``eta`` with class ``k``'s predictor moved by ``t * step`` (a line search)."""
    K, n = ETA.shape
    total = 0.0
    if K == 1:
        for i in range(n):
            e = ETA[0, i] + t * step[i]
            total += c[i] * (log1pexp(e) - Y[0, i] * e)
        return total
    for i in range(n):
        top = -np.inf
        for m in range(K):
            e = ETA[m, i] + t * step[i] if m == k else ETA[m, i]
            top = max(top, e)
        norm = 0.0
        fit = 0.0
        for m in range(K):
            e = ETA[m, i] + t * step[i] if m == k else ETA[m, i]
            norm += np.exp(e - top)
            fit += Y[m, i] * e
        total += c[i] * (top + np.log(norm) - fit)
    return total


@kernel
def dual_point(Y, T, c, A):
    """Probabilities ``T'`` near ``T`` whose dual point ``theta = c (Y - T')`` satisfies
    ``A^T theta_k = 0`` for every class (``A``: the intercept column and the unpenalized
    features, ``(n, m)``), and whether that succeeded.

    ``T' = T + J (A delta)`` with ``J_i`` the softmax Jacobian at ``t_i`` (``t (1 - t)`` for
    two classes): linear in ``delta``, so one symmetric PSD system of size ``m K`` makes the
    equations hold exactly, and ``J`` keeps every row's sum. The point is rejected (theta = 0
    is then the only point known to be feasible) if a probability leaves ``[0, 1]`` or the
    equations do not hold to their round-off.
    """
    K, n = T.shape
    m = A.shape[1]
    Tp = T.copy()
    if m == 0:
        return Tp, True
    size = m * K
    viol = np.zeros(size)
    M = np.zeros((size, size))
    for i in range(n):
        for a in range(m):
            for k in range(K):
                viol[a * K + k] += A[i, a] * c[i] * (Y[k, i] - T[k, i])
            for b in range(a, m):
                w_ab = c[i] * A[i, a] * A[i, b]
                if w_ab == 0.0:
                    continue
                for k in range(K):
                    for l in range(K):
                        if K == 1:
                            jac = T[0, i] * (1.0 - T[0, i])
                        else:
                            jac = (T[k, i] if k == l else 0.0) - T[k, i] * T[l, i]
                        M[a * K + k, b * K + l] += w_ab * jac
    for a in range(m):  # the blocks below the diagonal, by symmetry
        for b in range(a + 1, m):
            for k in range(K):
                for l in range(K):
                    M[b * K + l, a * K + k] = M[a * K + k, b * K + l]
    delta = psd_solve(M, viol)
    if delta.shape[0] == 0:
        delta = np.zeros(size)
    u = np.empty(K)
    for i in range(n):
        for k in range(K):
            u[k] = 0.0
            for a in range(m):
                u[k] += A[i, a] * delta[a * K + k]
        if K == 1:
            t = T[0, i]
            Tp[0, i] = t + t * (1.0 - t) * u[0]
        else:
            mean_u = 0.0
            for k in range(K):
                mean_u += T[k, i] * u[k]
            for k in range(K):
                Tp[k, i] = T[k, i] + T[k, i] * (u[k] - mean_u)
    eps = np.finfo(np.float64).eps
    for i in range(n):
        for k in range(K):
            if Tp[k, i] < 0.0 or Tp[k, i] > 1.0:
                return Tp, False
    # the equations must hold to the round-off of their own terms
    for a in range(m):
        for k in range(K):
            total = 0.0
            scale = 0.0
            for i in range(n):
                term = A[i, a] * c[i] * (Y[k, i] - Tp[k, i])
                total += term
                scale += abs(A[i, a]) * c[i] * (abs(Y[k, i]) + abs(Tp[k, i]))
            if abs(total) > 4.0 * (n + 2) * eps * scale:
                return Tp, False
    return Tp, True


@kernel
def dual_entropy(Y, Tp, c, kappa):
    """``sum_i c_i H((1 - kappa) y_i + kappa t_i)``: the loss part of the dual objective."""
    K, n = Tp.shape
    total = 0.0
    for i in range(n):
        if K == 1:
            t = (1.0 - kappa) * Y[0, i] + kappa * Tp[0, i]
            total -= c[i] * (_xlogx(t) + _xlogx(1.0 - t))
        else:
            for k in range(K):
                total -= c[i] * _xlogx((1.0 - kappa) * Y[k, i] + kappa * Tp[k, i])
    return total
