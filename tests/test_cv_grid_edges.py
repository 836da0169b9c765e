"""Every CV estimator warns when its best alpha sits at an end of the grid with the
cross-validated error still falling there (the optimum may lie outside the grid).

The references are independent: scikit-learn's ``RidgeCV`` leave-one-out errors locate the
diabetes optimum (alpha about 8e-6 on sparsereg's scale), and data whose labels or targets
are pure noise have their optimum at the null model, above any grid of small alphas.
"""

import warnings

import numpy as np
import pytest

import sparsereg
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import RidgeCV

from sparsereg import (
    ElasticNetClassifierCV,
    ElasticNetRegressorCV,
    L1ClassifierCV,
    L1RegressorCV,
    L2ClassifierCV,
    L2RegressorCV,
)


def edge_warnings(est, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    return [str(w.message) for w in caught if issubclass(w.category, UserWarning)
            and "of the grid" in str(w.message)]


def test_diabetes_ridge_optimum_lies_below_a_short_grid():
    X, y = load_diabetes(return_X_y=True)
    n = X.shape[0]
    # scikit-learn's exact leave-one-out on a wide grid: the optimum is far below 1e-2
    wide = np.geomspace(1e3, 1e-9, 121)
    best = RidgeCV(alphas=wide * n).fit(X, y).alpha_ / n
    assert 1e-7 < best < 1e-4
    short = np.geomspace(1e3, 1e-2, 30)
    messages = edge_warnings(L2RegressorCV(alphas=short), X, y)
    assert len(messages) == 1 and "smallest of the grid" in messages[0]
    assert "smaller eps" in messages[0] and f"{short[-1]:.4g}" in messages[0]
    # a grid that contains the optimum: interior choice, no warning
    model = L2RegressorCV(alphas=wide)
    assert edge_warnings(model, X, y) == []
    assert 0 < np.flatnonzero(wide == model.alpha_)[0] < len(wide) - 1
    assert model.alpha_ == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("cls, top", [(L1RegressorCV, 0.1), (ElasticNetRegressorCV, 0.2),
                                      (L2RegressorCV, 0.3)])
def test_noise_target_optimum_lies_above_a_grid_of_small_alphas(cls, top):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 30))
    y = rng.standard_normal(60)  # no signal: the more shrinkage the better
    assert top < sparsereg.alpha_max(X, y)  # (about 0.36): the grid's top is not the null
    low = np.geomspace(top, top / 100, 12)
    messages = edge_warnings(cls(alphas=low, cv=5), X, y)
    assert len(messages) == 1 and "largest of the grid" in messages[0], messages


@pytest.mark.parametrize("cls", [L1RegressorCV, ElasticNetRegressorCV])
def test_automatic_l1_grid_top_is_the_null_model_so_no_warning(cls):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 30))
    y = rng.standard_normal(60)  # 30 noise features, 60 samples: the null model is best
    model = cls(cv=5, alphas=20)
    assert edge_warnings(model, X, y) == []
    assert model.alpha_ == model.alphas_[0]  # chosen at the top, which is alpha_max


def test_default_lasso_cv_on_diabetes_does_not_warn():
    X, y = load_diabetes(return_X_y=True)
    model = L1RegressorCV()
    assert edge_warnings(model, X, y) == []
    assert 0 < np.flatnonzero(model.alphas_ == model.alpha_min_)[0] < len(model.alphas_) - 1


def test_wide_interpolating_data_names_the_limit_alpha_zero():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 200))
    y = X @ rng.standard_normal(200)  # noise-free, p > n: interpolation predicts best
    messages = edge_warnings(L2RegressorCV(alphas=np.geomspace(100, 0.1, 20)), X, y)
    assert len(messages) == 1 and "smallest of the grid" in messages[0]
    assert "limit alpha -> 0" in messages[0]
    # the default grid reaches the flat approach to that limit: nothing to warn about
    model = L2RegressorCV()
    assert edge_warnings(model, X, y) == []
    mean = model.mse_mean_
    assert abs(mean[-1] - mean.min()) <= 1e-3 * mean.min()


@pytest.mark.parametrize("cls", [L1ClassifierCV, ElasticNetClassifierCV, L2ClassifierCV])
def test_classifiers_warn_at_both_edges(cls):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 40))
    y = rng.integers(0, 2, 200)  # noise labels: the null model is best
    messages = edge_warnings(cls(alphas=np.geomspace(1e-3, 1e-5, 8)), X, y)
    assert len(messages) == 1 and "largest of the grid" in messages[0], messages
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xb = (Xb - Xb.mean(0)) / Xb.std(0)
    high = np.geomspace(0.3, 0.05, 6)  # far above the held-out deviance's optimum
    messages = edge_warnings(cls(alphas=high), Xb, yb)
    assert len(messages) == 1 and "smallest of the grid" in messages[0], messages


def test_automatic_logistic_l1_grid_top_is_the_null_model_so_no_warning():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 40))
    y = rng.integers(0, 2, 200)
    model = L1ClassifierCV(alphas=10)
    assert edge_warnings(model, X, y) == []
    assert model.alpha_ == model.alphas_[0]
