"""The design: validated data turned once into what every solver needs.

Sample weights are folded in by scaling rows with ``sqrt(s_i)``, so the kernels never see
weights; the intercept column becomes ``c = sqrt(s)`` (ones without weights) and
``S = c^T c = sum(s)``. The objective ``1/(2S) sum_i s_i (y_i - x_i w - b)^2`` is then
``1/(2S) ||y~ - X~ w - b c||^2``. Centring is implicit (``means``), so sparse X stays sparse.

Two transformations keep the arithmetic sound whatever the data's offset and scale:

- **Offset columns** (mean large against spread: years, prices, coordinates) are shifted by
  their mean before anything else: every dense column when one needs it (as scikit-learn
  centres dense X), and for sparse X only those columns (they are nearly dense, so storing them
  shifted costs at most twice their entries). Implicit centring of an offset column cancels
  digits (``x^T r`` and ``X^T X - S mu mu^T`` are differences of huge numbers); a shifted
  column's remaining mean is of the order of round-off, so no cancellation is left.
- **The scale of y**: solvers work in units of ``y_scale`` (see :mod:`sparsereg._units`).
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import blas

from ._dask import check_dask_data, dask_design, is_dask_array
from ._gram_design import constant_columns, without_constant_columns
from ._kernels._stats import centered_sqnorms
from ._units import SolverUnits, spread_scale
from ._validation import check_sample_weight, check_Xy

GRAM_BLOCK_VALUES = 2**18  # rows per block * p: a float64 block of 2 MiB stays in cache
MAX_CANCELLATION = 1e4  # S mean_j^2 / ||x_j - mean_j||^2 above this: centre before the product
OFFSET_SAMPLE_ROWS = 2048  # dense X: offsets judged on about this many rows
OFFSET_RATIO = 16.0  # S mean_j^2 > OFFSET_RATIO ||x_j - mean_j||^2 (mean > 4 sd): shift the column


class Design(SolverUnits):
    """Scaled design matrix and its per-feature statistics (see the module docstring).

    Attributes
    ----------
    X : F-ordered ndarray or CSC triple ``(data, indices, indptr)``
        ``X~ = diag(c) X``.
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
        ``||x_j - mean_j c||^2 / S``; computed on first use.
    """

    has_rows = True  # False for a design known only through its sufficient statistics

    def __init__(self, X, y, c, S, fit_intercept, n_samples, n_features, sparse, shift=None):
        self.X, self.c, self.S = X, c, S
        self.fit_intercept = fit_intercept
        self.n_samples, self.n_features, self.sparse = n_samples, n_features, sparse
        self.shift = np.zeros(n_features) if shift is None else shift
        # y is stored centred and scaled: the solvers' sums are then of order one, whatever
        # the offset of y (which only moves the intercept) and its scale.
        self.y_mean = float(c @ y) / S if fit_intercept else 0.0
        y = y - self.y_mean * c if fit_intercept else y
        self.y_scale = spread_scale(y, S)
        self.y = y / self.y_scale
        self.weighted = not np.all(c == 1.0)
        self._means = None
        self._lips = None
        self._gram = None
        self._null_objective = None
        self._norms = None

    def offset_columns(self):
        """Columns whose mean is large against their spread (see the module docstring).

        Dense X with many rows is judged on 16 blocks of contiguous rows spread over it, so
        that a design solved on its Gram matrix (one pass over X) does not pay two more
        passes for the question. A column the sample misjudges costs accuracy, never honesty: the
        certificate's round-off model grows with the columns' uncentred norms.
        """
        if not self.fit_intercept:
            return np.zeros(0, dtype=np.int64)
        if self.sparse or self.n_samples <= 2 * OFFSET_SAMPLE_ROWS:
            with np.errstate(over="ignore"):  # an overflow is reported by lips, below
                centring = self.S * self.means * self.means
            spread = self.lips * self.S
        else:
            # blocks of contiguous rows (cache-friendly in an F-ordered X), spread over all
            block = OFFSET_SAMPLE_ROWS // 16
            starts = np.linspace(0, self.n_samples - block, 16).astype(np.int64)
            X = np.asfortranarray(np.concatenate([self.X[i:i + block] for i in starts]),
                                  dtype=np.float64)
            c = np.concatenate([self.c[i:i + block] for i in starts])
            S = float(c @ c)
            means = (c @ X) / max(S, np.finfo(float).tiny)
            centring = S * means * means
            spread = centered_sqnorms(X, c, means, S)
        return np.flatnonzero(centring > OFFSET_RATIO * spread)

    @property
    def means(self):
        if self._means is None:
            self._means = (self.rmatvec(self.c) / self.S if self.fit_intercept
                           else np.zeros(self.n_features))
        return self._means

    @property
    def lips(self):
        if self._lips is None:
            lips = _finite(centered_sqnorms(self.X, self.c, self.means, self.S) / self.S)
            self._lips = np.where(constant_columns(lips, self.means, self.n_samples), 0.0,
                                  lips)
        return self._lips

    def column_norms(self):
        """``||x_j|| / sqrt(S)`` of the kernels' (uncentred, shifted) columns."""
        lips = self.lips
        if self._norms is None or self._norms[0] is not lips:  # the Gram may renew lips
            self._norms = (lips, np.sqrt(np.maximum(lips, 0.0) + self.means ** 2))
        return self._norms[1]

    @property
    def q(self):
        """``x_j^T c = S * mean_j``: how a change of ``w_j`` moves the residual's weighted sum."""
        return self.S * self.means

    @property
    def null_objective(self):
        """P(0): half the weighted mean squared error of the intercept-only model (y is centred)."""
        if self._null_objective is None:
            self._null_objective = 0.5 * float(self.y @ self.y) / self.S
        return self._null_objective

    def matvec(self, w):
        """``X~ w`` (no centring)."""
        return (self.csc_matrix() if self.sparse else self.X) @ w

    def rmatvec(self, r):
        """``X~^T r`` (no centring)."""
        return (self.csc_matrix() if self.sparse else self.X).T @ r

    def centered_rmatvec(self, r):
        """``X_c^T r`` for the centred design."""
        return self.rmatvec(r) - self.means * (self.c @ r)

    def centered_matvec(self, w):
        """``X_c w`` for the centred design (``w`` may be a matrix of column vectors)."""
        return self.matvec(w) - np.multiply.outer(self.c, self.means @ w)

    def centered_columns(self, columns):
        """``X_c[:, columns]`` as a new dense (n, len(columns)) float64 array."""
        if self.sparse:
            block = self.csc_matrix()[:, columns].toarray()
        else:
            block = np.array(self.X[:, columns], dtype=np.float64)
        return block - np.outer(self.c, self.means[columns])

    def residual_stats(self, w):
        """``(X_c^T r / S, r^T r / S, y_c^T r / S)`` for ``r = y_c - X_c w``, from scratch."""
        r = self.y - self.matvec(w)
        if self.fit_intercept:
            r = r - (self.c @ r / self.S) * self.c
        S = self.S
        return self.centered_rmatvec(r) / S, float(r @ r) / S, float(self.y @ r) / S

    def residual_mse(self, coefs, intercepts):
        """Weighted mean squared training error of each row of ``coefs`` with ``intercepts``
        (both in the data's units)."""
        # y is centred and X shifted: move the intercepts by y_mean and the shift to match.
        offsets = intercepts - self.y_mean + coefs @ self.shift
        fitted = self.matvec(coefs.T) + np.multiply.outer(self.c, offsets)
        residual = self.y_scale * self.y[:, None] - fitted
        return np.einsum("ij,ij->j", residual, residual) / self.S

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
        """``X_c[:, columns]^T X_c[:, columns] / S``."""
        block = self.centered_columns(columns)
        return block.T @ block / self.S

    def csc_matrix(self, dtype=None):
        """X~ as a scipy CSC matrix (sharing the kernel arrays unless ``dtype`` converts)."""
        data, indices, indptr = self.X
        data = data if dtype is None else data.astype(dtype, copy=False)
        return sp.csc_matrix((data, indices, indptr), shape=(self.n_samples, self.n_features))

    def gram(self):
        """``(Q, g0, yy)``: ``X_c^T X_c / S``, ``X_c^T y_c / S`` and ``||y_c||^2 / S``.

        Dense X takes one pass, chunk by chunk: rows are shifted by the mean of the first chunk
        (so ``X^T X - S mu mu^T`` never cancels catastrophically), accumulated with a
        rank-k update, and the small remaining shift is removed at the end.
        """
        if self._gram is None:
            Q, g0, yy = self._sparse_gram() if self.sparse else self._dense_gram()
            self._gram = without_constant_columns(_finite(Q), g0, yy, self.means,
                                                  self.n_samples)
            # the curvatures come free with the Gram (constant columns already zeroed)
            self._lips = np.maximum(np.diag(self._gram[0]), 0.0)
        return self._gram

    def _sparse_gram(self):
        Xs = self.csc_matrix(np.float64)  # products of float32 data are accumulated in float64
        y_c = self.y
        Q = (Xs.T @ Xs).toarray() - self.S * np.outer(self.means, self.means)
        return np.ascontiguousarray(Q / self.S), (Xs.T @ y_c) / self.S, \
            float(y_c @ y_c) / self.S

    def _dense_gram(self):
        """One read of X in row blocks, centred afterwards; shifted by the first block's mean
        instead when centring afterwards would cancel digits (column means large against
        their spread)."""
        S = self.S
        Q, cross = self._block_products(None)
        means = cross[:, 1] / S if self.fit_intercept else np.zeros(self.n_features)
        centring = S * means * means
        diag = np.diag(Q) - centring
        if np.all(centring <= MAX_CANCELLATION * np.maximum(diag, 0.0)):
            Q -= S * np.outer(means, means)
            return self._finish_gram(Q, cross[:, 0], means)
        shift = np.zeros(self.n_features)
        if self.fit_intercept:
            head = slice(0, self._block_rows())
            c_head = self.c[head]
            shift = (c_head @ self.X[head]) / max(c_head @ c_head, np.finfo(float).tiny)
        Q, cross = self._block_products(shift)
        delta = cross[:, 1] / S  # mean - shift
        if self.fit_intercept:
            Q -= S * np.outer(delta, delta)
        return self._finish_gram(Q, cross[:, 0], shift + delta)

    def _finish_gram(self, Q, g0, means):
        """Symmetrise the upper triangle, scale by 1/S and keep the by-products."""
        S = self.S
        if self.fit_intercept:
            self._means = means
        Q = np.triu(Q) + np.triu(Q, 1).T
        return np.ascontiguousarray(Q / S), g0 / S, float(self.y @ self.y) / S

    def _block_rows(self):
        return max(128, GRAM_BLOCK_VALUES // self.n_features)

    def _block_products(self, shift):
        """``B^T B`` (upper triangle) and ``B^T [y~, c]`` for ``B = X~ - c shift^T`` (``X~``
        itself when ``shift`` is None), accumulated over blocks of rows.

        Each block is copied (in float64) into a buffer that stays in cache, where the
        rank-k update and the products with ``[y~, c]`` both read it: one pass over X.
        """
        n, p, c = self.n_samples, self.n_features, self.c
        Q = np.zeros((p, p), order="F")
        rhs = np.column_stack([self.y, c])
        cross = np.zeros((p, 2))
        rows = self._block_rows()
        block = np.empty((min(rows, n), p), order="F")
        for start in range(0, n, rows):
            stop = min(start + rows, n)
            blk = block[: stop - start]
            if shift is None:
                np.copyto(blk, self.X[start:stop])
            elif self.weighted:
                np.multiply(c[start:stop, None], shift, out=blk)
                np.subtract(self.X[start:stop], blk, out=blk)
            else:
                np.subtract(self.X[start:stop], shift, out=blk)
            Q = blas.dsyrk(1.0, blk, beta=1.0, c=Q, trans=1, overwrite_c=1)
            cross += blk.T @ rhs[start:stop]
        return Q, cross


def _finite(products):
    """``products`` (squares and cross-products of columns), or a ValueError if they
    overflowed: values above ~1e154 cannot be squared in float64."""
    if not np.all(np.isfinite(products)):
        raise ValueError("X has values so large that their squares overflow float64 (above "
                         "~1e154): rescale X (e.g. StandardScaler) before fitting.")
    return products


def make_design(X, y, sample_weight, fit_intercept):
    """Build a :class:`Design` from validated arrays (X dense or scipy.sparse, y 1-D float64).

    Nothing passed in is modified; X is copied only when a Fortran-ordered view, the row
    scaling by sample weights or the shift of offset columns requires it.
    """
    n, p = X.shape
    weighted = sample_weight is not None
    sqrt_s = np.sqrt(sample_weight) if weighted else np.ones(n)
    S = float(sample_weight.sum()) if weighted else float(n)
    y_scaled = y * sqrt_s if weighted else np.array(y, dtype=np.float64)

    def build(shift=None, columns=None):
        kernel_X = _kernel_matrix(X, sqrt_s if weighted else None, shift, columns)
        if shift is not None and columns is not None:
            shift = np.where(np.isin(np.arange(p), columns), shift, 0.0)
        return Design(kernel_X, y_scaled, sqrt_s, S, fit_intercept, n, p, sp.issparse(X),
                      shift=shift)

    design = build()
    offset = design.offset_columns()
    if offset.size == 0:
        return design
    # Dense: centre every column (one copy either way); sparse: only the offset ones.
    return build(design.means, offset if sp.issparse(X) else None)


def _kernel_matrix(X, sqrt_s, shift=None, columns=None):
    """``diag(sqrt_s) (X - 1 shift^T)`` in the kernels' storage: F-ordered, or a CSC triple.

    For sparse X only ``columns`` are shifted; they are stored with all their entries. A
    shifted matrix is float64 whatever X's dtype: ``x - shift`` rounded to float32 would be
    other data than the user's.
    """
    if sp.issparse(X):
        Xc = X.tocsc()
        if shift is not None:
            Xc = _shift_sparse_columns(Xc.astype(np.float64), shift, columns)
        if sqrt_s is not None:
            Xc = sp.csc_matrix(sp.diags(sqrt_s) @ Xc)
        if not Xc.has_canonical_format:
            Xc = Xc.copy()  # never modify the caller's matrix
            Xc.sum_duplicates()
        index_type = np.int32 if Xc.nnz < np.iinfo(np.int32).max else np.int64
        return (Xc.data, Xc.indices.astype(index_type, copy=False),
                Xc.indptr.astype(index_type, copy=False))
    if shift is not None:
        X = X - shift  # float64
    return np.asfortranarray(X * sqrt_s[:, None] if sqrt_s is not None else X)


def _shift_sparse_columns(Xc, shift, columns):
    """CSC ``Xc`` with ``columns`` replaced by ``x_j - shift_j`` (stored densely)."""
    p = Xc.shape[1]
    keep = np.ones(p, dtype=Xc.dtype)
    keep[columns] = 0
    rest = sp.csc_matrix(Xc @ sp.diags(keep))
    rest.eliminate_zeros()
    block = sp.csc_matrix(Xc[:, columns].toarray() - shift[columns])
    place = sp.csc_matrix((np.ones(len(columns), dtype=Xc.dtype),
                           (np.arange(len(columns)), columns)), shape=(len(columns), p))
    return sp.csc_matrix(rest + block @ place)


def check_data(X, y, sample_weight):
    """Validated ``(X, y, sample_weight)``; dask arrays are checked without computing them."""
    if is_dask_array(X):
        return check_dask_data(X, y, sample_weight)
    X, y = check_Xy(X, y)
    return X, y, check_sample_weight(sample_weight, X.shape[0])


def build_design(X, y, sample_weight, fit_intercept):
    """``(design, dtype of the coefficients)`` from checked data.

    In-memory data gives a :class:`Design`; a dask array costs one pass over its chunks and
    gives a :class:`~sparsereg._gram_design.GramDesign` of its sufficient statistics.
    """
    if is_dask_array(X):
        return dask_design(X, y, sample_weight, fit_intercept)
    return make_design(X, np.asarray(y, dtype=np.float64), sample_weight, fit_intercept), \
        X.dtype
