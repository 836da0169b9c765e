"""Independent numpy reference implementations used by the sparsereg test suite.

Nothing here imports sparsereg: the objective, the dual, the duality gap, ``alpha_max``,
the ridge closed form and a slow FISTA solver are written from the mathematics of the
objective P(w, b) documented in docs/conventions.rst, so that the tests check sparsereg against
an independent implementation.

Notation (the same P as docs/conventions.rst, with rho = l1_ratio and v = penalty_factor)::

    P(w, b) = 1/(2S) sum_i s_i (y_i - x_i.w - b)^2 + sum_j (a_j |w_j| + bb_j/2 w_j^2)

with ``a = alpha * l1_ratio * v`` and ``bb = alpha * (1 - l1_ratio) * v``. Features with
``a_j = bb_j = 0`` are unpenalized (the set U).

Dual. Write ``~`` for rows scaled by ``sqrt(s_i)`` (so the loss is ``1/(2S)||y~ - z~||^2``).
Fenchel duality gives, for ``theta~`` in R^n,

    D(theta~) = y~^T theta~ - S/2 ||theta~||^2 - sum_{j not in U} h_j*(x~_j^T theta~)

subject to ``c^T theta~ = 0`` (intercept; ``c = sqrt(s)``) and ``x~_j^T theta~ = 0`` for
``j in U``, where ``h_j(t) = a_j |t| + bb_j/2 t^2`` (plus the indicator of ``t >= 0`` when
``positive``) has conjugate ``h_j*(u) = (|u| - a_j)_+^2 / (2 bb_j)`` (``(u - a_j)_+^2/(2 bb_j)``
when positive), or the indicator of ``|u| <= a_j`` (``u <= a_j``) when ``bb_j = 0``.
At the optimum ``theta~* = r~*/S``. We evaluate D on the ray ``theta~ = kappa r~_p / S``
where ``r~_p`` is the residual with its weighted projection on ``[1, X_U]`` removed, and
maximise the (concave, piecewise quadratic) function of ``kappa`` exactly by bisection on its
derivative. Weak duality ``D(theta) <= P*`` makes ``P(w, b) - D(theta)`` a certificate.
"""

import numpy as np
import scipy.sparse as sp


def as_dense(X):
    """X as a float64 ndarray (the test problems are small); longdouble stays longdouble."""
    if sp.issparse(X):
        X = X.toarray()
    X = np.asarray(X)
    return X if X.dtype == np.longdouble else X.astype(np.float64)


def weights_or_ones(sample_weight, n):
    return np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


def pf_or_ones(penalty_factor, p):
    return np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, dtype=np.float64)


def penalty_weights(alpha, l1_ratio, penalty_factor, p):
    v = pf_or_ones(penalty_factor, p)
    return alpha * l1_ratio * v, alpha * (1.0 - l1_ratio) * v


def weighted_mean(v, s):
    return float(s @ v) / float(s.sum())


def null_objective(y, sample_weight=None, fit_intercept=True):
    """P(0): objective of the all-zero model with the optimal intercept."""
    y = np.asarray(y, dtype=np.float64)
    s = weights_or_ones(sample_weight, y.shape[0])
    yc = y - weighted_mean(y, s) if fit_intercept else y
    return 0.5 * float(s @ (yc * yc)) / float(s.sum())


def objective(X, y, w, b, alpha, l1_ratio, sample_weight=None, penalty_factor=None,
              positive=False):
    """P(w, b) of docs/conventions.rst (``inf`` if ``positive`` and some ``w_j < 0``)."""
    X = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    s = weights_or_ones(sample_weight, X.shape[0])
    if positive and np.any(w < 0):
        return np.inf
    a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, X.shape[1])
    r = y - X @ w - b
    return 0.5 * float(s @ (r * r)) / float(s.sum()) + float(np.sum(a * np.abs(w))
                                                            + 0.5 * np.sum(bb * w * w))


def _residualize(R, B):
    """Remove from R (n,) or (n, k) its least-squares fit on the columns of B (n, m)."""
    if B.shape[1] == 0:
        return R
    coef = np.linalg.lstsq(B, R, rcond=None)[0]
    return R - B @ coef


def _unpenalized_basis(X, s, unpen, fit_intercept):
    """``sqrt(s) * [1, X_U]``: the columns the dual point must be orthogonal to."""
    cols = []
    if fit_intercept:
        cols.append(np.ones(X.shape[0]))
    cols.extend(X[:, j] for j in np.flatnonzero(unpen))
    if not cols:
        return np.zeros((X.shape[0], 0))
    return np.sqrt(s)[:, None] * np.column_stack(cols)


def dual_gap(X, y, w, b, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
             fit_intercept=True, positive=False, weights=None, dtype=np.float64):
    """Independent duality gap at ``(w, b)``: returns ``(gap, primal, dual)``.

    ``b`` is the intercept to evaluate the primal at (the estimator's own ``intercept_``).
    ``weights=(a, bb)`` gives the per-feature L1 and L2 weights directly (then ``alpha``,
    ``l1_ratio`` and ``penalty_factor`` are ignored). ``dtype=np.longdouble`` computes in
    extended precision (projections by Gram-Schmidt instead of lstsq).
    """
    X = as_dense(X).astype(dtype)
    y = np.asarray(y, dtype=dtype)
    w = np.asarray(w, dtype=dtype)
    b = dtype(b)
    n, p = X.shape
    s = weights_or_ones(sample_weight, n).astype(dtype)
    S = s.sum()
    sq = np.sqrt(s)
    a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, p) if weights is None else weights
    a, bb = np.asarray(a, dtype=dtype), np.asarray(bb, dtype=dtype)
    unpen = (a == 0) & (bb == 0)
    if positive and np.any(w < 0):
        primal = np.inf
    else:
        r = y - X @ w - b
        primal = 0.5 * (s @ (r * r)) / S + (np.sum(a * np.abs(w)) + 0.5 * np.sum(bb * w * w))

    # With ``positive``, unpenalized coefficients are constrained to be >= 0 too: their
    # conjugate is the indicator of ``x~_j^T theta <= 0``. We project out only the free ones
    # (w_j > 0) and cap kappa with the inequality for those at zero.
    # Those at zero whose correlation is positive are projected out as well (x_j^T theta = 0
    # is feasible too), until none is left: a stronger dual point than capping kappa at 0.
    r_t = sq * (y - X @ w - b)
    y_t = sq * (y - (s @ y) / S) if fit_intercept else sq * y
    X_t = sq[:, None] * X

    def best_dual(free):
        for _ in range(p + 1):
            basis = _unpenalized_basis(X, s, free, fit_intercept)
            # Two passes make the projection accurate relative to ||r_p|| (not only to
            # ||r_t||); a residual at round-off level is taken as exactly zero (theta = 0 is
            # always feasible), since kappa would otherwise amplify its infeasible round-off.
            r_p = _residualize(_residualize(r_t, basis), basis) if dtype == np.float64 else \
                _residualize_gs(r_t, basis)
            if np.linalg.norm(r_p) <= 1e-12 * np.linalg.norm(r_t):
                r_p = np.zeros_like(r_p)
            g = X_t.T @ r_p / S  # x~_j^T (r~_p / S)
            grow = unpen & ~free & (g > 0) if positive else np.zeros(p, dtype=bool)
            if not grow.any():
                break
            free = free | grow
        at_zero = unpen & ~free
        ry = (y_t @ r_p) / S
        rr = (r_p @ r_p) / S

        pure_l1 = (bb == 0) & (a > 0)
        ridge = bb > 0
        # kappa in [0, kappa_hi] keeps the pure-L1 constraints: kappa * g_j <= a_j (and >= -a_j).
        gj = g[pure_l1] if positive else np.abs(g[pure_l1])
        a_l1 = a[pure_l1]
        with np.errstate(divide="ignore"):
            caps = np.where(gj > 0, a_l1 / np.where(gj > 0, gj, 1.0), np.inf)
        kappa_hi = caps.min() if caps.size else dtype(np.inf)
        if np.any(g[at_zero] > 0):
            kappa_hi = 0.0

        def conj(u):  # sum_j h_j*(u_j) over the ridge coordinates
            excess = (u - a[ridge]) if positive else (np.abs(u) - a[ridge])
            excess = np.maximum(excess, 0.0)
            return np.sum(excess * excess / (2.0 * bb[ridge]))

        def dual_value(kappa):
            return kappa * ry - 0.5 * kappa * kappa * rr - conj(kappa * g[ridge])

        def slope(kappa):
            u = kappa * g[ridge]
            if positive:
                d = np.maximum(u - a[ridge], 0.0)
            else:
                d = np.sign(u) * np.maximum(np.abs(u) - a[ridge], 0.0)
            return ry - kappa * rr - np.sum(g[ridge] * d / bb[ridge])

        if slope(dtype(0.0)) <= 0.0:
            kappa = dtype(0.0)
        else:
            hi = kappa_hi
            if not np.isfinite(hi):
                hi = ry / rr if rr > 0 else dtype(0.0)  # slope(ry/rr) <= 0
            if slope(hi) >= 0.0:
                kappa = hi
            else:
                lo = dtype(0.0)
                for _ in range(200):
                    mid = 0.5 * (lo + hi)
                    if slope(mid) > 0.0:
                        lo = mid
                    else:
                        hi = mid
                kappa = lo
        return dual_value(kappa)

    # Under ``positive`` the dual point is not unique: also start from the features whose
    # raw correlation is positive (the library's choice); both are feasible, keep the best.
    starts = [unpen & (w > 0) if positive else unpen]
    if positive:
        starts.append(unpen & ((w > 0) | (X_t.T @ _residualize_gs(r_t, _unpenalized_basis(
            X, s, np.zeros(p, dtype=bool), fit_intercept)) > 0)))
    dual = max(best_dual(start) for start in starts)
    return max(primal - dual, 0.0), primal, dual



def _residualize_gs(R, B):
    """``R`` minus its projection on the columns of ``B``, by modified Gram-Schmidt applied
    twice (works in any float dtype, e.g. longdouble, where lstsq does not)."""
    Q = []
    for k in range(B.shape[1]):
        v = B[:, k].copy()
        for _ in range(2):
            for q in Q:
                v = v - (q @ v) * q
        norm = np.sqrt(v @ v)
        if norm > 1e-14 * np.sqrt(B[:, k] @ B[:, k]) and norm > 0:
            Q.append(v / norm)
    for _ in range(2):
        for q in Q:
            R = R - (q @ R) * q
    return R


def gap_floor(y, sample_weight=None, fit_intercept=True):
    """Round-off level of a gap computed in float64 from objective values of size ~P(0)."""
    return 1e-13 * null_objective(y, sample_weight, fit_intercept) + 1e-300


def centered_scaled(X, sample_weight=None, fit_intercept=True):
    """``sqrt(s) * (X - weighted column means)`` (no centring without intercept)."""
    X = as_dense(X)
    s = weights_or_ones(sample_weight, X.shape[0])
    if fit_intercept:
        X = X - (s @ X) / s.sum()
    return np.sqrt(s)[:, None] * X


def strong_convexity(X, alpha, l1_ratio, sample_weight=None, penalty_factor=None,
                     fit_intercept=True):
    """Modulus mu of strong convexity of ``w -> min_b P(w, b)``; 0 when it is not strongly
    convex (to working precision).

    ``min_b P(w, b) = 1/(2S) ||y~_c - X~_c w||^2 + pen(w)``, whose smooth part has Hessian
    ``H = X~_c^T X~_c / S + diag(bb)``; the L1 part is convex, so ``mu = lambda_min(H)``.
    """
    Xc = centered_scaled(X, sample_weight, fit_intercept)
    s = weights_or_ones(sample_weight, Xc.shape[0])
    _, bb = penalty_weights(alpha, l1_ratio, penalty_factor, Xc.shape[1])
    H = Xc.T @ Xc / s.sum() + np.diag(bb)
    ev = np.linalg.eigvalsh(H)
    top = max(float(ev.max()), 1e-300)
    mu = float(ev.min()) - 1e-11 * top  # eigvalsh is accurate to ~eps * ||H||
    return mu if mu > 1e-8 * top else 0.0


def alpha_max(X, y, *, l1_ratio=1.0, fit_intercept=True, sample_weight=None,
              penalty_factor=None):
    """alpha_max of docs/theory.rst: ``max_j |x_j^T diag(s) r0| / (S v_j l1_ratio)`` over
    ``v_j > 0``."""
    X = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = weights_or_ones(sample_weight, n)
    v = pf_or_ones(penalty_factor, p)
    unpen = v == 0
    r0 = unpenalized_residual(X, y, s, unpen, fit_intercept)
    grad = X.T @ (s * r0) / s.sum()
    pen = v > 0
    if not np.any(pen):
        return 0.0
    return float(np.max(np.abs(grad[pen]) / v[pen]) / l1_ratio)


def unpenalized_residual(X, y, s, unpen, fit_intercept):
    """``r0 = y - fit`` of the weighted least-squares fit of y on [1, X_U] (unscaled)."""
    sq = np.sqrt(s)
    B = _unpenalized_basis(X, s, unpen, fit_intercept)
    if B.shape[1] == 0:
        return y.copy()
    coef = np.linalg.lstsq(B, sq * y, rcond=None)[0]
    cols = []
    if fit_intercept:
        cols.append(np.ones(X.shape[0]))
    cols.extend(X[:, j] for j in np.flatnonzero(unpen))
    return y - np.column_stack(cols) @ coef


def ridge_closed_form(X, y, alpha, *, sample_weight=None, penalty_factor=None,
                      fit_intercept=True):
    """Exact minimiser of P with l1_ratio = 0, from the weighted normal equations.

    ``(X~_c^T X~_c / S + alpha diag(v)) w = X~_c^T y~_c / S`` and ``b = ybar - xbar.w``.
    """
    X = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = weights_or_ones(sample_weight, n)
    S = float(s.sum())
    v = pf_or_ones(penalty_factor, p)
    if fit_intercept:
        xbar = (s @ X) / S
        ybar = weighted_mean(y, s)
    else:
        xbar = np.zeros(p)
        ybar = 0.0
    Xc = np.sqrt(s)[:, None] * (X - xbar)
    yc = np.sqrt(s) * (y - ybar)
    A = Xc.T @ Xc / S + alpha * np.diag(v)
    w = np.linalg.solve(A, Xc.T @ yc / S)
    return w, (ybar - float(xbar @ w)) if fit_intercept else 0.0


def reference_objective(X, y, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
                        fit_intercept=True, positive=False, start=None, n_iter=3000):
    """An upper bound on P*: the best objective value seen by FISTA (with adaptive restart).

    The unpenalized part (intercept and features with ``v_j = 0``) is eliminated exactly by
    weighted projection, leaving ``min_w 1/(2S)||y_r - X_r w||^2 + pen(w)`` over the penalized
    features, whose value at any ``w`` is achievable by the full problem. ``start`` (penalized
    coefficients of a candidate) is an optional starting point; the returned value is the
    minimum over the iterates, hence a sound upper bound on the optimum whatever the start.
    """
    X = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    s = weights_or_ones(sample_weight, n)
    S = float(s.sum())
    a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, p)
    # With ``positive`` the unpenalized coefficients are constrained (>= 0): keep them.
    unpen = np.zeros(p, dtype=bool) if positive else (a == 0) & (bb == 0)
    pen = ~unpen
    B = _unpenalized_basis(X, s, unpen, fit_intercept)
    sq = np.sqrt(s)
    Xr = _residualize(sq[:, None] * X[:, pen], B)
    yr = _residualize(sq * y, B)
    a, bb = a[pen], bb[pen]

    def value(w):
        r = yr - Xr @ w
        return 0.5 * float(r @ r) / S + float(np.sum(a * np.abs(w)) + 0.5 * np.sum(bb * w * w))

    if not np.any(pen):
        return value(np.zeros(0))
    Q = Xr.T @ Xr / S
    g0 = Xr.T @ yr / S
    L = float(np.linalg.eigvalsh(Q + np.diag(bb)).max()) * (1 + 1e-9) + 1e-300

    def prox(z):
        out = np.sign(z) * np.maximum(np.abs(z) - a / L, 0.0)
        return np.maximum(out, 0.0) if positive else out

    x = np.zeros(int(pen.sum())) if start is None else np.asarray(start, float)[pen].copy()
    if positive:
        x = np.maximum(x, 0.0)
    best = value(x)
    z = x.copy()
    t = 1.0
    f_prev = best
    for _ in range(n_iter):
        grad = Q @ z - g0 + bb * z
        x_new = prox(z - grad / L)
        f_new = value(x_new)
        best = min(best, f_new)
        if f_new > f_prev:  # restart
            t = 1.0
            z = x.copy()
            continue
        t_new = 0.5 * (1 + np.sqrt(1 + 4 * t * t))
        z = x_new + (t - 1) / t_new * (x_new - x)
        x, t, f_prev = x_new, t_new, f_new
    return best


def kkt_report(X, y, w, b, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
               fit_intercept=True, positive=False, gap):
    """Check the optimality (KKT) conditions of P (docs/theory.rst, "Optimality") at ``(w, b)``
    with a tolerance derived from the duality gap ``gap`` (an upper bound on ``P(w, b) - P*``).
    Returns a list of violation messages (empty when everything holds).

    Derivation. Let ``z = X~ w + b c`` (fitted values, rows scaled by sqrt(s)) and
    ``F(z) = 1/(2S)||y~ - z||^2``, which is exactly quadratic with Hessian I/S. With
    ``P = F(X~ w + b c) + H(w)``, ``H(w) = sum_j h_j(w_j)`` and the optimality conditions
    ``-X~^T grad F(z*) in dH(w*)``, ``c^T grad F(z*) = 0``, expanding F exactly and using the
    (bb-strong) convexity of H gives

        G >= P(w, b) - P* >= 1/(2S) ||r~ - r~*||^2 + sum_j bb_j/2 (w_j - w_j*)^2

    with ``r~ = y~ - z`` the residual of the returned model (its own intercept). Hence
    ``||r~ - r~*|| <= sqrt(2 S G)`` and ``bb_j |w_j - w_j*| <= sqrt(2 G bb_j)``.
    (Equivalently: the dual is S-strongly concave, so ``||theta - theta*|| <= sqrt(2G/S)``
    for ``theta = r~/S``.) The KKT quantity ``k_j = x~_j^T r~ / S - bb_j w_j`` (exactly
    ``x_j^T diag(s) r / S - alpha v_j (1 - l1_ratio) w_j``) therefore satisfies, by
    Cauchy-Schwarz,

        |k_j - k_j*| <= e_j := ||x~_j|| sqrt(2G/S) + sqrt(2 G bb_j),

    and for the intercept ``|c^T r~| / S <= ||c|| sqrt(2SG) / S = sqrt(2G)``.
    At the optimum ``k_j* in a_j d|w_j*|`` (``k_j* = 0`` for unpenalized features; with
    ``positive``, ``k_j* <= a_j`` and ``= a_j`` when ``w_j* > 0``). So we check
    ``|k_j| <= a_j + e_j`` always (``k_j <= a_j + e_j`` if positive). For ``w_j != 0`` the
    sign of ``w_j*`` is known when ``|w_j| > delta_j``, where ``delta_j`` bounds
    ``|w_j - w_j*|``: ``min(sqrt(2G/mu), sqrt(2G/bb_j))`` with ``mu`` the strong-convexity
    modulus of ``min_b P(w, b)`` (``P(w) - P* >= mu/2 ||w - w*||^2``). Then we also check
    ``|k_j - a_j sign(w_j)| <= e_j``.
    """
    X = as_dense(X)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    n, p = X.shape
    s = weights_or_ones(sample_weight, n)
    S = float(s.sum())
    a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, p)
    r = y - X @ w - b
    G = gap + gap_floor(y, sample_weight, fit_intercept)
    col_norms = np.sqrt(s @ (X * X))
    k = X.T @ (s * r) / S - bb * w
    e = col_norms * np.sqrt(2 * G / S) + np.sqrt(2 * G * bb)
    # round-off in k: n * eps * ||x~_j|| ||r~|| / S, generously
    e = e + 1e-12 * n * col_norms * np.sqrt(float(s @ (r * r))) / S + 1e-12 * a
    mu = strong_convexity(X, alpha, l1_ratio, sample_weight, penalty_factor, fit_intercept)
    with np.errstate(divide="ignore"):
        delta = np.minimum(np.sqrt(2 * G / mu) if mu > 0 else np.inf,
                           np.where(bb > 0, np.sqrt(2 * G / np.where(bb > 0, bb, 1.0)),
                                    np.inf))
    problems = []
    if fit_intercept:
        lhs = abs(float(s @ r)) / S
        if lhs > np.sqrt(2 * G) * (1 + 1e-9) + 1e-12 * np.sqrt(float(s @ (r * r)) / S):
            problems.append(f"intercept: |sum s r|/S = {lhs:.3e} > {np.sqrt(2 * G):.3e}")
    for j in range(p):
        if positive and w[j] < 0:
            problems.append(f"w[{j}] = {w[j]!r} < 0 with positive=True")
        bound = a[j] + e[j]
        kj = k[j] if positive else abs(k[j])
        if kj > bound:
            problems.append(f"feature {j}: |k_j| = {kj:.6e} > a_j + e_j = {a[j]:.6e} + "
                            f"{e[j]:.3e} (w_j = {w[j]!r})")
        if w[j] != 0 and abs(w[j]) > delta[j]:
            target = a[j] * np.sign(w[j])
            if abs(k[j] - target) > e[j]:
                problems.append(f"feature {j}: k_j = {k[j]:.6e} but a_j sign(w_j) = "
                                f"{target:.6e}, |diff| > e_j = {e[j]:.3e} (w_j = {w[j]!r})")
    return problems


def normalized_gap(X, y, w, b, alpha, l1_ratio, *, sample_weight=None, penalty_factor=None,
                   fit_intercept=True, positive=False, dtype=np.float64):
    """The duality gap at ``(w, b)`` computed where the arithmetic is sound whatever the
    data's offset and scale: on explicitly centred data, each column and y divided by its
    spread (the problem rewritten exactly for the new units), then scaled back. With
    ``dtype=np.longdouble`` every step runs in extended precision.

    Returns ``(gap, P(0))`` in the data's units (floats).
    """
    X = as_dense(X).astype(dtype)
    y = np.asarray(y, dtype=dtype)
    w = np.asarray(w, dtype=dtype)
    b = dtype(float(b))  # a float32 intercept would make the scalar arithmetic float32
    n, p = X.shape
    s = weights_or_ones(sample_weight, n).astype(dtype)
    S = s.sum()
    a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, p)
    a, bb = a.astype(dtype), bb.astype(dtype)
    if fit_intercept:
        x_mean, y_mean = (s @ X) / S, (s @ y) / S
    else:
        x_mean, y_mean = np.zeros(p, dtype=dtype), dtype(0.0)
    Xc, yc = X - x_mean, y - y_mean
    col = np.sqrt(s @ (Xc * Xc) / S)
    col[~(col > 0)] = 1.0
    d = np.sqrt(s @ (yc * yc) / S)
    d = d if d > 0 else dtype(1.0)
    # y - X w - b = d (y' - X' w' - b') with X' = Xc / col, w' = w col / d, b' = b_c / d,
    # and the penalty in the new units: a' = a / (d col), bb' = bb / col^2 (times d^2).
    b_c = (b - y_mean + x_mean @ w) if fit_intercept else b
    gap = dual_gap(Xc / col, yc / d, w * (col / d), b_c / d, 0.0, 1.0, sample_weight=s,
                   fit_intercept=fit_intercept, positive=positive,
                   weights=(a / d / col, bb / col / col), dtype=dtype)[0]
    return float(gap * d * d), float(0.5 * d * d)
