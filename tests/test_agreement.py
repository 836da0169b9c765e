"""Deterministic agreement with scikit-learn and with independent closed forms written in numpy
(tests/_reference.py). The objective P(w, b) documented in docs/conventions.rst is
scikit-learn's Lasso / ElasticNet objective at the same alpha, and Ridge's at alpha * S
(tests/test_invariants.py checks the same agreement on random problems).

Tolerances: for iterative solvers they come from independently computed duality gaps (see
``_problems.assert_same_minimizer``); for closed-form ridge solvers, from the conditioning
of the linear system (a backward-stable solve of an SPD system with condition number kappa
has relative error O(kappa * eps)).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge

import _reference as ref
from _problems import as_candidate, assert_same_minimizer
from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor, alpha_max

pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

SK_TIGHT = dict(tol=1e-12, max_iter=1_000_000)
TIGHT = dict(tol=1e-10, max_iter=1_000_000)  # the same budget as sklearn below


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y


def _wide(seed=0, n=30, p=200):
    """p >> n: a sparse ground truth, correlated-ish features with nonzero means."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1)) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    beta[rng.choice(p, 8, replace=False)] = rng.choice([-3.0, 2.0, 4.0], 8)
    y = X @ beta + 0.5 * rng.standard_normal(n) + 2.0
    return X, y


DATA = {"diabetes": _diabetes, "wide": _wide}


def _weights(n, seed=1):
    return np.random.default_rng(seed).uniform(0.2, 3.0, n)


def _sk_fit(model, X, y, sw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # judged by its gap below
        return model.fit(X, y, sample_weight=sw)


def _check_against(X, y, alpha, l1_ratio, est, sk, *, sw, pf=None, fit_intercept,
                   positive=False, tol):
    """est and sk are both certified minimisers; sparsereg meets its own stopping rule."""
    Xd = ref.as_dense(X)
    cands = [as_candidate(est), (np.asarray(sk.coef_, float), float(sk.intercept_))]
    gaps = assert_same_minimizer(Xd, y, alpha, l1_ratio, cands, sw=sw, pf=pf,
                                 fit_intercept=fit_intercept, positive=positive)
    floor = ref.gap_floor(y, sw, fit_intercept)
    P0 = ref.null_objective(y, sw, fit_intercept)
    assert gaps[0] <= tol * P0 + 2 * floor
    objs = [ref.objective(Xd, y, w, b, alpha, l1_ratio, sw, pf, positive) for w, b in cands]
    assert abs(objs[0] - objs[1]) <= max(gaps) * (1 + 1e-9)
    # supports agree wherever the certified coefficient error cannot flip a zero
    mu = ref.strong_convexity(Xd, alpha, l1_ratio, sw, pf, fit_intercept)
    if mu > 0:
        bound = np.sqrt(2 * gaps[0] / mu) + np.sqrt(2 * gaps[1] / mu)
        robust = np.maximum(np.abs(cands[0][0]), np.abs(cands[1][0])) > bound
        assert np.array_equal((cands[0][0] != 0)[robust], (cands[1][0] != 0)[robust])
    assert est.n_nonzero_ == np.count_nonzero(est.coef_)
    assert np.array_equal(est.support_, est.coef_ != 0)
    assert est.sparsity_ == pytest.approx(1 - est.n_nonzero_ / X.shape[1])
    return gaps


# ----------------------------------------------------------------------------------------
# Lasso / ElasticNet


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("frac", [0.5, 0.05, 0.005])
def test_l1_matches_sklearn_lasso(data, fit_intercept, weighted, frac):
    X, y = DATA[data]()
    sw = _weights(len(y)) if weighted else None
    alpha = frac * alpha_max(X, y, fit_intercept=fit_intercept, sample_weight=sw)
    est = L1Regressor(alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, y, sample_weight=sw)
    sk = _sk_fit(Lasso(alpha=alpha, fit_intercept=fit_intercept, **SK_TIGHT), X, y, sw)
    _check_against(X, y, alpha, 1.0, est, sk, sw=sw, fit_intercept=fit_intercept, tol=1e-10)
    if not fit_intercept:
        assert est.intercept_ == 0.0


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("solver", ["cd", "gram"])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("fit_intercept,weighted", [(True, False), (False, True),
                                                    (True, True)])
def test_enet_matches_sklearn_elasticnet(data, solver, l1_ratio, fit_intercept, weighted):
    X, y = DATA[data]()
    sw = _weights(len(y)) if weighted else None
    alpha = 0.02 * alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                             sample_weight=sw)
    est = ElasticNetRegressor(alpha, l1_ratio, fit_intercept=fit_intercept, solver=solver,
                              **TIGHT).fit(X, y, sample_weight=sw)
    sk = _sk_fit(ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                            **SK_TIGHT), X, y, sw)
    _check_against(X, y, alpha, l1_ratio, est, sk, sw=sw, fit_intercept=fit_intercept,
                   tol=1e-10)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("solver", ["cd", "gram"])
def test_positive_matches_sklearn(data, l1_ratio, fit_intercept, solver):
    X, y = DATA[data]()
    sw = _weights(len(y), seed=3)
    alpha = 0.02 * alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                             sample_weight=sw)
    est = ElasticNetRegressor(alpha, l1_ratio, positive=True, fit_intercept=fit_intercept,
                              solver=solver, **TIGHT).fit(X, y, sample_weight=sw)
    if l1_ratio == 1.0:
        sk = Lasso(alpha=alpha, positive=True, fit_intercept=fit_intercept, **SK_TIGHT)
    else:
        sk = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=True,
                        fit_intercept=fit_intercept, **SK_TIGHT)
    sk = _sk_fit(sk, X, y, sw)
    assert np.all(est.coef_ >= 0)
    _check_against(X, y, alpha, l1_ratio, est, sk, sw=sw, fit_intercept=fit_intercept,
                   positive=True, tol=1e-10)
    # the constraint binds: the unconstrained fit has negative coefficients
    free = L1Regressor(alpha, fit_intercept=fit_intercept, **TIGHT).fit(X, y, sample_weight=sw)
    assert np.any(free.coef_ < 0)


def test_l1_regressor_is_enet_with_l1_ratio_one():
    X, y = _diabetes()
    a = L1Regressor(0.1, tol=1e-12, max_iter=100_000).fit(X, y)
    b = ElasticNetRegressor(0.1, 1.0, tol=1e-12, max_iter=100_000).fit(X, y)
    assert_same_minimizer(X, y, 0.1, 1.0, [as_candidate(a), as_candidate(b)], sw=None, pf=None,
                          fit_intercept=True)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l1_penalty_factor_matches_column_scaled_lasso(data, fit_intercept):
    """v_j > 0: the lasso on x_j / v_j has coefficients u_j = v_j w_j."""
    X, y = DATA[data]()
    v = np.random.default_rng(5).uniform(0.2, 3.0, X.shape[1])
    alpha = 0.05 * alpha_max(X, y, fit_intercept=fit_intercept, penalty_factor=v)
    est = L1Regressor(alpha, penalty_factor=v, fit_intercept=fit_intercept, **TIGHT).fit(X, y)
    sk = _sk_fit(Lasso(alpha=alpha, fit_intercept=fit_intercept, **SK_TIGHT), X / v, y, None)
    sk.coef_ = sk.coef_ / v
    _check_against(X, y, alpha, 1.0, est, sk, sw=None, pf=v, fit_intercept=fit_intercept,
                   tol=1e-10)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_l1_unpenalized_features_match_reduced_lasso(data, fit_intercept, weighted):
    """v_j = 0: the penalized coefficients solve the lasso on data residualized (weighted
    least squares) on [1, X_U]; the unpenalized ones and the intercept are then the weighted
    least-squares fit of y - X_P w_P on [1, X_U]. Solved here with sklearn's Lasso."""
    X, y = DATA[data]()
    n, p = X.shape
    sw = _weights(n, seed=7) if weighted else np.ones(n)
    v = np.random.default_rng(6).uniform(0.5, 2.0, p)
    unpen = np.zeros(p, dtype=bool)
    unpen[[0, 3]] = True
    v[unpen] = 0.0
    alpha = 0.05 * alpha_max(X, y, fit_intercept=fit_intercept, sample_weight=sw,
                             penalty_factor=v)
    est = L1Regressor(alpha, penalty_factor=v, fit_intercept=fit_intercept, **TIGHT)
    est.fit(X, y, sample_weight=sw)

    sq = np.sqrt(sw)
    B = np.column_stack(([np.ones(n)] if fit_intercept else []) + [X[:, unpen]])
    Bt = sq[:, None] * B

    def resid(M):
        return M - Bt @ np.linalg.lstsq(Bt, M, rcond=None)[0]

    Xr = resid(sq[:, None] * X[:, ~unpen]) / v[~unpen]
    yr = resid(sq * y)
    # 1/(2S)||yr - Xr u||^2 = 1/(2n) * (n/S)||...||^2: sklearn's alpha is alpha * S / n
    S = sw.sum()
    sk = _sk_fit(Lasso(alpha=alpha * S / n, fit_intercept=False, **SK_TIGHT), Xr, yr, None)
    w = np.zeros(p)
    w[~unpen] = sk.coef_ / v[~unpen]
    rest = np.linalg.lstsq(Bt, sq * (y - X[:, ~unpen] @ w[~unpen]), rcond=None)[0]
    w[unpen] = rest[1:] if fit_intercept else rest
    sk.coef_, sk.intercept_ = w, (rest[0] if fit_intercept else 0.0)
    _check_against(X, y, alpha, 1.0, est, sk, sw=sw, pf=v, fit_intercept=fit_intercept,
                   tol=1e-10)
    assert np.all(est.coef_[unpen] != 0)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
def test_sparse_input_matches_sklearn_lasso(data):
    X, y = DATA[data]()
    X = X * (np.random.default_rng(2).random(X.shape) < 0.4)
    Xs = sp.csc_matrix(X)
    alpha = 0.05 * alpha_max(Xs, y)
    est = L1Regressor(alpha, **TIGHT).fit(Xs, y)
    sk = _sk_fit(Lasso(alpha=alpha, **SK_TIGHT), Xs, y, None)
    _check_against(X, y, alpha, 1.0, est, sk, sw=None, fit_intercept=True, tol=1e-10)


def test_alpha_max_on_diabetes():
    X, y = _diabetes()
    n = len(y)
    assert alpha_max(X, y) == pytest.approx(np.max(np.abs(X.T @ (y - y.mean()))) / n,
                                            rel=1e-12)
    assert alpha_max(X, y, fit_intercept=False) == pytest.approx(
        np.max(np.abs(X.T @ y)) / n, rel=1e-12)
    assert alpha_max(X, y, l1_ratio=0.25) == pytest.approx(4 * alpha_max(X, y), rel=1e-12)
    sw = _weights(n)
    ybar = sw @ y / sw.sum()
    assert alpha_max(X, y, sample_weight=sw) == pytest.approx(
        np.max(np.abs(X.T @ (sw * (y - ybar)))) / sw.sum(), rel=1e-12)
    # sklearn's own path starts at the same alpha_max
    from sklearn.linear_model import lasso_path
    alphas, _, _ = lasso_path(X, y - y.mean(), alphas=3)
    assert alphas[0] == pytest.approx(alpha_max(X, y), rel=1e-10)


def test_alpha_zero_is_least_squares():
    X, y = _diabetes()
    ols = LinearRegression().fit(X, y)
    est = L2Regressor(0.0).fit(X, y)  # closed form
    rtol = _closed_form_rtol(X, 0.0, None, None, True)
    np.testing.assert_allclose(est.coef_, ols.coef_, rtol=0,
                               atol=rtol * np.linalg.norm(ols.coef_))
    with pytest.warns(UserWarning, match="alpha=0"):  # as Lasso's (see below)
        est = L1Regressor(0.0, tol=1e-12, max_iter=100_000).fit(X, y)  # iterative
    assert_same_minimizer(X, y, 0.0, 1.0, [as_candidate(est), (ols.coef_, ols.intercept_)],
                          sw=None, pf=None, fit_intercept=True)


def _alpha_zero_warnings(model, X, y):
    """The UserWarnings about alpha=0 that fitting ``model`` emits."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)  # Lasso's own at alpha=0
        model.fit(X, y)
    return [w for w in caught if w.category is UserWarning and "alpha=0" in str(w.message)]


@pytest.mark.parametrize("ours, theirs", [
    (ElasticNetRegressor(0.0, l1_ratio=0.5, tol=1e-12, max_iter=100_000), ElasticNet(0.0)),
    (ElasticNetRegressor(0.0, l1_ratio=0.0, tol=1e-12, max_iter=100_000),
     ElasticNet(0.0, l1_ratio=0.0)),
    (L1Regressor(0.0, tol=1e-12, max_iter=100_000), Lasso(0.0)),
    (L2Regressor(0.0), Ridge(0.0)),
], ids=["enet", "enet_l1_ratio_0", "l1", "l2"])
def test_alpha_zero_warns_where_sklearn_does(ours, theirs):
    """scikit-learn's Lasso and ElasticNet warn at alpha=0 (whatever l1_ratio) and Ridge does
    not: sparsereg's counterparts do the same, with a message that names the parameter and
    the fix, pointing at the caller's line; the fit still gives least squares."""
    X, y = _diabetes()
    expected = bool(_alpha_zero_warnings(theirs, X, y))
    assert expected == (not isinstance(theirs, Ridge))  # what scikit-learn does today
    caught = _alpha_zero_warnings(ours, X, y)
    assert bool(caught) == expected
    if caught:
        assert len(caught) == 1
        message = str(caught[0].message)
        assert f"{type(ours).__name__}(alpha=0)" in message and "alpha > 0" in message
        assert "LinearRegression" in message and "L2Regressor(alpha=0)" in message
        assert caught[0].filename == __file__  # the user's fit call, not sparsereg's code
    ols = LinearRegression().fit(X, y)
    assert_same_minimizer(X, y, 0.0, 1.0, [as_candidate(ours), (ols.coef_, ols.intercept_)],
                          sw=None, pf=None, fit_intercept=True)


# ----------------------------------------------------------------------------------------
# Ridge: L2Regressor(alpha) == Ridge(alpha * S)


def _closed_form_rtol(X, alpha, sw, pf, fit_intercept):
    """Relative accuracy to expect from a backward-stable SPD solve: 1e3 * kappa * eps."""
    Xc = ref.centered_scaled(X, sw, fit_intercept)
    S = ref.weights_or_ones(sw, Xc.shape[0]).sum()
    v = ref.pf_or_ones(pf, Xc.shape[1])
    ev = np.linalg.eigvalsh(Xc.T @ Xc / S + alpha * np.diag(v))
    if Xc.shape[1] > Xc.shape[0] and np.all(v > 0):  # the dual system is better conditioned
        K = Xc @ np.diag(1 / (alpha * v)) @ Xc.T
        evk = np.linalg.eigvalsh(K + S * np.eye(K.shape[0]))
        return 1e3 * np.finfo(float).eps * evk.max() / evk.min()
    return 1e3 * np.finfo(float).eps * ev.max() / ev.min()


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "gradient"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [1e-3, 0.1, 10.0])
def test_l2_matches_sklearn_ridge(data, solver, fit_intercept, weighted, alpha):
    X, y = DATA[data]()
    n = len(y)
    sw = _weights(n) if weighted else None
    S = n if sw is None else sw.sum()
    est = L2Regressor(alpha, fit_intercept=fit_intercept, solver=solver, tol=1e-13,
                      max_iter=200_000).fit(X, y, sample_weight=sw)
    sk = Ridge(alpha=alpha * S, fit_intercept=fit_intercept, solver="cholesky")
    sk.fit(X, y, sample_weight=sw)
    # "auto" is documented to use conjugate gradient for dense X with p >= 4n (the wide data),
    # Cholesky otherwise
    iterative = solver == "gradient" or (solver == "auto" and X.shape[1] >= 4 * X.shape[0])
    if iterative:
        assert est.n_iter_ > 1  # (a closed form reports 1)
        _check_against(X, y, alpha, 0.0, est, sk, sw=sw, fit_intercept=fit_intercept,
                       tol=1e-13)
    else:
        assert est.n_iter_ == 1  # closed form: n_iter_ == 1 (docs/user_guide.rst, L2 solvers)
        rtol = _closed_form_rtol(X, alpha, sw, None, fit_intercept)
        np.testing.assert_allclose(est.coef_, sk.coef_, rtol=0,
                                   atol=rtol * np.linalg.norm(sk.coef_))
        assert est.intercept_ == pytest.approx(sk.intercept_, abs=rtol * (
            abs(sk.intercept_) + np.abs(X).max() * np.linalg.norm(sk.coef_)))
        gap = ref.dual_gap(X, y, est.coef_, est.intercept_, alpha, 0.0, sample_weight=sw,
                           fit_intercept=fit_intercept)[0]
        assert gap <= (1e-12 + rtol) * ref.null_objective(y, sw, fit_intercept)
    assert est.n_nonzero_ == X.shape[1] and est.sparsity_ == 0.0
    assert 0.0 <= est.dual_gap_ <= 1e-13 * ref.null_objective(y, sw, fit_intercept) * 1.0001 \
        + 1e-12 * ref.null_objective(y, sw, fit_intercept)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "gradient"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_l2_penalty_factor_with_zeros_matches_closed_form(data, solver, fit_intercept,
                                                          weighted):
    X, y = DATA[data]()
    n, p = X.shape
    sw = _weights(n, seed=4) if weighted else None
    v = np.random.default_rng(8).uniform(0.2, 3.0, p)
    v[[1, 4, 7]] = 0.0
    alpha = 0.3
    est = L2Regressor(alpha, penalty_factor=v, fit_intercept=fit_intercept, solver=solver,
                      tol=1e-13, max_iter=200_000).fit(X, y, sample_weight=sw)
    w, b = ref.ridge_closed_form(X, y, alpha, sample_weight=sw, penalty_factor=v,
                                 fit_intercept=fit_intercept)
    if solver == "gradient" or est.n_iter_ > 1:  # iterative ("auto" may pick CG when p >= 4n)
        assert_same_minimizer(X, y, alpha, 0.0, [as_candidate(est), (w, b)], sw=sw, pf=v,
                              fit_intercept=fit_intercept)
    else:
        rtol = _closed_form_rtol(X, alpha, sw, v, fit_intercept)
        np.testing.assert_allclose(est.coef_, w, rtol=0, atol=rtol * np.linalg.norm(w))
        assert est.intercept_ == pytest.approx(b, abs=rtol * (abs(b) + np.abs(X).max()
                                                              * np.linalg.norm(w)))
    assert np.all(est.coef_ != 0)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_l2_positive_penalty_factor_matches_column_scaled_ridge(fit_intercept):
    """v_j > 0: ridge on x_j / sqrt(v_j) has coefficients u_j = sqrt(v_j) w_j."""
    for X, y in (_diabetes(), _wide()):
        v = np.random.default_rng(9).uniform(0.2, 3.0, X.shape[1])
        for solver in ("cholesky", "svd"):
            est = L2Regressor(0.05, penalty_factor=v, fit_intercept=fit_intercept,
                              solver=solver).fit(X, y)
            sk = Ridge(alpha=0.05 * len(y), fit_intercept=fit_intercept,
                       solver="cholesky").fit(X / np.sqrt(v), y)
            rtol = _closed_form_rtol(X, 0.05, None, v, fit_intercept)
            np.testing.assert_allclose(est.coef_, sk.coef_ / np.sqrt(v), rtol=0,
                                       atol=rtol * np.linalg.norm(est.coef_))


def test_l2_wide_uses_dual_and_matches_primal_solution():
    """p > n (the dual n x n Cholesky path) agrees with the p x p normal equations."""
    X, y = _wide(seed=11, n=25, p=120)
    sw = _weights(25, seed=12)
    for alpha in (1e-4, 1e-2, 1.0):
        est = L2Regressor(alpha, solver="cholesky").fit(X, y, sample_weight=sw)
        w, b = ref.ridge_closed_form(X, y, alpha, sample_weight=sw)
        rtol = _closed_form_rtol(X, alpha, sw, None, True)
        np.testing.assert_allclose(est.coef_, w, rtol=0,
                                   atol=max(rtol, 1e-9) * np.linalg.norm(w))
        assert est.intercept_ == pytest.approx(b, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("data", ["diabetes", "wide"])
def test_svd_handles_unpenalized_features(data):
    """solver="svd" solves the unpenalized features out exactly (Schur complement)."""
    X, y = DATA[data]()
    v = np.ones(X.shape[1])
    v[[0, 3]] = 0
    est = L2Regressor(0.1, penalty_factor=v, solver="svd").fit(X, y)
    w, b = ref.ridge_closed_form(X, y, 0.1, penalty_factor=v)
    rtol = _closed_form_rtol(X, 0.1, None, v, True)
    np.testing.assert_allclose(est.coef_, w, rtol=0, atol=rtol * np.linalg.norm(w))
    assert est.intercept_ == pytest.approx(b, abs=rtol * (abs(b) + np.abs(X).max()
                                                          * np.linalg.norm(w)))
