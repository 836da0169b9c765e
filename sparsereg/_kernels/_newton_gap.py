"""The certificate of the proximal-Newton kernel (:mod:`._newton`): dual points, their
correlations with every column, the duality gap, and gap-safe screening.

The fitted probabilities are corrected (:func:`~._logistic.dual_point`) until the intercepts'
and the unpenalized features' equations hold, then scaled into the L1 constraints
(:func:`dual_scaling`); the gap is certified with a margin for the round-off of the
correlations (:func:`correlation_errors`, :func:`certified_gap`). Kept apart from the Newton
steps so that each module stays readable; the kernels are the same.
"""

import numpy as np

from ._arrays import copy_rows
from ._columns import col_dot, col_dot_rows
from ._jit import kernel
from ._logistic import dual_entropy, dual_point
from ._prox import EPS, conjugate_bound, has_conjugate, reach


@kernel(internal=True)
def _correlations(X, theta, active, G):
    """``G[r, j] = x_j^T theta_r`` where ``active[r % K, j]`` (``K`` classes; the rows of
    ``theta`` are one or more dual points' classes), in one pass over X."""
    R, p = G.shape
    K = active.shape[0]
    if R == 1:
        theta_0 = theta[0]
        for j in range(p):
            G[0, j] = col_dot(X, j, theta_0) if active[0, j] else 0.0
        return
    out = np.empty(R)
    n = theta.shape[1]
    thetaT = np.empty((n, R))  # the rows side by side, for sparse columns
    for i in range(n):
        for r in range(R):
            thetaT[i, r] = theta[r, i]
    for j in range(p):
        any_active = False
        for k in range(K):
            any_active = any_active or active[k, j]
        if any_active:
            col_dot_rows(X, j, theta, thetaT, out)
        for r in range(R):
            G[r, j] = out[r] if active[r % K, j] else 0.0


@kernel
def dual_scaling(G, feasible, pen, norms, err, grouped):
    """The largest ``kappa`` in [0, 1] for which ``kappa * theta`` is dual feasible, given
    the correlations ``G[k, j] = x_j^T theta_k`` known up to their round-off
    ``err[k] * norms[j]``: pure-L1 features need ``x_j^T theta <= a_j`` on each side of their
    box without a bound (``|x_j^T theta| <= a_j`` when unbounded; ``||x_j^T Theta||_2 <= a_j``
    over the classes when ``grouped``), unpenalized ones ``x_j^T theta = 0`` on those sides
    (up to that round-off; else only ``theta = 0`` is known feasible)."""
    K, p = G.shape
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    kappa = 1.0 if feasible else 0.0
    for j in range(p):
        size = 0.0
        for k in range(K):
            v, e = G[k, j], err[k] * norms[j]
            if a[j] == 0.0 and b[j] == 0.0:
                # unpenalized: the dual point imposed the equation where the coefficient is
                # inside its box; at a bound only the sign that bound allows is needed
                if (upper[j] == np.inf and v > 4.0 * e) or \
                        (lower[j] == -np.inf and v < -4.0 * e):
                    kappa = 0.0
            elif b[j] == 0.0 and not grouped:
                if upper[j] == np.inf and (v + e) * kappa > a[j]:
                    kappa = a[j] / (v + e)
                if lower[j] == -np.inf and (e - v) * kappa > a[j]:
                    kappa = a[j] / (e - v)
            g_hi = abs(v) + e
            size += g_hi * g_hi
        if grouped and b[j] == 0.0 and a[j] > 0.0 and np.sqrt(size) * kappa > a[j]:
            kappa = a[j] / np.sqrt(size)
    return kappa


@kernel
def penalty_conjugate(G, kappa, pen, norms, err, grouped):
    """``sum_{j,k} penalty_j*(kappa x_j^T theta_k)`` for the L2 part and the bounded sides
    (the L1 constraints are 0 on the feasible set), with the correlations at the worse end
    of their round-off; per feature over the classes' norm when ``grouped`` (no box)."""
    K, p = G.shape
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    total = 0.0
    for j in range(p):
        if grouped:
            if b[j] > 0.0:
                size = 0.0
                for k in range(K):
                    g_hi = abs(G[k, j]) + err[k] * norms[j]
                    size += g_hi * g_hi
                excess = kappa * np.sqrt(size) - a[j]
                if excess > 0.0:
                    total += 0.5 * excess * excess / b[j]
        elif has_conjugate(b[j], lower[j], upper[j]):
            for k in range(K):
                e = err[k] * norms[j]
                total += conjugate_bound(kappa, G[k, j] + e, e - G[k, j], a[j], b[j],
                                         lower[j], upper[j])[0]
    return total


@kernel
def certified_gap(primal, dual, weighted_size, n_terms):
    """``|P - D|`` plus what round-off can hide in it: the predictor's terms
    (``sum_i c_i sum_j |x_ij w_j|``, each loss being 1-Lipschitz in them up to a factor 2)
    and the ``n_terms`` terms of each sum."""
    margin = 4.0 * EPS * (weighted_size + (n_terms + 8) * (abs(primal) + abs(dual)))
    return abs(primal - dual) + margin


@kernel
def correlation_errors(theta_norms, n):
    """What round-off can hide in ``x_j^T theta_k``, per unit of ``||x_j||``."""
    factor = 2.0 * EPS * (np.sqrt(n) + 4.0)
    out = np.empty(theta_norms.shape[0])
    for r in range(out.shape[0]):  # a loop: an array expression compiles a helper of its own
        out[r] = factor * theta_norms[r]
    return out


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def _dual_correlations(X, Y, Ts, c, A, W, pen, norms, active, fit_intercept, theta, G, reuse,
                       classes, unpenalized):
    """The corrected dual points of the candidate probabilities ``Ts`` (``(C, K, n)``) in
    ``theta`` (``(C K, n)``) and their correlations in ``G`` (``(C K, p)``), filled in
    place (with ``reuse``, ``G`` already holds them and is not recomputed); returns
    ``(Tps, feasible, err)``.

    The intercepts and the unpenalized features need ``x_j^T theta_k = 0``; with a box, an
    unpenalized coefficient at a bound needs only the sign that bound allows, so its
    equation is imposed only once its correlation points to an unbounded side (as for least
    squares). ``unpenalized`` is None when no feature is unpenalized (see
    :func:`~._logistic.dual_point`): none of that is compiled then.
    """
    C, K, n = Ts.shape
    offset = 1 if fit_intercept else 0
    m = A.shape[1]
    equality = np.ones((m, K), dtype=np.bool_)
    bounded = False if unpenalized is None else pen.bounded
    if bounded:
        for u in range(pen.unpen.shape[0]):
            j = pen.unpen[u]
            for k in range(K):
                equality[offset + u, k] = pen.lower[j] < W[k, j] and W[k, j] < pen.upper[j]
    Tps = np.empty((C, K, n))  # filled from every candidate below
    feasible = np.ones(C, dtype=np.bool_)
    err = np.zeros(C * K)
    for attempt in range(m * K + 1):
        theta_norms = np.zeros(C * K)
        for s in range(C):
            Tp_s, feasible[s] = dual_point(Y, Ts[s], c, A, equality, classes, unpenalized)
            copy_rows(Tp_s, Tps[s])
            for k in range(K):
                r = s * K + k
                for i in range(n):
                    theta[r, i] = c[i] * (Y[k, i] - Tps[s, k, i])
                    theta_norms[r] += theta[r, i] * theta[r, i]
                theta_norms[r] = np.sqrt(theta_norms[r])
        err = correlation_errors(theta_norms, n)
        if not (reuse and attempt == 0):
            _correlations(X, theta, active, G)
        grew = False
        if bounded:
            for u in range(pen.unpen.shape[0]):
                j = pen.unpen[u]
                for k in range(K):
                    for s in range(C):
                        r = s * K + k
                        slack = 4.0 * err[r] * norms[j]
                        if feasible[s] and not equality[offset + u, k] and \
                                ((pen.upper[j] == np.inf and G[r, j] > slack) or
                                 (pen.lower[j] == -np.inf and G[r, j] < -slack)):
                            equality[offset + u, k] = True
                            grew = True
        if not grew:
            break
    return Tps, feasible, err


@kernel
def gap_parts(X, Y, Ts, c, A, W, pen, norms, mask, fit_intercept, grouped, theta, G, reuse,
              classes, unpenalized):
    """The best dual objective over the candidate probabilities ``Ts`` (``(C, K, n)``),
    from their correlations ``G`` over the ``mask``ed pairs (the others are left 0: the
    gap of the problem restricted to the mask); returns ``(dual, kappa, err, s)``, ``s``
    the best candidate (its correlations are ``G[s K:(s + 1) K]``)."""
    C, K, _ = Ts.shape
    Tps, feasible, err = _dual_correlations(X, Y, Ts, c, A, W, pen, norms, mask,
                                            fit_intercept, theta[:C * K], G[:C * K], reuse,
                                            classes, unpenalized)
    best, best_kappa, best_s = -np.inf, 0.0, 0
    for s in range(C):
        G_s, err_s = G[s * K:(s + 1) * K], err[s * K:(s + 1) * K]
        kappa = dual_scaling(G_s, feasible[s], pen, norms, err_s, grouped)
        dual = dual_entropy(Y, Tps[s], c, kappa, classes) \
            - penalty_conjugate(G_s, kappa, pen, norms, err_s, grouped)
        if dual > best:
            best, best_kappa, best_s = dual, kappa, s
    return best, best_kappa, err[best_s * K:(best_s + 1) * K], best_s


@kernel
def screen(G, W, pen, active, kappa, err, norms, cnorms, radius, grouped):
    """Gap-safe screening: ``|x_j^T theta*| < a_j`` (on the sides the box allows) certifies
    ``w_jk* = 0`` (grouped: the classes' norm, for the whole feature); clears ``active`` for
    those pairs."""
    K, p = G.shape
    a = pen.a
    for j in range(p):
        if a[j] == 0.0:
            continue
        norm_sq = 0.0
        for k in range(K):
            if active[k, j]:
                e = err[k] * norms[j]
                g_hi = abs(G[k, j]) + e
                norm_sq += g_hi * g_hi
                if not grouped and \
                        kappa * reach(G[k, j], e, pen.lower[j], pen.upper[j]) \
                        + radius * cnorms[j] < a[j] \
                        and W[k, j] == 0.0:
                    active[k, j] = False
        if grouped and kappa * np.sqrt(norm_sq) + radius * cnorms[j] < a[j]:
            zero = True
            for k in range(K):
                zero = zero and W[k, j] == 0.0
            if zero:
                for k in range(K):
                    active[k, j] = False

