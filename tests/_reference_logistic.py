"""Independent numpy references for the penalized logistic and multinomial classifiers.

Nothing here imports sparsereg. The objective is written from its documented definition::

    P(W, b) = (1/S) sum_i s_i logloss(y_i, x_i W^T + b)
              + sum_{k, j} (a_j |W_kj| + bb_j / 2 W_kj^2)      (+ indicator of W >= 0)

with ``a = alpha l1_ratio v``, ``bb = alpha (1 - l1_ratio) v``, ``s`` the sample weights times
the class weights and ``S`` their sum. Two classes: one row ``W`` (the log-odds of the
second class, sorted labels); ``K >= 3`` classes: ``K`` rows and the softmax.

Lower bound on ``P*`` (weak duality, derived here from Fenchel-Young, not from the library's
formula). For any probabilities ``t_i`` (a point of the simplex; for two classes
``t_i in [0, 1]``) put ``theta_i = c_i (y_i - t_i)``, ``c = s / S``. Then for every ``(W, b)``

    P(W, b) >= sum_i c_i H(t_i) - sum_{k, j not in U} h_j*(x_j^T theta_k)
               - sum_k b_k (1^T theta_k) - sum_{k, j in U} W_kj (x_j^T theta_k)

where ``H`` is the (binary) entropy, ``h_j*`` the conjugate of the per-coefficient penalty and
``U`` the unpenalized features. The last two terms vanish when the intercept and unpenalized
equations hold; :func:`dual_bound` makes them hold to extended precision by re-solving the
intercepts and unpenalized coefficients with Newton's method in ``np.longdouble`` (its own
correction, unlike the library's first-order one), then maximises the bound over the segment
``t -> (1 - kappa) y + kappa t`` exactly (ternary search on a concave function). The tiny
remaining equation residuals are charged explicitly, with a generous bound on ``|b*|``.

:func:`polish` is an independent tight solver (L-BFGS-B on the split ``W = U - V``, in
standardised variables), used to get an upper bound on ``P*`` close to it.
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

LD = np.longdouble


# ----------------------------------------------------------------------------------------
# labels and weights


def encode(y):
    """``(classes, Y)``: sorted labels and the (K, n) target rows (K = 1 for two classes)."""
    classes, codes = np.unique(np.asarray(y), return_inverse=True)
    n = codes.shape[0]
    if classes.shape[0] == 2:
        return classes, (codes == 1).astype(np.float64)[None, :]
    Y = np.zeros((classes.shape[0], n))
    Y[codes, np.arange(n)] = 1.0
    return classes, Y


def class_weights(y, class_weight):
    """Per-sample class weights: "balanced" is n / (n_classes * count), a dict maps labels."""
    y = np.asarray(y)
    if class_weight is None:
        return np.ones(y.shape[0])
    classes, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    if class_weight == "balanced":
        per_class = y.shape[0] / (classes.shape[0] * counts)
    else:
        per_class = np.array([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
    return per_class[codes]


def total_weights(y, sample_weight=None, class_weight=None):
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    return s * class_weights(y, class_weight)


def penalty_weights(alpha, l1_ratio, penalty_factor, p):
    v = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, np.float64)
    return alpha * l1_ratio * v, alpha * (1.0 - l1_ratio) * v


def dense(X, dtype=LD):
    if sp.issparse(X):
        X = X.toarray()
    return np.asarray(X).astype(dtype)  # float32 values convert exactly


# ----------------------------------------------------------------------------------------
# objective


def scores(X, W, b):
    """(K, n) linear predictors in the dtype of X."""
    W = np.asarray(W).astype(X.dtype).reshape(-1, X.shape[1])
    b = np.asarray(b).astype(X.dtype).reshape(-1)
    return (X @ W.T).T + b[:, None]


def losses(eta, Y):
    """Per-sample log-losses (n,)."""
    if eta.shape[0] == 1:
        e = eta[0]
        return np.maximum(e, 0) + np.log1p(np.exp(-np.abs(e))) - Y[0] * e
    top = eta.max(axis=0)
    lse = top + np.log(np.exp(eta - top).sum(axis=0))
    return lse - (Y * eta).sum(axis=0)


def probabilities(eta):
    if eta.shape[0] == 1:
        e = eta[0]
        z = np.exp(-np.abs(e))
        return np.where(e >= 0, 1 / (1 + z), z / (1 + z))[None, :]
    z = np.exp(eta - eta.max(axis=0))
    return z / z.sum(axis=0)


def penalty(W, a, bb, positive=False):
    W = np.asarray(W).astype(a.dtype)
    if positive and np.any(W < 0):
        return np.inf
    return (np.abs(W) @ a).sum() + 0.5 * ((W * W) @ bb).sum()


class Problem:
    """One classification problem in extended precision: X, targets, weights, penalty."""

    def __init__(self, X, y, alpha, l1_ratio, *, sample_weight=None, class_weight=None,
                 penalty_factor=None, fit_intercept=True, positive=False):
        self.classes, Y = encode(y)
        s = total_weights(y, sample_weight, class_weight)
        keep = s > 0
        self.X = dense(X)[keep]
        self.Y = Y[:, keep].astype(LD)
        self.c = (s[keep] / s[keep].sum()).astype(LD)
        p = self.X.shape[1]
        a, bb = penalty_weights(alpha, l1_ratio, penalty_factor, p)
        self.a, self.bb = a.astype(LD), bb.astype(LD)
        self.unpen = (a == 0) & (bb == 0)
        self.fit_intercept = bool(fit_intercept)
        self.positive = bool(positive)
        self.K = self.Y.shape[0]

    def loss(self, W, b):
        return (self.c * losses(scores(self.X, W, b), self.Y)).sum()

    def objective(self, W, b):
        """P(W, b) in long double (``inf`` outside the positive orthant when positive)."""
        b = b if self.fit_intercept else np.zeros(self.K)
        return self.loss(W, b) + penalty(W, self.a, self.bb, self.positive)

    def null_objective(self):
        """P(0): the weighted class entropy (log 2 or log K without an intercept)."""
        if not self.fit_intercept:
            return float(np.log(2.0 if self.K == 1 else self.K))
        pi = (self.Y @ self.c).astype(np.float64)
        if self.K == 1:
            pi = np.array([pi[0], 1 - pi[0]])
        pi = pi[pi > 0]
        return float(-(pi * np.log(pi)).sum())

    def gradient(self, W, b):
        """Gradient of the loss in (W, b): (K, p) and (K,), long double."""
        T = probabilities(scores(self.X, W, b))
        R = self.c * (T - self.Y)
        return R @ self.X, R.sum(axis=1)

    # ------------------------------------------------------------------------------------
    # dual lower bound

    def _entropy(self, T):
        def xlogx(t):
            return np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0)
        if self.K == 1:
            return -(self.c * (xlogx(T[0]) + xlogx(1 - T[0]))).sum()
        return -(self.c * xlogx(T).sum(axis=0)).sum()

    def _refine(self, W, b, free, iters=60):
        """Newton's method in long double on the intercepts and the ``free`` (K, p)
        coefficients, the others held: returns the new (W, b) (the equations' solution)."""
        W = np.asarray(W).astype(LD).reshape(self.K, -1).copy()
        b = (np.asarray(b).astype(LD).reshape(-1).copy() if self.fit_intercept
             else np.zeros(self.K, dtype=LD))
        cols = [(k, -1) for k in range(self.K) if self.fit_intercept]
        cols += [(k, j) for k, j in zip(*np.nonzero(free))]
        if not cols:
            return W, b
        n = self.X.shape[0]
        ones = np.ones(n, dtype=LD)
        feat = [ones if j < 0 else self.X[:, j] for _, j in cols]
        F = self.loss(W, b)
        for _ in range(iters):
            T = probabilities(scores(self.X, W, b))
            R = self.c * (T - self.Y)
            g = np.array([R[k] @ f for (k, _), f in zip(cols, feat)])
            if not np.all(np.isfinite(g)):
                break
            m = len(cols)
            H = np.zeros((m, m))
            for u in range(m):
                k, fu = cols[u][0], feat[u]
                for v in range(u, m):
                    l, fv = cols[v][0], feat[v]
                    if self.K == 1:
                        jac = T[0] * (1 - T[0])
                    else:
                        jac = (T[k] if k == l else 0) - T[k] * T[l]
                    H[u, v] = H[v, u] = float((self.c * fu * fv * jac).sum())
            step = -np.linalg.lstsq(H, g.astype(np.float64), rcond=1e-14)[0].astype(LD)
            t = LD(1)
            for _ in range(60):
                W2, b2 = W.copy(), b.copy()
                for (k, j), d in zip(cols, step):
                    if j < 0:
                        b2[k] += t * d
                    else:
                        W2[k, j] += t * d
                F2 = self.loss(W2, b2)
                if F2 <= F:
                    break
                t /= 2
            else:
                break
            if F2 == F and np.all(W2 == W) and np.all(b2 == b):
                break
            W, b, F = W2, b2, F2
        return W, b

    def dual_bound(self, W, b):
        """A lower bound on P* from the probabilities at (W, b), after the Newton re-solve of
        the intercepts and unpenalized coefficients (see the module docstring)."""
        W = np.asarray(W, dtype=np.float64).reshape(self.K, -1)
        free = np.zeros(W.shape, dtype=bool)
        free[:, self.unpen] = True
        if self.positive:  # w >= 0 unpenalized at zero: x_j^T theta <= 0 suffices
            free &= W > 0
        for _ in range(W.size + 1):
            Wr, br = self._refine(W, b, free)
            T = probabilities(scores(self.X, Wr, br))
            G = (self.c * (self.Y - T)) @ self.X
            grow = self.unpen[None, :] & ~free & (G > 0) if self.positive else \
                np.zeros_like(free)
            if not grow.any():
                break
            free |= grow
        theta_sum = (self.c * (self.Y - T)).sum(axis=1)
        b_size = 2 * np.abs(br.astype(np.float64)) + 1 + 2 * np.abs(W).max(initial=0) * \
            np.abs(self.X.astype(np.float64)).max(initial=0)
        # equations left unsatisfied (residuals): charged at a generous bound on |b*|, |W*_U|
        U = self.unpen[None, :] & np.ones_like(free)
        eq_U = np.where(U & free, np.abs(G), 0) if self.positive else np.where(U, np.abs(G), 0)
        if self.positive:
            eq_U = eq_U + np.where(U & ~free, np.maximum(G, 0), 0)
        charge_U = (eq_U * (2 * np.abs(Wr.astype(np.float64)) + 1)).sum()
        charge_b = (np.abs(theta_sum) * b_size).sum() if self.fit_intercept else LD(0)
        pen = ~self.unpen
        pure = pen & (self.bb == 0)
        ridge = self.bb > 0
        g = G if self.positive else np.abs(G)
        caps = [LD(1)]
        for j in np.flatnonzero(pure):
            top = g[:, j].max()
            if top > 0:
                caps.append(self.a[j] / top)
        hi = min(caps)

        def value(kappa):
            Tk = (1 - kappa) * self.Y + kappa * T
            if self.K == 1:
                Tk = Tk.clip(0, 1)
            excess = np.maximum(kappa * g[:, ridge] - self.a[ridge], 0)
            conj = (excess * excess / (2 * self.bb[ridge])).sum()
            return self._entropy(Tk) - conj - kappa * (charge_U + charge_b)

        lo = LD(0)
        for _ in range(120):  # ternary search of the concave value on [0, hi]
            m1, m2 = lo + (hi - lo) / 3, hi - (hi - lo) / 3
            if value(m1) < value(m2):
                lo = m1
            else:
                hi = m2
        return max(value(lo), value(LD(0)))

    # ------------------------------------------------------------------------------------
    # an independent tight solver

    def polish(self, W0=None, b0=None, iters=20000):
        """L-BFGS-B on ``W = (U - V) / sigma`` (standardised, centred columns with an
        intercept), ``U, V >= 0``: returns (W, b) as float64 arrays."""
        X = self.X.astype(np.float64)
        c = self.c.astype(np.float64)
        Y = self.Y.astype(np.float64)
        K, p = self.K, X.shape[1]
        mu = c @ X if self.fit_intercept else np.zeros(p)
        sigma = np.sqrt(c @ (X - mu) ** 2)
        sigma[sigma == 0] = 1.0
        Z = (X - mu) / sigma
        a = self.a.astype(np.float64) / sigma
        bb = self.bb.astype(np.float64) / sigma ** 2
        nb = K if self.fit_intercept else 0

        def unpack(x):
            U = x[:K * p].reshape(K, p)
            V = x[K * p:2 * K * p].reshape(K, p)
            return U, V, x[2 * K * p:]

        def f(x):
            U, V, bt = unpack(x)
            Wt = U - V
            eta = (Z @ Wt.T).T + (bt[:, None] if nb else 0)
            val = c @ losses(eta, Y) + (a * (U + V)).sum() + 0.5 * (bb * Wt * Wt).sum()
            R = c * (probabilities(eta) - Y)
            gW = R @ Z + bb * Wt
            grad = np.concatenate([(gW + a).ravel(), (-gW + a).ravel(), R.sum(axis=1)[:nb]])
            return val, grad

        x0 = np.zeros(2 * K * p + nb)
        if W0 is not None:
            Wt0 = np.asarray(W0, np.float64).reshape(K, p) * sigma
            x0[:K * p] = np.maximum(Wt0, 0).ravel()
            x0[K * p:2 * K * p] = np.maximum(-Wt0, 0).ravel()
            if nb:
                x0[2 * K * p:] = np.asarray(b0, np.float64).reshape(-1) + \
                    np.asarray(W0, np.float64).reshape(K, p) @ mu
        upper_v = 0.0 if self.positive else None
        bounds = [(0, None)] * (K * p) + [(0, upper_v)] * (K * p) + [(None, None)] * nb
        res = minimize(f, x0, jac=True, method="L-BFGS-B", bounds=bounds,
                       options=dict(maxiter=iters, maxfun=2 * iters, ftol=0.0, gtol=1e-15,
                                    maxcor=30))
        U, V, bt = unpack(res.x)
        W = (U - V) / sigma
        b = bt - W @ mu if nb else np.zeros(K)
        return W, b


def alpha_max(X, y, sample_weight=None, fit_intercept=True):
    """``max_{k,j} |x_j^T c (y_k - pi_k)|`` (pi: weighted class frequencies, or 1/2 and 1/K
    without an intercept): the smallest alpha at which the lasso's coefficients are all 0."""
    _, Y = encode(y)
    s = total_weights(y, sample_weight)
    c = s / s.sum()
    if fit_intercept:
        center = (Y @ c)[:, None]
    else:
        center = 0.5 if Y.shape[0] == 1 else 1.0 / Y.shape[0]
    X = dense(X, np.float64)
    return float(np.abs((c * (Y - center)) @ X).max())


def certified_suboptimality(prob, W, b, polish_from=None):
    """``(P(W, b), lower, upper)``: P at (W, b) and bounds ``lower <= P* <= upper`` from
    independent computations (dual bounds at (W, b) and at a polished point)."""
    P = prob.objective(W, b)
    Wp, bp = prob.polish(W, b) if polish_from is None else polish_from
    Pp = prob.objective(Wp, bp)
    lower = max(prob.dual_bound(W, b), prob.dual_bound(Wp, bp))
    return P, lower, min(P, Pp)
