"""Independent references for box-constrained fits (``lower_bounds``/``upper_bounds``),
written from the textbook definitions and sharing no code with the library.

- :func:`split_minimize`: the penalized problem solved by scipy's L-BFGS-B on the split
  ``w = u - v`` (``0 <= u <= upper``, ``0 <= v <= -lower``), where the L1 term is linear and
  the box is a bound constraint, for any smooth loss of the linear predictor;
- :func:`box_gap`: the duality gap of the squared loss with a box, from explicitly centred
  float64 data, the penalty's conjugate evaluated by enumerating the candidates of its
  one-dimensional maximisation, and the dual scaling maximised by scipy.
"""

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit


def squared_loss(y, s):
    """``(1/S) sum s_i (y_i - eta_i)^2 / 2`` and its gradient in eta."""
    S = s.sum()

    def f(eta):
        r = y - eta
        return 0.5 * float(s @ (r * r)) / S, -s * r / S
    return f


def logistic_loss(y01, s):
    """The binary log-loss of labels in {0, 1}, weights ``s`` normalised by their sum."""
    S = s.sum()

    def f(eta):
        value = float(s @ (np.logaddexp(0.0, eta) - y01 * eta)) / S
        return value, s * (expit(eta) - y01) / S
    return f


def poisson_loss(y, s):
    """Half the Poisson deviance up to a constant: ``(1/S) sum s (exp(eta) - y eta)``."""
    S = s.sum()

    def f(eta):
        mu = np.exp(eta)
        return float(s @ (mu - y * eta)) / S, s * (mu - y) / S
    return f


def split_minimize(X, loss, a, b, lower, upper, fit_intercept=True):
    """``argmin loss(X w + c) + sum_j (a_j |w_j| + b_j w_j^2 / 2)`` over ``lower <= w <=
    upper`` (and the intercept ``c``): ``(w, c, objective)``."""
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    p = X.shape[1]

    def unpack(z):
        w = z[:p] - z[p:2 * p]
        return w, (z[2 * p] if fit_intercept else 0.0)

    def fun(z):
        w, c = unpack(z)
        value, g = loss(X @ w + c)
        xg = X.T @ g + b * w
        value += float(a @ (z[:p] + z[p:2 * p]) + 0.5 * b @ (w * w))
        grad = np.concatenate([xg + a, -xg + a, [g.sum()] if fit_intercept else []])
        return value, grad
    bounds = [(0.0, None if u == np.inf else u) for u in upper] + \
        [(0.0, None if lo == -np.inf else -lo) for lo in lower] + \
        ([(None, None)] if fit_intercept else [])
    z0 = np.zeros(2 * p + int(fit_intercept))
    res = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(ftol=1e-16, gtol=1e-13, maxiter=200_000, maxfun=400_000,
                                maxcor=30))
    w, c = unpack(res.x)
    return w, c, fun(res.x)[0]


def conjugate(v, a, b, lo, hi):
    """``max_{lo <= t <= hi} v t - a |t| - b t^2 / 2`` by enumerating the candidates (the
    ends of the box, 0, and the stationary point of each sign, clipped)."""
    if b == 0.0 and ((hi == np.inf and v > a) or (lo == -np.inf and v < -a)):
        return np.inf
    candidates = [0.0]
    candidates += [t for t in (lo, hi) if np.isfinite(t)]
    if b > 0.0:
        candidates += [min(max((v - a) / b, 0.0), hi), min(max((v + a) / b, lo), 0.0)]
    return max(v * t - a * abs(t) - 0.5 * b * t * t for t in candidates)


def box_gap(X, y, w, intercept, a, b, lower, upper, sample_weight=None, fit_intercept=True,
            dtype=np.float64):
    """Duality gap of ``1/(2S) ||sqrt(s) (y - X w - c)||^2 + sum h_j(w_j)`` (``h_j``: L1, L2
    and the box) at ``(w, intercept)``; every feature penalized (``a_j + b_j > 0``).

    Dual point ``theta = kappa sqrt(s) r_c / S`` (``r_c`` the residual of the centred data,
    so that ``sum sqrt(s) theta = 0``), ``kappa`` maximising the dual on its feasible range.
    ``dtype=np.longdouble`` computes in extended precision (columns with large offsets, whose
    centring in float64 loses the digits the gap is made of).
    """
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=dtype)
    y = np.asarray(y, dtype=dtype)
    w = np.asarray(w, dtype=dtype)
    a, b = np.asarray(a, dtype=dtype), np.asarray(b, dtype=dtype)
    n, p = X.shape
    s = np.ones(n, dtype=dtype) if sample_weight is None else np.asarray(sample_weight,
                                                                          dtype=dtype)
    S, sq = s.sum(), np.sqrt(s)
    if np.any(w < lower) or np.any(w > upper):
        return np.inf
    r = y - X @ w - (dtype(intercept) if fit_intercept else dtype(0.0))
    primal = 0.5 * (s @ (r * r)) / S + (a @ np.abs(w) + 0.5 * b @ (w * w))
    Xc = X - (s @ X) / S if fit_intercept else X
    yc = y - (s @ y) / S if fit_intercept else y
    rt = sq * (yc - Xc @ w)
    g = (sq[:, None] * Xc).T @ rt / S
    ry, rr = ((sq * yc) @ rt) / S, (rt @ rt) / S

    def dual(kappa):
        return kappa * ry - 0.5 * kappa * kappa * rr - sum(
            conjugate(kappa * g[j], a[j], b[j], lower[j], upper[j]) for j in range(p))
    top = max(ry / rr, 0.0) if rr > 0 else 1.0  # the quadratic part peaks there
    for j in range(p):  # pure-L1 sides without a bound cap kappa
        if b[j] == 0.0 and g[j] > 0 and upper[j] == np.inf:
            top = min(top, a[j] / g[j])
        if b[j] == 0.0 and g[j] < 0 and lower[j] == -np.inf:
            top = min(top, a[j] / -g[j])
    top *= 1.0 - 1e-14  # kappa g_j computed at the cap itself can round past a_j
    # D is concave and quadratic between its kinks (where kappa |g_j| crosses a_j, and for
    # a ridge part a_j + b_j c_j): its maximum is at a kink, an end, or the stationary point
    # of the quadratic through three points of an interval (exact, unlike a search whose
    # tolerance is sqrt(eps) in kappa).
    size = np.abs(g)
    kinks = [0.0, top]
    for j in range(p):
        if size[j] > 0:
            kinks.append(a[j] / size[j])
            for c in (upper[j], -lower[j]):
                if b[j] > 0 and np.isfinite(c):
                    kinks.append((a[j] + b[j] * c) / size[j])
    kinks = np.unique(np.clip(kinks, 0.0, top))
    best = max(dual(k) for k in kinks)
    for lo, hi in zip(kinks[:-1], kinks[1:]):
        mid = 0.5 * (lo + hi)
        d0, d1, d2 = dual(lo), dual(mid), dual(hi)
        h = 0.5 * (hi - lo)
        curv = (d0 - 2.0 * d1 + d2) / (h * h)  # 2 A
        if curv < 0:
            k = mid - (d2 - d0) / (2.0 * h) / curv
            if lo < k < hi:
                best = max(best, dual(k))
    return float(max(primal - best, 0.0))


def squared_objective(X, y, w, intercept, a, b, sample_weight=None):
    """The squared-loss objective at ``(w, intercept)`` (the box not checked)."""
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
    r = np.asarray(y, float) - X @ w - intercept
    return 0.5 * float(s @ (r * r)) / s.sum() + float(a @ np.abs(w) + 0.5 * b @ (w * w))


def logistic_objective(X, y01, w, intercept, a, b, sample_weight=None):
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=np.float64)
    s = np.ones(len(y01)) if sample_weight is None else np.asarray(sample_weight, float)
    return logistic_loss(y01, s)(X @ w + intercept)[0] + float(a @ np.abs(w)
                                                              + 0.5 * b @ (w * w))


__all__ = ["box_gap", "conjugate", "logistic_loss", "logistic_objective", "poisson_loss",
           "split_minimize", "squared_loss", "squared_objective"]
