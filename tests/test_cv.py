"""Cross-validated estimators (docs/user_guide.rst, "Cross-validation: selection and relax"):
agreement with scikit-learn's CV estimators, the selection rules (min, 1-SE, AIC/BIC), the
relaxed lasso, folds, threads and groups, and exact leave-one-out for ridge.

The expected values come from scikit-learn (LassoCV, ElasticNetCV, RidgeCV on the same folds
and the same alpha grid) or from numpy computations on the fitted ``mse_path_``, never from
sparsereg's choice itself.

Scale conventions: sparsereg's alpha equals sklearn's Lasso/ElasticNet alpha; for ridge,
``L2Regressor(alpha=a)`` minimises ``1/(2S) sum s_i r_i^2 + a/2 ||w||^2``, i.e.
``Ridge(alpha=a * S)`` (S = sum of the sample weights, n without weights). A K-fold ridge fit
on n_train rows therefore corresponds to ``Ridge(alpha=a * n_train)``.
"""

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.linear_model import ElasticNetCV, LassoCV, RidgeCV
from sklearn.model_selection import GroupKFold, KFold

from sparsereg import (ElasticNetRegressorCV, L1Regressor, L1RegressorCV, L2RegressorCV,
                       regularization_path)

pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

SK_TIGHT = dict(tol=1e-14, max_iter=1_000_000)
TIGHT = dict(tol=1e-12, max_iter=1_000_000)
TIGHT_EN = dict(tol=1e-13, max_iter=1_000_000)
# A duality gap g bounds coefficient errors by sqrt(2 g / mu) only: with the elastic net at
# small alpha (small mu), a relative gap of 1e-11 still moved validation MSEs by 2e-5 and one
# of 1e-12 by 6e-6, 1e-13 by 1.6e-6 (errors scale as sqrt(gap)). The lasso problems below
# agree to < 1e-7 at 1e-12. The tolerances leave a 6-10x margin; a definitional difference
# (weighting, folds, grid, intercept) or a default-tolerance fit (1e-4) shows up far above.
MSE_RTOL_L1 = 1e-6
MSE_RTOL_EN = 1e-5


def diabetes():
    return load_diabetes(return_X_y=True)


def make_problem(seed, n, p, *, k=6, offset=3.0, noise=1.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.4 * rng.standard_normal((n, 1)) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    beta[rng.choice(p, min(k, p), replace=False)] = rng.choice([-2.0, 1.0, 3.0], min(k, p))
    y = X @ beta + noise * rng.standard_normal(n) + offset
    return X, y


def weights(n, seed=0):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


def folds(seed=0, k=5):
    return KFold(k, shuffle=True, random_state=seed)


def one_se_index(mse_path):
    """The 1-SE rule (glmnet's lambda.1se): the largest alpha (smallest index; alphas decrease)
    whose mean CV error is at most the minimum mean plus its standard error, std over folds /
    sqrt(n_folds)."""
    mean = mse_path.mean(axis=1)
    best = int(np.argmin(mean))
    # glmnet's cvsd: sqrt(mean squared deviation / (K - 1)) == std(ddof=1) / sqrt(K)
    k = mse_path.shape[1]
    se = np.sqrt(np.mean((mse_path[best] - mse_path[best].mean()) ** 2) / (k - 1))
    return best, int(np.flatnonzero(mean <= mean[best] + se)[0])


# ---------------------------------------------------------------------------------------------
# Agreement with scikit-learn on the same folds and grid
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("data", ["diabetes", "wide"])
def test_l1_cv_matches_lassocv(data, weighted):
    X, y = diabetes() if data == "diabetes" else make_problem(0, 60, 150)
    sw = weights(len(y)) if weighted else None
    ours = L1RegressorCV(alphas=40, cv=folds(1), **TIGHT).fit(X, y, sample_weight=sw)
    sk = LassoCV(alphas=ours.alphas_, cv=folds(1), **SK_TIGHT).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(sk.alphas_, ours.alphas_, rtol=1e-14)
    assert ours.mse_path_.shape == sk.mse_path_.shape == (40, 5)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=MSE_RTOL_L1)
    assert ours.alpha_ == pytest.approx(sk.alpha_, rel=1e-14)
    i = int(np.flatnonzero(ours.alphas_ == ours.alpha_)[0])
    np.testing.assert_allclose(ours.mse_path_[i].mean(), sk.mse_path_.mean(axis=1).min(),
                               rtol=MSE_RTOL_L1)
    # the refit at alpha_ is the full-data optimum (sklearn's refit, within certificates)
    scale = np.abs(sk.coef_).max()
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=0, atol=1e-5 * scale)
    assert ours.intercept_ == pytest.approx(sk.intercept_, abs=1e-5 * (scale + 1))


def test_l1_cv_default_grid_matches_lassocv_grid():
    """alphas=None: 100 values from alpha_max to 1e-3 alpha_max, as LassoCV's default."""
    X, y = diabetes()
    ours = L1RegressorCV(cv=folds(2), **TIGHT).fit(X, y)
    sk = LassoCV(cv=folds(2), **SK_TIGHT).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, sk.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=MSE_RTOL_L1)
    assert ours.alpha_ == pytest.approx(sk.alpha_, rel=1e-10)


@pytest.mark.parametrize("weighted", [False, True])
def test_enet_cv_matches_elasticnetcv_single_ratio(weighted):
    X, y = make_problem(1, 80, 40)
    sw = weights(80, 3) if weighted else None
    ours = ElasticNetRegressorCV(l1_ratio=0.4, alphas=30, cv=folds(3), **TIGHT_EN).fit(
        X, y, sample_weight=sw)
    sk = ElasticNetCV(l1_ratio=0.4, alphas=ours.alphas_, cv=folds(3), **SK_TIGHT).fit(
        X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=MSE_RTOL_EN)
    assert ours.alpha_ == pytest.approx(sk.alpha_, rel=1e-14)
    assert ours.l1_ratio_ == sk.l1_ratio_ == 0.4
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=0, atol=1e-6 * np.abs(sk.coef_).max())


def test_enet_cv_list_matches_elasticnetcv_on_shared_grid():
    X, y = make_problem(2, 70, 30, noise=2.0)
    grid = np.geomspace(5.0, 5e-3, 25)
    ratios = [0.1, 0.5, 0.9, 1.0]
    ours = ElasticNetRegressorCV(l1_ratio=ratios, alphas=grid, cv=folds(4), **TIGHT_EN).fit(X, y)
    sk = ElasticNetCV(l1_ratio=ratios, alphas=grid, cv=folds(4), **SK_TIGHT).fit(X, y)
    assert ours.mse_path_.shape == sk.mse_path_.shape == (4, 25, 5)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=MSE_RTOL_EN)
    assert ours.l1_ratio_ == sk.l1_ratio_
    assert ours.alpha_ == pytest.approx(sk.alpha_, rel=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_enet_cv_list_chooses_pair_with_minimum_mean_error(seed):
    X, y = make_problem(10 + seed, 60, 25, noise=1.5)
    ratios = [0.05, 0.3, 0.7, 1.0]
    model = ElasticNetRegressorCV(l1_ratio=ratios, alphas=20, cv=folds(seed)).fit(X, y)
    assert model.mse_path_.shape == (4, 20, 5)
    assert model.alphas_.shape == (4, 20)
    mean = model.mse_path_.mean(axis=-1)
    r, a = np.unravel_index(np.argmin(mean), mean.shape)
    assert model.l1_ratio_ == ratios[r]
    assert model.alpha_ == model.alphas_[r, a] == model.alpha_min_
    # each ratio has its own default grid, from its own alpha_max
    for i, ratio in enumerate(ratios):
        top = regularization_path(X, y, penalty="elasticnet", l1_ratio=ratio, n_alphas=20)
        np.testing.assert_allclose(model.alphas_[i], top.alphas, rtol=1e-12)
    # the choice agrees with single-ratio runs on the same folds
    singles = [ElasticNetRegressorCV(l1_ratio=ratio, alphas=20, cv=folds(seed)).fit(X, y)
               for ratio in ratios]
    for i, single in enumerate(singles):
        np.testing.assert_allclose(model.mse_path_[i], single.mse_path_, rtol=1e-12)


@pytest.mark.parametrize("shape", [(442, None), (40, 100)])
@pytest.mark.parametrize("weighted", [False, True])
def test_l2_cv_loo_matches_ridgecv(shape, weighted):
    if shape[1] is None:
        X, y = diabetes()
    else:
        X, y = make_problem(4, *shape)
    n = len(y)
    sw = weights(n, 5) if weighted else None
    S = n if sw is None else sw.sum()
    ours = L2RegressorCV(alphas=30, store_cv_results=True).fit(X, y, sample_weight=sw)
    sk = RidgeCV(alphas=ours.alphas_ * S, store_cv_results=True).fit(X, y, sample_weight=sw)
    assert ours.mse_path_.shape == (30, n)
    # sklearn stores s_i * e_i^2 (errors of the sqrt(s)-scaled problem); sparsereg's columns
    # average to the weighted mean sum_i s_i e_i^2 / S, i.e. they are s_i e_i^2 * n / S
    np.testing.assert_allclose(ours.mse_path_, sk.cv_results_.T * n / S, rtol=1e-8,
                               atol=1e-10 * sk.cv_results_.max())
    assert ours.alpha_ * S == pytest.approx(sk.alpha_, rel=1e-14)
    np.testing.assert_allclose(ours.coef_, sk.coef_, rtol=1e-8, atol=1e-10 * np.abs(sk.coef_).max())
    assert ours.intercept_ == pytest.approx(sk.intercept_, rel=1e-8, abs=1e-8)


def test_l2_cv_loo_is_exact_leave_one_out():
    """Brute force: refit without row i at the same sum-scale penalty, predict row i."""
    X, y = make_problem(5, 25, 8)
    model = L2RegressorCV(alphas=[0.01, 0.3, 3.0], store_cv_results=True).fit(X, y)
    n = len(y)
    for k, alpha in enumerate(model.alphas_):
        lam = alpha * n  # the full-data sum-scale ridge penalty
        errors = []
        for i in range(n):
            keep = np.arange(n) != i
            Xk, yk = X[keep], y[keep]
            mx, my = Xk.mean(0), yk.mean()
            w = np.linalg.solve((Xk - mx).T @ (Xk - mx) + lam * np.eye(8), (Xk - mx).T @ (yk - my))
            errors.append((y[i] - (X[i] - mx) @ w - my) ** 2)
        np.testing.assert_allclose(model.mse_path_[k], errors, rtol=1e-8)


def test_l2_cv_kfold_matches_ridgecv_kfold():
    X, y = make_problem(6, 100, 20, noise=3.0)  # 5 equal folds: n_train = 80
    ours = L2RegressorCV(alphas=25, cv=folds(6)).fit(X, y)
    assert ours.mse_path_.shape == (25, 5)
    sk = RidgeCV(alphas=ours.alphas_ * 80, cv=folds(6), scoring="neg_mean_squared_error").fit(X, y)
    assert ours.alpha_ * 80 == pytest.approx(sk.alpha_, rel=1e-14)
    assert ours.mse_path_.mean(axis=1).min() == pytest.approx(-sk.best_score_, rel=1e-8)


# ---------------------------------------------------------------------------------------------
# Selection rules
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("estimator", ["l1", "enet", "l2-kfold", "l2-loo"])
def test_one_standard_error_rule(estimator):
    X, y = make_problem(7, 80, 30, noise=2.0)
    make = {"l1": lambda sel: L1RegressorCV(alphas=40, cv=folds(7), selection=sel),
            "enet": lambda sel: ElasticNetRegressorCV(l1_ratio=0.5, alphas=40, cv=folds(7),
                                                      selection=sel),
            "l2-kfold": lambda sel: L2RegressorCV(alphas=40, cv=folds(7), selection=sel),
            "l2-loo": lambda sel: L2RegressorCV(alphas=40, selection=sel,
                                                store_cv_results=True)}[estimator]
    m_min, m_1se = make("min").fit(X, y), make("1se").fit(X, y)
    assert m_1se.alpha_1se_ >= m_1se.alpha_min_
    best, one_se = one_se_index(m_1se.mse_path_)
    assert m_1se.alpha_min_ == m_1se.alphas_[best]
    assert m_1se.alpha_1se_ == m_1se.alphas_[one_se]
    assert m_1se.alpha_ == m_1se.alpha_1se_ and m_min.alpha_ == m_min.alpha_min_
    np.testing.assert_array_equal(m_min.mse_path_, m_1se.mse_path_)
    # the refit is the full-data path's point at the chosen alpha
    k = int(np.flatnonzero(m_1se.path_.alphas == m_1se.alpha_)[0])
    np.testing.assert_array_equal(m_1se.coef_, m_1se.path_.coefs[k])
    # on these data the rule matters for every estimator (best at index 15, 20, 30, 30; the
    # 1-SE index 4, 5, 3, 3 steps up the grid): the checks above are not alpha_min_ twice
    assert one_se < best
    assert m_1se.alpha_1se_ > m_1se.alpha_min_


def test_one_se_sparser_on_diabetes():
    X, y = diabetes()
    model = L1RegressorCV(cv=folds(0), selection="1se").fit(X, y)
    best, one_se = one_se_index(model.mse_path_)
    assert (model.alpha_min_, model.alpha_1se_) == (model.alphas_[best], model.alphas_[one_se])
    assert model.alpha_ == model.alpha_1se_ >= model.alpha_min_
    assert model.n_nonzero_ == np.count_nonzero(model.coef_)
    assert model.sparsity_ == pytest.approx(1 - model.n_nonzero_ / X.shape[1])
    np.testing.assert_array_equal(model.support_, model.coef_ != 0)


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_selection_by_information_criterion(criterion):
    X, y = diabetes()
    n = len(y)
    model = L1RegressorCV(alphas=50, selection=criterion, **TIGHT).fit(X, y)
    coefs, intercepts = model.path_.coefs, model.path_.intercepts
    A = np.column_stack([np.ones(n), X])
    r_ols = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    sigma2 = r_ols @ r_ols / (n - X.shape[1] - 1)
    rss = np.array([np.sum((y - X @ w - b) ** 2) for w, b in zip(coefs, intercepts)])
    per_df = 2.0 if criterion == "aic" else np.log(n)
    crit = n * np.log(2 * np.pi * sigma2) + rss / sigma2 + per_df * (coefs != 0).sum(axis=1)
    assert model.alpha_ == model.alphas_[int(np.argmin(crit))]
    # with a supplied noise variance
    sigma2 = 4000.0
    model = L1RegressorCV(alphas=50, selection=criterion, noise_variance=sigma2).fit(X, y)
    rss = np.array([np.sum((y - X @ w - b) ** 2)
                    for w, b in zip(model.path_.coefs, model.path_.intercepts)])
    crit = rss / sigma2 + per_df * (model.path_.coefs != 0).sum(axis=1)
    assert model.alpha_ == model.alphas_[int(np.argmin(crit))]


@pytest.mark.parametrize("Est", [L1RegressorCV, L2RegressorCV])
def test_information_criterion_selection_needs_noise_variance_when_n_le_p(Est):
    X, y = make_problem(8, 30, 60)
    with pytest.raises(ValueError, match="noise_variance"):
        Est(alphas=10, cv=3, selection="aic").fit(X, y)
    n = len(y)
    model = Est(alphas=10, cv=3, selection="bic", noise_variance=1.0).fit(X, y)
    # BIC with the given noise variance (up to a constant): RSS / sigma^2 + log(n) df, with df
    # the number of nonzeros for the lasso, tr of the smoother for ridge (from the SVD)
    rss = np.array([np.sum((y - X @ w - b) ** 2)
                    for w, b in zip(model.path_.coefs, model.path_.intercepts)])
    if Est is L1RegressorCV:
        df = (model.path_.coefs != 0).sum(axis=1)
    else:
        d = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
        df = np.array([np.sum(d ** 2 / (d ** 2 + n * a)) for a in model.alphas_])
    crit = rss / 1.0 + np.log(n) * df
    assert model.alpha_ == model.alphas_[int(np.argmin(crit))]
    # (the criterion, not CV, chose: on these data the two pick different alphas)
    assert model.alpha_ != model.alpha_min_


# ---------------------------------------------------------------------------------------------
# Relaxed lasso in CV
# ---------------------------------------------------------------------------------------------

def test_cv_with_relax_list_picks_best_gamma():
    X, y = make_problem(9, 60, 100, k=5, noise=0.5)
    gammas = [0.0, 0.5, 1.0]
    model = L1RegressorCV(alphas=25, cv=folds(9), relax=gammas).fit(X, y)
    singles = {g: L1RegressorCV(alphas=25, cv=folds(9), relax=g).fit(X, y) for g in gammas}
    plain = L1RegressorCV(alphas=25, cv=folds(9)).fit(X, y)
    np.testing.assert_allclose(singles[1.0].mse_path_, plain.mse_path_, rtol=1e-12)
    best_of = {g: m.mse_path_.mean(axis=1).min() for g, m in singles.items()}
    best = min(best_of, key=best_of.get)
    assert model.relax_ == best
    np.testing.assert_allclose(model.mse_path_, singles[best].mse_path_, rtol=1e-12)
    assert model.alpha_ == singles[best].alpha_
    np.testing.assert_allclose(model.coef_, singles[best].coef_, rtol=1e-12, atol=1e-12)
    # the refit is the relaxed full-data path at alpha_
    relaxed = regularization_path(X, y, alphas=model.alphas_, relax=best)
    k = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    np.testing.assert_allclose(model.coef_, relaxed.coefs[k], rtol=1e-8, atol=1e-8)


def test_cv_relax_zero_validation_error_is_ols_refit_error():
    """Fold errors of relax=0 equal those of OLS refits on each training fold's supports."""
    X, y = make_problem(10, 50, 12, k=4)
    cv = list(folds(10).split(X))
    model = L1RegressorCV(alphas=8, cv=cv, relax=0.0, **TIGHT).fit(X, y)
    for f, (train, test) in enumerate(cv):
        path = regularization_path(X[train], y[train], alphas=model.alphas_, **TIGHT)
        for k in range(len(model.alphas_)):
            support = np.flatnonzero(path.coefs[k])
            A = np.column_stack([np.ones(len(train)), X[train][:, support]])
            sol = np.linalg.lstsq(A, y[train], rcond=None)[0]
            pred = sol[0] + X[test][:, support] @ sol[1:]
            assert model.mse_path_[k, f] == pytest.approx(np.mean((y[test] - pred) ** 2),
                                                          rel=1e-8)


def test_enet_cv_relax_and_ratio_list():
    X, y = make_problem(11, 50, 40, noise=1.0)
    model = ElasticNetRegressorCV(l1_ratio=[0.5, 1.0], relax=[0.0, 1.0], alphas=15,
                                  cv=folds(11)).fit(X, y)
    options = {}
    for ratio in (0.5, 1.0):
        for g in (0.0, 1.0):
            m = ElasticNetRegressorCV(l1_ratio=ratio, relax=g, alphas=15, cv=folds(11)).fit(X, y)
            options[(ratio, g)] = m.mse_path_.mean(axis=1).min()
    assert (model.l1_ratio_, model.relax_) == min(options, key=options.get)


# ---------------------------------------------------------------------------------------------
# Folds, threads, groups
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda nj: L1RegressorCV(alphas=30, cv=folds(12), n_jobs=nj),
    lambda nj: ElasticNetRegressorCV(l1_ratio=[0.3, 0.8], alphas=20, cv=folds(12), n_jobs=nj),
    lambda nj: L1RegressorCV(alphas=20, cv=folds(12), relax=[0.0, 0.5], n_jobs=nj),
    lambda nj: L2RegressorCV(alphas=20, cv=folds(12), n_jobs=nj),
], ids=["l1", "enet-list", "l1-relax", "l2-kfold"])
def test_n_jobs_2_identical_to_n_jobs_1(make):
    X, y = make_problem(12, 90, 60)
    sw = weights(90, 12)
    one, two = make(1).fit(X, y, sample_weight=sw), make(2).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(one.mse_path_, two.mse_path_)
    np.testing.assert_array_equal(one.alphas_, two.alphas_)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    assert (one.alpha_, one.alpha_1se_, one.l1_ratio_, one.relax_) == \
        (two.alpha_, two.alpha_1se_, two.l1_ratio_, two.relax_)
    assert one.intercept_ == two.intercept_


def test_groups_are_passed_to_the_splitter():
    X, y = make_problem(13, 60, 20)
    groups = np.repeat(np.arange(12), 5)
    model = L1RegressorCV(alphas=15, cv=GroupKFold(4)).fit(X, y, groups=groups)
    explicit = list(GroupKFold(4).split(X, y, groups))
    ref = L1RegressorCV(alphas=15, cv=explicit).fit(X, y)
    np.testing.assert_array_equal(model.mse_path_, ref.mse_path_)
    # no group straddles a validation fold and its training fold
    for train, test in explicit:
        assert not set(groups[train]) & set(groups[test])


def test_weighted_validation_error():
    X, y = make_problem(14, 40, 10)
    sw = weights(40, 14)
    cv = list(folds(14).split(X))
    model = L1RegressorCV(alphas=6, cv=cv, **TIGHT).fit(X, y, sample_weight=sw)
    for f, (train, test) in enumerate(cv):
        for k, alpha in enumerate(model.alphas_):
            fit = L1Regressor(alpha, **TIGHT).fit(X[train], y[train], sample_weight=sw[train])
            r = y[test] - fit.predict(X[test])
            expected = sw[test] @ r ** 2 / sw[test].sum()
            assert model.mse_path_[k, f] == pytest.approx(expected, rel=1e-7)


def test_fitted_attributes():
    X, y = make_problem(15, 50, 30)
    model = L1RegressorCV(alphas=12, cv=3).fit(X, y)
    assert model.alphas_.shape == (12,) and np.all(np.diff(model.alphas_) < 0)
    assert model.mse_path_.shape == (12, 3)
    assert len(model.path_) == 12
    np.testing.assert_array_equal(model.path_.alphas, model.alphas_)
    assert model.l1_ratio_ == 1.0 and model.relax_ == 1.0
    assert model.n_nonzero_ == np.count_nonzero(model.coef_)
    k = int(np.flatnonzero(model.alphas_ == model.alpha_)[0])
    assert model.dual_gap_ == model.path_.dual_gaps[k]
    np.testing.assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_,
                               rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# cv=None means exact leave-one-out for every input L2RegressorCV accepts
# ---------------------------------------------------------------------------------------------

def brute_force_loo(X, y, alpha, v, fit_intercept=True):
    """Leave-one-out squared errors of ridge with the full-data sum-scale penalty
    ``alpha * n * diag(v)`` (v_j = 0: unpenalized), by refitting n times."""
    n, p = X.shape
    errors = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk = X[keep], y[keep]
        mx, my = (Xk.mean(0), yk.mean()) if fit_intercept else (np.zeros(p), 0.0)
        A = (Xk - mx).T @ (Xk - mx) + alpha * n * np.diag(v)
        w = np.linalg.solve(A, (Xk - mx).T @ (yk - my))
        errors[i] = (y[i] - (X[i] - mx) @ w - my) ** 2
    return errors


def test_l2_cv_none_is_leave_one_out_with_penalty_factor():
    X, y = make_problem(16, 40, 6)
    v = np.array([0.5, 1.0, 2.0, 1.5, 0.8, 1.2])
    model = L2RegressorCV(alphas=5, penalty_factor=v, store_cv_results=True).fit(X, y)
    assert model.mse_path_.shape == (5, 40)
    for k, alpha in enumerate(model.alphas_):
        np.testing.assert_allclose(model.mse_path_[k], brute_force_loo(X, y, alpha, v), rtol=1e-8)


def test_l2_cv_none_is_leave_one_out_with_unpenalized_feature():
    """penalty_factor with a zero: still leave-one-out (the docstring's cv=None), not 5-fold."""
    X, y = make_problem(17, 40, 6)
    v = np.array([0.0, 1.0, 2.0, 1.5, 0.8, 1.2])
    model = L2RegressorCV(alphas=5, penalty_factor=v, store_cv_results=True).fit(X, y)
    assert model.mse_path_.shape == (5, 40)
    for k, alpha in enumerate(model.alphas_):
        np.testing.assert_allclose(model.mse_path_[k], brute_force_loo(X, y, alpha, v), rtol=1e-8)


def test_l2_cv_none_is_leave_one_out_for_sparse_input():
    sparse = pytest.importorskip("scipy.sparse")
    X, y = make_problem(18, 60, 8)
    X = X * (np.random.default_rng(0).random(X.shape) < 0.5)
    model = L2RegressorCV(alphas=12, store_cv_results=True).fit(sparse.csr_matrix(X), y)
    dense_model = L2RegressorCV(alphas=12, store_cv_results=True).fit(X, y)
    sk = RidgeCV(alphas=dense_model.alphas_ * 60, store_cv_results=True).fit(
        sparse.csr_matrix(X), y)
    assert model.mse_path_.shape == (12, 60)
    np.testing.assert_allclose(model.mse_path_, sk.cv_results_.T, rtol=1e-8)
    np.testing.assert_allclose(model.mse_path_, dense_model.mse_path_, rtol=1e-8)
    # the same grid point (the grids agree to round-off: X^T y summed in another order)
    np.testing.assert_allclose(model.alphas_, dense_model.alphas_, rtol=1e-13)
    assert np.argmin(np.abs(model.alphas_ - model.alpha_)) == \
        np.argmin(np.abs(dense_model.alphas_ - dense_model.alpha_))


def test_enet_cv_shapes_with_ratio_list_and_relax():
    """alphas_ is (n_l1_ratio, n_alphas) and mse_path_ (n_l1_ratio, n_alphas, n_folds) for a
    list of l1_ratio (documented), also when relax is given (which needs every ratio > 0:
    tests/test_bad_input.py checks that a 0 is rejected, as in regularization_path)."""
    X, y = make_problem(19, 50, 10)
    for ratios, relax in [([0.3, 0.9], [0.0, 1.0]), ([0.1, 0.5], [0.0]),
                          ([0.1, 0.5], [0.0, 0.5])]:
        model = ElasticNetRegressorCV(l1_ratio=ratios, relax=relax, alphas=8, cv=3).fit(X, y)
        assert model.alphas_.shape == (len(ratios), 8), (ratios, relax)
        assert model.mse_path_.shape == (len(ratios), 8, 3), (ratios, relax)
