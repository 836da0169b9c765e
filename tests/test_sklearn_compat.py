"""scikit-learn compliance: every public estimator passes the estimator checks."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.datasets import make_regression
from sklearn.linear_model import Lasso
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import _reference as ref
import sparsereg


def all_estimators():
    """Every public estimator class of sparsereg, found automatically."""
    return [obj for name, obj in inspect.getmembers(sparsereg, inspect.isclass)
            if issubclass(obj, BaseEstimator) and not name.startswith("_")]


def test_estimators_are_discovered():
    names = {cls.__name__ for cls in all_estimators()}
    assert {"L1Regressor", "L2Regressor", "ElasticNetRegressor"} <= names


@parametrize_with_checks([cls() for cls in all_estimators()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def make(cls):
    """A small-alpha instance (CV estimators choose alpha themselves)."""
    est = cls()
    if "alpha" in est.get_params():
        est.set_params(alpha=0.05 if is_classifier(est) else 0.5)
    return est


@pytest.fixture(scope="module")
def regression_data():
    X, y = make_regression(n_samples=80, n_features=12, n_informative=4, noise=1.0,
                           random_state=0)
    return X * np.linspace(0.5, 5, 12), y + 3.0


GRID = [0.01, 0.1, 1.0, 10.0]
# Mean CV R^2 of two tight solves of the same folds agree to ~1e-12 (measured: 1.4e-12). The
# same pipeline at the default tol=1e-4 is off by up to 1.3e-6, and the two best grid points
# differ by 8.6e-7: a tolerance of 1e-9 tells them apart and leaves the choice to the data.
SCORE_ATOL = 1e-9


def test_pipeline_in_grid_search(regression_data):
    """GridSearchCV over Pipeline(StandardScaler, L1Regressor) scores every alpha as the same
    3-fold CV does with scikit-learn's Lasso (the same objective at the same alpha), picks the
    same alpha, and refits Lasso's solution on the scaled data, sparse where the data are."""
    X, y = regression_data
    model = sparsereg.L1Regressor(tol=1e-10, max_iter=100_000)
    pipe = Pipeline([("scale", StandardScaler()), ("model", model)])
    search = GridSearchCV(pipe, {"model__alpha": GRID}, cv=3).fit(X, y)

    # The same CV, computed independently: cv=3 is KFold(3) for a regressor, the scaler is
    # fitted on each training fold, and the score is R^2 on the held-out fold.
    expected = []
    for alpha in GRID:
        scores = []
        for train, test in KFold(3).split(X):
            scaler = StandardScaler().fit(X[train])
            lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=1_000_000)
            lasso.fit(scaler.transform(X[train]), y[train])
            scores.append(r2_score(y[test], lasso.predict(scaler.transform(X[test]))))
        expected.append(np.mean(scores))
    expected = np.array(expected)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=0,
                               atol=SCORE_ATOL)
    runner_up, top = np.sort(expected)[-2:]
    assert top - runner_up > 100 * SCORE_ATOL  # the data decide the choice, not round-off
    alpha = GRID[int(np.argmax(expected))]
    assert search.best_params_["model__alpha"] == alpha
    assert search.best_score_ == pytest.approx(top, abs=SCORE_ATOL)
    assert search.best_score_ > 0.9

    # The refit on all rows is Lasso's minimiser on the same scaled data, within the distance
    # that the two independently computed duality gaps allow: the scaled design has full
    # column rank, so min_b P is mu-strongly convex and ||w - w*|| <= sqrt(2 G / mu).
    best = search.best_estimator_.named_steps["model"]
    Z = StandardScaler().fit_transform(X)
    lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=1_000_000).fit(Z, y)
    gaps = [ref.dual_gap(Z, y, w, b, alpha, 1.0)[0] + ref.gap_floor(y)
            for w, b in ((best.coef_, best.intercept_), (lasso.coef_, lasso.intercept_))]
    mu = ref.strong_convexity(Z, alpha, 1.0)
    assert mu > 0
    bound = sum(np.sqrt(2 * g / mu) for g in gaps)  # ~9e-4 here; coefficients reach 108
    assert np.linalg.norm(best.coef_ - lasso.coef_) <= bound
    # Z's columns have mean 0, so b is the mean fitted value: |b - b*| <= sqrt(2 G)
    assert abs(best.intercept_ - lasso.intercept_) <= sum(np.sqrt(2 * g) for g in gaps)

    # Sparsity where the data make it so: at Lasso's solution every zero coefficient has a
    # correlation well inside the threshold alpha (<= 0.83 alpha here, a margin far above what
    # the gaps allow), and every nonzero one is far above the bound, so the support is
    # determined; 7 of the 12 features on these data.
    zero = lasso.coef_ == 0
    corr = np.abs(Z.T @ (y - Z @ lasso.coef_ - lasso.intercept_)) / len(y)
    assert zero.any() and corr[zero].max() < 0.9 * alpha
    assert np.abs(lasso.coef_[~zero]).min() > 10 * bound
    np.testing.assert_array_equal(best.coef_ != 0, ~zero)
    assert best.n_nonzero_ == np.count_nonzero(~zero) < X.shape[1]


def data_for(cls, regression_data):
    """The regression data, with y split at its median into two classes for classifiers."""
    X, y = regression_data
    return (X, np.where(y > np.median(y), "high", "low")) if is_classifier(cls()) else (X, y)


@pytest.mark.parametrize("cls", all_estimators())
def test_clone_and_pickle_round_trip(cls, regression_data):
    X, y = data_for(cls, regression_data)
    est = make(cls).fit(X, y)
    expected = est.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), expected)
    np.testing.assert_array_equal(clone(est).fit(X, y).predict(X), expected)


@pytest.mark.parametrize("cls", all_estimators())
def test_read_only_memmap_input(cls, regression_data, tmp_path):
    X, y = data_for(cls, regression_data)
    path = tmp_path / "X.npy"
    np.save(path, np.asfortranarray(X))
    X_mm = np.load(path, mmap_mode="r")
    est = make(cls).fit(X_mm, y)
    if is_classifier(est):  # labels: compare the scores behind them
        np.testing.assert_allclose(est.decision_function(X_mm),
                                   make(cls).fit(X, y).decision_function(X),
                                   rtol=1e-10, atol=1e-10)
        return
    np.testing.assert_allclose(est.predict(X_mm), make(cls).fit(X, y).predict(X),
                               rtol=1e-10, atol=1e-10)
