"""scikit-learn compliance: every public estimator passes the estimator checks."""

import inspect
import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

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
        est.set_params(alpha=0.5)
    return est


@pytest.fixture(scope="module")
def regression_data():
    X, y = make_regression(n_samples=80, n_features=12, n_informative=4, noise=1.0,
                           random_state=0)
    return X * np.linspace(0.5, 5, 12), y + 3.0


def test_pipeline_in_grid_search(regression_data):
    X, y = regression_data
    pipe = Pipeline([("scale", StandardScaler()), ("model", sparsereg.L1Regressor())])
    search = GridSearchCV(pipe, {"model__alpha": [0.01, 0.1, 1.0, 10.0]}, cv=3).fit(X, y)
    assert search.best_params_["model__alpha"] in (0.01, 0.1, 1.0, 10.0)
    best = search.best_estimator_.named_steps["model"]
    assert best.n_nonzero_ <= X.shape[1]
    assert search.best_score_ > 0.9


@pytest.mark.parametrize("cls", all_estimators())
def test_clone_and_pickle_round_trip(cls, regression_data):
    X, y = regression_data
    est = make(cls).fit(X, y)
    expected = est.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).predict(X), expected)
    np.testing.assert_array_equal(clone(est).fit(X, y).predict(X), expected)


@pytest.mark.parametrize("cls", all_estimators())
def test_read_only_memmap_input(cls, regression_data, tmp_path):
    X, y = regression_data
    path = tmp_path / "X.npy"
    np.save(path, np.asfortranarray(X))
    X_mm = np.load(path, mmap_mode="r")
    est = make(cls).fit(X_mm, y)
    np.testing.assert_allclose(est.predict(X_mm), make(cls).fit(X, y).predict(X),
                               rtol=1e-10, atol=1e-10)
