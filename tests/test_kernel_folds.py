"""Wide ridge without copies of X (issue 11): k-fold CV errors from one n x n kernel
(``_kernel_folds``) and the refit's dual form held as factors (``_ridge_dual.DualMapping``),
against scikit-learn's Ridge refitted on every fold and against the normal equations."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, ShuffleSplit

from sparsereg import L2Regressor, L2RegressorCV
from sparsereg._kernel_folds import kernel_folds_suffice


def _wide(sparse, seed=0, n=60, p=200):
    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.1, random_state=seed, format="csc") * 3.0
    else:  # columns with offsets far above their spread: centring must not cancel
        X = rng.standard_normal((n, p)) + 50.0 * rng.standard_normal(p)
    return X, rng.standard_normal(n) + 7.0, rng.uniform(0.5, 2.0, n)


def _refit_errors(X, y, sw, folds, alphas, fit_intercept):
    """Held-out weighted MSE of scikit-learn's Ridge refitted on every training fold."""
    errors = np.zeros((len(alphas), len(folds)))
    for k, (train, test) in enumerate(folds):
        s = np.ones(len(train)) if sw is None else sw[train]
        t = np.ones(len(test)) if sw is None else sw[test]
        for i, alpha in enumerate(alphas):
            # sparsereg's alpha a on S = sum(s) is Ridge(alpha=a * S)
            model = Ridge(alpha=alpha * s.sum(), fit_intercept=fit_intercept,
                          solver="auto" if sp.issparse(X) else "svd", tol=1e-12)
            model.fit(X[train], y[train], sample_weight=s)
            errors[i, k] = t @ (y[test] - model.predict(X[test])) ** 2 / t.sum()
    return errors


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cv", [KFold(4, shuffle=True, random_state=0),
                                ShuffleSplit(3, test_size=0.3, random_state=1)])
def test_kernel_fold_errors_match_refits(sparse, fit_intercept, weighted, cv):
    X, y, sw = _wide(sparse)
    sw = sw if weighted else None
    alphas = np.geomspace(10.0, 1e-3, 7)
    assert kernel_folds_suffice(X, 45, 0.0, "auto", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid-edge warnings: beside the point here
        model = L2RegressorCV(alphas=alphas, cv=cv, fit_intercept=fit_intercept)
        model.fit(X, y, sample_weight=sw)
    expected = _refit_errors(X, y, sw, list(cv.split(X)), alphas, fit_intercept)
    np.testing.assert_allclose(model.mse_path_, expected, rtol=1e-9)


def test_kernel_folds_only_where_they_apply():
    X = np.zeros((50, 100))
    assert not kernel_folds_suffice(X, 40, 0.5, "auto", None)  # not ridge
    assert not kernel_folds_suffice(X, 40, 0.0, "cg", None)  # an iterative solver asked for
    assert not kernel_folds_suffice(X, 40, 0.0, "auto", np.r_[0.0, np.ones(99)])
    assert not kernel_folds_suffice(np.zeros((50, 30)), 40, 0.0, "auto", None)  # n > p


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("factors", [False, True])
def test_wide_dense_ridge_is_the_normal_equations_solution(weighted, factors):
    X, y, sw = _wide(False, seed=3)
    sw = sw if weighted else np.ones(len(y))
    v = np.random.default_rng(4).uniform(0.5, 2.0, X.shape[1]) if factors else None
    alpha = 0.3
    S = sw.sum()
    m, y_mean = sw @ X / S, sw @ y / S
    Xc, yc = X - m, y - y_mean
    penalty = alpha * S * (np.ones(X.shape[1]) if v is None else v)
    exact = np.linalg.solve(Xc.T @ (sw[:, None] * Xc) + np.diag(penalty), Xc.T @ (sw * yc))
    model = L2Regressor(alpha=alpha, solver="svd", penalty_factor=v).fit(X, y,
                                                                        sample_weight=sw)
    np.testing.assert_allclose(model.coef_, exact, rtol=1e-8, atol=1e-10 * np.abs(exact).max())
    np.testing.assert_allclose(model.intercept_, y_mean - m @ exact, rtol=1e-8)


def test_wide_ridge_cv_holds_no_copy_of_x():
    rng = np.random.default_rng(5)
    X = np.asfortranarray(rng.standard_normal((300, 20_000)))  # 48 MB
    y = X[:, :10].sum(axis=1) + rng.standard_normal(300)
    alphas = np.geomspace(1e2, 1e-2, 10)
    L2RegressorCV(alphas=alphas, cv=KFold(5)).fit(X[:30, :200], y[:30])  # compile
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            L2RegressorCV(alphas=alphas, cv=KFold(5)).fit(X, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # a fold's rows alone are 80 % of X; the kernel, blocks and factors are a few MB
    assert peak < 0.5 * X.nbytes
