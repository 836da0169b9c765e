"""scikit-learn classifiers: L1, L2 and elastic-net logistic regression (binary and
multinomial), solved by proximal Newton on the coordinate-descent engine and certified by
their duality gap."""

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from ._estimators import store_params
from ._newton import solve_logistic
from ._newton_gram import solve_logistic_stats
from ._params import check_params
from ._problem import is_dask_array, read_X
from ._problem._class_chunks import dask_problem, row_problem
from ._problem._classes import ClassDesign
from ._problem._dask import check_dask_data, lazy_predict
from ._problem._inputs import ACCEPT, raise_if_empty
from ._validation import check_bool, check_lengths, check_sample_weight


CLASSIFIER_SOLVERS = ("auto", "cd", "gram")


def read_labels(X, y, sample_weight=None, class_weight=None, *, estimator=None):
    """Validate ``(X, y, sample_weight)`` for a classifier.

    Returns ``(X, codes, classes, weights)``: the labels as indices into ``classes`` (any
    label type; at least two classes) and the sample weights with ``class_weight`` folded in
    (None for unit weights). ``estimator`` records ``n_features_in_`` (and
    ``feature_names_in_``). In memory only: the classifiers' ``fit`` takes dask input
    elsewhere (``_fit_dask``), the CV classifiers and logistic paths do not, and refuse it
    here rather than compute the whole array silently.
    """
    if is_dask_array(X) or is_dask_array(y):
        raise ValueError("dask input is fitted by L1Classifier, L2Classifier and "
                         "ElasticNetClassifier (one pass per Newton step), not yet by the CV "
                         "classifiers and logistic paths; pass the data in memory.")
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
    if s is not None and np.count_nonzero(np.bincount(codes, weights=s) > 0) < 2:
        raise ValueError("The sample weights (times class_weight) leave only one class with "
                         "positive weight: a classifier needs at least 2 classes.")
    return X, codes, classes, s


def _log_proba(scores):
    if scores.ndim == 1:
        return np.column_stack([log_expit(-scores), log_expit(scores)])
    return log_softmax(scores, axis=1)


def _proba(scores):
    return np.exp(_log_proba(scores))


def _lazy_or_now(scores, func):
    """``func(scores)``, or per chunk (lazily) for a dask array."""
    if not is_dask_array(scores):
        return func(scores)
    width = 2 if scores.ndim == 1 else scores.shape[1]
    if scores.ndim == 1:
        return scores.map_blocks(func, new_axis=1, chunks=(scores.chunks[0], (width,)),
                                 dtype=np.float64)
    return scores.map_blocks(func, dtype=np.float64)


class _PenalizedClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit and prediction of the penalized logistic classifiers.

    Subclasses define ``_l1_ratio()``.
    """

    _solvers = CLASSIFIER_SOLVERS

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
        if is_dask_array(X):
            sol = self._fit_dask(X, y, sample_weight)
        else:
            X, codes, self.classes_, s = read_labels(X, y, sample_weight, self.class_weight,
                                                     estimator=self)
            sol = self._solve(X, codes, s)
        self.coef_, self.intercept_ = sol.coef, sol.intercept
        self.n_iter_ = sol.n_iter
        self.dual_gap_ = sol.dual_gap
        self.support_ = np.any(self.coef_ != 0, axis=0)
        self.n_nonzero_ = int(self.support_.sum())
        self.sparsity_ = 1.0 - float(np.mean(self.coef_ != 0)) if self.coef_.size else 0.0
        return self

    def _check_params(self, n_features):
        params = dict(alpha=self.alpha, l1_ratio=self._l1_ratio(), tol=self.tol,
                      max_iter=self.max_iter, fit_intercept=self.fit_intercept,
                      warm_start=self.warm_start, positive=self.positive,
                      lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
                      penalty_factor=self.penalty_factor, solver=self.solver)
        checked = check_params(params, n_features=n_features, solvers=CLASSIFIER_SOLVERS)
        if checked["bounds"] is not None and check_bool(getattr(self, "grouped", False),
                                                        "grouped"):
            raise ValueError("grouped=True cannot keep lower_bounds/upper_bounds/positive "
                             "(the grouped penalty's proximal step is not a clip).")
        self._box = checked["bounds"]  # this fit's box (fit-time state, not a parameter)
        return checked["penalty_factor"]

    def _warm_start(self, n_features):
        rows = 1 if self.classes_.shape[0] == 2 else self.classes_.shape[0]
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (rows, n_features):
            return self.coef_, self.intercept_
        return None, None

    def _solver_params(self, penalty_factor, n_features):
        coef_init, intercept_init = self._warm_start(n_features)
        return dict(penalty_factor=penalty_factor, bounds=self._box,
                    tol=float(self.tol), max_iter=int(self.max_iter), coef_init=coef_init,
                    intercept_init=intercept_init)

    def _grouped(self, n_classes):
        """Whether the grouped penalty applies (multinomial only; not with the Gram
        solver)."""
        grouped = check_bool(getattr(self, "grouped", False), "grouped")
        if grouped and n_classes > 2 and self.solver == "gram":
            raise ValueError("grouped=True is solved by coordinate descent on the rows: use "
                             "solver='auto' or 'cd' (dask input is not supported with it).")
        return grouped and n_classes > 2

    def _solve(self, X, codes, s):
        """Proximal Newton on the rows (coordinate descent) or on the weighted Gram."""
        n, p = X.shape
        penalty_factor = self._check_params(p)
        params = self._solver_params(penalty_factor, p)
        alpha, l1_ratio = float(self.alpha), float(self._l1_ratio())
        n_classes = self.classes_.shape[0]
        grouped = self._grouped(n_classes)
        if self.solver == "gram":
            chunks, info = row_problem(X, codes, n_classes,
                                       np.ones(n) if s is None else s, self.fit_intercept)
            return solve_logistic_stats(chunks, info, alpha, l1_ratio, **params)
        design = ClassDesign(X, codes, n_classes, s, self.fit_intercept)
        return solve_logistic(design, alpha, l1_ratio, grouped=grouped, **params)

    def _fit_dask(self, X, y, sample_weight):
        """One pass over the chunks per Newton step, each step solved on the Gram."""
        X, y, s = check_dask_data(X, y, sample_weight, labels=True)
        penalty_factor = self._check_params(X.shape[1])
        if self.solver == "cd":
            raise ValueError("solver='cd' needs X in memory; dask input is solved on the "
                             "weighted Gram matrix (use solver='auto' or 'gram').")
        self.n_features_in_ = X.shape[1]
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        chunks, info, self.classes_ = dask_problem(X, y, s, self.class_weight,
                                                   self.fit_intercept)
        if getattr(self, "grouped", False) and len(self.classes_) > 2:
            raise ValueError("grouped=True is not available for dask input (the Gram "
                             "solver takes the classes' steps separately).")
        return solve_logistic_stats(chunks, info, float(self.alpha), float(self._l1_ratio()),
                                    **self._solver_params(penalty_factor, X.shape[1]))

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
        if is_dask_array(X):
            scores = lazy_predict(X, self.coef_.T, self.intercept_)
        else:
            X = read_X(self, X)
            scores = np.asarray(X @ self.coef_.T, dtype=np.float64) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

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
        if is_dask_array(index):
            return index.map_blocks(lambda i: self.classes_[i], dtype=self.classes_.dtype)
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
        return _lazy_or_now(self.decision_function(X), _log_proba)

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
        return _lazy_or_now(self.decision_function(X), _proba)

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
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on every class's coefficients of each feature (a scalar applies to
        all), glmnet's ``lower.limits``/``upper.limits``: lower <= 0 (``-inf``: none), upper
        >= 0 (``inf``: none); kept by every coordinate update and accounted for by the duality
        gap. Multinomial models with a box are not re-centred over the classes; not with
        ``grouped=True``. ``positive=True`` is ``lower_bounds=0`` (give one of them).
    max_iter : int, default=100
        Maximum number of proximal-Newton iterations (one pass over X each).
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * P(0)``, with ``P(0)`` the objective of
        the intercept-only model (the entropy of the class frequencies): relative and scale
        free.
    warm_start : bool, default=False
        Start from the previous ``coef_`` and ``intercept_``.
    solver : {"auto", "cd", "gram"}, default="auto"
        How each Newton step is solved: ``"cd"`` by coordinate descent on the rows of X
        (working sets, screening; ``"auto"`` in memory), ``"gram"`` on the weighted Gram
        matrix of the step's quadratic model, from one pass over the rows (for n >> p;
        ``"auto"`` for dask arrays).
"""

_GROUPED = """
    grouped : bool, default=False
        For more than two classes: glmnet's grouped multinomial penalty, ``a_j ||W_j||_2``
        (the L1 part) on each feature's K coefficients, so that a feature enters for every
        class or none. Solved by block coordinate descent on the quadratic model; not with
        ``solver="gram"`` or dask input.
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
    alpha : float, default=0.01
        Overall penalty strength (>= 0). ``LogisticRegression``'s default ``C=1`` is
        ``alpha = 1 / n_samples``; the default here is moderate for standardized features
        (``alpha_max`` is at most about 0.5 for two balanced classes).
    l1_ratio : float, default=0.5
        Mix between L1 (1.0) and L2 (0.0).
""" + _PARAMETERS + _GROUPED + _ATTRIBUTES + """
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

    def __init__(self, alpha=0.01, l1_ratio=0.5, *, fit_intercept=True,
                 penalty_factor=None, class_weight=None, positive=False, lower_bounds=None,
                 upper_bounds=None, max_iter=100, tol=1e-4, warm_start=False, solver="auto",
                 grouped=False):
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
    alpha : float, default=0.01
        Penalty strength (>= 0).
""" + _PARAMETERS + _GROUPED + _ATTRIBUTES + """
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

    def __init__(self, alpha=0.01, *, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, lower_bounds=None, upper_bounds=None,
                 max_iter=100, tol=1e-4, warm_start=False, solver="auto", grouped=False):
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
    alpha : float, default=0.01
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

    def __init__(self, alpha=0.01, *, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, lower_bounds=None, upper_bounds=None,
                 max_iter=100, tol=1e-4, warm_start=False, solver="auto"):
        store_params(self, locals())

    def _l1_ratio(self):
        return 0.0
