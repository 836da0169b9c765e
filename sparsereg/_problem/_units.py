"""The units the solvers work in, shared by every design (rows or statistics).

Solvers see ``y / y_scale`` with ``y_scale`` a power of two near the spread of y. For the
penalized least-squares problem, ``w = y_scale w'`` turns the problem on ``y`` into the same
problem on ``y / y_scale`` with L1 weights ``a / y_scale`` (L2 weights unchanged) and an
objective ``y_scale^2`` times smaller: every sum the solvers form is of order one, so nothing
overflows at 1e150 or underflows at 1e-150, and dividing by a power of two is exact.
"""

import numpy as np

from .._kernels._bundles import Roundoff


def power_of_two_scale(mean_square):
    """A power of two near ``sqrt(mean_square)`` (1 for zero or non-finite input)."""
    if not mean_square > 0.0 or not np.isfinite(mean_square):
        return 1.0
    return float(np.ldexp(1.0, int(np.round(0.5 * np.log2(mean_square)))))


def spread_scale(v, S):
    """A power of two near the root mean square ``sqrt(v^T v / S)``, computed without
    overflow (``v`` is divided by a power of two near its largest entry first)."""
    top = float(np.max(np.abs(v))) if v.size else 0.0
    if not (top > 0.0 and np.isfinite(top)):
        return 1.0
    pre = float(np.ldexp(1.0, int(np.floor(np.log2(top)))))
    u = v / pre
    return pre * power_of_two_scale(float(u @ u) / S)


class DesignBase:
    """The design protocol every solver works with, and the unit conversions.

    A design is built once (:func:`~._rows.make_design` for rows,
    :class:`~._stats.GramDesign` for statistics) with every per-feature statistic fixed:

    - ``n_samples``, ``n_features``, ``S`` (sum of weights), ``fit_intercept``, ``has_rows``
      (whether row-wise operations exist: False for statistics), ``sparse``;
    - ``y_mean``, ``y_scale`` and ``shift`` (the units below), ``means``, ``lips``
      (coordinate curvatures), ``norms`` (column norms over ``sqrt(S)``), ``xty``
      (``X_c^T y / S``), ``null_objective`` (P(0)), all in solver units;
    - methods ``prefers_gram(solver)``, ``gram()``, ``gram_data()``, ``cross_products(cols)``,
      ``residual_stats(w)``, ``residual_mse(coefs, intercepts)``, ``least_squares(cols)``,
      ``gram_block(cols)``, and the ridge solvers' choices ``prefers_matrix_free()``,
      ``spectral_form()`` and ``decomposition_pays(n_alphas)``; a row design adds ``row_data()``, ``matvec``, ``rmatvec``, their
      centred forms and ``centered_kernel``.

    Conversions between the data's units and the solvers' need ``y_scale``, ``y_mean``,
    ``shift``, ``means`` and ``fit_intercept``.
    """

    def roundoff_data(self):
        """The round-off model of the correlations for the kernels (see
        ``_kernels._prox.duality_gap``): column norms, ``eps sqrt(n)``, ``||y|| / sqrt(S)``."""
        return Roundoff(self.norms, float(np.finfo(np.float64).eps * np.sqrt(self.n_samples)),
                        float(np.sqrt(2.0 * self.null_objective)))

    def coef_in(self, coef):
        """Coefficients in the solvers' units (``coef / y_scale``), as a new float64 array."""
        return np.array(coef, dtype=np.float64) / self.y_scale

    def coef_out(self, coef):
        """Coefficients in the data's units (``coef * y_scale``)."""
        return coef * self.y_scale

    def gap_out(self, value):
        """An objective value or gap in the data's units (``y_scale^2`` times)."""
        return value * self.y_scale ** 2

    def intercept_roundoff(self, coef):
        """``(b - b*)^2 / 2``, the most that rounding the optimal intercept of ``coef`` (data
        units) to float64 can add to the objective: ``b* = y_mean - (shift + means) @ coef``
        is a sum of terms as large as the columns' offsets times the coefficients, computed
        and stored to ``eps`` of their size (0.5 at an offset of 1e15)."""
        if not self.fit_intercept:
            return 0.0
        size = abs(self.y_mean) + float(np.abs(self.shift + self.means) @ np.abs(coef))
        error = 2.0 * np.finfo(np.float64).eps * size
        return 0.5 * error * error

    def intercepts(self, coefs):
        """Optimal intercept of ``coefs`` (data units; a vector for one row per model)."""
        coefs = np.asarray(coefs)
        if not self.fit_intercept:
            return np.zeros(coefs.shape[:-1]) if coefs.ndim > 1 else 0.0
        value = self.y_mean - coefs @ (self.shift + self.means)
        return value if coefs.ndim > 1 else float(value)
