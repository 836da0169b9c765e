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
def prox_step(z, lipschitz, a_j, b_j, positive):
    """Minimiser of ``lipschitz/2 (w - z/lipschitz)^2 + a_j |w| + b_j/2 w^2``.

    Soft-thresholding by ``a_j`` followed by the ridge scaling ``1 / (L + b_j)``: the one place
    where L1 produces exact zeros (``|z| <= a_j``) and L2 only shrinks.
    """
    if positive:
        shrunk = z - a_j
        if shrunk <= 0.0:
            return 0.0
    elif z > a_j:
        shrunk = z - a_j
    elif z < -a_j:
        shrunk = z + a_j
    else:
        return 0.0
    return shrunk / (lipschitz + b_j)


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
def _projected_exactly(grad_p, g_s, coef, positive, unpen, chosen, corr_err):
    """Whether the projection left ``x_j^T r = 0`` (up to round-off) for the unpenalized
    features it was meant to clear, and ``<= 0`` for the others under ``positive``.

    An ill-conditioned unpenalized block (nearly collinear columns) makes the normal
    equations drop directions; the dual point is then infeasible and must not be used.
    The round-off allowed is that of the correlation (``corr_err``) and of the projection's
    terms ``|g_jm c_m|``.
    """
    for k in range(unpen.shape[0]):
        j = unpen[k]
        # Only the correlation's own round-off: a projection whose terms g_jm c_m are so
        # large that their round-off exceeds it (ill-conditioned block, huge offsets without
        # an intercept) cannot be verified, and an unverified theta is not used.
        slack = 4.0 * corr_err[j]
        if chosen[k] and abs(grad_p[j]) > slack:
            return False
        if not chosen[k] and (grad_p[j] > slack if positive else abs(grad_p[j]) > slack):
            return False
    return True


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
        scale * size_ry + err_g, g_s


@kernel(internal=True)
def project_unpenalized(grad, rr, ry, w, pen, corr_err, unpen):
    """Remove from the residual its least-squares fit on (some of) the unpenalized features.

    The dual point must satisfy ``x_j^T theta = 0`` for free unpenalized features (``<= 0``
    under ``positive``). With ``c = pinv(G_SS) grad_S`` the projected residual is
    ``r - X_S c``; its correlations, squared norm and inner product with y follow from
    precomputed statistics (``g_u = X^T X_U / S``, ``gy_u = X_U^T y / S``) without touching X.
    Under ``positive``, S holds the unpenalized features that are nonzero or would otherwise
    violate ``x_j^T theta <= 0``; else S = U and ``pinv_uu`` is reused.

    Returns ``(grad_p, rr_p, ry_p, feasible, err_rr, err_ry)``: ``feasible`` says whether
    the projection succeeded (see :func:`_projected_exactly`), the errors bound the
    round-off of ``rr_p`` and ``ry_p``. ``unpen`` is ``pen.unpen``, an argument so that Numba
    prunes the projection at compile time when it is None (no unpenalized feature).
    """
    if unpen is None:
        return grad, rr, ry, True, 0.0, 0.0
    positive, g_u, gy_u = pen.positive, pen.g_u, pen.gy_u
    n_u = unpen.shape[0]
    if n_u == 0:
        return grad, rr, ry, True, 0.0, 0.0
    chosen = np.ones(n_u, dtype=np.bool_)
    if not positive:
        coef = np.empty(n_u)
        np.dot(pen.pinv_uu, grad[unpen], coef)  # pinv_uu @ grad[unpen]
        grad_p, rr_p, ry_p, err_rr, err_ry, g_s = _project(grad, rr, ry, unpen,
                                                           np.arange(n_u), coef, g_u, gy_u,
                                                           corr_err)
        return grad_p, rr_p, ry_p, \
            _projected_exactly(grad_p, g_s, coef, positive, unpen, chosen, corr_err), \
            err_rr, err_ry
    for k in range(n_u):
        chosen[k] = w[unpen[k]] != 0.0 or grad[unpen[k]] > 0.0
    grad_p, rr_p, ry_p, err_rr, err_ry = grad, rr, ry, 0.0, 0.0
    g_s = np.zeros((grad.shape[0], 0))
    coef = np.zeros(0)
    for _ in range(n_u + 1):
        pos = flatnonzero(chosen)
        if pos.shape[0] == 0:
            return grad, rr, ry, True, 0.0, 0.0
        rows = unpen[pos]
        coef = psd_solve(np.ascontiguousarray(g_u[rows][:, pos]), grad[rows])
        if coef.shape[0] == 0:
            coef = np.zeros(pos.shape[0])
        grad_p, rr_p, ry_p, err_rr, err_ry, g_s = _project(grad, rr, ry, rows, pos, coef, g_u,
                                                           gy_u, corr_err)
        grew = False
        for k in range(n_u):
            if not chosen[k] and grad_p[unpen[k]] > 0.0:
                chosen[k] = True
                grew = True
        if not grew:
            break
    return grad_p, rr_p, ry_p, _projected_exactly(grad_p, g_s, coef, positive, unpen, chosen,
                                                  corr_err), err_rr, err_ry


@kernel(internal=True)
def _dual_value(kappa, grad_p, rr_p, ry_p, pen):
    """Dual objective at ``theta = kappa * r / S`` (feasible for kappa <= kappa_max)."""
    a, b, positive = pen.a, pen.b, pen.positive
    dual = kappa * ry_p - 0.5 * kappa * kappa * rr_p
    for j in range(grad_p.shape[0]):
        if b[j] > 0.0:
            u = kappa * grad_p[j]
            excess = u - a[j] if positive else abs(u) - a[j]
            if excess > 0.0:
                dual -= 0.5 * excess * excess / b[j]
    return dual


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def _best_kappa(grad_p, rr_p, ry_p, pen, kappa0, kappa_max):
    """Maximise the concave D(kappa) on [0, kappa_max] by bisection on its derivative.

    With a ridge part the best scaling of the residual is often far from 1 (near
    interpolation, ``||r||`` is tiny next to the ridge term), and the certificate with it is
    much tighter. Falls back to ``kappa0`` if that is better (it never is, up to round-off).
    """
    lo, hi = 0.0, kappa_max
    if not np.isfinite(hi):
        hi = max(2.0 * kappa0, 1.0)
        while _dual_slope(hi, grad_p, rr_p, ry_p, pen) > 0.0 and hi < 1e300:
            hi *= 2.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if _dual_slope(mid, grad_p, rr_p, ry_p, pen) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    best = lo
    if _dual_value(kappa0, grad_p, rr_p, ry_p, pen) > \
            _dual_value(best, grad_p, rr_p, ry_p, pen):
        best = kappa0
    return best


@kernel(internal=True)
def _dual_slope(kappa, grad_p, rr_p, ry_p, pen):
    """dD/dkappa: decreasing in kappa, since D is concave."""
    a, b, positive = pen.a, pen.b, pen.positive
    slope = ry_p - kappa * rr_p
    for j in range(grad_p.shape[0]):
        if b[j] > 0.0:
            g = grad_p[j] if positive else abs(grad_p[j])
            excess = kappa * g - a[j]
            if excess > 0.0:
                slope -= g * excess / b[j]
    return slope


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
    """Duality gap of the elastic net at ``w``.

    Parameters are the residual statistics of ``w``: ``grad = X_c^T r / S``,
    ``rr = ||r||^2 / S``, ``ry = y_c^T r / S``, the penalty (a ``PenaltyData``) and the
    round-off model (a ``Roundoff``). The dual point is ``theta = kappa * r / S``
    (after projecting out the unpenalized features), with ``kappa`` the best feasible scaling
    for the correlations raised by their round-off (:func:`_correlation_errors`): a dual
    point is feasible for every value in that range only if it is feasible for the largest,
    and the dual value is smallest there, so using it keeps the certificate a bound; the
    round-off of the projected statistics is taken off the dual value too.
    Returns ``(gap, primal, kappa * g)`` with ``g`` those raised correlations: bounds on
    ``|x_j^T theta|`` (signed under ``positive``), used for screening.
    """
    a, b, positive = pen.a, pen.b, pen.positive
    corr_err = _correlation_errors(w, rnd.norms, rnd.eps_root_n, rnd.y_norm, rr)
    grad_p, rr_p, ry_p, feasible, err_rr, err_ry = project_unpenalized(grad, rr, ry, w, pen,
                                                                       corr_err, pen.unpen)
    # kappa >= 0: the dual value only falls with a larger rr_p and a smaller ry_p
    rr_p, ry_p = rr_p + err_rr, ry_p - err_ry
    g_hi = np.empty(grad_p.shape[0])
    for j in range(grad_p.shape[0]):
        g_hi[j] = grad_p[j] + corr_err[j] if positive else abs(grad_p[j]) + corr_err[j]
    primal = 0.5 * rr + penalty_value(w, pen)
    # Pure-L1 coordinates need |x_j^T theta| <= a_j: they cap kappa. A failed projection
    # leaves only theta = 0 certainly feasible.
    kappa_max = np.inf if feasible else 0.0
    pure_l1 = True
    for j in range(w.shape[0]):
        if b[j] > 0.0:
            pure_l1 = False
        elif a[j] > 0.0:
            g = g_hi[j] if positive else abs(g_hi[j])
            if g * kappa_max > a[j]:
                kappa_max = a[j] / g
    if pure_l1:
        # D(kappa) = kappa ry - kappa^2 rr / 2 is then exact: maximise it on [0, kappa_max].
        kappa = ry_p / rr_p if rr_p > 0.0 else 1.0
        kappa = min(max(kappa, 0.0), kappa_max)
    else:
        kappa = _best_kappa(g_hi, rr_p, ry_p, pen, min(1.0, kappa_max), kappa_max)
    dual = _dual_value(kappa, g_hi, rr_p, ry_p, pen)
    for j in range(g_hi.shape[0]):
        g_hi[j] = kappa * g_hi[j]  # no longer needed unscaled
    # A negative computed gap is round-off of at least its size: report its magnitude.
    return abs(primal - dual), primal, g_hi


@kernel(internal=True)
def kkt_violation(w, grad, pen):
    """Distance of ``-grad`` to the subdifferential of the penalty, per feature."""
    a, b, positive = pen.a, pen.b, pen.positive
    p = w.shape[0]
    out = np.empty(p)
    for j in range(p):
        g = grad[j] - b[j] * w[j]
        if w[j] != 0.0:
            sign = 1.0 if w[j] > 0.0 else -1.0
            out[j] = abs(g - a[j] * sign)
        elif positive:
            out[j] = max(g - a[j], 0.0)
        else:
            out[j] = max(abs(g) - a[j], 0.0)
    return out
