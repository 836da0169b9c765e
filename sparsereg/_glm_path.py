"""Paths and cross-validation of the Poisson, Gamma and Tweedie regressors (issue 15 item 3):
the single-alpha solver (:func:`~._glm.solve_glm`) along a decreasing grid, warm-started from
the previous two solutions extrapolated in ``log(alpha)``; folds scored by their held-out
mean half deviance, the selection rules of the squared loss (minimum, 1-SE)."""

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import check_cv

from ._glm import GLMProblem, solve_glm, unpenalized_glm
from ._glm_checks import check_glm_target
from ._path import L1_EPS, extrapolated_start
from ._problem._datafit import glm_datafit
from ._regpath import RegularizationPath
from ._selection import refits_by_support

L2_GRID_L1_RATIO = 1e-3  # ridge's grid top: alpha_max at this l1_ratio (glmnet's convention)
L2_EPS = 1e-4


def glm_alpha_max(X, y, sample_weight, loss, power, l1_ratio, penalty_factor=None,
                  fit_intercept=True):
    """The smallest alpha at which every penalized coefficient is zero: the largest
    ``|x_j^T grad F| / (l1_ratio v_j)`` at the best model without them (the intercept and
    the unpenalized features fitted)."""
    v = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    problem = GLMProblem.of(X, y, sample_weight, loss, power, 1.0, 1.0, fit_intercept, v)
    w0, b0 = problem.null_model()
    eta0 = problem.predictor(w0, b0)
    grad = np.abs(np.asarray(X.T @ (problem.c * problem.datafit.derivative(problem.y, eta0)),
                             dtype=np.float64)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(v > 0, grad / v, 0.0)
    return float(ratio.max(initial=0.0)) / max(l1_ratio, L2_GRID_L1_RATIO)


def glm_grid(X, y, sample_weight, loss, power, l1_ratio, penalty_factor, fit_intercept,
             n_alphas, eps):
    """``n_alphas`` log-spaced alphas from :func:`glm_alpha_max` down to ``eps`` times it
    (None: 1e-3 for L1 and elastic net, 1e-4 for ridge)."""
    top = glm_alpha_max(X, y, sample_weight, loss, power, l1_ratio, penalty_factor,
                        fit_intercept)
    if not (top > 0.0 and np.isfinite(top)):
        top = 1.0
    eps = (L1_EPS if l1_ratio > 0 else L2_EPS) if eps is None else eps
    return np.geomspace(top, top * eps, n_alphas)


def glm_path_arrays(X, y, sample_weight, loss, power, alphas, l1_ratio, *, tol=1e-4,
                    max_iter=100, warn=True, **params):
    """Solve along ``alphas`` (decreasing) with extrapolated warm starts; returns
    ``(coefs (n_alphas, p), intercepts, gaps, n_iter)``. ``params``: ``fit_intercept``,
    ``penalty_factor``, ``bounds``, ``solver``."""
    coefs = np.zeros((len(alphas), X.shape[1]))
    intercepts = np.zeros(len(alphas))
    gaps = np.zeros(len(alphas))
    n_iter = np.zeros(len(alphas), dtype=np.int64)
    unconverged = 0
    cache = {}  # X's column means and norms, for every alpha
    for k, alpha in enumerate(alphas):
        start = extrapolated_start(alphas, coefs, k, sign_safe=l1_ratio > 0)
        sol = solve_glm(X, y, sample_weight, loss, power, float(alpha), l1_ratio, tol=tol,
                        max_iter=max_iter, coef_init=start, warn=False, cache=cache, **params)
        coefs[k], intercepts[k], gaps[k], n_iter[k] = sol.coef, sol.intercept, \
            sol.dual_gap, sol.n_iter
        unconverged += not sol.converged
    if warn and unconverged:
        warnings.warn(f"The {loss} path did not converge at {unconverged} of {len(alphas)} "
                      f"alphas (largest duality gap {gaps.max():.3e}); increase max_iter or "
                      "loosen tol.", ConvergenceWarning, stacklevel=3)
    return coefs, intercepts, gaps, n_iter


def mean_deviance(X, y, sample_weight, loss, power, coefs, intercepts):
    """Weighted mean half deviance of every model (rows of ``coefs``) on ``(X, y)``:
    shape (n_models,)."""
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    c = s / s.sum()
    fit = glm_datafit(loss, power)
    eta = np.asarray(X @ coefs.T) + intercepts  # (n, n_models)
    return np.array([fit.value(y, eta[:, k], c) for k in range(eta.shape[1])])


def relaxed_glm(X, y, sample_weight, loss, power, coefs, intercepts, gamma, *,
                fit_intercept=True, **_):
    """Relaxed models (glmnet's ``relax``): ``gamma`` times each penalized model plus ``1 -
    gamma`` times the unpenalized GLM refitted on its support (intercepts alike), one refit
    per distinct support."""
    relaxed_c, relaxed_b = np.array(coefs, dtype=np.float64), np.array(intercepts, float)

    def refit(support):
        return unpenalized_glm(X[:, support], y, sample_weight, loss, power, fit_intercept)
    for k, (support, fitted) in enumerate(refits_by_support(coefs, refit)):
        if fitted is None:  # nothing selected: the penalized model is the unpenalized one
            continue
        relaxed_c[k] *= gamma
        relaxed_c[k, support] += (1.0 - gamma) * fitted[0]
        relaxed_b[k] = gamma * intercepts[k] + (1.0 - gamma) * fitted[1]
    return relaxed_c, relaxed_b


def glm_degrees_of_freedom(X, y, sample_weight, loss, power, alphas, l1_ratio, coefs,
                           intercepts, penalty_factor=None, fit_intercept=True, **_):
    """Effective degrees of freedom of each model, the intercept not counted: on its support
    A, ``tr(H (H + diag(b_A))^-1)`` with ``H`` the centred Gram matrix of A's columns
    weighted by the IRLS weights at the model (the ridge and elastic-net trace of the
    squared loss; for the lasso, ``b = 0``, the number of nonzeros)."""
    fit = glm_datafit(loss, power)
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    v = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    df = np.zeros(len(alphas))
    for k, (alpha, coef) in enumerate(zip(alphas, coefs)):
        A = np.flatnonzero(coef)
        if len(A) == 0:
            continue
        b = alpha * (1.0 - l1_ratio) * v[A]
        if not np.any(b > 0):
            df[k] = len(A)
            continue
        XA = X[:, A]
        XA = XA.toarray() if sp.issparse(XA) else np.asarray(XA, dtype=np.float64)
        h = s * fit.second_derivative(y, XA @ coef[A] + intercepts[k]) / s.sum()
        if fit_intercept:
            XA = XA - (h @ XA) / h.sum()
        H = (XA * h[:, None]).T @ XA
        df[k] = float(np.trace(np.linalg.solve(H + np.diag(b), H)))
    return df


def glm_log_likelihood(y, mu, sample_weight, loss, dispersion=None):
    """``-2 log L`` of the means ``mu`` (columns: models), with the sample weights as
    frequencies: Poisson exactly; Gamma with ``dispersion`` (1 / shape)."""
    from scipy.special import gammaln, xlogy
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    y = y[:, None]
    if loss == "poisson":
        terms = mu - xlogy(y, mu) + gammaln(y + 1.0)
    else:  # gamma, shape k = 1 / dispersion
        k = 1.0 / dispersion
        terms = -(k * np.log(k * y / mu) - k * y / mu - np.log(y) - gammaln(k))
    return 2.0 * (s @ terms)


def glm_dispersion(X, y, sample_weight, loss, power, fit_intercept=True, start=None):
    """The Gamma dispersion by Pearson's statistic of the unpenalized fit, ``sum s (y -
    mu)^2 / mu^2 / (S - p - 1)`` (as the squared loss's noise variance comes from least
    squares); None when ``S <= p + 1``. ``start``: where that fit starts (a path's least
    penalized model: a few Newton steps from it)."""
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    dof = s.sum() - X.shape[1] - (1 if fit_intercept else 0)
    if dof <= 0:
        return None
    coef, intercept = unpenalized_glm(X, y, sample_weight, loss, power, fit_intercept, start)
    mu = np.exp(np.asarray(X @ coef).ravel() + intercept)
    return float(s @ ((y - mu) / mu) ** 2) / dof


def glm_path(X, y, sample_weight, loss, power, penalty, l1_ratio, *, alphas=None,
             n_alphas=100, eps=None, feature_names=None, dtype=np.float64, relax=None,
             statistics=True, **params):
    """The :class:`RegularizationPath` of a GLM loss (``relax``: of its relaxed models, as
    for the squared loss); its ``mse`` is the training mean half deviance. With
    ``statistics`` (not needed by a CV refit that selects by folds), Poisson and Gamma paths
    also get ``df`` and ``-2 log L`` for :meth:`~RegularizationPath.aic` and ``bic`` (Gamma
    with the dispersion of the unpenalized fit, when ``S > p + 1``)."""
    check_glm_target(y, loss, power)
    solver_params = {k: params[k] for k in ("fit_intercept", "penalty_factor", "bounds")
                     if k in params}
    if alphas is None:
        alphas = glm_grid(X, y, sample_weight, loss, power, l1_ratio,
                          solver_params.get("penalty_factor"),
                          solver_params.get("fit_intercept", True), n_alphas, eps)
    coefs, intercepts, gaps, n_iter = glm_path_arrays(X, y, sample_weight, loss, power,
                                                      alphas, l1_ratio, **params)
    unrelaxed = None
    if relax is not None:
        unrelaxed = coefs
        coefs, intercepts = relaxed_glm(X, y, sample_weight, loss, power, coefs, intercepts,
                                        relax, **params)
    deviance = mean_deviance(X, y, sample_weight, loss, power, coefs, intercepts)
    likelihood = df = None
    if statistics and loss in ("poisson", "gamma"):
        dispersion = None if loss == "poisson" else glm_dispersion(
            X, y, sample_weight, loss, power, params.get("fit_intercept", True),
            start=(coefs[-1], intercepts[-1]) if relax is None else None)
        if loss == "poisson" or dispersion is not None:
            mu = np.exp(np.asarray(X @ coefs.T) + intercepts)
            likelihood = glm_log_likelihood(np.asarray(y, float), mu, sample_weight, loss,
                                            dispersion)
            df = (np.count_nonzero(coefs, axis=1).astype(float) if relax is not None else
                  glm_degrees_of_freedom(X, y, sample_weight, loss, power, alphas, l1_ratio,
                                         coefs, intercepts, **params))
    s_total = float(len(y) if sample_weight is None else np.sum(sample_weight))
    return RegularizationPath(alphas, coefs.astype(dtype, copy=False), intercepts, gaps,
                              n_iter, feature_names, penalty, l1_ratio, mse=deviance, df=df,
                              n_samples=s_total, loss=loss, relax=relax,
                              unrelaxed_coefs=unrelaxed, neg2_log_likelihood=likelihood)


def glm_cv_errors(X, y, sample_weight, loss, power, alphas, l1_ratio, splits, relaxes=(None,),
                  **params):
    """Held-out weighted mean half deviance of each fold's path, per relaxation of
    ``relaxes`` (None: the penalized models): (n_relax, n_alphas, n_folds)."""
    errors = np.zeros((len(relaxes), len(alphas), len(splits)))
    for f, (train, test) in enumerate(splits):
        sw_train = None if sample_weight is None else sample_weight[train]
        sw_test = None if sample_weight is None else sample_weight[test]
        check_glm_target(y[train], loss, power)
        coefs, intercepts, _, _ = glm_path_arrays(X[train], y[train], sw_train, loss, power,
                                                  alphas, l1_ratio, warn=False, **params)
        for r, gamma in enumerate(relaxes):
            c, b = (coefs, intercepts) if gamma is None else relaxed_glm(
                X[train], y[train], sw_train, loss, power, coefs, intercepts, gamma, **params)
            errors[r, :, f] = mean_deviance(X[test], y[test], sw_test, loss, power, c, b)
    return errors


def glm_splits(cv, X, y, groups):
    """The folds of ``cv`` (None: 5-fold, as for the fold-based CV of the squared loss)."""
    return list(check_cv(5 if cv is None else cv).split(X, y, groups))

