"""The smallest penalty at which the L1 / elastic-net solution is all zeros."""

import numpy as np

from ._params import check_params
from ._problem import read_inputs
from ._validation import check_choice, check_scalar_param


def alpha_max(X, y, *, l1_ratio=1.0, fit_intercept=True, sample_weight=None,
              penalty_factor=None, loss="squared_error", class_weight=None):
    """Smallest ``alpha`` for which every penalized coefficient is exactly zero.

    ``max_j |x_j^T diag(s) r0| / (S * v_j * l1_ratio)`` over the penalized features, where
    ``r0`` is the residual of the unpenalized part of the model (the intercept and the
    features with ``penalty_factor == 0``, fitted by weighted least squares first).

    Parameters
    ----------
    X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target values.
    l1_ratio : float, default=1.0
        L1 share of the elastic-net penalty, in (0, 1].
    fit_intercept : bool, default=True
        Whether the model has an (unpenalized) intercept.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty multipliers; 0 means unpenalized.
    loss : {"squared_error", "logistic"}, default="squared_error"
        ``"logistic"``: y holds class labels, and ``r0`` is ``y - p0`` (one-hot y and the
        class probabilities of the unpenalized fit; the largest over classes for more than
        two), the threshold of :class:`L1Classifier` and :class:`ElasticNetClassifier`.
    class_weight : dict, "balanced" or None, default=None
        Class weights for ``loss="logistic"``.

    Returns
    -------
    alpha_max : float

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import L1Regressor, alpha_max
    >>> X, y = load_diabetes(return_X_y=True)
    >>> a = alpha_max(X, y)
    >>> int(L1Regressor(alpha=a).fit(X, y).n_nonzero_)
    0
    >>> int(L1Regressor(alpha=0.99 * a).fit(X, y).n_nonzero_)
    1
    """
    check_choice(loss, "loss", ("squared_error", "logistic"))
    if loss == "logistic":
        return _logistic_alpha_max(X, y, l1_ratio, fit_intercept, sample_weight,
                                   penalty_factor, class_weight)
    inputs = read_inputs(X, y, sample_weight)
    params = check_params(dict(l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                               penalty_factor=penalty_factor), n_features=inputs.n_features)
    # no L1 part, no threshold: the lasso's alpha_max is infinite at l1_ratio = 0
    check_scalar_param(l1_ratio, "l1_ratio", low=0.0, low_inclusive=False)
    design, _ = inputs.design(fit_intercept)  # dask: one pass for the statistics
    return alpha_max_of_design(design, params["l1_ratio"], params["penalty_factor"])


def alpha_max_of_design(design, l1_ratio=1.0, penalty_factor=None):
    """:func:`alpha_max` for an already-built design."""
    v = np.ones(design.n_features) if penalty_factor is None else penalty_factor
    penalized = v > 0
    if not np.any(penalized):
        return 0.0
    if np.all(penalized):
        grad = design.xty
    else:  # the gradient at the least-squares fit of the unpenalized part
        unpen = np.flatnonzero(~penalized)
        w0 = np.zeros(design.n_features)
        w0[unpen] = design.least_squares(unpen)[0]
        grad = design.residual_stats(w0)[0]
    # grad is in solver units (y / y_scale): alpha scales with y.
    return float(np.max(np.abs(grad[penalized]) / v[penalized]) / l1_ratio) * design.y_scale


def _logistic_alpha_max(X, y, l1_ratio, fit_intercept, sample_weight, penalty_factor,
                        class_weight):
    from ._classifiers import read_labels
    from ._newton import logistic_alpha_max
    from ._problem._classes import ClassDesign

    X, codes, classes, s = read_labels(X, y, sample_weight, class_weight)
    params = check_params(dict(l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                               penalty_factor=penalty_factor), n_features=X.shape[1])
    check_scalar_param(l1_ratio, "l1_ratio", low=0.0, low_inclusive=False)
    design = ClassDesign(X, codes, len(classes), s, params["fit_intercept"])
    return logistic_alpha_max(design, params["l1_ratio"], params["penalty_factor"])
