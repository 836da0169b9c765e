"""Newton's method on a few variables to machine accuracy: the refit of the intercept and the
unpenalized coefficients of a GLM (in memory, and in chunks where each evaluation is a pass
over the data)."""

import numpy as np

from ._kernels._linesearch import accepts, objective_roundoff


def damped_newton(coef, evaluate, first=None):
    """Minimise a smooth convex function of a few variables to machine accuracy: Newton's
    method, each step halved until the line search (:func:`~._kernels._linesearch.accepts`)
    takes it. ``evaluate(coef)`` returns ``(value, gradient, Hessian, payload)`` (``first``:
    that at ``coef``, when known); returns ``coef`` and the payload there."""
    value, g, H, payload = evaluate(coef) if first is None else first
    for _ in range(100):
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        if np.all(np.abs(step) <= 1e-15 * (1.0 + np.abs(coef))):
            break
        decrease, roundoff = -float(g @ step), float(objective_roundoff(value, 0.0))
        t = 1.0
        while t > 1e-10:
            trial = evaluate(coef - t * step)
            if accepts(trial[0], value, t, decrease, roundoff):
                break
            t *= 0.5
        if t <= 1e-10:
            break
        coef = coef - t * step
        value, g, H, payload = trial
        if np.all(np.abs(t * step) <= 1e-15 * (1.0 + np.abs(coef))):
            break
    return coef, payload
