"""Box constraints with the other losses: the logistic classifiers (binary, multinomial,
their paths and CV) and the Poisson/Gamma/Tweedie regressors (issue 15 item 4).

References are independent: scipy's L-BFGS-B on the split ``w = u - v`` with the box as
bound constraints (tests/_reference_box.py), glum's bounded GLMs, and the certificate
checked as a bound on the measured suboptimality. Data: scikit-learn's breast cancer and
iris measurements, and the documented claims simulation of tests/test_glm.py.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.preprocessing import StandardScaler

from sparsereg import (
    ElasticNetClassifier,
    ElasticNetRegressor,
    L1Classifier,
    L1ClassifierCV,
    L1Regressor,
    L1RegressorCV,
    L2Classifier,
    L2Regressor,
    regularization_path,
)

from _reference_box import logistic_loss, logistic_objective, poisson_loss, split_minimize
from test_glm import _claims, independent_gap, null_objective, objective

X_BC, Y_BC = load_breast_cancer(return_X_y=True)
X_BC = StandardScaler().fit_transform(X_BC)[:, :12]
P_BC = X_BC.shape[1]


def _box(p, lo=-0.5, hi=0.3):
    lower = np.full(p, -np.inf)
    upper = np.full(p, np.inf)
    lower[: p // 2] = lo
    upper[p // 2:] = hi
    upper[1] = 0.0
    return lower, upper


def _classifier(l1_ratio, alpha, **kw):
    if l1_ratio == 1.0:
        return L1Classifier(alpha=alpha, **kw)
    if l1_ratio == 0.0:
        return L2Classifier(alpha=alpha, **kw)
    return ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, **kw)


def _log2(y):
    """The null log-loss ``P(0)`` of binary labels."""
    m = y.mean()
    return -(m * np.log(m) + (1 - m) * np.log(1 - m))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("solver", ["auto", "gram"])
@pytest.mark.parametrize("sparse", [False, True])
def test_binary_classifier_is_the_split_problem(l1_ratio, solver, sparse):
    lower, upper = _box(P_BC)
    alpha = 0.005
    X = sp.csc_matrix(X_BC) if sparse else X_BC
    model = _classifier(l1_ratio, alpha, lower_bounds=lower, upper_bounds=upper, tol=1e-10,
                        solver=solver).fit(X, Y_BC)
    coef, b0 = model.coef_[0], model.intercept_[0]
    assert np.all(coef >= lower) and np.all(coef <= upper)
    a, b = alpha * l1_ratio * np.ones(P_BC), alpha * (1 - l1_ratio) * np.ones(P_BC)
    y01 = Y_BC.astype(float)
    w_ref, _, p_ref = split_minimize(X_BC, logistic_loss(y01, np.ones(len(y01))), a, b, lower,
                                     upper)
    mine = logistic_objective(X_BC, y01, coef, b0, a, b)
    p0 = _log2(y01)
    # the certificate bounds the excess over the best point L-BFGS-B found
    assert mine - p_ref <= model.dual_gap_ + 1e-13 * p0
    assert model.dual_gap_ <= 1e-10 * p0
    np.testing.assert_allclose(coef, w_ref, atol=1e-4 * np.abs(w_ref).max())


def test_multinomial_classifier_keeps_the_box_and_is_optimal():
    """Iris, three classes: every class's coefficients in the box; against L-BFGS-B on the
    split multinomial problem (written here from the softmax)."""
    X, y = load_iris(return_X_y=True)
    K, p = 3, X.shape[1]
    lower, upper = np.full(p, -1.0), np.full(p, 0.5)
    alpha = 0.01
    model = L1Classifier(alpha=alpha, lower_bounds=lower, upper_bounds=upper,
                         tol=1e-10).fit(X, y)
    assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
    Y = np.eye(K)[y]

    def objective(W, c):
        eta = X @ W.T + c
        lse = np.logaddexp.reduce(eta, axis=1)
        return float(np.mean(lse - (Y * eta).sum(1))) + alpha * np.abs(W).sum()

    from scipy.optimize import minimize
    n_w = K * p

    def fun(z):
        W = (z[:n_w] - z[n_w:2 * n_w]).reshape(K, p)
        c = z[2 * n_w:]
        eta = X @ W.T + c
        T = np.exp(eta - np.logaddexp.reduce(eta, axis=1)[:, None])
        G = (T - Y) / len(y)
        gw = (G.T @ X).ravel()
        return objective(W, c), np.concatenate([gw + alpha, -gw + alpha, G.sum(0)])
    bounds = [(0, u) for u in np.tile(upper, K)] + [(0, -lo) for lo in np.tile(lower, K)] \
        + [(None, None)] * K
    res = minimize(fun, np.zeros(2 * n_w + K), jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(ftol=1e-16, gtol=1e-12, maxiter=100_000, maxfun=200_000))
    mine = objective(model.coef_, model.intercept_)
    assert mine - res.fun <= model.dual_gap_ + 1e-13
    assert model.dual_gap_ <= 1e-10 * np.log(3)


def test_classifier_path_and_cv_keep_the_box():
    lower, upper = _box(P_BC)
    path = regularization_path(X_BC, Y_BC, loss="logistic", n_alphas=8, lower_bounds=lower,
                               upper_bounds=upper, tol=1e-8)
    assert np.all(path.coefs >= lower) and np.all(path.coefs <= upper)
    single = L1Classifier(alpha=path.alphas[5], lower_bounds=lower, upper_bounds=upper,
                          tol=1e-10).fit(X_BC, Y_BC)
    np.testing.assert_allclose(path.coefs[5], single.coef_[0], atol=1e-5)
    cv = L1ClassifierCV(alphas=8, lower_bounds=lower, upper_bounds=upper, relax=[0.0, 1.0],
                        cv=3).fit(X_BC, Y_BC)
    assert np.all(cv.coef_ >= lower - 1e-12) and np.all(cv.coef_ <= upper + 1e-12)


def test_grouped_penalty_refuses_a_box():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="grouped=True cannot keep"):
        L1Classifier(grouped=True, positive=True).fit(X, y)


POWER = {"poisson": 1.0, "gamma": 2.0, "tweedie": 1.5}


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_glm_losses_are_glums_bounded_fits(loss, l1_ratio):
    glum = pytest.importorskip("glum")
    X, y = _claims(loss)
    lower, upper = _box(X.shape[1], lo=-0.1, hi=0.1)
    alpha = 0.002
    est = {1.0: L1Regressor(alpha=alpha), 0.0: L2Regressor(alpha=alpha)}.get(
        l1_ratio, ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio))
    model = est.set_params(loss=loss, power=POWER[loss], lower_bounds=lower,
                           upper_bounds=upper, tol=1e-10).fit(X, y)
    assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
    family = {"poisson": "poisson", "gamma": "gamma"}.get(loss, f"tweedie({POWER[loss]})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(
            family=family, link="log", alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lower,
            upper_bounds=upper, gradient_tol=1e-12, max_iter=10_000).fit(X, y)
    p = POWER[loss]
    mine = objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio, p)
    theirs = objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, p)
    p0 = null_objective(y, p)
    assert mine - theirs <= model.dual_gap_ + 1e-13 * p0
    assert model.dual_gap_ <= 1e-10 * p0
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-6)


def test_poisson_box_against_the_split_problem_and_the_independent_gap():
    """The Poisson duality gap with a box: the bounded sides' conjugate terms, written in
    the test's independent gap for the unbounded case, are checked through the
    suboptimality against L-BFGS-B; without a binding box the independent gap holds."""
    X, y = _claims("poisson", seed=2)
    p = X.shape[1]
    lower, upper = _box(p, lo=-0.1, hi=0.1)
    alpha = 0.003
    model = L1Regressor(alpha=alpha, loss="poisson", lower_bounds=lower, upper_bounds=upper,
                        tol=1e-9).fit(X, y)
    w_ref, c_ref, p_ref = split_minimize(X, poisson_loss(y, np.ones(len(y))),
                                         alpha * np.ones(p), np.zeros(p), lower, upper)
    mine = objective(X, y, model.coef_, model.intercept_, alpha, 1.0, 1.0)
    # objective() is half the deviance; poisson_loss drops the constant y log y - y
    const = float(np.mean(np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0) - y))
    assert mine - (p_ref + const) <= model.dual_gap_ + 1e-12
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-6)
    wide = L1Regressor(alpha=alpha, loss="poisson", lower_bounds=-10.0, upper_bounds=10.0,
                       tol=1e-9).fit(X, y)
    gap = independent_gap(X, y, wide.coef_, wide.intercept_, alpha, 1.0, 1.0)
    assert gap <= wide.dual_gap_ + 1e-12 * null_objective(y, 1.0)


def test_glm_box_with_warm_start_and_path_and_cv():
    X, y = _claims("poisson", seed=4)
    lower, upper = _box(X.shape[1], lo=-0.1, hi=0.1)
    model = L1Regressor(alpha=0.001, loss="poisson", warm_start=True, tol=1e-8).fit(X, y)
    model.set_params(lower_bounds=lower, upper_bounds=upper).fit(X, y)
    assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
    cold = L1Regressor(alpha=0.001, loss="poisson", lower_bounds=lower, upper_bounds=upper,
                       tol=1e-8).fit(X, y)
    np.testing.assert_allclose(model.coef_, cold.coef_, atol=1e-5)
    path = regularization_path(X, y, loss="poisson", n_alphas=6, lower_bounds=lower,
                               upper_bounds=upper)
    assert np.all(path.coefs >= lower) and np.all(path.coefs <= upper)
    cv = L1RegressorCV(loss="poisson", alphas=6, cv=3, lower_bounds=lower,
                       upper_bounds=upper).fit(X, y)
    assert np.all(cv.coef_ >= lower) and np.all(cv.coef_ <= upper)


def test_glm_box_refusals_name_the_reason():
    X, y = _claims("poisson")
    pf = np.ones(X.shape[1])
    pf[0] = 0.0
    with pytest.raises(ValueError, match="unpenalized"):
        L1Regressor(loss="poisson", penalty_factor=pf, upper_bounds=1.0).fit(X, y)
    with pytest.raises(ValueError, match="relax with positive=True or lower_bounds"):
        L1RegressorCV(loss="poisson", relax=0.5, upper_bounds=1.0).fit(X, y)


def test_dask_glm_keeps_the_box():
    """The chunked GLM fit (one pass per Newton step) with a box: the in-memory model."""
    da = pytest.importorskip("dask.array")
    X, y = _claims("poisson", seed=5)
    lower, upper = _box(X.shape[1], lo=-0.1, hi=0.1)
    params = dict(alpha=0.002, loss="poisson", lower_bounds=lower, upper_bounds=upper,
                  tol=1e-10)
    mem = L1Regressor(**params).fit(X, y)
    lazy = L1Regressor(**params).fit(da.from_array(X, chunks=(100, X.shape[1])),
                                     da.from_array(y, chunks=100))
    np.testing.assert_allclose(lazy.coef_, mem.coef_, atol=1e-9)
    assert np.all(lazy.coef_ >= lower) and np.all(lazy.coef_ <= upper)
    assert lazy.dual_gap_ <= 1e-10 * null_objective(y, 1.0)
