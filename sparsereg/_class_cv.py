"""Cross-validated classifiers: one warm-started logistic path per fold, scored on the held-out
part, then the full-data path; alpha by the minimum mean score or glmnet's 1-SE rule."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv

from ._class_path import (
    build_classification_path,
    log_loss_of,
    logistic_grid,
    logistic_path_on_design,
    relaxed,
    relaxed_refits,
)
from ._classifiers import ElasticNetClassifier, _PenalizedClassifier, read_labels
from ._cv import alphas_or_size, relax_gammas
from ._cv_summary import set_cv_errors, summarize
from ._estimators import store_params
from ._folds import select_alpha, warn_at_grid_edge
from ._newton import logistic_alpha_max
from ._params import check_params
from ._problem._classes import ClassDesign
from ._validation import check_choice, check_scalar_list

SCORINGS = ("deviance", "accuracy", "roc_auc")
CV_SELECTIONS = ("min", "1se")


def _held_out_scores(scoring, coefs, intercepts, X, codes, weights, classes):
    """Scores of every model of a path on held-out rows: shape (n_alphas,), lower is better
    (``-score`` for scorers where greater is better)."""
    binary = coefs.shape[1] == 1
    total = weights.sum()
    if scoring in ("deviance", "accuracy"):
        out = np.empty(len(coefs))
        for a in range(len(coefs)):
            scores = np.asarray(X @ coefs[a].T) + intercepts[a]
            scores = scores[:, 0] if binary else scores
            if scoring == "deviance":
                out[a] = 2.0 * float(weights @ log_loss_of(scores, codes, binary)) / total
            else:
                pred = (scores > 0).astype(int) if binary else scores.argmax(axis=1)
                out[a] = -float(weights @ (pred == codes)) / total
        return out
    scorer = check_scoring(ElasticNetClassifier(), scoring=scoring)
    model = ElasticNetClassifier()
    model.classes_, model.n_features_in_ = classes, X.shape[1]
    out = np.empty(len(coefs))
    labels = classes[codes]
    for a in range(len(coefs)):
        model.coef_, model.intercept_ = coefs[a], intercepts[a]
        kwargs = {} if np.all(weights == 1.0) else {"sample_weight": weights}
        out[a] = -float(scorer(model, X, labels, **kwargs))
    return out


def _fold_scores(X, codes, n_classes, s, train, test, fit_intercept, alphas, l1_ratio,
                 scoring, classes, solver_params, relaxes):
    """Held-out scores along the path fitted on one fold's training rows, one row per
    relaxation (``None``: the penalized path itself): shape (n_relax, n_alphas)."""
    if np.unique(codes[train]).shape[0] < n_classes:
        raise ValueError("A training fold lacks a class: every class needs at least as many "
                         "samples as folds (pass fewer folds in cv).")
    design = ClassDesign(X[train], codes[train], n_classes, s[train], fit_intercept)
    coefs, intercepts, _, _ = logistic_path_on_design(design, alphas, l1_ratio,
                                                      **solver_params)
    refits = None
    if any(g is not None for g in relaxes):
        refits = relaxed_refits(design, coefs, intercepts, solver_params["bounds"],
                                solver_params["max_iter"])
    out = []
    for gamma in relaxes:
        c, b = (coefs, intercepts) if gamma is None else relaxed(coefs, intercepts, refits,
                                                                 gamma)
        out.append(_held_out_scores(scoring, c, b, X[test], codes[test], s[test], classes))
    return np.array(out)


class _ClassifierCV(_PenalizedClassifier):
    """Shared fit of the cross-validated classifiers (subclasses set the penalty)."""

    _selections = CV_SELECTIONS

    def _l1_ratios(self):
        raise NotImplementedError

    def _scoring(self):
        if isinstance(self.scoring, str) and self.scoring in SCORINGS:
            return self.scoring
        if isinstance(self.scoring, str) or callable(self.scoring):
            return self.scoring  # any scikit-learn scorer (checked by check_scoring)
        raise TypeError(f"scoring must be one of {list(SCORINGS)}, a scikit-learn scorer name "
                        f"or a callable, got {self.scoring!r}.")

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose alpha (and l1_ratio) by cross-validation, then fit on all the data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data (CSR/CSC never densified; float32 kept).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, used in the fits and to weight the held-out scores.
        groups : array-like of shape (n_samples,), default=None
            Group labels passed to the splitter.

        Returns
        -------
        self : object
        """
        X, codes, self.classes_, s = read_labels(X, y, sample_weight, self.class_weight,
                                                 estimator=self)
        checked = check_params(
            dict(tol=self.tol, max_iter=self.max_iter, eps=self.eps, n_jobs=self.n_jobs,
                 fit_intercept=self.fit_intercept, positive=self.positive,
                 lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
                 penalty_factor=self.penalty_factor), n_features=X.shape[1])
        check_choice(self.selection, "selection", CV_SELECTIONS)
        scoring = self._scoring()
        if scoring not in SCORINGS:
            check_scoring(ElasticNetClassifier(), scoring=scoring)
        grid = alphas_or_size(self.alphas)
        l1_ratios = self._l1_ratios()
        s = np.ones(X.shape[0]) if s is None else s
        n_classes = self.classes_.shape[0]
        design = ClassDesign(X, codes, n_classes, s, self.fit_intercept)
        solver_params = dict(penalty_factor=checked["penalty_factor"],
                             bounds=checked["bounds"], tol=checked["tol"],
                             max_iter=checked["max_iter"])
        splitter = check_cv(5 if self.cv is None else self.cv, codes, classifier=True)
        splits = list(splitter.split(X, codes, groups))
        rows = X.tocsr() if hasattr(X, "tocsr") else X  # folds slice rows
        relaxes = relax_gammas(getattr(self, "relax", None))
        results = []
        for l1_ratio in l1_ratios:
            gammas = relaxes if l1_ratio > 0 else [None]  # ridge selects no support
            alphas = grid if not isinstance(grid, int) else logistic_grid(
                design, l1_ratio, checked["penalty_factor"], grid, checked["eps"],
                checked["bounds"])
            scores = Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(_fold_scores)(rows, codes, n_classes, s, train, test,
                                      self.fit_intercept, alphas, l1_ratio, scoring,
                                      self.classes_, solver_params,
                                      gammas)
                for train, test in splits)
            scores = np.stack(scores, axis=-1)  # (n_relax, n_alphas, n_folds)
            summaries = zip(*summarize(scores), scores)
            results += [(l1_ratio, gamma, alphas, cv) for gamma, cv in zip(gammas, summaries)]
        best = int(np.argmin([cv[0].min() for *_, cv in results]))
        l1_ratio, relax, alphas, (mean, se, _) = results[best]
        results = [(r[0], r[2], r[3]) for r in results if r[1] == relax]
        i_min, i_1se = select_alpha(alphas, mean, se)
        chosen = i_min if self.selection == "min" else i_1se
        warn_at_grid_edge(self, alphas, mean, se,
                          null_at_top=l1_ratio > 0 and alphas[0] >= logistic_alpha_max(
                              design, l1_ratio, checked["penalty_factor"],
                              checked["bounds"]) * (1 - 1e-12),
                          wide=design.n_features >= design.n_samples)
        self.path_ = build_classification_path(
            design, self.classes_, alphas, l1_ratio, self._penalty_name,
            feature_names=getattr(self, "feature_names_in_", None), **solver_params)
        sign = 1.0 if scoring == "deviance" else -1.0
        multiple = np.ndim(getattr(self, "l1_ratio", 1.0)) > 0
        self.alphas_ = np.array([r[1] for r in results]) if multiple else alphas
        set_cv_errors(self, [(sign * m, se_, sign * e) for *_, (m, se_, e) in results], multiple,
                      prefix="score")
        self.l1_ratio_ = float(l1_ratio)
        self.alpha_min_, self.alpha_1se_ = float(alphas[i_min]), float(alphas[i_1se])
        self.alpha_ = float(alphas[chosen])
        coefs, intercepts = self.path_.coefs, self.path_.intercepts
        self.coef_ = np.atleast_2d(coefs[chosen])
        self.intercept_ = np.atleast_1d(intercepts[chosen]).astype(np.float64)
        self.relax_ = 1.0 if relax is None else float(relax)
        if relax is not None:  # the relaxed model at the chosen alpha
            refit = relaxed_refits(design, self.coef_[None], self.intercept_[None],
                                   solver_params["bounds"], solver_params["max_iter"])
            coef, intercept = relaxed(self.coef_[None], self.intercept_[None], refit, relax)
            self.coef_, self.intercept_ = coef[0], intercept[0]
        self.dual_gap_ = float(self.path_.dual_gaps[chosen])
        self.n_iter_ = int(self.path_.n_iter[chosen])
        self.support_ = np.any(self.coef_ != 0, axis=0)
        self.n_nonzero_ = int(self.support_.sum())
        self.sparsity_ = 1.0 - float(np.mean(self.coef_ != 0)) if self.coef_.size else 0.0
        return self


_CV_PARAMETERS = """
    alphas : int or array-like, default=None
        Grid of alphas, or its size (None: 100 values log-spaced from ``alpha_max`` down to
        ``eps * alpha_max``; for L2, ``alpha_max`` is computed with ``l1_ratio=1e-3``, as
        glmnet does).
    eps : float, default=1e-3
        Ratio of the smallest to the largest alpha of the automatic grid.
    cv : int, cross-validation generator or iterable, default=5
        Folds, as scikit-learn's ``check_cv`` with ``classifier=True``: an int means
        stratified folds.
    scoring : {"deviance", "accuracy", "roc_auc"}, str or callable, default="deviance"
        Held-out score: the weighted mean deviance (twice the log-loss, glmnet's default),
        accuracy, ROC AUC, or any scikit-learn scorer name or callable.
    selection : {"min", "1se"}, default="min"
        The alpha of the best mean score, or the largest alpha within one standard error of
        it (glmnet's ``lambda.1se``).
    n_jobs : int, default=None
        Folds fitted in parallel threads (the kernels release the GIL).
    fit_intercept : bool, default=True
        Fit unpenalized intercepts.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature multiplier of the penalty; 0 leaves a feature unpenalized.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into ``sample_weight``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative (``lower_bounds=0``).
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), default=None
        Box constraints on the coefficients (lower <= 0, upper >= 0), as in
        :class:`ElasticNetClassifier`.
    max_iter : int, default=100
        Maximum proximal-Newton iterations per alpha.
    tol : float, default=1e-4
        Relative duality-gap tolerance at every alpha.
"""

_RELAX = """
    relax : float or list of float, default=None
        Relaxed fit (glmnet's ``relax=TRUE``): ``relax * coef + (1 - relax) * refit``, the
        refit being the unpenalized logistic fit on coef's support; a list is
        cross-validated like alpha (``relax_`` holds the choice). None: no relaxation.
"""

_CV_ATTRIBUTES = """
    Attributes
    ----------
    alpha_, alpha_min_, alpha_1se_ : float
        The chosen alpha, the best-mean-score alpha and the 1-SE alpha.
    l1_ratio_ : float
        The chosen L1 share.
    alphas_ : ndarray of shape (n_alphas,) (or (n_l1_ratio, n_alphas))
        The grid.
    score_path_ : ndarray of shape (n_alphas, n_folds) (or (n_l1_ratio, n_alphas, n_folds))
        Held-out score of each alpha and fold (for deviance lower is better, for the others
        higher).
    score_mean_, score_se_ : ndarray of shape (n_alphas,) (or (n_l1_ratio, n_alphas))
        Mean of ``score_path_`` over folds and its standard error (glmnet's ``cvm`` and
        ``cvsd``: the standard deviation over folds (ddof=1) / sqrt(n_folds)), what the
        selection of alpha uses.
    path_ : ClassificationPath
        The full-data path; the fitted model is its solution at ``alpha_``.
    classes_, coef_, intercept_, dual_gap_, n_iter_, n_nonzero_, support_, sparsity_,
    n_features_in_, feature_names_in_
        As in :class:`ElasticNetClassifier`.
"""


class ElasticNetClassifierCV(_ClassifierCV):
    __doc__ = """Elastic-net logistic regression with alpha (and l1_ratio) chosen by
    cross-validation.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        L1 share(s) to compare.
""" + _CV_PARAMETERS + _RELAX + _CV_ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import ElasticNetClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = ElasticNetClassifierCV(l1_ratio=[0.5, 1.0], alphas=20).fit(X, y)
    >>> model.score_path_.shape
    (2, 20, 5)
    """

    _penalty_name = "elasticnet"

    def __init__(self, *, l1_ratio=0.5, alphas=None, eps=1e-3, cv=5, scoring="deviance",
                 selection="min", n_jobs=None, fit_intercept=True, penalty_factor=None,
                 class_weight=None, positive=False, lower_bounds=None, upper_bounds=None,
                 max_iter=100, tol=1e-4, relax=None):
        store_params(self, locals())

    def _l1_ratios(self):
        return check_scalar_list(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)


class L1ClassifierCV(_ClassifierCV):
    __doc__ = """Sparse (L1) logistic regression with alpha chosen by cross-validation.

    Parameters
    ----------
""" + _CV_PARAMETERS + _RELAX + _CV_ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import L1ClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> model = L1ClassifierCV(selection="1se", alphas=30).fit(X, y)
    >>> bool(model.alpha_ >= model.alpha_min_), model.n_nonzero_ < 30
    (True, True)
    """

    _penalty_name = "l1"

    def __init__(self, *, alphas=None, eps=1e-3, cv=5, scoring="deviance", selection="min",
                 n_jobs=None, fit_intercept=True, penalty_factor=None, class_weight=None,
                 positive=False, lower_bounds=None, upper_bounds=None, max_iter=100, tol=1e-4,
                 relax=None):
        store_params(self, locals())

    def _l1_ratios(self):
        return [1.0]


class L2ClassifierCV(_ClassifierCV):
    __doc__ = """L2 (ridge) logistic regression with alpha chosen by cross-validation.

    Parameters
    ----------
""" + _CV_PARAMETERS.replace("eps : float, default=1e-3", "eps : float, default=1e-6") + _CV_ATTRIBUTES + """
    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import L2ClassifierCV
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> L2ClassifierCV(alphas=20).fit(X, y).n_nonzero_
    30
    """

    _penalty_name = "l2"

    def __init__(self, *, alphas=None, eps=1e-6, cv=5, scoring="deviance", selection="min",
                 n_jobs=None, fit_intercept=True, penalty_factor=None, class_weight=None,
                 positive=False, lower_bounds=None, upper_bounds=None, max_iter=100,
                 tol=1e-4):
        store_params(self, locals())

    def _l1_ratios(self):
        return [0.0]
