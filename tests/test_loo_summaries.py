"""Cross-validation results are summaries (issue 11, item 3): every regressor CV estimator
keeps ``mse_mean_`` and ``mse_se_`` per alpha, exact leave-one-out keeps nothing of size
n_samples unless ``store_cv_results=True``, and selection reads only the summaries.

The references are independent of sparsereg: leave-one-out by refitting ridge n times with
``np.linalg.solve``, and numpy means and standard deviations of the per-fold arrays.
"""

import pickle

import numpy as np
import scipy.sparse as sp
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import KFold

from sparsereg import (ElasticNetClassifierCV, ElasticNetRegressorCV, L1ClassifierCV,
                       L1RegressorCV, L2RegressorCV)


def data(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.normal(0.0, 2.0, p)
    y = X @ rng.standard_normal(p) + 2.0 * rng.standard_normal(n) + 1.5
    return X, y


def brute_force_loo(X, y, alpha, sw=None):
    """Leave-one-out values ``n s_i e_i^2 / S`` of ridge with an intercept at sparsereg's
    alpha (full-data sum-scale penalty ``alpha * S``), refitting without each row in turn."""
    n, p = X.shape
    s = np.ones(n) if sw is None else sw
    S = s.sum()
    values = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk, sk = X[keep], y[keep], s[keep]
        mx, my = sk @ Xk / sk.sum(), sk @ yk / sk.sum()
        Xc = Xk - mx
        w = np.linalg.solve(Xc.T @ (sk[:, None] * Xc) + alpha * S * np.eye(p),
                            Xc.T @ (sk * (yk - my)))
        e = y[i] - my - (X[i] - mx) @ w
        values[i] = n * s[i] * e * e / S
    return values


def mean_se(values, axis=-1):
    k = values.shape[axis]
    return values.mean(axis=axis), values.std(axis=axis, ddof=1) / np.sqrt(k)


@pytest.mark.parametrize("weighted", [False, True])
def test_loo_summaries_equal_brute_force_leave_one_out(weighted):
    X, y = data(40, 5, seed=1)
    sw = np.random.default_rng(2).uniform(0.3, 3.0, 40) if weighted else None
    alphas = np.array([3.0, 0.3, 0.03, 0.003])
    model = L2RegressorCV(alphas=alphas).fit(X, y, sample_weight=sw)
    assert model.mse_path_ is None
    assert model.mse_mean_.shape == model.mse_se_.shape == (4,)
    reference = np.array([brute_force_loo(X, y, a, sw) for a in alphas])
    mean, se = mean_se(reference)
    np.testing.assert_allclose(model.mse_mean_, mean, rtol=1e-9)
    np.testing.assert_allclose(model.mse_se_, se, rtol=1e-9)
    # the per-sample errors on request: the same values, whose mean and s.e. are the summaries
    stored = L2RegressorCV(alphas=alphas, store_cv_results=True).fit(X, y, sample_weight=sw)
    assert stored.mse_path_.shape == (4, 40)
    np.testing.assert_allclose(stored.mse_path_, reference, rtol=1e-9)
    mean, se = mean_se(stored.mse_path_)
    np.testing.assert_allclose(stored.mse_mean_, mean, rtol=1e-13)
    np.testing.assert_allclose(stored.mse_se_, se, rtol=1e-13)
    np.testing.assert_array_equal(stored.mse_mean_, model.mse_mean_)
    np.testing.assert_array_equal(stored.mse_se_, model.mse_se_)


@pytest.mark.parametrize("selection", ["min", "1se"])
def test_loo_selection_unchanged_by_store_cv_results(selection):
    X, y = data(120, 8, seed=3)
    plain = L2RegressorCV(selection=selection).fit(X, y)
    stored = L2RegressorCV(selection=selection, store_cv_results=True).fit(X, y)
    assert (plain.alpha_, plain.alpha_min_, plain.alpha_1se_) == \
        (stored.alpha_, stored.alpha_min_, stored.alpha_1se_)
    np.testing.assert_array_equal(plain.coef_, stored.coef_)
    # the 1-SE rule from the stored errors, with numpy: the same choices
    mean, se = mean_se(stored.mse_path_)
    best = int(np.argmin(mean))
    one_se = int(np.flatnonzero(mean <= mean[best] + se[best])[0])
    assert (plain.alpha_min_, plain.alpha_1se_) == (plain.alphas_[best], plain.alphas_[one_se])
    assert plain.alpha_1se_ > plain.alpha_min_  # the rule matters on these data


@pytest.mark.parametrize("make", [
    lambda: L1RegressorCV(alphas=20, cv=KFold(4, shuffle=True, random_state=0)),
    lambda: ElasticNetRegressorCV(l1_ratio=0.5, alphas=20, cv=3, relax=[0.0, 1.0]),
    lambda: ElasticNetRegressorCV(l1_ratio=[0.2, 0.9], alphas=15, cv=5),
    lambda: L2RegressorCV(alphas=20, cv=KFold(6, shuffle=True, random_state=1)),
    lambda: L2RegressorCV(alphas=20, cv=4, store_cv_results=True),
], ids=["l1", "enet-relax", "enet-ratios", "l2-kfold", "l2-kfold-store"])
def test_kfold_summaries_are_mean_and_se_of_mse_path(make):
    X, y = data(90, 12, seed=4)
    model = make().fit(X, y)
    mean, se = mean_se(model.mse_path_)
    assert model.mse_mean_.shape == model.mse_se_.shape == model.alphas_.shape
    np.testing.assert_array_equal(model.mse_mean_, mean)
    np.testing.assert_allclose(model.mse_se_, se, rtol=1e-14)
    k = int(np.flatnonzero(model.alphas_.ravel() == model.alpha_min_)[0])
    assert mean.ravel()[k] == mean.min()


def test_store_cv_results_changes_nothing_with_kfold():
    X, y = data(80, 6, seed=5)
    plain = L2RegressorCV(alphas=15, cv=5).fit(X, y)
    stored = L2RegressorCV(alphas=15, cv=5, store_cv_results=True).fit(X, y)
    assert plain.mse_path_.shape == (15, 5)
    for name in ("mse_path_", "mse_mean_", "mse_se_", "coef_"):
        np.testing.assert_array_equal(getattr(plain, name), getattr(stored, name))
    assert plain.alpha_ == stored.alpha_


def test_classifier_summaries_are_mean_and_se_of_score_path():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    for model in (L1ClassifierCV(alphas=8, cv=3, selection="1se"),
                  ElasticNetClassifierCV(l1_ratio=[0.5, 1.0], alphas=6, cv=3,
                                         scoring="accuracy")):
        model.fit(X[:, :8], y)
        mean, se = mean_se(model.score_path_)
        np.testing.assert_array_equal(model.score_mean_, mean)
        np.testing.assert_allclose(model.score_se_, se, rtol=1e-14)


def _fitted_arrays(obj, prefix=""):
    """Every ndarray held by ``obj``'s attributes (one level into ``path_``)."""
    for name, value in vars(obj).items():
        if isinstance(value, np.ndarray):
            yield prefix + name, value
        elif name == "path_":
            yield from _fitted_arrays(value, "path_.")


def test_fitted_leave_one_out_size_does_not_grow_with_n():
    sizes, stored_sizes = {}, {}
    for n in (2_000, 40_000):
        X, y = data(n, 10, seed=6)
        model = L2RegressorCV().fit(X, y)
        assert model.mse_path_ is None
        for name, value in _fitted_arrays(model):  # path_ included: per alpha, not per sample
            assert n not in value.shape and value.size < 2_000, (name, value.shape)
        sizes[n] = len(pickle.dumps(model))
        stored = L2RegressorCV(store_cv_results=True).fit(X, y)
        assert stored.mse_path_.shape == (100, n)
        stored_sizes[n] = len(pickle.dumps(stored))
    assert sizes[40_000] < 1.2 * sizes[2_000] + 4096, sizes
    assert sizes[2_000] < 100_000, sizes
    # sanity: the per-sample errors are what grows
    assert stored_sizes[40_000] > 15 * stored_sizes[2_000], stored_sizes


def test_enet_ratio_list_with_leave_one_out_ridge():
    """cv=None scores an l1_ratio of 0 by leave-one-out and the others by 5 folds: the
    summaries stack (the per-fold arrays, n_samples against 5 columns, do not)."""
    X, y = data(60, 6, seed=7)
    alphas = np.geomspace(2.0, 0.002, 12)
    model = ElasticNetRegressorCV(l1_ratio=[0.0, 0.5], alphas=alphas, cv=None).fit(X, y)
    assert model.mse_path_ is None
    assert model.mse_mean_.shape == model.mse_se_.shape == (2, 12)
    ridge = L2RegressorCV(alphas=alphas).fit(X, y)
    np.testing.assert_allclose(model.mse_mean_[0], ridge.mse_mean_, rtol=1e-9)
    np.testing.assert_allclose(model.mse_se_[0], ridge.mse_se_, rtol=1e-9)
    enet = ElasticNetRegressorCV(l1_ratio=0.5, alphas=alphas, cv=5).fit(X, y)
    np.testing.assert_array_equal(model.mse_mean_[1], enet.mse_mean_)
    best = np.unravel_index(np.argmin(model.mse_mean_), model.mse_mean_.shape)
    assert (model.l1_ratio_, model.alpha_min_) == ([0.0, 0.5][best[0]], alphas[best[1]])


def test_verbose_line_for_leave_one_out(capsys):
    X, y = data(50, 4, seed=8)
    model = L2RegressorCV(alphas=10, verbose=1).fit(X, y)
    err = capsys.readouterr().err
    assert "(exact leave-one-out): min mean CV MSE" in err
    assert f"{model.mse_mean_.min():.6g}" in err and f"alpha={model.alpha_min_:.6g}" in err


@pytest.mark.parametrize("value", ["yes", 1, None, np.array([True])])
def test_store_cv_results_must_be_a_bool(value):
    X, y = data(30, 3)
    with pytest.raises(TypeError, match="store_cv_results must be a bool"):
        L2RegressorCV(store_cv_results=value).fit(X, y)


def test_store_cv_results_is_a_documented_parameter():
    doc = L2RegressorCV.__doc__
    assert "store_cv_results : bool, default=False" in doc
    assert "changes nothing" in doc
    for name in ("mse_mean_", "mse_se_", "mse_path_"):
        assert f"    {name} : ndarray" in doc, name
    assert L2RegressorCV().get_params()["store_cv_results"] is False


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(50, 4), (30, 8), "sparse"])
def test_path_training_mse_in_blocks(weighted, shape, monkeypatch):
    """The refit path's training MSE is computed in blocks (never an n x n_alphas array at
    once) or, on a design solved on its Gram matrix (50 x 4), from it: the same numbers as
    numpy on the path's own coefficients."""
    X, y = data(*((40, 12) if shape == "sparse" else shape), seed=9)
    if shape == "sparse":
        X = sp.csc_matrix(np.where(np.abs(X) > 0.8, X, 0.0))
    n = X.shape[0]
    sw = np.random.default_rng(3).uniform(0.5, 2.0, n) if weighted else None
    monkeypatch.setattr("sparsereg._problem._rows.RowDesign.RESIDUAL_BLOCK_VALUES", 60)
    path = L2RegressorCV(alphas=7, cv=3).fit(X, y, sample_weight=sw).path_
    s = np.ones(n) if sw is None else sw
    residual = y[:, None] - np.asarray(X @ path.coefs.T) - path.intercepts
    np.testing.assert_allclose(path.mse, s @ residual ** 2 / s.sum(), rtol=1e-10)
