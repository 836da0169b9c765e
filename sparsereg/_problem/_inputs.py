"""The one input entry point: every estimator, CV estimator, :func:`regularization_path`
and :func:`alpha_max` turns ``(X, y, sample_weight)`` into :class:`Inputs` here, in memory
and for Dask arrays alike, before any parameter-dependent work; :meth:`Inputs.design` then
builds the design the solvers see.
"""

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array, check_consistent_length, validate_data

from .._validation import check_lengths, check_sample_weight
from ._dask import check_dask_data, dask_design, is_dask_array
from ._rows import columns_worth_keeping, make_design

ACCEPT = dict(accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32])


@dataclass
class Inputs:
    """Validated data.

    Attributes
    ----------
    X : ndarray, scipy.sparse matrix (CSR/CSC) or dask array
        float64 or float32 (kept).
    y : ndarray (float64) or dask array
        1-D, or 2-D of shape (n_samples, n_targets) (F-ordered: each target's column is
        contiguous) when read with ``multi_output=True``.
    sample_weight : ndarray, dask array or None
        None means unit weights.
    dask : bool
        Whether the data are dask arrays (checked without computing them).
    """

    X: object
    y: object
    sample_weight: object
    dask: bool

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    def target(self, j):
        """These inputs with y's column ``j`` as the target (y 2-D)."""
        return replace(self, y=self.y[:, j])

    def without_empty_columns(self):
        """``(inputs, columns)``: these inputs restricted to the columns of sparse X that hold
        a stored entry, when enough are empty (:func:`~._rows.columns_worth_keeping`; else
        ``(self, None)``).

        An empty column is zero after centring too, so every penalized model gives it a zero
        coefficient: a fit on the others, its coefficients placed back at ``columns``, is the
        same fit, without per-feature arrays over every column (8 MB each for a 1,000,000
        column vocabulary, of which a few thousand terms occur).
        """
        if self.dask or not sp.issparse(self.X):
            return self, None
        X = self.X
        counts = np.diff(X.indptr) if X.format == "csc" else np.bincount(
            X.indices, minlength=X.shape[1])
        columns = columns_worth_keeping(counts)
        if columns is None:
            return self, None
        return replace(self, X=X[:, columns]), columns

    def design(self, fit_intercept, solver="auto"):
        """``(design, dtype of the coefficients)``.

        In memory: a :class:`~._rows.RowDesign`, built on its Gram matrix when ``solver``
        will solve there (one pass over X gives every statistic). Dask: one pass over the
        chunks gives a :class:`~._stats.GramDesign` of the sufficient statistics.
        """
        if self.dask:
            return dask_design(self.X, self.y, self.sample_weight, fit_intercept)
        return make_design(self.X, self.y, self.sample_weight, fit_intercept,
                           solver=solver), self.X.dtype


def read_inputs(X, y, sample_weight=None, *, estimator=None, min_samples=1,
                multi_output=False):
    """Validate ``(X, y, sample_weight)`` into :class:`Inputs`.

    Parameters
    ----------
    X, y, sample_weight
        As passed by the user (array-likes, scipy.sparse, pandas, dask arrays).
    estimator : BaseEstimator, optional
        Records ``n_features_in_`` (and ``feature_names_in_``) on it, as scikit-learn's
        ``validate_data`` does.
    min_samples : int, default=1
        Fewest samples the caller can work with (2 for cross-validation).
    multi_output : bool, default=False
        Accept y of shape (n_samples, n_targets) too (kept 2-D, also for one column).

    Returns
    -------
    Inputs
    """
    check_target_shape(y)
    if is_dask_array(X):
        X, y, sample_weight = check_dask_data(X, y, sample_weight, multi_output=multi_output)
        if estimator is not None:
            estimator.n_features_in_ = X.shape[1]
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        inputs = Inputs(X, y, sample_weight, True)
    else:
        check_lengths(X, y)
        try:
            if estimator is not None:
                X, y = validate_data(estimator, X, y, y_numeric=True,
                                     multi_output=multi_output, **ACCEPT)
            else:
                X = check_array(X, input_name="X", **ACCEPT)
                y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
                if y.ndim != 1 and not multi_output:
                    raise ValueError(f"y must be 1-D, got shape {y.shape}.")
                check_consistent_length(X, y)
        except ValueError as exc:
            raise_if_empty(X, exc)
            raise
        y = np.asarray(y, dtype=np.float64, order="F")
        inputs = Inputs(X, y, check_sample_weight(sample_weight, X.shape[0]), False)
    if inputs.n_samples < min_samples:
        raise ValueError(f"Cross-validation needs at least {min_samples} samples, got "
                         f"n_samples = {inputs.n_samples}.")
    return inputs


def check_target_shape(y):
    """``y`` is dense, 1-D or 2-D with at least one column, else an error naming y (checked
    on its shape, before any conversion; whether 2-D is accepted is the caller's
    ``multi_output``)."""
    if y is None:  # scikit-learn's validation says "requires y to be passed"
        return
    if sp.issparse(y):  # scikit-learn's multi-output check would let a CSR y through
        raise TypeError("Sparse data was passed for y, but dense data is required. Use "
                        "'.toarray()' to convert to a dense numpy array.")
    shape = getattr(y, "shape", None)
    if shape is None:
        try:
            shape = np.shape(y)
        except (ValueError, TypeError):  # ragged input: the conversion's error says it
            return
    if len(shape) not in (1, 2):
        raise ValueError(f"y must be 1-D (n_samples,) or 2-D (n_samples, n_targets), got "
                         f"shape {tuple(shape)}.")
    if len(shape) == 2 and shape[1] == 0:
        raise ValueError(f"y has no column (shape {tuple(shape)}): a 2-D y needs at least one "
                         "target.")


def read_X(estimator, X):
    """``X`` for prediction, checked against the fitted ``estimator``."""
    try:
        return validate_data(estimator, X, reset=False, **ACCEPT)
    except ValueError as exc:
        raise_if_empty(X, exc)
        raise


def raise_if_empty(X, error):
    """Re-raise ``error`` as "X is empty" when X has no sample or no feature."""
    shape = getattr(X, "shape", None)
    if shape is None:
        try:
            shape = np.shape(X)
        except (ValueError, TypeError):  # ragged input: the original error says it
            return
    if len(shape) == 2 and 0 in shape or len(shape) == 1 and shape[0] == 0:
        raise ValueError(f"X is empty: {error}") from None
