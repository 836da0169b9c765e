"""The row design: validated dense or CSC data turned once into what every solver needs.

Sample weights (the datafit's IRLS weights; for the squared loss the sample weights) are
folded in by scaling rows with ``sqrt(s_i)``, so the kernels never see weights; the
intercept column becomes ``c = sqrt(s)`` (ones without weights) and ``S = c^T c = sum(s)``.
The objective ``1/(2S) sum_i s_i (y_i - x_i w - b)^2`` is then ``1/(2S) ||y~ - X~ w - b c||^2``.
Centring is implicit (``means``), so sparse X stays sparse.

Two transformations keep the arithmetic sound whatever the data's offset and scale:

- **Offset columns** (mean large against spread: years, prices, coordinates; see
  :mod:`._storage`) are shifted by
  their mean before anything else: every dense column when one needs it (as scikit-learn
  centres dense X), and for sparse X only those columns (they are nearly dense, so storing them
  shifted costs at most twice their entries). Implicit centring of an offset column cancels
  digits (``x^T r`` and ``X^T X - S mu mu^T`` are differences of huge numbers); a shifted
  column's remaining mean is of the order of round-off, so no cancellation is left.
- **The scale of y**: solvers work in units of ``y_scale`` (see :mod:`._units`).

Every per-feature statistic (means, curvatures, column norms, ``X_c^T y``) is computed once,
when the design is built, from one explicit source: the Gram matrix for a design built with
``gram=True`` (one pass over X gives all of them), the columns otherwise. Forming the Gram
matrix later (a ridge solve on a coordinate-descent design) never changes them, so no result
depends on the order in which solvers ask for things.
"""

import copy

import numpy as np
import scipy.sparse as sp

from .._kernels._bundles import GramData, RowData
from .._kernels._stats import centered_sqnorms
from ._centered import (
    MAX_CANCELLATION,
    block_products,
    block_rows,
    centered_products,
    finite,
    symmetric,
)
from ._datafit import SquaredError
from ._stats import constant_columns
from ._storage import OFFSET_SAMPLE_ROWS, kernel_by_blocks, kernel_matrix, offset_shift, scipy_csc
from ._units import DesignBase, spread_scale

GRAM_MIN_RATIO = 10  # "auto" solves on the Gram matrix when n >= GRAM_MIN_RATIO * p ...
GRAM_MAX_FEATURES = 4000  # ... and p is small enough for a p x p matrix
SPARSE_GRAM_MAX_FEATURES = 2000  # sparse X: the p x p Gram matrix only up to this p
CG_MIN_ASPECT = 4  # dense p >= 4n: a few Krylov passes beat the n^2 p kernel matrix
EMPTY_COLUMNS_MIN_SHARE = 0.25  # sparse X: solve without its empty columns from this share


def columns_worth_keeping(counts):
    """The columns with a stored entry (``counts``: entries per column), or None when fewer
    than ``EMPTY_COLUMNS_MIN_SHARE`` of them are empty (then dropping them gains little)."""
    keep = np.flatnonzero(counts)
    return keep if len(keep) <= (1.0 - EMPTY_COLUMNS_MIN_SHARE) * len(counts) else None
CG_PASSES_PER_ALPHA = 50  # a warm-started ridge solve's X, X^T product pairs, for costing


class RowDesign(DesignBase):
    """Scaled design matrix (dense or CSC) and its per-feature statistics.

    Attributes
    ----------
    X : F-ordered ndarray or CSC triple ``(data, indices, indptr)``
        ``X~ = diag(c) X`` (offset columns shifted).
    y, c : ndarray (n,)
        ``y~ = c * (y - y_mean) / y_scale`` (``c * y / y_scale`` without intercept) and the
        intercept column ``c = sqrt(s)``.
    y_mean : float
        Weighted mean of y (0 without intercept).
    y_scale : float
        Power of two near the spread of y; solvers work in units of ``y_scale``.
    shift : ndarray (p,)
        What was subtracted from each column of X before scaling its rows (0 for most).
    S : float
        ``c^T c``, the sum of the sample weights.
    means, lips : ndarray (p,)
        Weighted column means (0 without intercept) and coordinate curvatures
        ``||x_j - mean_j c||^2 / S`` (0 for numerically constant columns).
    xty : ndarray (p,)
        ``X_c^T y~ / S``, the correlations at ``w = 0``.
    null_objective : float
        P(0), the objective of the intercept-only model (solver units).
    """

    has_rows = True

    def __init__(self, X, y, c, S, fit_intercept, n_samples, n_features, sparse, shift=None,
                 gram=False, column_stats=None):
        self.X, self.c, self.S = X, c, S
        self.fit_intercept = fit_intercept
        self.n_samples, self.n_features, self.sparse = n_samples, n_features, sparse
        self.shift = np.zeros(n_features) if shift is None else shift
        self._set_target(y)
        self.weighted = not np.all(c == 1.0)
        self._gram = self._xty = None
        if gram:  # one pass over X for every statistic
            self._gram = self._first_gram()
            self._xty = self._gram[1]
            lips = np.diag(self._gram[0]).copy()
        else:
            if column_stats is None:  # (means, ||x_j - mean_j c||^2) if the caller has them
                means = self.rmatvec(c) / S if fit_intercept else np.zeros(n_features)
                column_stats = means, centered_sqnorms(X, c, means, S)
            self.means = column_stats[0]
            lips = finite(column_stats[1] / S)
        self.lips = np.where(constant_columns(lips, self.means, n_samples), 0.0,
                             np.maximum(lips, 0.0))
        self.norms = np.sqrt(self.lips + self.means ** 2)

    def _set_target(self, y):
        """``y_mean``, ``y_scale``, ``y`` and ``null_objective`` from the rows-scaled target
        ``c * y``: the only statistics of a design that depend on y."""
        c, S = self.c, self.S
        # y is stored centred and scaled: the solvers' sums are then of order one, whatever
        # the offset of y (which only moves the intercept) and its scale.
        self.y_mean = float(c @ y) / S if self.fit_intercept else 0.0
        y = y - self.y_mean * c if self.fit_intercept else y
        self.y_scale = spread_scale(y, S)
        self.y = y / self.y_scale
        self.null_objective = 0.5 * float(self.y @ self.y) / S

    def with_target(self, y):
        """This design with the target ``y`` (data units, shape (n_samples,)) in place of its
        own: X, every per-feature statistic and the Gram matrix are shared, not copied, and
        only ``X_c^T y`` is computed again (one pass). One X with k targets (a 2-D y) costs
        its preparation once. The squared loss only: ``y`` is the target itself."""
        other = copy.copy(self)
        other._set_target(self.c * np.asarray(y, dtype=np.float64))  # rows scaled as built
        other._xty = None
        if self._gram is not None:
            other._gram = (self._gram[0], other.xty, 2.0 * other.null_objective)
        return other

    # -- the protocol (see :class:`._units.DesignBase`) -------------------------------------

    @property
    def xty(self):
        """``X_c^T y~ / S``: from the Gram matrix for a design built on it, else from one pass
        over the columns on first use (the same source whenever it is asked)."""
        if self._xty is None:
            self._xty = np.where(self.lips == 0.0, 0.0, self.centered_rmatvec(self.y) / self.S)
        return self._xty

    def prefers_gram(self, solver):
        """Whether ``solver`` runs on the Gram matrix here (:func:`solves_on_gram`)."""
        return solves_on_gram(self.n_samples, self.n_features, self.sparse, solver)

    def prefers_matrix_free(self):
        """Whether ridge's "auto" should iterate (conjugate gradient) rather than factor: X
        sparse and wide, or dense and much wider than tall."""
        n, p = self.n_samples, self.n_features
        return p > SPARSE_GRAM_MAX_FEATURES if self.sparse else p >= CG_MIN_ASPECT * n

    def nonempty_columns(self):
        """The columns of sparse X that hold entries, or None when X is dense or few (under
        ``EMPTY_COLUMNS_MIN_SHARE``) are empty. An empty column is zero, centred too, so it
        never enters a model nor constrains the dual: solving without it is exact, and costs
        nothing per empty column (a CV fold of 1000 x 1,000,000 with 10,000 entries keeps
        under 1 % of its columns)."""
        if not self.sparse:
            return None
        return columns_worth_keeping(np.diff(self.X[2].astype(np.int64)))

    def column_subset(self, keep):
        """This design restricted to the columns ``keep`` of :meth:`nonempty_columns`,
        sharing X's entries (the dropped columns have none) and every statistic."""
        data, indices, indptr = self.X
        sub = copy.copy(self)
        sub.X = data, indices, np.concatenate([indptr[:1], indptr[keep + 1]])
        sub.n_features = len(keep)
        for name in ("shift", "means", "lips", "norms"):
            setattr(sub, name, getattr(self, name)[keep])
        sub._xty = None if self._xty is None else self._xty[keep]
        sub._gram = None if self._gram is None else \
            (self._gram[0][np.ix_(keep, keep)], self._gram[1][keep], self._gram[2])
        sub._scipy = None
        return sub

    def decomposition_pays(self, n_alphas):
        """Whether one decomposition serving a ridge grid of ``n_alphas`` (of the
        ``min(n, p)``-sized Gram or kernel matrix, ~9 m^3 flops) costs less than warm-started
        conjugate gradient along it (taken as ``CG_PASSES_PER_ALPHA`` products with X and
        X^T per alpha): always for dense X, whose products cost ``n p``; for sparse X,
        whose products cost its nonzeros, only when m is small (measured on a 4000 x 3000
        TF-IDF fold: the eigendecomposition 8.7 s, CG along 20 alphas 0.1 s)."""
        if not self.sparse:
            return True
        m = float(min(self.n_samples, self.n_features))
        nnz = float(self.X[0].shape[0])
        return 9.0 * m ** 3 <= CG_PASSES_PER_ALPHA * 4.0 * nnz * n_alphas

    def spectral_form(self):
        """How one decomposition serving every ridge alpha is formed here: ``"gram"`` (the
        p x p Gram matrix, n >= p or sparse X with few features), ``"svd"`` (thin SVD of the
        dense centred X, p > n), or None (sparse and wide: it would densify X)."""
        n, p = self.n_samples, self.n_features
        if n >= p or (self.sparse and p <= SPARSE_GRAM_MAX_FEATURES):
            return "gram"
        return None if self.sparse else "svd"

    def centered_kernel(self, inv_v):
        """``K = X_c diag(inv_v) X_c^T`` (n x n), from dense or sparse X without densifying
        it."""
        root = np.sqrt(inv_v)
        if not self.sparse:  # by blocks of centred columns: no copy of X
            def block(cols):
                B = self.centered_columns(cols)  # a new array: scaled in place
                B *= root[cols]
                return B
            return kernel_by_blocks(self.n_samples, self.n_features, block)
        # X_c = X - c m^T, expanded (offset columns are already shifted: no cancellation)
        A = self.csc_matrix() @ sp.diags(root)
        K = np.asarray((A @ A.T).todense())
        u = self.matvec(inv_v * self.means)
        c = self.c
        return K - np.outer(u, c) - np.outer(c, u) \
            + float(self.means @ (inv_v * self.means)) * np.outer(c, c)

    def row_data(self):
        """The design as the coordinate-descent kernel's :class:`RowData`."""
        return RowData(self.X, self.y, self.c, self.q, self.lips, float(self.S),
                       bool(self.fit_intercept))

    def gram_data(self):
        """The Gram statistics as the Gram kernel's :class:`GramData` (formed on first use,
        without changing any other statistic)."""
        return GramData(*self.gram())

    def gram(self):
        """``(Q, g0, yy)``: ``X_c^T X_c / S``, ``X_c^T y_c / S`` and ``||y_c||^2 / S``."""
        if self._gram is None:
            Q, g0 = centered_products(self.X, self.c, self.y, self.S, self.means)
            const = self.lips == 0.0
            self._gram = _zero_constant(Q, g0, const) + (self.null_objective * 2.0,)
        return self._gram

    def cross_products(self, columns):
        """``(X_c^T X_c[:, columns] / S, X_c[:, columns]^T y_c / S)``."""
        if self._gram is not None:
            Q, g0, _ = self._gram
            return Q[:, columns], g0[columns]
        Q, g = centered_products(self.X, self.c, self.y, self.S, self.means, columns)
        return _zero_constant(Q, g, self.lips == 0.0, columns)

    @property
    def q(self):
        """``x_j^T c = S * mean_j``: how a change of ``w_j`` moves the residual's weighted sum."""
        return self.S * self.means

    def matvec(self, w):
        """``X~ w`` (no centring)."""
        return (self.csc_matrix() if self.sparse else self.X) @ w

    def rmatvec(self, r):
        """``X~^T r`` (no centring)."""
        if not self.sparse:
            return self.X.T @ r
        csc = self.csc_matrix()
        cached = getattr(self, "_transposed", None)
        if cached is None or cached[0] is not csc:  # CG calls this every iteration
            cached = self._transposed = (csc, csc.T)
        return cached[1] @ r

    def centered_rmatvec(self, r):
        """``X_c^T r`` for the centred design (``r`` may be a matrix of column vectors)."""
        return self.rmatvec(r) - np.multiply.outer(self.means, self.c @ r)

    def centered_matvec(self, w):
        """``X_c w`` for the centred design (``w`` may be a matrix of column vectors)."""
        return self.matvec(w) - np.multiply.outer(self.c, self.means @ w)

    def centered_columns(self, columns):
        """``X_c[:, columns]`` as a new dense (n, len(columns)) float64 array."""
        if self.sparse:
            block = self.csc_matrix()[:, columns].toarray()
        else:
            block = np.array(self.X[:, columns], dtype=np.float64)
        if not self.weighted:  # in place: no second n x len(columns) array
            block -= self.means[columns]
            return block
        return block - np.outer(self.c, self.means[columns])

    def residual_stats(self, w):
        """``(X_c^T r / S, r^T r / S, y_c^T r / S)`` for ``r = y_c - X_c w``, from scratch;
        for ``w`` of shape (k, p), one model per row, each output gains a leading axis k
        (:meth:`_residual_blocks`: X read once for all of them)."""
        if np.ndim(w) == 1:
            r = self.y - self.matvec(w)
            if self.fit_intercept:
                r = r - (self.c @ r / self.S) * self.c
            S = self.S
            return self.centered_rmatvec(r) / S, float(r @ r) / S, float(self.y @ r) / S
        W = np.asarray(w, dtype=np.float64)
        grads = np.zeros(W.shape)
        rr, ry = np.zeros(len(W)), np.zeros(len(W))
        c_r = (self.c @ self.y - W @ self.q) if self.fit_intercept else None  # c^T (y - X w)
        for rows, models, R in self._residual_blocks(W):
            if c_r is not None:
                R -= np.multiply.outer(self.c[rows], c_r[models] / self.S)
            grads[models] += (self._rows(rows).T @ R).T
            if self.fit_intercept:
                grads[models] -= np.multiply.outer(self.c[rows] @ R, self.means)
            rr[models] += np.einsum("ij,ij->j", R, R)
            ry[models] += self.y[rows] @ R
        return grads / self.S, rr / self.S, ry / self.S

    def residual_mse(self, coefs, intercepts):
        """Weighted mean squared training error of each row of ``coefs`` with ``intercepts``
        (both in the data's units), in blocks (:meth:`_residual_blocks`)."""
        coefs = np.atleast_2d(coefs)
        # y is centred and X shifted: move the intercepts by y_mean and the shift to match.
        offsets = (np.asarray(intercepts) - self.y_mean + coefs @ self.shift) / self.y_scale
        if self._gram is not None:  # a design solved on its Gram matrix: O(p^2) per model
            Q, g0, yy = self._gram
            W = coefs / self.y_scale
            centred = np.maximum(yy - 2.0 * W @ g0 + np.einsum("kp,kp->k", W @ Q, W), 0.0)
            # r = (y~ - X_c w) - c (offset + means @ w), the first part orthogonal to c
            # (without an intercept the offsets and means are 0 and Q is uncentred)
            mean = offsets + W @ self.means
            return self.gap_out(centred + mean * mean)
        total = np.zeros(len(coefs))
        for rows, models, R in self._residual_blocks(coefs / self.y_scale):
            R -= np.multiply.outer(self.c[rows], offsets[models])
            total[models] += np.einsum("ij,ij->j", R, R)
        return self.gap_out(total) / self.S

    RESIDUAL_BLOCK_VALUES = 2**14  # entries of one block of residuals (128 KiB)

    def _residual_blocks(self, W):
        """``(rows, models, y[rows] - X[rows] W[models]^T)`` over blocks of at most
        ``RESIDUAL_BLOCK_VALUES`` residuals: dense X by blocks of rows, all models at once (X
        read once, one matrix product per block); sparse X by groups of models, all rows."""
        n, k = self.n_samples, len(W)
        if self.sparse:
            step = max(1, self.RESIDUAL_BLOCK_VALUES // max(n, 1))
            for start in range(0, k, step):
                models = slice(start, min(start + step, k))
                R = self.y[:, None] - self.matvec(W[models].T)
                yield slice(0, n), models, R
            return
        step = max(1, self.RESIDUAL_BLOCK_VALUES // max(k, 1))
        for start in range(0, n, step):
            rows = slice(start, min(start + step, n))
            yield rows, slice(0, k), self.y[rows, None] - self.X[rows] @ W.T

    def _rows(self, rows):
        """Rows ``rows`` (a slice) of X~, or all of X~ as a scipy matrix when sparse."""
        return self.csc_matrix() if self.sparse else self.X[rows]

    def least_squares(self, columns):
        """Unpenalized fit of y on the centred ``columns``: ``(coef, mean squared residual)``,
        in solver units.

        Solved on the columns themselves (not the normal equations), so that when they fit y
        almost exactly the residual stays at round-off level.
        """
        block = self.centered_columns(columns)
        coef = np.linalg.lstsq(block, self.y, rcond=None)[0]
        residual = self.y - block @ coef
        return coef, float(residual @ residual) / self.S

    def gram_block(self, columns):
        """``X_c[:, columns]^T X_c[:, columns] / S`` (from the Gram matrix when formed)."""
        if self._gram is not None:
            return self._gram[0][np.ix_(columns, columns)]
        block = self.centered_columns(columns)
        return block.T @ block / self.S

    def csc_matrix(self, dtype=None):
        """X~ as a scipy CSC matrix (made once; its data converted when ``dtype`` asks)."""
        if getattr(self, "_scipy", None) is None:
            self._scipy = scipy_csc(self.X, (self.n_samples, self.n_features))
        if dtype is None or self._scipy.dtype == dtype:
            return self._scipy
        return self._scipy.astype(dtype)

    # -- construction ----------------------------------------------------------------------

    def _first_gram(self):
        """The Gram statistics in one read of X, which also gives the means.

        Dense X is accumulated uncentred in row blocks and centred afterwards, unless that
        would cancel digits (column means large against their spread, e.g. offsets the
        sampled check missed): then a second pass shifts every row by the first block's mean.
        """
        S, c = self.S, self.c
        if self.sparse:
            self.means = self.rmatvec(c) / S if self.fit_intercept else np.zeros(self.n_features)
            Q, g0 = centered_products(self.X, c, self.y, S, self.means)
        else:
            Q, cross = block_products(self.X, c, self.y, None)
            means = cross[:, 1] / S if self.fit_intercept else np.zeros(self.n_features)
            centring = S * means * means
            diag = np.diag(Q) - centring
            if np.all(centring <= MAX_CANCELLATION * np.maximum(diag, 0.0)):
                Q = symmetric(Q) - S * np.outer(means, means)
            else:
                head = slice(0, min(self.n_samples, block_rows(self.n_features)))
                c_head = c[head]
                shift = (c_head @ self.X[head]) / max(c_head @ c_head, np.finfo(float).tiny)
                Q, cross = block_products(self.X, c, self.y, shift)
                delta = cross[:, 1] / S  # mean - shift
                means = shift + delta
                Q = symmetric(Q)
                if self.fit_intercept:
                    Q -= S * np.outer(delta, delta)
            self.means = means
            Q, g0 = np.ascontiguousarray(finite(Q) / S), cross[:, 0] / S
        const = constant_columns(np.diag(Q).copy(), self.means, self.n_samples)
        return _zero_constant(Q, g0, const) + (float(self.y @ self.y) / self.S,)


def _zero_constant(Q, g, const, columns=None):
    """The products with numerically constant columns exactly zero (they are zero once
    centred; computed, they are round-off)."""
    if not np.any(const):
        return np.ascontiguousarray(Q), g
    Q = Q.copy()
    Q[const, :] = 0.0
    inside = const if columns is None else const[columns]
    Q[:, inside] = 0.0
    return np.ascontiguousarray(Q), np.where(inside, 0.0, g)


def solves_on_gram(n_samples, n_features, sparse, solver="auto"):
    """Whether ``solver`` works on the Gram matrix for a design of this shape: when asked
    ("gram"), never for the row-wise solvers ("cd", "cg", "gradient"), and otherwise ("auto"
    and the direct ridge solvers) for dense X with n >> p and p small enough for a p x p
    matrix."""
    if solver in ("gram", "cd", "cg", "gradient"):
        return solver == "gram"
    return (not sparse and n_samples >= GRAM_MIN_RATIO * n_features
            and n_features <= GRAM_MAX_FEATURES)


def make_design(X, y, sample_weight, fit_intercept, *, solver="auto", datafit=None):
    """Build a :class:`RowDesign` from validated arrays (X dense or scipy.sparse, y 1-D).

    ``datafit`` (the squared loss by default) gives the rows' weights and the target the
    least-squares kernels see (:meth:`~._datafit.SquaredError.quadratic_model`). A design
    that ``solver`` will solve on its Gram matrix (:func:`solves_on_gram`) takes every
    statistic from it, in one pass.
    Nothing passed in is modified; X is copied only when a Fortran-ordered view, the row
    scaling by weights or the shift of offset columns requires it.
    """
    datafit = SquaredError() if datafit is None else datafit
    n, p = X.shape
    gram = solves_on_gram(n, p, sp.issparse(X), solver)
    target, weights = datafit.quadratic_model(np.asarray(y, dtype=np.float64), sample_weight)
    weighted = weights is not None
    sqrt_s = np.sqrt(weights) if weighted else np.ones(n)
    S = float(weights.sum()) if weighted else float(n)
    y_scaled = target * sqrt_s if weighted else np.array(target, dtype=np.float64)
    if not sp.issparse(X) and n > 2 * OFFSET_SAMPLE_ROWS:  # judged on a sample of X
        shift, columns, column_stats = offset_shift(X, sqrt_s, S, fit_intercept,
                                                    rows_scaled=False)
        return RowDesign(kernel_matrix(X, sqrt_s if weighted else None, shift), y_scaled,
                         sqrt_s, S, fit_intercept, n, p, False, shift=shift, gram=gram,
                         column_stats=column_stats)
    kernel_X = kernel_matrix(X, sqrt_s if weighted else None)
    shift, columns, column_stats = offset_shift(kernel_X, sqrt_s, S, fit_intercept)
    if shift is not None:
        # Dense: centre every column (one copy either way); sparse: only the offset ones.
        columns = columns if sp.issparse(X) else None
        kernel_X = kernel_matrix(X, sqrt_s if weighted else None, shift, columns)
        if columns is not None:
            shift = np.where(np.isin(np.arange(p), columns), shift, 0.0)
    return RowDesign(kernel_X, y_scaled, sqrt_s, S, fit_intercept, n, p, sp.issparse(X),
                     shift=shift, gram=gram, column_stats=column_stats)
