"""The proximal update and the duality gap, shared by every coordinate-descent kernel.

Notation (see :mod:`sparsereg._problem`): the penalty of feature ``j`` is
``a[j] * |w_j| + b[j] / 2 * w_j**2`` with ``a = alpha * l1_ratio * v`` and
``b = alpha * (1 - l1_ratio) * v``; ``S`` is the sum of sample weights.
Features with ``a[j] == b[j] == 0`` are unpenalized (the set ``U``).
"""

import numpy as np

from ._arrays import flatnonzero
from ._jit import kernel
from ._linalg import psd_solve

# A constant, not np.finfo inside the kernels (which compiles a helper of its own).
EPS = float(np.finfo(np.float64).eps)


@kernel(inline="always")
def prox_step(z, lipschitz, a_j, b_j, lo, hi):
    """Minimiser of ``lipschitz/2 (w - z/lipschitz)^2 + a_j |w| + b_j/2 w^2`` on
    ``[lo, hi]`` (``lo <= 0 <= hi``).

    Soft-thresholding by ``a_j`` followed by the ridge scaling ``1 / (L + b_j)``: the one place
    where L1 produces exact zeros (``|z| <= a_j``) and L2 only shrinks; then the clip to the
    box (a convex function of one variable is minimised on an interval at the projection of
    its unconstrained minimiser).
    """
    if z > a_j:
        shrunk = z - a_j
    elif z < -a_j:
        shrunk = z + a_j
    else:
        return 0.0
    return min(max(shrunk / (lipschitz + b_j), lo), hi)


@kernel(inline="always")
def reach(v, err, lo, hi):
    """How far the correlation ``v`` (known to ``err``) pushes feature ``j`` away from 0 in
    the directions its box allows: ``max(v + err, err - v)`` over the sides whose bound is
    not 0 (``-inf`` when both are: the feature is fixed at 0). The subdifferential of the
    penalty at 0 bounds this by ``a_j``; screening and the L1 constraints test it."""
    out = -np.inf
    if hi > 0.0:
        out = v + err
    if lo < 0.0:
        out = max(out, err - v)
    return out


@kernel(inline="always")
def _side(e, c, b):
    """``sup_{0 <= t <= c} (e t - b t^2 / 2)``: one side of the penalty's conjugate, for the
    excess ``e`` of the correlation over ``a_j``, bound ``c`` (``inf``: none) and L2 weight
    ``b``; with ``b = 0`` and no bound it is infinite (callers keep that side feasible)."""
    if e <= 0.0 or c == 0.0:
        return 0.0
    if b > 0.0 and e <= b * c:
        return 0.5 * e * e / b
    return e * c - 0.5 * b * c * c


@kernel(inline="always")
def _side_slope(e, c, b):
    """``d/de`` of :func:`_side`: the maximising ``t``."""
    if e <= 0.0 or c == 0.0:
        return 0.0
    if b > 0.0:
        return min(e / b, c)
    return c


@kernel(inline="always")
def free_side(b, c):
    """Whether a side of the conjugate is a constraint (no L2 weight, no bound) rather than
    a finite term: the L1 constraints (or the unpenalized projection) keep it feasible."""
    return b == 0.0 and c == np.inf


@kernel(inline="always")
def conjugate_bound(kappa, up, dn, a, b, lo, hi):
    """``max`` of the penalty's conjugate ``h_j^*(kappa v)`` over the round-off interval of
    the correlation ``v`` (``up = v + err``, ``dn = err - v``; ``h_j^*`` is convex, so the
    largest value is at an end), and its derivative in ``kappa``. The sides that are
    constraints (:func:`free_side`) contribute 0: they are kept feasible elsewhere."""
    val_hi, val_lo = 0.0, 0.0
    if not free_side(b, hi):
        val_hi = _side(kappa * up - a, hi, b)
    if not free_side(b, -lo):
        val_lo = _side(kappa * dn - a, -lo, b)
    if val_hi >= val_lo:
        slope = 0.0 if free_side(b, hi) else up * _side_slope(kappa * up - a, hi, b)
        return val_hi, slope
    return val_lo, dn * _side_slope(kappa * dn - a, -lo, b)


@kernel(inline="always")
def has_conjugate(b, lo, hi):
    """Whether feature ``j`` adds a term to the dual objective (an L2 weight or a finite
    nonzero bound); pure L1 unbounded features only constrain it."""
    return b > 0.0 or (lo < 0.0 and lo > -np.inf) or (hi > 0.0 and hi < np.inf)


@kernel(inline="always")
def clip(w, lo, hi):
    """``w`` projected on ``[lo, hi]``."""
    return min(max(w, lo), hi)


@kernel
def penalty_value(w, pen):
    """``sum_j a_j |w_j| + b_j / 2 w_j^2``."""
    a, b = pen.a, pen.b
    total = 0.0
    for j in range(w.shape[0]):
        total += a[j] * abs(w[j]) + 0.5 * b[j] * w[j] * w[j]
    return total


@kernel(internal=True)
def subset_penalty(v, cols, pen):
    """The penalty of coefficients ``v`` of the features ``cols``."""
    total = 0.0
    for t in range(cols.shape[0]):
        j = cols[t]
        total += pen.a[j] * abs(v[t]) + 0.5 * pen.b[j] * v[t] * v[t]
    return total


@kernel(internal=True)
def _projected_exactly(grad_p, pen, unpen, chosen, corr_err):
    """Whether the projection left ``x_j^T r = 0`` (up to round-off) for the unpenalized
    features it was meant to clear, and, for the others (at a bound of their box), the sign
    that bound allows (``<= 0`` where the upper side is unbounded, ``>= 0`` where the lower
    one is).

    An ill-conditioned unpenalized block (nearly collinear columns) makes the normal
    equations drop directions; the dual point is then infeasible and must not be used.
    """
    for k in range(unpen.shape[0]):
        j = unpen[k]
        # Only the correlation's own round-off: a projection whose terms g_jm c_m are so
        # large that their round-off exceeds it (ill-conditioned block, huge offsets without
        # an intercept) cannot be verified, and an unverified theta is not used.
        slack = 4.0 * corr_err[j]
        if chosen[k]:
            if abs(grad_p[j]) > slack:
                return False
        elif (pen.upper[j] == np.inf and grad_p[j] > slack) or \
                (pen.lower[j] == -np.inf and grad_p[j] < -slack):
            return False
    return True


@kernel(inline="always")
def _needs_equation(g, w, lo, hi):
    """Whether an unpenalized feature's correlation ``g`` must be projected to 0: its
    coefficient is inside its box, or ``g`` points to an unbounded side."""
    return (lo < w and w < hi) or (g > 0.0 and hi == np.inf) or (g < 0.0 and lo == -np.inf)


@kernel(internal=True)
def _project(grad, rr, ry, rows, cols, coef, g_u, gy_u, corr_err):
    """``r - X_S c`` for a coefficient vector ``c`` (any: the formulas are exact for every
    ``c``, not only the least-squares one, so an inaccurate solve cannot make them lie):
    its correlations, ``||.||^2 / S``, ``y^T . / S``, and what round-off can hide in the
    last two (their terms cancel when the projection removes most of r)."""
    eps = EPS
    g_s = np.ascontiguousarray(g_u[:, cols])
    grad_p = np.empty(g_s.shape[0])
    np.dot(g_s, coef, grad_p)  # g_s @ coef (see _gram._gradient)
    for j in range(grad_p.shape[0]):
        grad_p[j] = grad[j] - grad_p[j]
    cg, cqc, size_rr, size_ry, err_g = 0.0, 0.0, rr, abs(ry), 0.0
    for m in range(coef.shape[0]):
        cg += coef[m] * grad[rows[m]]
        err_g += abs(coef[m]) * corr_err[rows[m]]
        size_rr += 2.0 * abs(coef[m] * grad[rows[m]])
        size_ry += abs(coef[m] * gy_u[cols[m]])
        for k in range(coef.shape[0]):
            term = coef[m] * g_u[rows[m], cols[k]] * coef[k]
            cqc += term
            size_rr += abs(term)
    rr_p = rr - 2.0 * cg + cqc
    ry_p = ry - np.dot(coef, gy_u[cols])
    scale = 16.0 * (coef.shape[0] + 1) * eps
    return grad_p, max(rr_p, 0.0), ry_p, scale * size_rr + 2.0 * err_g, \
        scale * size_ry + err_g


@kernel(internal=True)
def project_unpenalized(grad, rr, ry, w, pen, corr_err, unpen):
    """Remove from the residual its least-squares fit on (some of) the unpenalized features.

    The dual point must satisfy ``x_j^T theta = 0`` for free unpenalized features (at a bound
    of their box, only the sign that bound allows). With ``c = pinv(G_SS) grad_S`` the projected residual is
    ``r - X_S c``; its correlations, squared norm and inner product with y follow from
    precomputed statistics (``g_u = X^T X_U / S``, ``gy_u = X_U^T y / S``) without touching X.
    With bounds, S holds the unpenalized features inside their box or whose correlation
    points to an unbounded side (:func:`_needs_equation`); else S = U and ``pinv_uu`` is
    reused.

    Returns ``(grad_p, rr_p, ry_p, feasible, err_rr, err_ry)``: ``feasible`` says whether
    the projection succeeded (see :func:`_projected_exactly`), the errors bound the
    round-off of ``rr_p`` and ``ry_p``. ``unpen`` is ``pen.unpen``, an argument so that Numba
    prunes the projection at compile time when it is None (no unpenalized feature).
    """
    if unpen is None:
        return grad, rr, ry, True, 0.0, 0.0
    g_u, gy_u = pen.g_u, pen.gy_u
    n_u = unpen.shape[0]
    if n_u == 0:
        return grad, rr, ry, True, 0.0, 0.0
    chosen = np.ones(n_u, dtype=np.bool_)
    if not pen.bounded:
        coef = np.empty(n_u)
        np.dot(pen.pinv_uu, grad[unpen], coef)  # pinv_uu @ grad[unpen]
        grad_p, rr_p, ry_p, err_rr, err_ry = _project(grad, rr, ry, unpen, np.arange(n_u),
                                                      coef, g_u, gy_u, corr_err)
        return grad_p, rr_p, ry_p, _projected_exactly(grad_p, pen, unpen, chosen, corr_err), \
            err_rr, err_ry
    for k in range(n_u):
        j = unpen[k]
        chosen[k] = _needs_equation(grad[j], w[j], pen.lower[j], pen.upper[j])
    grad_p, rr_p, ry_p, err_rr, err_ry = grad, rr, ry, 0.0, 0.0
    for _ in range(n_u + 1):
        pos = flatnonzero(chosen)
        if pos.shape[0] == 0:
            return grad, rr, ry, True, 0.0, 0.0
        rows = unpen[pos]
        coef = psd_solve(np.ascontiguousarray(g_u[rows][:, pos]), grad[rows])
        if coef.shape[0] == 0:
            coef = np.zeros(pos.shape[0])
        grad_p, rr_p, ry_p, err_rr, err_ry = _project(grad, rr, ry, rows, pos, coef, g_u,
                                                      gy_u, corr_err)
        grew = False
        for k in range(n_u):
            j = unpen[k]
            if not chosen[k] and _needs_equation(grad_p[j], w[j], pen.lower[j], pen.upper[j]):
                chosen[k] = True
                grew = True
        if not grew:
            break
    return grad_p, rr_p, ry_p, _projected_exactly(grad_p, pen, unpen, chosen, corr_err), \
        err_rr, err_ry


@kernel(internal=True)
def _dual_value(kappa, up, dn, rr_p, ry_p, pen):
    """Dual objective at ``theta = kappa * r / S`` (feasible for kappa <= kappa_max), the
    correlations known as ``up = v + err``, ``dn = err - v``; with its derivative in kappa
    (decreasing: the dual is concave). Without a box, the symmetric conjugate of the L2
    part directly (the bisection of :func:`_best_kappa` calls this 60 times a gap)."""
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    dual = kappa * ry_p - 0.5 * kappa * kappa * rr_p
    slope = ry_p - kappa * rr_p
    if not pen.bounded:
        for j in range(up.shape[0]):
            if b[j] > 0.0:
                g = max(up[j], dn[j])  # |v| + err
                excess = kappa * g - a[j]
                if excess > 0.0:
                    dual -= 0.5 * excess * excess / b[j]
                    slope -= g * excess / b[j]
        return dual, slope
    for j in range(up.shape[0]):
        if has_conjugate(b[j], lower[j], upper[j]):
            value, d = conjugate_bound(kappa, up[j], dn[j], a[j], b[j], lower[j], upper[j])
            dual -= value
            slope -= d
    return dual, slope


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def _best_kappa(up, dn, rr_p, ry_p, pen, kappa0, kappa_max):
    """Maximise the concave D(kappa) on [0, kappa_max] by bisection on its derivative.

    With a ridge part the best scaling of the residual is often far from 1 (near
    interpolation, ``||r||`` is tiny next to the ridge term), and the certificate with it is
    much tighter. Falls back to ``kappa0`` if that is better (it never is, up to round-off).
    """
    lo, hi = 0.0, kappa_max
    if not np.isfinite(hi):
        hi = max(2.0 * kappa0, 1.0)
        while _dual_value(hi, up, dn, rr_p, ry_p, pen)[1] > 0.0 and hi < 1e300:
            hi *= 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _dual_value(mid, up, dn, rr_p, ry_p, pen)[1] > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    best = lo
    if _dual_value(kappa0, up, dn, rr_p, ry_p, pen)[0] > \
            _dual_value(best, up, dn, rr_p, ry_p, pen)[0]:
        best = kappa0
    return best


@kernel(internal=True)
def _correlation_errors(w, norms, eps_root_n, y_norm, rr):
    """What round-off can hide in each correlation ``x_j^T r / S``.

    A correlation is a sum of ``n`` products (error ``~ eps sqrt(n) ||x_j|| ||r||``), of a
    residual ``y - X w`` computed from terms ``x_ij w_j`` (error ``~ eps ||x_j|| (||y|| + M)``
    with ``M = sqrt(sum_k w_k^2 ||x_k||^2)``, norms over sqrt(S)); the second is far more
    than ``eps`` relative when large coefficients cancel (offset columns without an
    intercept, collinear designs). ``eps_root_n`` is ``eps sqrt(n)``.
    """
    size = 0.0
    for k in range(w.shape[0]):
        size += (w[k] * norms[k]) ** 2
    spread = eps_root_n * np.sqrt(max(rr, 0.0)) + EPS * (y_norm + np.sqrt(size))
    out = np.empty(norms.shape[0])
    for j in range(norms.shape[0]):
        out[j] = spread * norms[j]
    return out


@kernel
def duality_gap(w, grad, rr, ry, pen, rnd):
    """Duality gap of the elastic net (with its box) at ``w``.

    Parameters are the residual statistics of ``w``: ``grad = X_c^T r / S``,
    ``rr = ||r||^2 / S``, ``ry = y_c^T r / S``, the penalty (a ``PenaltyData``) and the
    round-off model (a ``Roundoff``). The dual point is ``theta = kappa * r / S``
    (after projecting out the unpenalized features), with ``kappa`` the best feasible scaling
    for the correlations known up to their round-off (:func:`_correlation_errors`): the
    penalty's conjugate is taken at the worse end of that interval (a dual point is feasible
    for every value in the interval only if it is for its ends, and the dual value is
    smallest there), so using it keeps the certificate a bound; the round-off of the
    projected statistics is taken off the dual value too. A bounded side of a feature adds a
    finite term to the dual instead of a constraint (:func:`conjugate_bound`).
    Returns ``(gap, primal, reach)``: ``kappa`` times the :func:`reach` of each feature's
    correlation, used for screening.
    """
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    corr_err = _correlation_errors(w, rnd.norms, rnd.eps_root_n, rnd.y_norm, rr)
    grad_p, rr_p, ry_p, feasible, err_rr, err_ry = project_unpenalized(grad, rr, ry, w, pen,
                                                                       corr_err, pen.unpen)
    # kappa >= 0: the dual value only falls with a larger rr_p and a smaller ry_p
    rr_p, ry_p = rr_p + err_rr, ry_p - err_ry
    p = grad_p.shape[0]
    up = np.empty(p)
    dn = np.empty(p)
    for j in range(p):
        up[j] = grad_p[j] + corr_err[j]
        dn[j] = corr_err[j] - grad_p[j]
    primal = 0.5 * rr + penalty_value(w, pen)
    # Pure-L1 sides without a bound need kappa x_j^T theta <= a_j: they cap kappa. A failed
    # projection leaves only theta = 0 certainly feasible.
    kappa_max = np.inf if feasible else 0.0
    quadratic = True  # D(kappa) = kappa ry - kappa^2 rr / 2 exactly
    for j in range(p):
        if has_conjugate(b[j], lower[j], upper[j]):
            quadratic = False
        if a[j] > 0.0 and b[j] == 0.0:
            if upper[j] == np.inf and up[j] * kappa_max > a[j]:
                kappa_max = a[j] / up[j]
            if lower[j] == -np.inf and dn[j] * kappa_max > a[j]:
                kappa_max = a[j] / dn[j]
    if quadratic:
        # maximise it on [0, kappa_max]
        kappa = ry_p / rr_p if rr_p > 0.0 else 1.0
        kappa = min(max(kappa, 0.0), kappa_max)
    else:
        kappa = _best_kappa(up, dn, rr_p, ry_p, pen, min(1.0, kappa_max), kappa_max)
    dual = _dual_value(kappa, up, dn, rr_p, ry_p, pen)[0]
    for j in range(p):
        up[j] = kappa * reach(grad_p[j], corr_err[j], lower[j], upper[j])
    # A negative computed gap is round-off of at least its size: report its magnitude.
    return abs(primal - dual), primal, up


@kernel(internal=True)
def kkt_violation(w, grad, pen):
    """Distance of ``-grad`` to the subdifferential of the penalty (with its box), per
    feature."""
    a, b, lower, upper = pen.a, pen.b, pen.lower, pen.upper
    p = w.shape[0]
    out = np.empty(p)
    for j in range(p):
        g = grad[j] - b[j] * w[j]
        if w[j] == 0.0:
            out[j] = max(reach(g, 0.0, lower[j], upper[j]) - a[j], 0.0)
        elif w[j] >= upper[j]:  # at its upper bound (> 0): needs g >= a_j
            out[j] = max(a[j] - g, 0.0)
        elif w[j] <= lower[j]:  # at its lower bound (< 0): needs g <= -a_j
            out[j] = max(g + a[j], 0.0)
        else:
            out[j] = abs(g - a[j] if w[j] > 0.0 else g + a[j])
    return out
