"""Datafits: the loss as a piece of data handed to the one engine, as penalties are.

The engine minimises ``F(X w + b) + penalty(w)`` with ``F(eta) = (1/S) sum_i s_i l(y_i,
eta_i)`` (``s`` the sample weights, ``S`` their sum). What it needs from a loss is this
contract; every method is vectorised over samples, takes float64 arrays and returns float64:

``value(y, eta, s)``
    ``F(eta)``.
``gradient(y, eta, s)``
    ``g_i = s_i l'(y_i, eta_i) / S``, the derivative of F in ``eta_i`` ("raw residual").
``curvature(y, eta, s)``
    ``h_i = s_i l''(y_i, eta_i) / S``: the IRLS weights of the quadratic model, or an upper
    bound where ``l''`` is unbounded or not defined (Boehning's ``1/4`` for the logistic loss).
``intercept_step(y, eta, s)``
    The change of the unpenalized intercept that minimises the quadratic model in it:
    ``-sum(g) / sum(h)``; exact for the squared loss, one Newton step for the others.
``conjugate(y, u, s)``
    The Fenchel conjugate ``F*(u) = sup_eta <u, eta> - F(eta)`` (``inf`` outside its
    domain). With the penalty's conjugate it gives the dual objective
    ``D(theta) = -F*(-theta) - penalty*(X^T theta)`` on ``sum(theta) = 0`` (the intercept),
    and ``P(w) - D(theta)`` bounds the distance to the optimum: the certificate.
``dual_point(y, eta, s)``
    A dual candidate ``theta = -gradient(eta)`` inside the conjugate's domain; the engine
    scales it into the penalty's feasible set (``|x_j^T theta| <= a_j``). For losses whose
    conjugate has a bounded domain (logistic: ``theta_i`` between 0 and ``s_i y_i / S``
    in its sign convention), a scaling by ``kappa`` in ``[0, 1]`` stays inside it.
``quadratic_model(y, sample_weight, eta=None)``
    ``(z, h)``: the working response and the weights of the weighted least-squares problem
    whose solution is one Newton step from ``eta`` (``z = eta - g / h``). The row design
    (:func:`~._rows.make_design`) is built from them, and the coordinate-descent, Gram and
    ridge solvers solve exactly that problem.
``quadratic``
    True when ``l''`` is constant (the squared loss): the quadratic model is the problem
    itself, so one solve is exact and its own duality gap is the certificate. A loss with
    ``quadratic = False`` (logistic, Poisson, Gamma, Tweedie) is minimised by the
    proximal-Newton loop around the same solvers: quadratic model at ``eta``, a few
    coordinate-descent epochs on it, a line search on ``value``, and a gap from
    ``conjugate`` at ``dual_point``. Where no usable conjugate exists (Gamma, Tweedie) the
    certificate is a bound from the KKT residual, documented as such.
"""

import numpy as np


class SquaredError:
    """``l(y, eta) = (y - eta)^2 / 2``: least squares, the quadratic case of the engine.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsereg._problem._datafit import SquaredError
    >>> loss = SquaredError()
    >>> y, eta, s = np.array([1.0, 2.0]), np.array([0.0, 2.0]), np.ones(2)
    >>> float(loss.value(y, eta, s)), loss.gradient(y, eta, s).tolist()
    (0.25, [-0.5, 0.0])
    """

    name = "squared_error"
    quadratic = True

    def value(self, y, eta, s):
        """``(1/S) sum_i s_i (y_i - eta_i)^2 / 2``."""
        r = y - eta
        return 0.5 * float(s @ (r * r)) / float(s.sum())

    def gradient(self, y, eta, s):
        """``s_i (eta_i - y_i) / S``."""
        return s * (eta - y) / float(s.sum())

    def curvature(self, y, eta, s):
        """``s_i / S``, whatever ``eta``."""
        return s / float(s.sum())

    def intercept_step(self, y, eta, s):
        """The exact minimiser's move: the weighted mean residual."""
        return -float(self.gradient(y, eta, s).sum()) / float(self.curvature(y, eta, s).sum())

    def conjugate(self, y, u, s):
        """``sum_i S u_i^2 / (2 s_i) + u_i y_i`` (``u_i`` must be 0 where ``s_i = 0``)."""
        S = float(s.sum())
        free = s == 0
        if np.any(u[free] != 0):
            return np.inf
        pos = ~free
        return float(np.sum(S * u[pos] ** 2 / (2.0 * s[pos]) + u[pos] * y[pos]))

    def dual_point(self, y, eta, s):
        """``-gradient``: ``s_i r_i / S`` with ``r = y - eta``; always in the domain."""
        return -self.gradient(y, eta, s)

    def quadratic_model(self, y, sample_weight, eta=None):
        """``(y, sample_weight)``: the squared loss is its own quadratic model, at any
        ``eta`` (``None`` weights mean unit weights)."""
        return y, sample_weight


def _xlogx(t):
    """``t log t`` with ``0 log 0 = 0`` (elementwise, t >= 0)."""
    return np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)


class HalfTweedieDeviance:
    """``l(y, eta)``: half the Tweedie deviance of ``y`` from the mean ``mu = exp(eta)`` (log
    link), for ``power`` in [1, 2]: 1 is the Poisson deviance, 2 the Gamma deviance, values
    between the compound Poisson-Gamma family's. scikit-learn's ``PoissonRegressor``,
    ``GammaRegressor`` and ``TweedieRegressor(link="log")`` minimise the same
    ``(1/S) sum_i s_i l(y_i, eta_i)``.

    ``l >= 0``, with 0 at ``eta = log y``; the log link makes it convex in ``eta`` for these
    powers (for ``power > 2`` it is not, hence the range).

    With ``mu = exp(eta)``: ``l' = mu^(1-p) (mu - y)`` and ``l'' = mu^(1-p) ((2-p) mu + (p-1)
    y)``. The conjugate ``l*(v) = sup_eta v eta - l(eta)`` is closed-form for ``p = 1``
    (``t log t - t - y log y + y`` with ``t = y + v >= 0``) and ``p = 2`` (``t log(t / y) - t
    + log y + 1`` with ``t = 1 - v > 0``); in between it is the maximum of a smooth concave
    function of one variable, found by Newton's method per sample with a bound on what the
    last step leaves (see :meth:`conjugate`).

    Parameters
    ----------
    power : float
        The Tweedie power, in [1, 2].
    """

    def __init__(self, power):
        self.power = float(power)
        self.name = {1.0: "poisson", 2.0: "gamma"}.get(self.power, "tweedie")

    def _terms(self, y, eta):
        p = self.power
        mu = np.exp(eta)
        if p == 1.0:
            return _xlogx(y) - y * eta - y + mu
        if p == 2.0:
            return eta - np.log(y) + y / mu - 1.0
        return (y ** (2 - p) / ((1 - p) * (2 - p)) - y * np.exp((1 - p) * eta) / (1 - p)
                + np.exp((2 - p) * eta) / (2 - p))

    def value(self, y, eta, c):
        """``sum_i c_i l(y_i, eta_i)`` (``c``: the sample weights over their sum)."""
        return float(c @ self._terms(y, eta))

    def derivative(self, y, eta):
        """``l'(y_i, eta_i)`` per sample."""
        p = self.power
        if p == 1.0:
            return np.exp(eta) - y
        if p == 2.0:
            return 1.0 - y * np.exp(-eta)
        return np.exp((2 - p) * eta) - y * np.exp((1 - p) * eta)

    def second_derivative(self, y, eta):
        """``l''(y_i, eta_i)`` per sample (positive where ``mu`` and ``y`` are not both 0)."""
        p = self.power
        if p == 1.0:
            return np.exp(eta)
        if p == 2.0:
            return y * np.exp(-eta)
        return (2 - p) * np.exp((2 - p) * eta) - (1 - p) * y * np.exp((1 - p) * eta)

    def null_intercept(self, y, c):
        """The optimal intercept of the model without features: ``log`` of the weighted mean
        of y (for every power, with the log link)."""
        return float(np.log(c @ y))

    def intercept_shift(self, y, eta, c):
        """The shift ``beta`` of every ``eta_i`` that makes ``sum_i c_i l'(y_i, eta_i + beta)``
        zero (closed-form: ``l'`` scales by ``exp((1-p) beta)`` and ``exp((2-p) beta)``)."""
        p = self.power
        top = c @ (y * np.exp((1 - p) * eta))
        bottom = c @ np.exp((2 - p) * eta)
        return float(np.log(top) - np.log(bottom))

    def conjugate(self, y, v, c):
        """``sum_i c_i l*(y_i, v_i)`` from above (``inf`` outside the domain, or where the
        numerical maximisation cannot bound its result)."""
        p = self.power
        if p == 1.0:
            t = y + v
            if np.any(t < 0):
                return np.inf
            return float(c @ (_xlogx(t) - t - _xlogx(y) + y))
        if p == 2.0:
            t = 1.0 - v
            if np.any(t <= 0):
                return np.inf
            return float(c @ (t * np.log(t / y) - t + np.log(y) + 1.0))
        return float(c @ self._numeric_conjugate(y, v))

    def _numeric_conjugate(self, y, v):
        """``l*(y_i, v_i)`` per sample for ``1 < p < 2``, from above.

        ``l*(v) = v eta* - l(eta*)`` where ``l'(eta*) = v`` (``l'`` increases). Newton's
        method in ``eta`` (bracketed by bisection) gives ``eta``; the value there is below
        the supremum by at most ``r^2 / (2 m)`` with ``r = l'(eta) - v`` and ``m`` the least
        ``l''`` between ``eta`` and ``eta*``; once ``|r| <= l''(eta) / 10`` the two are within
        a factor ``e^0.1`` of each other, so ``r^2 / l''(eta)`` bounds it.
        """
        p = self.power
        out = np.empty_like(v)
        zero = y == 0
        # y = 0: l = mu^(2-p) / (2-p), l' = mu^(2-p) > 0; l*(0) = 0 (the infimum), v < 0 is
        # outside the domain.
        if np.any(zero & (v < 0)):
            return np.full_like(v, np.inf)
        vz = v[zero]
        with np.errstate(divide="ignore"):
            eta_z = np.where(vz > 0, np.log(np.where(vz > 0, vz, 1.0)) / (2 - p), 0.0)
        out[zero] = np.where(vz > 0, vz * eta_z - vz / (2 - p), 0.0)
        pos = ~zero
        yp, vp = y[pos], v[pos]
        # l'(eta) = v: bracket [lo, hi] in eta; start at the root of the dominant term
        lo = np.full(yp.shape, -np.inf)
        hi = np.full(yp.shape, np.inf)
        eta = np.log(yp)  # l'(log y) = 0
        act = np.arange(len(yp))  # the samples still moving (most settle in a few steps)
        for _ in range(100):
            e, ya, va = eta[act], yp[act], vp[act]
            d1 = np.exp((2 - p) * e) - ya * np.exp((1 - p) * e) - va
            d2 = (2 - p) * np.exp((2 - p) * e) - (1 - p) * ya * np.exp((1 - p) * e)
            lo_a = np.where(d1 < 0, e, lo[act])
            hi_a = np.where(d1 > 0, e, hi[act])
            step = e - d1 / d2
            inside = (step > lo_a) & (step < hi_a)
            mid = np.where(np.isfinite(lo_a) & np.isfinite(hi_a), 0.5 * (lo_a + hi_a),
                           np.where(np.isfinite(lo_a), lo_a + 1.0, hi_a - 1.0))
            new = np.where(inside, step, mid)
            lo[act], hi[act], eta[act] = lo_a, hi_a, new
            act = act[np.abs(new - e) > 1e-15 * (1.0 + np.abs(e))]
            if len(act) == 0:
                break
        d1 = np.exp((2 - p) * eta) - yp * np.exp((1 - p) * eta) - vp
        d2 = (2 - p) * np.exp((2 - p) * eta) - (1 - p) * yp * np.exp((1 - p) * eta)
        if not np.all(np.abs(d1) <= 0.1 * d2):
            return np.full_like(v, np.inf)
        out[pos] = vp * eta - self._terms(yp, eta) + d1 * d1 / d2
        return out


def glm_datafit(loss, power):
    """The datafit of ``loss`` ("poisson", "gamma", "tweedie" with ``power``)."""
    return HalfTweedieDeviance({"poisson": 1.0, "gamma": 2.0}.get(loss, power))
