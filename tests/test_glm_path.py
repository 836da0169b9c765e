"""Paths and cross-validation with the Poisson, Gamma and Tweedie losses (issue 15 item 3).

References: single fits at every alpha (checked against scikit-learn and glum in
test_glm.py), held-out deviances written out from the textbook formula, the null model's
gradient for the top of the grid, and the duality gap written out independently."""

import warnings

import numpy as np
import pytest
from sklearn.model_selection import KFold

from sparsereg import (ElasticNetRegressor, ElasticNetRegressorCV, L1RegressorCV,
                       L2RegressorCV, regularization_path)

from test_glm import (POWER, _claims, half_deviance, independent_gap, null_objective,
                      objective)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("penalty, l1_ratio", [("l1", 1.0), ("elasticnet", 0.5),
                                               ("l2", 0.0)])
def test_path_points_are_the_single_fits(loss, penalty, l1_ratio):
    X, y = _claims(loss, n=300, p=10, seed=11)
    kwargs = dict(l1_ratio=0.5) if penalty == "elasticnet" else {}
    path = regularization_path(X, y, penalty=penalty, loss=loss, power=POWER[loss],
                               n_alphas=12, tol=1e-10, **kwargs)
    p0 = null_objective(y, POWER[loss])
    assert path.loss == loss and len(path.alphas) == 12
    for k in range(0, 12, 3):
        alpha = path.alphas[k]
        single = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss,
                                     power=POWER[loss], tol=1e-10).fit(X, y)
        # both within their gaps of the one minimum (the objective written out here)
        gap_sum = path.dual_gaps[k] + single.dual_gap_
        assert abs(objective(X, y, path.coefs[k], path.intercepts[k], alpha, l1_ratio,
                             POWER[loss])
                   - objective(X, y, single.coef_, single.intercept_, alpha, l1_ratio,
                               POWER[loss])) <= gap_sum + 1e-13 * p0
        np.testing.assert_allclose(path.coefs[k], single.coef_, atol=1e-4)
        assert path.dual_gaps[k] <= 1e-10 * p0
        if loss != "tweedie":
            gap = independent_gap(X, y, path.coefs[k], path.intercepts[k], alpha, l1_ratio,
                                  POWER[loss])
            assert gap <= path.dual_gaps[k] + 1e-12 * p0
        mu = np.exp(X @ path.coefs[k] + path.intercepts[k])
        assert path.mse[k] == pytest.approx(np.mean(half_deviance(y, mu, POWER[loss])),
                                            rel=1e-10)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
def test_grid_starts_where_nothing_has_entered(loss):
    X, y = _claims(loss, n=250, p=9, seed=2)
    p = POWER[loss]
    mu0 = y.mean()
    alpha_max = np.abs(X.T @ (mu0 ** (1 - p) * (mu0 - y))).max() / len(y)
    path = regularization_path(X, y, loss=loss, power=p, n_alphas=20)
    assert path.alphas[0] == pytest.approx(alpha_max, rel=1e-10)
    assert path.n_nonzero[0] == 0 and path.n_nonzero[1] >= 1
    assert path.alphas[-1] == pytest.approx(1e-3 * alpha_max, rel=1e-10)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cv_errors_are_held_out_deviances_of_fold_fits(loss, weighted):
    X, y = _claims(loss, n=240, p=8, seed=4)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, len(y)) if weighted else None
    p = POWER[loss]
    alphas = np.geomspace(0.1, 0.002, 6)
    folds = KFold(4, shuffle=True, random_state=0)
    model = L1RegressorCV(loss=loss, power=p, alphas=alphas, cv=folds, tol=1e-10).fit(
        X, y, sw)
    expected = np.zeros((len(alphas), 4))
    for f, (train, test) in enumerate(folds.split(X)):
        s_tr = None if sw is None else sw[train]
        s_te = np.ones(len(test)) if sw is None else sw[test]
        for i, alpha in enumerate(alphas):
            fit = ElasticNetRegressor(alpha=alpha, l1_ratio=1.0, loss=loss, power=p,
                                      tol=1e-10).fit(X[train], y[train], s_tr)
            dev = half_deviance(y[test], fit.predict(X[test]), p)
            expected[i, f] = s_te @ dev / s_te.sum()
    np.testing.assert_allclose(model.mse_path_, expected, rtol=1e-6)
    np.testing.assert_allclose(model.mse_mean_, expected.mean(axis=1), rtol=1e-6)
    assert model.alpha_ == alphas[np.argmin(expected.mean(axis=1))]
    best = ElasticNetRegressor(alpha=model.alpha_, l1_ratio=1.0, loss=loss, power=p,
                               tol=1e-10).fit(X, y, sw)
    np.testing.assert_allclose(model.coef_, best.coef_, atol=1e-6)
    np.testing.assert_allclose(model.predict(X), best.predict(X), rtol=1e-5)


def test_one_standard_error_rule_and_l1_ratio_choice():
    X, y = _claims("poisson", n=300, p=12, seed=8)
    folds = KFold(5, shuffle=True, random_state=1)
    model = L1RegressorCV(loss="poisson", alphas=25, cv=folds, selection="1se").fit(X, y)
    k_min = np.argmin(model.mse_mean_)
    within = model.mse_mean_ <= model.mse_mean_[k_min] + model.mse_se_[k_min]
    assert model.alpha_ == model.alpha_1se_ == model.alphas_[np.flatnonzero(within)[0]]
    assert model.alpha_1se_ >= model.alpha_min_
    enet = ElasticNetRegressorCV(loss="poisson", l1_ratio=[0.3, 1.0], alphas=15,
                                 cv=folds).fit(X, y)
    assert enet.mse_path_.shape == (2, 15, 5)
    best = np.unravel_index(np.argmin(enet.mse_mean_), enet.mse_mean_.shape)
    assert enet.l1_ratio_ == [0.3, 1.0][best[0]]
    assert enet.alpha_ == enet.alphas_[best]


def test_what_is_not_available_yet_says_so():
    X, y = _claims("poisson", n=100, p=5)
    with pytest.raises(ValueError, match="selection='aic' is not available"):
        L1RegressorCV(loss="tweedie", selection="aic").fit(X, y)
    with pytest.raises(ValueError, match="Information criteria are not available"):
        regularization_path(X, y, loss="tweedie", n_alphas=5).bic()
    with pytest.warns(UserWarning, match="leave-one-out is not available with loss"):
        model = L2RegressorCV(loss="poisson", alphas=5).fit(X, y)
    assert model.mse_path_.shape == (5, 5)
    with pytest.raises(ValueError, match="y >= 0"):
        L1RegressorCV(loss="poisson").fit(X, -y)


def test_cv_float32_certifies_the_stored_model():
    X, y = _claims("poisson", n=200, p=8, seed=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid edges
        model = L1RegressorCV(loss="poisson", alphas=10, cv=3).fit(X.astype(np.float32), y)
    assert model.coef_.dtype == np.float32
    gap = independent_gap(X.astype(np.float32).astype(float), y, model.coef_.astype(float),
                          float(model.intercept_), model.alpha_, 1.0, 1.0)
    assert gap <= model.dual_gap_ + 1e-12


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("gamma", [0.0, 0.5])
def test_relaxed_path_blends_with_scikit_learns_unpenalized_refit(loss, gamma):
    """relax: gamma * the lasso + (1 - gamma) * the unpenalized GLM on its support, here
    scikit-learn's regressor with alpha=0 on those columns."""
    from sklearn.linear_model import TweedieRegressor
    X, y = _claims(loss, n=300, p=10, seed=13)
    p = POWER[loss]
    path = regularization_path(X, y, loss=loss, power=p, n_alphas=8, relax=gamma, tol=1e-10)
    plain = regularization_path(X, y, loss=loss, power=p, n_alphas=8, tol=1e-10)
    np.testing.assert_allclose(path.unrelaxed_coefs, plain.coefs, atol=1e-9)
    for k in range(1, 8, 2):
        support = np.flatnonzero(plain.coefs[k])
        refit = TweedieRegressor(power=p, link="log", alpha=0.0, tol=1e-12,
                                 max_iter=100_000).fit(X[:, support], y)
        expected = gamma * plain.coefs[k]
        expected[support] += (1 - gamma) * refit.coef_
        np.testing.assert_allclose(path.coefs[k], expected, atol=1e-6)
        assert path.intercepts[k] == pytest.approx(
            gamma * plain.intercepts[k] + (1 - gamma) * refit.intercept_, abs=1e-6)


def test_cv_chooses_the_relaxation_too():
    X, y = _claims("poisson", n=300, p=12, seed=14)
    folds = KFold(4, shuffle=True, random_state=2)
    model = L1RegressorCV(loss="poisson", alphas=12, cv=folds, relax=[0.0, 0.5, 1.0]).fit(X, y)
    scores = {}
    for gamma in (0.0, 0.5, 1.0):
        one = L1RegressorCV(loss="poisson", alphas=12, cv=folds, relax=gamma).fit(X, y)
        scores[gamma] = one.mse_mean_.min()
    best = min(scores, key=scores.get)
    assert model.relax_ == best and model.mse_mean_.min() == pytest.approx(scores[best])
    assert model.path_.relax == (None if best == 1.0 else best)


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_information_criteria_from_the_likelihood(loss, penalty):
    """AIC = -2 log L + 2 df with log L from scipy.stats (Poisson pmf; Gamma pdf of shape
    1 / dispersion, the dispersion by Pearson's statistic of scikit-learn's unpenalized
    GammaRegressor), df the nonzeros (lasso) or the ridge trace on the support at the IRLS
    weights (elastic net), written out here."""
    from scipy import stats
    from sklearn.linear_model import GammaRegressor
    X, y = _claims(loss, n=300, p=10, seed=15)
    kwargs = dict(l1_ratio=0.5) if penalty == "elasticnet" else {}
    path = regularization_path(X, y, loss=loss, penalty=penalty, n_alphas=8, tol=1e-10,
                               **kwargs)
    l1_ratio = 0.5 if penalty == "elasticnet" else 1.0
    n = len(y)
    if loss == "gamma":
        full = GammaRegressor(alpha=0.0, tol=1e-12, max_iter=10_000).fit(X, y)
        mu = full.predict(X)
        dispersion = np.sum(((y - mu) / mu) ** 2) / (n - X.shape[1] - 1)
    for k in range(8):
        mu = np.exp(X @ path.coefs[k] + path.intercepts[k])
        if loss == "poisson":
            loglik = stats.poisson.logpmf(y, mu).sum()
        else:
            shape = 1.0 / dispersion
            loglik = stats.gamma.logpdf(y, shape, scale=mu / shape).sum()
        A = np.flatnonzero(path.coefs[k])
        if l1_ratio == 1.0 or len(A) == 0:
            df = len(A)
        else:
            h = (mu if loss == "poisson" else y / mu) / n
            XA = X[:, A] - (h @ X[:, A]) / h.sum()
            H = XA.T @ (h[:, None] * XA)
            b = path.alphas[k] * (1 - l1_ratio)
            df = np.trace(H @ np.linalg.inv(H + b * np.eye(len(A))))
        assert path.df[k] == pytest.approx(df, rel=1e-6, abs=1e-9)
        assert path.aic()[k] == pytest.approx(-2 * loglik + 2 * df, rel=1e-6)
        assert path.bic()[k] == pytest.approx(-2 * loglik + np.log(n) * df, rel=1e-6)
    model = L1RegressorCV(loss=loss, selection="bic", alphas=path.alphas if penalty == "l1"
                          else 8).fit(X, y)
    if penalty == "l1":
        assert model.alpha_ == path.alphas[np.argmin(path.bic())]


def test_dask_and_two_dimensional_y_are_refused_before_work(monkeypatch):
    da = pytest.importorskip("dask.array")
    X, y = _claims("poisson", n=100, p=5)
    monkeypatch.setattr("sparsereg._glm_cv.glm_cv_errors", lambda *a, **k: 1 / 0)
    with pytest.raises(ValueError, match="dask"):
        L1RegressorCV(loss="poisson").fit(da.from_array(X, chunks=50), da.from_array(y))
    with pytest.raises(ValueError, match="1-D"):
        L1RegressorCV(loss="poisson").fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="dask"):
        regularization_path(da.from_array(X, chunks=50), da.from_array(y), loss="gamma")
