"""A design known only through its weighted sufficient statistics.

For the squared loss the solution depends on the data only through ``S = sum s_i``, the
weighted means of X and y and the centred cross-products. Those are additive over blocks of
rows (merged with the pairwise update of Chan, Golub and LeVeque, which never forms
``X^T X - S mu mu^T`` and so does not cancel digits when the means are large), so they can be
computed chunk by chunk, anywhere, and a training fold's statistics are the total minus the
held-out block's.
"""

from dataclasses import dataclass, replace

import numpy as np

from .._kernels._bundles import GramData
from ._centered import block_products, symmetric
from ._units import DesignBase, power_of_two_scale

SUBSET_BLOCK_VALUES = 2**18  # rows gathered at a time * p: 2 MiB of float64 per copy


def constant_columns(lips, means, n_samples):
    """Columns whose centred spread is round-off of their mean: numerically constant.

    A constant column is exactly zero once centred; computed, its centred norm is a few
    ulps of its mean, which a coordinate update would divide by (a coefficient of 1e30
    that the intercept cancels) and a unit-diagonal scaling would blow up to a full column.
    """
    floor = (64.0 * np.finfo(np.float64).eps) ** 2 * max(n_samples, 1) * means * means
    return lips <= floor


def without_constant_columns(Q, g0, yy, means, n_samples):
    """The centred Gram statistics with numerically constant columns exactly zero."""
    const = constant_columns(np.diag(Q).copy(), means, n_samples)
    if np.any(const):
        Q = Q.copy()
        Q[const, :] = 0.0
        Q[:, const] = 0.0
        g0 = np.where(const, 0.0, g0)
    return np.ascontiguousarray(Q), g0, yy


@dataclass
class SufficientStats:
    """Weighted statistics of a block of rows (all sums weighted by ``s_i``).

    Attributes
    ----------
    n_rows : int
        Number of rows.
    S : float
        Sum of the weights.
    mean_x : ndarray (p,)
    mean_y : float
        Weighted means.
    Mxx : ndarray (p, p)
    Mxy : ndarray (p,)
    Myy : float
        Centred cross-products ``sum s (x - mean_x)(x - mean_x)^T`` and so on.
    """

    n_rows: int
    S: float
    mean_x: np.ndarray
    mean_y: float
    Mxx: np.ndarray
    Mxy: np.ndarray
    Myy: float

    @classmethod
    def of_rows(cls, X, y, sample_weight=None):
        """Statistics of in-memory rows, accumulated in float64."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).ravel()
        if sample_weight is None:
            S = float(len(y))
            mean_x, mean_y = X.mean(axis=0), float(y.mean())
            Xc, yc = X - mean_x, y - mean_y
        else:
            s = np.asarray(sample_weight, dtype=np.float64).ravel()
            S = float(s.sum())
            if S <= 0:
                return cls.empty(X.shape[1], n_rows=len(y))
            mean_x, mean_y = (s @ X) / S, float(s @ y) / S
            root = np.sqrt(s)
            Xc = (X - mean_x) * root[:, None]
            yc = (y - mean_y) * root
        # numpy turns Xc.T @ Xc into one symmetric rank-k update (syrk) on the C-ordered rows
        return cls(len(y), S, mean_x, mean_y, Xc.T @ Xc, Xc.T @ yc, float(yc @ yc))

    @classmethod
    def of_row_subset(cls, X, y, sample_weight, rows):
        """Statistics of the rows ``rows`` of in-memory dense ``X``, gathered in blocks of
        about ``SUBSET_BLOCK_VALUES`` values and merged, so that no copy of the subset is
        made (memory ``O(block + p^2)``)."""
        rows = np.sort(np.asarray(rows, dtype=np.intp))  # order-free sums; ordered reads
        p = X.shape[1]
        step = max(256, SUBSET_BLOCK_VALUES // max(p, 1))
        stats = cls.empty(p)
        for start in range(0, len(rows), step):
            block = rows[start:start + step]
            s = None if sample_weight is None else sample_weight[block]
            stats = stats + cls.of_rows(X[block], y[block], s)
        return stats

    @classmethod
    def of_weighted_rows(cls, X, y, weights, shift):
        """Statistics of dense in-memory rows with positive ``weights``, X read once in
        cache-sized blocks, each shifted by ``shift`` (any point near the means, so that
        centring afterwards cancels no digits) and scaled by ``sqrt(weights)`` as it is
        copied: no weighted copy of X (:func:`~._centered.block_products`)."""
        root = np.sqrt(weights)
        Q, cross = block_products(X, root, root * y, shift, rows_scaled=False)
        S = float(weights.sum())
        m = cross[:, 1] / S  # the weighted mean of x - shift
        mean_y = float(weights @ y) / S
        yc = y - mean_y
        return cls(X.shape[0], S, shift + m, mean_y, symmetric(Q) - S * np.outer(m, m),
                   cross[:, 0] - S * m * mean_y, float(weights @ (yc * yc)))

    @classmethod
    def empty(cls, p, n_rows=0):
        return cls(n_rows, 0.0, np.zeros(p), 0.0, np.zeros((p, p)), np.zeros(p), 0.0)

    def __add__(self, other):
        """The statistics of both blocks of rows together."""
        n_rows = self.n_rows + other.n_rows
        if self.S <= 0 or other.S <= 0:  # an all-zero-weight block adds rows, nothing else
            return replace(self if other.S <= 0 else other, n_rows=n_rows)
        S = self.S + other.S
        dx, dy = other.mean_x - self.mean_x, other.mean_y - self.mean_y
        between = self.S * other.S / S
        return SufficientStats(
            n_rows, S, self.mean_x + dx * (other.S / S), self.mean_y + dy * (other.S / S),
            self.Mxx + other.Mxx + between * np.outer(dx, dx),
            self.Mxy + other.Mxy + between * dx * dy,
            self.Myy + other.Myy + between * dy * dy)

    def __sub__(self, other):
        """The statistics of the rows of ``self`` outside ``other``, a block of them: the
        inverse of ``+``, whose between-block term is taken back with the remainder's means."""
        n_rows, S = self.n_rows - other.n_rows, self.S - other.S
        if other.S <= 0:
            return replace(self, n_rows=n_rows)
        if S <= 0:
            return SufficientStats.empty(len(self.mean_x), n_rows)
        mean_x = (self.S * self.mean_x - other.S * other.mean_x) / S
        mean_y = (self.S * self.mean_y - other.S * other.mean_y) / S
        dx, dy = other.mean_x - mean_x, other.mean_y - mean_y
        between = S * other.S / self.S
        return SufficientStats(
            n_rows, S, mean_x, mean_y,
            self.Mxx - other.Mxx - between * np.outer(dx, dx),
            self.Mxy - other.Mxy - between * dx * dy,
            self.Myy - other.Myy - between * dy * dy)

    def squared_errors(self, coefs, intercepts):
        """``sum_i s_i (y_i - x_i w - b)^2`` for each row ``w`` of ``coefs`` (held-out error)."""
        coefs = np.atleast_2d(coefs)
        quad = np.einsum("kp,kp->k", coefs @ self.Mxx, coefs)
        offset = self.mean_y - coefs @ self.mean_x - intercepts
        return self.Myy - 2.0 * coefs @ self.Mxy + quad + self.S * offset * offset


class GramDesign(DesignBase):
    """A design known only through its sufficient statistics (Dask input, training folds
    of the statistics), with the protocol of :class:`~._units.DesignBase`.

    Every solver that runs on the Gram matrix (coordinate descent on ``X_c^T X_c / S``, the
    Cholesky and eigendecomposition ridge solvers) works on it unchanged; row-wise operations
    are replaced by their expressions in ``Q = X_c^T X_c / S``, ``g0 = X_c^T y_c / S`` and
    ``yy = y_c^T y_c / S`` (uncentred when there is no intercept).
    """

    has_rows = False
    sparse = False

    def __init__(self, stats, fit_intercept):
        self.stats = stats
        self.fit_intercept = fit_intercept
        self.n_samples, self.n_features = stats.n_rows, len(stats.mean_x)
        self.S = stats.S
        Q, g0, yy = stats.Mxx / self.S, stats.Mxy / self.S, stats.Myy / self.S
        if fit_intercept:
            self.y_mean, self.means = stats.mean_y, stats.mean_x
        else:  # moments about zero
            mx, my = stats.mean_x, stats.mean_y
            Q, g0, yy = Q + np.outer(mx, mx), g0 + mx * my, yy + my * my
            self.y_mean, self.means = 0.0, np.zeros(self.n_features)
        self.shift = np.zeros(self.n_features)
        self.y_scale = power_of_two_scale(float(yy))  # solver units, as in RowDesign
        self._gram = without_constant_columns(np.ascontiguousarray(Q), g0 / self.y_scale,
                                              float(yy) / self.y_scale ** 2, stats.mean_x,
                                              self.n_samples)
        self.lips = np.maximum(np.diag(self._gram[0]), 0.0)
        self.xty = self._gram[1]
        self.null_objective = 0.5 * self._gram[2]
        # the statistics are centred: the correlations' round-off scales with centred norms
        self.norms = np.sqrt(self.lips)

    def prefers_gram(self, solver):
        """Always: the Gram matrix is all there is."""
        return True

    def prefers_matrix_free(self):
        """Never: there are no rows to iterate on."""
        return False

    def spectral_form(self):
        return "gram"

    def nonempty_columns(self):
        """None: statistics are solved with every column."""
        return None

    def decomposition_pays(self, n_alphas):
        """Always: the Gram matrix is all there is."""
        return True

    def gram(self):
        return self._gram

    def gram_data(self):
        return GramData(*self._gram)

    def cross_products(self, columns):
        """``(X_c^T X_c[:, columns] / S, X_c[:, columns]^T y_c / S)``."""
        Q, g0, _ = self._gram
        return Q[:, columns], g0[columns]

    @property
    def q(self):
        return self.S * self.means

    def residual_stats(self, w):
        """``(X_c^T r / S, r^T r / S, y_c^T r / S)`` for ``r = y_c - X_c w``; for ``w`` of
        shape (k, p), one model per row, each output gains a leading axis k."""
        Q, g0, yy = self._gram
        if np.ndim(w) > 1:
            QW = w @ Q
            ry = yy - w @ g0
            return g0 - QW, np.maximum(ry - w @ g0 + np.einsum("kp,kp->k", w, QW), 0.0), ry
        Qw = Q @ w
        ry = yy - float(g0 @ w)
        return g0 - Qw, max(ry - float(g0 @ w) + float(w @ Qw), 0.0), ry

    def residual_mse(self, coefs, intercepts):
        """Weighted mean squared training error (data units, as
        :meth:`RowDesign.residual_mse <sparsereg._problem._rows.RowDesign.residual_mse>`)."""
        Q, g0, yy = self._gram
        internal = coefs / self.y_scale
        quad = np.einsum("kp,kp->k", internal @ Q, internal)
        offset = self.y_mean - coefs @ self.means - intercepts  # 0 at the optimal intercepts
        return self.gap_out(np.maximum(yy - 2.0 * internal @ g0 + quad, 0.0)) + offset * offset

    def least_squares(self, columns):
        """Normal-equations fit on ``columns`` (minimum norm when they are collinear)."""
        Q, g0, yy = self._gram
        coef = np.linalg.lstsq(Q[np.ix_(columns, columns)], g0[columns], rcond=None)[0]
        return coef, max(yy - float(g0[columns] @ coef), 0.0)

    def gram_block(self, columns):
        return self._gram[0][np.ix_(columns, columns)]
