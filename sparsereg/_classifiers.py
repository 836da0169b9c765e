"""scikit-learn classifiers: L1, L2 and elastic-net logistic regression (binary and
multinomial), solved by proximal Newton on the coordinate-descent engine and certified by
their duality gap."""

import numpy as np
from scipy.special import expit, log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from ._estimators import store_params
from ._newton import solve_logistic
from ._params import check_params
from ._problem import read_X
from ._problem._classes import ClassDesign
from ._problem._inputs import ACCEPT, raise_if_empty
from ._validation import check_lengths, check_sample_weight


def read_labels(X, y, sample_weight=None, class_weight=None, *, estimator=None):
    """Validate ``(X, y, sample_weight)`` for a classifier.

    Returns ``(X, codes, classes, weights)``: the labels as indices into ``classes`` (any
    label type; at least two classes) and the sample weights with ``class_weight`` folded in
    (None for unit weights). ``estimator`` records ``n_features_in_`` (and
    ``feature_names_in_``).
    """
    check_lengths(X, y)
    try:
        if estimator is not None:
            X, y = validate_data(estimator, X, y, multi_output=False, y_numeric=False,
                                 **ACCEPT)
        else:
            X, y = check_X_y(X, y, **ACCEPT)
    except ValueError as exc:
        raise_if_empty(X, exc)
        raise
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError("This solver needs samples of at least 2 classes in the data, but "
                         f"the data contain only one class: {classes[0]!r}.")
    s = check_sample_weight(sample_weight, X.shape[0])
    if class_weight is not None:
        cw = compute_sample_weight(class_weight, y)
        s = cw if s is None else s * cw
        if not np.any(s > 0):
            raise ValueError("class_weight and sample_weight leave every sample with weight 0.")
    return X, codes, classes, s


class _PenalizedClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit and prediction of the penalized logistic classifiers.

    Subclasses define ``_l1_ratio()``.
    """

    def _check_params(self, n_features):
        params = dict(alpha=self.alpha, l1_ratio=self._l1_ratio(), tol=self.tol,
                      max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                      warm_start=self.warm_start, positive=self.positive,
                      penalty_factor=self.penalty_factor)
        return check_params(params, n_features=n_features)["penalty_factor"]

    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` (dense or scipy.sparse) and the class labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 stays float32; CSR/CSC matrices are never densified.
        y : array-like of shape (n_samples,)
            Class labels (any type). Two classes give a binary logistic model, more a
            multinomial (softmax) one.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights ``s_i`` of the samples' losses (multiplied by
            ``class_weight``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        X, codes, self.classes_, s = read_labels(X, y, sample_weight, self.class_weight,
                                                 estimator=self)
        penalty_factor = self._check_params(X.shape[1])
        n_classes = self.classes_.shape[0]
        design = ClassDesign(X, codes, n_classes, s, self.fit_intercept)
        rows = 1 if n_classes == 2 else n_classes
        coef_init = intercept_init = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (rows, X.shape[1]):
            coef_init, intercept_init = self.coef_, self.intercept_
        sol = solve_logistic(design, float(self.alpha), float(self._l1_ratio()),
                             penalty_factor=penalty_factor, positive=bool(self.positive),
                             tol=float(self.tol), max_iter=int(self.max_iter),
                             coef_init=coef_init, intercept_init=intercept_init)
        self.coef_, self.intercept_ = sol.coef, sol.intercept
        self.n_iter_ = sol.n_iter
        self.dual_gap_ = sol.dual_gap
        self.support_ = np.any(self.coef_ != 0, axis=0)
        self.n_nonzero_ = int(self.support_.sum())
        self.sparsity_ = 1.0 - float(np.mean(self.coef_ != 0)) if self.coef_.size else 0.0
        return self

    def decision_function(self, X):
        """The linear predictor ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes (the log-odds of
            ``classes_[1]``), else (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = read_X(self, X)
        scores = np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The most probable class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def predict_log_proba(self, X):
        """Logarithms of the class probabilities, computed without overflow.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return log_softmax(scores, axis=1)

    def predict_proba(self, X):
        """Class probabilities (sigmoid for two classes, softmax for more).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        return np.exp(log_softmax(scores, axis=1))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMETERS = """
    fit_intercept : bool, default=True
        Fit unpenalized intercepts (one per class for the multinomial model).
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier ``v_j >= 0`` of the penalty; 0 leaves a feature unpenalized.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight`` (scikit-learn's rule).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    max_iter : int, default=100
        Maximum number of proximal-Newton iterations (one pass over X each).
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)``, with ``P(0)`` the objective of
        the intercept-only model (the entropy of the class frequencies): relative and scale
        free.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
        Coefficients, with exact zeros where the L1 part is active.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts (zeros when ``fit_intercept=False``).
    n_iter_ : int
        Number of proximal-Newton iterations run.
    dual_gap_ : float
        Duality gap of the returned solution, round-off margin included: the objective is
        within this of its minimum. At most ``tol * P(0)`` unless a ConvergenceWarning said
        otherwise.
    n_nonzero_ : int
        Number of features with a nonzero coefficient (in any class).
    support_ : ndarray of bool of shape (n_features,)
        Mask of those features.
    sparsity_ : float
        Fraction of exact zeros in ``coef_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of str
        Column names, when X has string column names.
"""


class ElasticNetClassifier(_PenalizedClassifier):
    __doc__ = """Logistic regression with combined L1 and L2 penalties (binary or multinomial).

    Minimises::

        (1/S) sum_i s_i logloss(y_i, x_i W^T + b)
            + alpha * sum_j v_j (l1_ratio ||W_j||_1 + (1 - l1_ratio)/2 ||W_j||_2^2)

    with ``s`` the sample weights (``S`` their sum), ``v`` the ``penalty_factor`` and
    ``logloss`` the binary log-loss for two classes, the multinomial (softmax) one for more.
    ``alpha`` is on the scale of the regressors: ``C = 1 / (n_samples * alpha)`` in
    :class:`sklearn.linear_model.LogisticRegression` (unit weights). Solved by proximal Newton
    (coordinate descent on the quadratic model, working sets, gap-safe screening, a line
    search), stopped when the duality gap is at most ``tol * P(0)``.

    Parameters
    ----------
    alpha : float, default=1.0
        Overall penalty strength (>= 0).
    l1_ratio : float, default=0.5
        Mix between L1 (1.0) and L2 (0.0).
""" + _PARAMETERS + _ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import ElasticNetClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = ElasticNetClassifier(alpha=0.05, l1_ratio=0.5).fit(X, y)
    >>> model.coef_.shape, model.n_nonzero_ < 30
    ((1, 30), True)
    """

    def __init__(self, alpha=1.0, l1_ratio=0.5, *, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, max_iter=100, tol=1e-4, warm_start=False):
        store_params(self, locals())

    def _l1_ratio(self):
        return self.l1_ratio


class L1Classifier(_PenalizedClassifier):
    __doc__ = """Sparse logistic regression: an L1 penalty sets coefficients exactly to zero.

    Minimises ``(1/S) sum_i s_i logloss(y_i, x_i W^T + b) + alpha * sum_j v_j ||W_j||_1``
    (binary for two classes, multinomial for more), on the scale of
    :class:`L1Regressor`: ``C = 1 / (n_samples * alpha)`` in scikit-learn's
    ``LogisticRegression(l1_ratio=1)``. Every coefficient is zero for
    ``alpha >= sparsereg.alpha_max(X, y, loss="logistic")``. See
    :class:`ElasticNetClassifier` for the solver.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
""" + _PARAMETERS + _ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import L1Classifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> L1Classifier(alpha=0.05).fit(X, y).n_nonzero_ < 30
    True
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, max_iter=100, tol=1e-4, warm_start=False):
        store_params(self, locals())

    def _l1_ratio(self):
        return 1.0


class L2Classifier(_PenalizedClassifier):
    __doc__ = """Logistic regression with an L2 penalty (weight decay): shrinks every
    coefficient, sets none to zero.

    Minimises ``(1/S) sum_i s_i logloss(y_i, x_i W^T + b) + alpha/2 * sum_j v_j ||W_j||^2``
    (binary or multinomial): ``LogisticRegression(C=1 / (n_samples * alpha))`` of
    scikit-learn (unit weights).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
""" + _PARAMETERS + _ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import L2Classifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> L2Classifier(alpha=0.05).fit(X, y).n_nonzero_  # shrinks all 30, zeroes none
    30
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, max_iter=100, tol=1e-4, warm_start=False):
        store_params(self, locals())

    def _l1_ratio(self):
        return 0.0
