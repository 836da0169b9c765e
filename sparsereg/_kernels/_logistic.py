"""The logistic (binary) and multinomial losses for the kernels, and their certificate.

Layout: classes are rows, samples columns. ``Y`` is ``(K, n)``: for two classes ``K = 1`` and
``Y[0]`` holds the 0/1 labels (the second class's predictor is fixed at 0, so the softmax of
``(eta, 0)`` is the sigmoid); for ``K >= 3`` classes ``Y`` is one-hot. ``c`` holds the
normalised sample weights (``c = s / S``, summing to 1), so that every function below is the
datafit ``F(eta) = sum_i c_i l(y_i, eta_i)`` of the objective. Kernels whose arithmetic
differs between the two cases take ``classes``: None for two classes, True for more. Numba
prunes ``is None`` branches on arguments at compile time, so a binary fit compiles no
multinomial code and a multinomial fit no binary code (1.5 of a binary fit's 18 s of
compilation).

Certificate. With ``theta_i = c_i (y_i - t_i)`` for probabilities ``t_i`` (any point of the
simplex), the Fenchel dual of ``F(X W + b) + penalty(W)`` is
``D(theta) = sum_i c_i H(t_i) - sum_{j,k} penalty_j*(x_j^T theta_k)``, feasible when
``sum_i theta_ik = 0`` (the intercepts), ``x_j^T theta_k = 0`` for unpenalized features and
``|x_j^T theta_k| <= a_j`` for pure-L1 ones; ``H`` is the entropy (the negative conjugate of
the log-sum-exp). The fitted probabilities give a point whose intercept equations hold only
to the accuracy of the fit, so :func:`dual_point` moves them, to first order along the
softmax, until those equations hold exactly; scaling towards ``y`` (``t -> (1 - kappa) y +
kappa t``) keeps ``t`` in the simplex and brings the L1 constraints within reach.

Any point of the simplex gives a lower bound, so a second candidate is tried after Newton
steps: the probabilities linearized at the steps' start (:func:`linearized_probabilities`),
whose residual is the quadratic model's. The model's optimum satisfies the working set's KKT
equations exactly, so its gap is second order in the step where the fitted probabilities'
is first order (on the 100-alpha path L6, one Newton step: 2.5e-7 against 3.4e-5).
"""

import numpy as np

from ._arrays import copy_rows
from ._jit import kernel
from ._linalg import pd_solve, psd_solve
from ._prox import EPS

BINARY_CURVATURE = 0.25  # sup of the sigmoid's derivative
MULTINOMIAL_CURVATURE = 0.5  # sup of the softmax Hessian's largest eigenvalue
WEIGHT_FLOOR = 1e-10  # IRLS weights below this fraction of the sample weight are raised to it


def class_flag(K):
    """The kernels' ``classes`` argument for ``Y`` with ``K`` rows: None for two classes
    (``K = 1``), True for more."""
    return True if K > 1 else None


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
def loss_and_probabilities(ETA, Y, c, T, classes):
    """``F(eta) = sum_i c_i l(y_i, eta_i)``; fills ``T`` with the fitted probabilities."""
    return softmax_state(ETA, Y, c, T, np.empty(ETA.shape[1]), classes)


@kernel(internal=True)
def softmax_state(ETA, Y, c, T, LSE, classes):
    """:func:`loss_and_probabilities`, also filling ``LSE`` with each row's log-normaliser
    ``log(sum_k exp(eta_ik))`` (multinomial; untouched for two classes)."""
    K, n = ETA.shape
    total = 0.0
    if classes is None:
        for i in range(n):
            e = ETA[0, i]
            z = np.exp(-abs(e))  # one exponential for the loss and the probability
            total += c[i] * (max(e, 0.0) + np.log1p(z) - Y[0, i] * e)
            T[0, i] = 1.0 / (1.0 + z) if e >= 0.0 else z / (1.0 + z)
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
        LSE[i] = lse
        fit = 0.0
        for k in range(K):
            T[k, i] /= norm
            fit += Y[k, i] * ETA[k, i]
        total += c[i] * (lse - fit)
    return total


@kernel(internal=True)
def linearized_probabilities(T_ref, ETA_ref, ETA, out, classes):
    """``T_ref + J (ETA - ETA_ref)`` with the softmax's Jacobian ``J`` at ``T_ref`` (binary:
    ``t (1 - t) d``; classes: ``t_k (d_k - sum_l t_l d_l)``), in ``out``; rows keep their
    sums. Returns whether every entry is in ``[0, 1]`` (else the point is no candidate)."""
    K, n = ETA.shape
    inside = True
    for i in range(n):
        if classes is None:
            t = T_ref[0, i]
            out[0, i] = t + t * (1.0 - t) * (ETA[0, i] - ETA_ref[0, i])
        else:
            mean = 0.0
            for k in range(K):
                mean += T_ref[k, i] * (ETA[k, i] - ETA_ref[k, i])
            for k in range(K):
                out[k, i] = T_ref[k, i] * (1.0 + ETA[k, i] - ETA_ref[k, i] - mean)
        for k in range(K):
            inside = inside and 0.0 <= out[k, i] <= 1.0
    return inside


@kernel(inline="always")
def _sigmoid(e):
    if e >= 0.0:
        return 1.0 / (1.0 + np.exp(-e))
    z = np.exp(e)
    return z / (1.0 + z)


@kernel(inline="always")
def _log_ratio(t_k, d):
    """``log(1 + t_k (exp(d) - 1))``: the change of a row's log-normaliser when its class-k
    predictor (of probability ``t_k``) moves by ``d``; one exponential, no overflow."""
    if d > 0.0:
        return d + np.log(t_k + (1.0 - t_k) * np.exp(-d))
    return np.log1p(t_k * np.expm1(d))


@kernel(internal=True)
def moved_loss(ETA, Y, c, k, step, t, T, loss, ratios, classes):
    """``F`` with class ``k``'s predictor moved by ``t * step`` (a line search), from the
    current loss and probabilities: one exponential and one logarithm per sample, whatever
    the number of classes. The log-normalisers' changes are left in ``ratios`` for
    :func:`move_class` (multinomial)."""
    K, n = ETA.shape
    total = 0.0
    if classes is None:
        for i in range(n):
            e = ETA[0, i] + t * step[i]
            total += c[i] * (log1pexp(e) - Y[0, i] * e)
        return total
    for i in range(n):
        d = t * step[i]
        ratios[i] = _log_ratio(T[k, i], d)
        total += c[i] * (ratios[i] - Y[k, i] * d)
    return loss + total


@kernel(internal=True)
def move_class(ETA, T, LSE, k, step, t, ratios, classes):
    """Move class ``k``'s predictor by ``t * step`` and update the probabilities and
    log-normalisers in place, with the log-normalisers' changes ``ratios`` that
    :func:`moved_loss` computed for this ``t`` (two exponentials per sample)."""
    K, n = ETA.shape
    for i in range(n):
        d = t * step[i]
        ETA[k, i] += d
        if classes is None:
            T[0, i] = _sigmoid(ETA[0, i])
            continue
        r = ratios[i]
        LSE[i] += r
        shrink = np.exp(-r)
        for m in range(K):
            T[m, i] *= shrink
        T[k, i] = np.exp(ETA[k, i] - LSE[i])


@kernel
def constraint_system(Y, T, c, A, equality, classes):
    """``(viol, M)``: the dual point's equations ``A^T theta_k = 0`` at ``theta = c (Y - T)``
    (``viol``, of size ``m K``) and the matrix of their change ``M`` when ``T`` moves by
    ``J (A delta)``, ``J_i`` the softmax Jacobian at ``t_i`` (``t (1 - t)`` for two classes).
    Both are sums over samples, so blocks of rows can be added. Pairs ``(a, k)`` with
    ``equality[a, k]`` False are left out (their rows and columns are 0, so ``delta`` is 0
    there): an unpenalized feature at a bound of its box needs only a sign."""
    K, n = T.shape
    m = A.shape[1]
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
                        if classes is None:
                            jac = T[0, i] * (1.0 - T[0, i])
                        else:
                            jac = (T[k, i] if k == l else 0.0) - T[k, i] * T[l, i]
                        M[a * K + k, b * K + l] += w_ab * jac
    for a in range(m):  # the blocks below the diagonal, by symmetry
        for b in range(a + 1, m):
            for k in range(K):
                for l in range(K):
                    M[b * K + l, a * K + k] = M[a * K + k, b * K + l]
    for a in range(m):
        for k in range(K):
            if not equality[a, k]:
                r = a * K + k
                viol[r] = 0.0
                M[r, :] = 0.0
                M[:, r] = 0.0
    return viol, M


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def constraint_step(viol, M):
    """``delta`` with ``M delta = viol`` (``M`` is PSD and ``viol`` in its range)."""
    if viol.shape[0] == 0:
        return np.zeros(0)
    delta = psd_solve(M, viol)
    return np.zeros(viol.shape[0]) if delta.shape[0] == 0 else delta


@kernel
def corrected_probabilities(T, A, delta, classes):
    """``T' = T + J (A delta)`` and whether every entry stays in ``[0, 1]``."""
    K, n = T.shape
    m = A.shape[1]
    Tp = np.empty((K, n))  # every entry is set below
    if m == 0:
        copy_rows(T, Tp)
        return Tp, True
    u = np.empty(K)
    inside = True
    for i in range(n):
        for k in range(K):
            u[k] = 0.0
            for a in range(m):
                u[k] += A[i, a] * delta[a * K + k]
        if classes is None:
            t = T[0, i]
            Tp[0, i] = t + t * (1.0 - t) * u[0]
        else:
            mean_u = 0.0
            for k in range(K):
                mean_u += T[k, i] * u[k]
            for k in range(K):
                Tp[k, i] = T[k, i] + T[k, i] * (u[k] - mean_u)
        for k in range(K):
            if Tp[k, i] < 0.0 or Tp[k, i] > 1.0:
                inside = False
    return Tp, inside


@kernel
def constraint_residual(Y, Tp, c, A):
    """``(A^T theta, sum |A| c (|Y| + |Tp|))`` at ``theta = c (Y - Tp)``: the equations'
    residual and the size of their terms (sums over samples)."""
    K, n = Tp.shape
    m = A.shape[1]
    total = np.zeros(m * K)
    scale = np.zeros(m * K)
    for i in range(n):
        for a in range(m):
            for k in range(K):
                total[a * K + k] += A[i, a] * c[i] * (Y[k, i] - Tp[k, i])
                scale[a * K + k] += abs(A[i, a]) * c[i] * (abs(Y[k, i]) + abs(Tp[k, i]))
    return total, scale


@kernel(inline="always")
def _holds(total, scale, n):
    """Whether an equation's residual ``total`` is within the round-off of its ``n`` terms
    of total size ``scale``: the one acceptance rule of every corrected dual point."""
    return abs(total) <= 4.0 * (n + 2) * EPS * scale


@kernel
def residual_holds(total, scale, n, equality):
    """Whether the equations (the pairs marked in ``equality``) hold to the round-off of
    their terms."""
    K = equality.shape[1]
    for r in range(total.shape[0]):
        if equality[r // K, r % K] and not _holds(total[r], scale[r], n):
            return False
    return True


@kernel(internal=True)
def intercept_point(Y, T, c, fit_intercept, classes):
    """:func:`dual_point` when the intercepts' equations ``sum_i theta_ik = 0`` are the only
    ones (``A`` a column of ones, or nothing without an intercept): the same correction,
    with the system of the intercepts alone (one equation for two classes, in closed form;
    ``K`` for more). Its general form costs 1.5 s more compilation than this (two
    classes)."""
    K, n = T.shape
    Tp = np.empty((K, n))
    copy_rows(T, Tp)
    if not fit_intercept:
        return Tp, True
    viol = np.zeros(K)
    if classes is None:
        curvature = 0.0
        for i in range(n):
            viol[0] += c[i] * (Y[0, i] - T[0, i])
            curvature += c[i] * T[0, i] * (1.0 - T[0, i])
        delta = viol[0] / curvature if curvature > 0.0 else 0.0
        for i in range(n):
            t = T[0, i]
            Tp[0, i] = t + t * (1.0 - t) * delta
    else:
        M = np.zeros((K, K))
        for i in range(n):
            for k in range(K):
                viol[k] += c[i] * (Y[k, i] - T[k, i])
                M[k, k] += c[i] * T[k, i]
                for m in range(K):
                    M[k, m] -= c[i] * T[k, i] * T[m, i]
        # M is singular along the ones (each row's softmax Jacobian keeps its sum), which
        # move no probability; viol is orthogonal to them (rows of Y and T sum to 1). Adding
        # s 1 1^T makes M definite without changing the solution's effect: a plain
        # Cholesky (pd_solve) then, not the pivoted psd_solve (0.7 s more compilation).
        shift = 0.0
        for k in range(K):
            shift += M[k, k] / K
        for k in range(K):
            for m in range(K):
                M[k, m] += shift
        deltas = pd_solve(M, viol)
        if deltas.shape[0] == 0:  # no definite system: no correction (checked below)
            deltas = np.zeros(K)
        for i in range(n):
            mean = 0.0
            for k in range(K):
                mean += T[k, i] * deltas[k]
            for k in range(K):
                Tp[k, i] = T[k, i] + T[k, i] * (deltas[k] - mean)
    total = np.zeros(K)
    scale = np.zeros(K)
    for i in range(n):
        for k in range(K):
            if Tp[k, i] < 0.0 or Tp[k, i] > 1.0:
                return Tp, False
            total[k] += c[i] * (Y[k, i] - Tp[k, i])
            scale[k] += c[i] * (abs(Y[k, i]) + abs(Tp[k, i]))
    for k in range(K):
        if not _holds(total[k], scale[k], n):
            return Tp, False
    return Tp, True


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def dual_point(Y, T, c, A, equality, classes, unpenalized):
    """Probabilities ``T'`` near ``T`` whose dual point ``theta = c (Y - T')`` satisfies
    ``A^T theta_k = 0`` for every class (``A``: the intercept column and the unpenalized
    features, ``(n, m)``), and whether that succeeded.

    ``T' = T + J (A delta)`` is linear in ``delta``, so one symmetric PSD system of size
    ``m K`` (:func:`constraint_system`) makes the equations hold exactly, and ``J`` keeps
    every row's sum. The point is rejected (theta = 0 is then the only point known to be
    feasible) if a probability leaves ``[0, 1]`` or the equations do not hold to their
    round-off. ``unpenalized`` is None when ``A`` holds at most the intercept's column:
    :func:`intercept_point` then (the general system is not compiled).
    """
    if unpenalized is None:
        return intercept_point(Y, T, c, A.shape[1] > 0, classes)
    if A.shape[1] == 0:
        Tp = np.empty(T.shape)
        copy_rows(T, Tp)
        return Tp, True
    viol, M = constraint_system(Y, T, c, A, equality, classes)
    Tp, inside = corrected_probabilities(T, A, constraint_step(viol, M), classes)
    if not inside:
        return Tp, False
    total, scale = constraint_residual(Y, Tp, c, A)
    return Tp, residual_holds(total, scale, T.shape[1], equality)


@kernel
def dual_entropy(Y, Tp, c, kappa, classes):
    """``sum_i c_i H((1 - kappa) y_i + kappa t_i)``: the loss part of the dual objective."""
    K, n = Tp.shape
    total = 0.0
    for i in range(n):
        if classes is None:
            t = (1.0 - kappa) * Y[0, i] + kappa * Tp[0, i]
            total -= c[i] * (_xlogx(t) + _xlogx(1.0 - t))
        else:
            for k in range(K):
                total -= c[i] * _xlogx((1.0 - kappa) * Y[k, i] + kappa * Tp[k, i])
    return total
