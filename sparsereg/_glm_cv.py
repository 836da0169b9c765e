"""The CV regressors with a GLM loss (``loss="poisson"``, ``"gamma"``, ``"tweedie"``): every
fold's warm-started path scored by its held-out mean half deviance, the alpha chosen by the
minimum or the 1-SE rule, then the full-data path (:mod:`._glm_path`)."""

import warnings

import numpy as np

from ._cv_summary import set_cv_errors, summarize
from ._folds import select_alpha, warn_at_grid_edge
from ._glm import glm_gap
from ._glm_checks import check_glm_inputs
from ._glm_path import glm_alpha_max, glm_cv_errors, glm_grid, glm_path, glm_splits
from ._multi_output import column_intercept, set_sparsity
from ._problem._penalty import stored_coefficients


def fit_glm_cv(estimator, inputs, penalty_factor, groups):
    """Fit the CV regressor ``estimator`` (its parameters checked) with its GLM loss."""
    loss, power = estimator.loss, estimator.power
    one_column = inputs.y.ndim == 2 and inputs.y.shape[1] == 1
    X, y, sw = check_glm_inputs(inputs, loss, power, penalty_factor, estimator._box,
                                 relax=getattr(estimator, "relax", None))
    criterion = estimator.selection in ("aic", "bic")
    if criterion and loss == "tweedie":
        raise ValueError(f"selection={estimator.selection!r} is not available with "
                         "loss='tweedie' (its density has no closed form); use 'min' or "
                         "'1se'.")
    if estimator.cv is None:
        warnings.warn(f"cv=None: exact leave-one-out is not available with loss={loss!r}. "
                      "Using 5-fold cross-validation instead (pass cv to choose).",
                      UserWarning, stacklevel=3)
    splits = glm_splits(estimator.cv, X, y, groups)
    params = dict(fit_intercept=estimator.fit_intercept, penalty_factor=penalty_factor,
                  bounds=estimator._box,
                  solver=estimator.solver, tol=float(estimator.tol),
                  max_iter=int(estimator.max_iter))
    results = []  # (l1_ratio, relax, alphas, (mean, se, errors))
    relaxes = estimator._relaxes()
    for l1_ratio in estimator._l1_ratios():
        alphas = estimator._alphas_or_size()
        if isinstance(alphas, int):
            alphas = glm_grid(X, y, sw, loss, power, l1_ratio, penalty_factor,
                              estimator.fit_intercept, alphas, estimator.eps)
        errors = glm_cv_errors(X, y, sw, loss, power, alphas, l1_ratio, splits, relaxes,
                               **params)
        results += [(l1_ratio, gamma, alphas, (*summarize(e), e))
                    for gamma, e in zip(relaxes, errors)]
    best = int(np.argmin([cv[0].min() for *_, cv in results]))
    l1_ratio, relax, alphas, (mean, se, _) = results[best]
    results = [r for r in results if r[1] == relax]  # the chosen relaxation's, per l1_ratio
    i_min, i_1se = select_alpha(alphas, mean, se)
    top = glm_alpha_max(X, y, sw, loss, power, l1_ratio, penalty_factor,
                        estimator.fit_intercept) if l1_ratio > 0 else np.inf
    warn_at_grid_edge(estimator, alphas, mean, se, null_at_top=alphas[0] >= top * (1 - 1e-12),
                      wide=X.shape[1] >= X.shape[0], stacklevel=4)
    path = glm_path(X, y, sw, loss, power, estimator._penalty_name, l1_ratio, alphas=alphas,
                    feature_names=getattr(estimator, "feature_names_in_", None), relax=relax,
                    statistics=criterion, **params)
    if criterion:
        chosen = int(np.nanargmin(getattr(path, estimator.selection)()))
    else:
        chosen = i_min if estimator.selection == "min" else i_1se
    estimator.path_ = path
    estimator.alphas_ = np.array([r[2] for r in results]) if estimator._multiple_ratios() \
        else alphas
    set_cv_errors(estimator, [r[3] for r in results], estimator._multiple_ratios())
    estimator.l1_ratio_ = l1_ratio
    estimator.relax_ = 1.0 if relax is None else relax
    estimator.alpha_min_, estimator.alpha_1se_ = float(alphas[i_min]), float(alphas[i_1se])
    estimator.alpha_ = float(alphas[chosen])
    estimator.coef_ = stored_coefficients(path.coef_at_index(chosen), X.dtype,
                                          params["bounds"])
    estimator.intercept_ = X.dtype.type(path.intercepts[chosen]) \
        if estimator.fit_intercept else 0.0
    estimator.dual_gap_ = float(path.dual_gaps[chosen])
    if X.dtype != np.float64:  # certify the stored (rounded) model; path_ stays float64
        estimator.dual_gap_ = glm_gap(X, y, sw, loss, power, estimator.alpha_, l1_ratio,
                                      estimator.coef_, estimator.intercept_,
                                      fit_intercept=estimator.fit_intercept,
                                      penalty_factor=penalty_factor,
                                      bounds=params["bounds"])[0]
    estimator.n_iter_ = int(path.n_iter[chosen])
    set_sparsity(estimator)
    if one_column:
        column_intercept(estimator)
    return estimator
