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
