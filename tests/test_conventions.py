"""convert_alpha against the other conventions' own solvers and closed forms
(docs/conventions.rst)."""

import itertools

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

from sparsereg import (ElasticNetClassifier, ElasticNetRegressor, L1Regressor, L2Regressor,
                       convert_alpha)

KINDS = ["sparsereg", "sklearn_lasso", "sklearn_elasticnet", "sklearn_ridge", "per_sample",
         "textbook", "glmnet", "sklearn_logistic", "glmnet_binomial", "glmnet_multinomial"]
RIDGE_ONLY = {"sklearn_ridge", "per_sample", "textbook"}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    n, p = 80, 6
    X = rng.standard_normal((n, p))
    y = 3.0 * (X @ rng.standard_normal(p)) + 2.0 * rng.standard_normal(n) + 5.0
    return X, y


def _centered(X, y):
    return X - X.mean(axis=0), y - y.mean()


def test_sklearn_ridge_equals_l2regressor(data):
    X, y = data
    alpha = 0.3
    a = convert_alpha(alpha, from_="sparsereg", to="sklearn_ridge", n_samples=len(y))
    ours = L2Regressor(alpha).fit(X, y)
    ref = Ridge(alpha=a).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9)


def test_sklearn_ridge_with_weights_uses_their_sum(data):
    X, y = data
    sw = np.random.default_rng(1).uniform(0.5, 3.0, len(y))
    a = convert_alpha(0.3, from_="sparsereg", to="sklearn_ridge", n_samples=sw.sum())
    ours = L2Regressor(0.3).fit(X, y, sample_weight=sw)
    ref = Ridge(alpha=a).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-9)


@pytest.mark.parametrize("kind", ["sklearn_lasso", "sklearn_elasticnet"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_sklearn_lasso_and_elasticnet_are_the_same_scale(data, kind, l1_ratio):
    X, y = data
    a = convert_alpha(0.2, from_="sparsereg", to=kind, n_samples=len(y), l1_ratio=l1_ratio)
    assert a == 0.2
    ours = ElasticNetRegressor(0.2, l1_ratio=l1_ratio, tol=1e-12).fit(X, y)
    ref = (Lasso(alpha=a, tol=1e-12) if l1_ratio == 1 else
           ElasticNet(alpha=a, l1_ratio=l1_ratio, tol=1e-12)).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["textbook", "per_sample"])
def test_textbook_and_per_sample_closed_forms(data, kind):
    # textbook: min RSS + lam ||b||^2; per_sample: min RSS/(2n) + lam/(2n) ||b||^2. Both are
    # solved by (Xc'Xc + lam I) b = Xc'yc, written out here independently of any solver.
    X, y = data
    Xc, yc = _centered(X, y)
    lam = convert_alpha(0.3, from_="sparsereg", to=kind, n_samples=len(y))
    b = np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T @ yc)
    np.testing.assert_allclose(L2Regressor(0.3).fit(X, y).coef_, b, rtol=1e-9)


def _glmnet_by_definition(X, y, lam, a):
    """glmnet's gaussian fit (standardize=FALSE): y is divided by its sd s, the elastic net is
    solved with lambda/s on the scaled response, and the coefficients are scaled back by s."""
    s = np.std(y)
    if a == 0:
        Xc, yc = _centered(X, y / s)
        b = np.linalg.solve(Xc.T @ Xc / len(y) + lam / s * np.eye(X.shape[1]), Xc.T @ yc / len(y))
    else:
        b = ElasticNet(alpha=lam / s, l1_ratio=a, tol=1e-13, max_iter=100000).fit(X, y / s).coef_
    return s * b


@pytest.mark.parametrize("a", [0.0, 0.3, 1.0])
def test_glmnet_lambda_maps_to_the_same_solution(data, a):
    X, y = data
    lam = 0.4
    alpha, ratio = convert_alpha(lam, from_="glmnet", to="sparsereg", n_samples=len(y),
                                 l1_ratio=a, y_std=np.std(y), return_l1_ratio=True)
    ours = ElasticNetRegressor(alpha, l1_ratio=ratio, tol=1e-13).fit(X, y)
    np.testing.assert_allclose(ours.coef_, _glmnet_by_definition(X, y, lam, a),
                               rtol=1e-6, atol=1e-8)


def test_against_glmnet_itself_when_installed(data):
    glmnet = pytest.importorskip("glmnet")
    X, y = data
    lam, a = 0.4, 0.3
    fit = glmnet.ElasticNet(alpha=a, lambda_path=[lam * 2, lam], standardize=False,
                            tol=1e-14, n_splits=0).fit(X, y)
    alpha, ratio = convert_alpha(lam, from_="glmnet", to="sparsereg", n_samples=len(y),
                                 l1_ratio=a, y_std=np.std(y), return_l1_ratio=True)
    ours = ElasticNetRegressor(alpha, l1_ratio=ratio, tol=1e-13).fit(X, y)
    np.testing.assert_allclose(fit.coef_path_[:, -1], ours.coef_, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("src,dst", list(itertools.product(KINDS, KINDS)))
def test_round_trip(src, dst):
    ratio = 0.0 if src in RIDGE_ONLY or dst in RIDGE_ONLY else 0.4
    there, r = convert_alpha(0.7, from_=src, to=dst, n_samples=50, l1_ratio=ratio, y_std=2.5,
                             return_l1_ratio=True)
    back, r_back = convert_alpha(there, from_=dst, to=src, n_samples=50, l1_ratio=r, y_std=2.5,
                                 return_l1_ratio=True)
    assert back == pytest.approx(0.7, rel=1e-12)
    assert r_back == pytest.approx(ratio, abs=1e-12)


@pytest.fixture(scope="module")
def labels(data):
    """Binary and 3-class labels from a logistic model of the regression fixture's X."""
    X, _ = data
    rng = np.random.default_rng(2)
    z = X @ rng.standard_normal((X.shape[1], 3)) + rng.standard_normal((len(X), 3))
    binary = (rng.uniform(size=len(X)) < expit(z[:, 0])).astype(int)
    return binary, z.argmax(axis=1)


def _objective(model, X, y, alpha, l1_ratio):
    """The classifiers' objective (unit weights), evaluated on any fitted model."""
    log_p = model.predict_log_proba(X)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
    W = model.coef_
    return -log_p.mean() + alpha * (l1_ratio * np.abs(W).sum()
                                    + (1 - l1_ratio) / 2 * np.sum(W * W))


def _logistic_pair(alpha, l1_ratio, C, **sklearn_kwargs):
    ours = ElasticNetClassifier(alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=500)
    solver = "lbfgs" if l1_ratio == 0 else "saga"
    ref = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12,
                             max_iter=100_000, **sklearn_kwargs)
    return ours, ref


@pytest.mark.parametrize("classes", ["binary", "multinomial"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_sklearn_logistic_C_gives_the_classifiers_solution(data, labels, classes, l1_ratio):
    X, _ = data
    y = labels[0] if classes == "binary" else labels[1]
    alpha = 0.02
    C = convert_alpha(alpha, from_="sparsereg", to="sklearn_logistic", n_samples=len(y),
                      l1_ratio=l1_ratio)
    assert C == pytest.approx(1.0 / (alpha * len(y)), rel=1e-15)
    ours, ref = _logistic_pair(alpha, l1_ratio, C)
    ours.fit(X, y)
    ref.fit(X, y)
    assert ours.coef_.shape == ref.coef_.shape
    # Both solvers meet their tolerance at round-off level: the objectives agree to the
    # certificate (scikit-learn's value is >= the minimum) and the coefficients closely.
    assert _objective(ours, X, y, alpha, l1_ratio) - _objective(ref, X, y, alpha, l1_ratio) \
        <= ours.dual_gap_
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-4, atol=2e-5)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    if l1_ratio == 1.0:  # the comparison includes exact zeros
        assert 0 < np.count_nonzero(ours.coef_) < ours.coef_.size
        np.testing.assert_array_equal(ours.coef_ == 0, np.abs(ref.coef_) < 1e-8)
    # and back: the C scikit-learn was given is the alpha sparsereg was given
    assert convert_alpha(C, from_="sklearn_logistic", to="sparsereg",
                         n_samples=len(y)) == pytest.approx(alpha, rel=1e-15)


def test_sklearn_logistic_with_weights_uses_sample_times_class_weights(data, labels):
    X, _ = data
    y = labels[1]
    sw = np.random.default_rng(3).uniform(0.5, 3.0, len(y))
    class_weight = {0: 1.0, 1: 2.5, 2: 0.5}
    total = np.sum(sw * np.array([class_weight[k] for k in y]))
    C = convert_alpha(0.02, from_="sparsereg", to="sklearn_logistic", n_samples=total)
    ours, ref = _logistic_pair(0.02, 1.0, C, class_weight=class_weight)
    ours.set_params(class_weight=class_weight).fit(X, y, sample_weight=sw)
    ref.fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)


def test_sklearn_logistic_inf_C_is_no_penalty():
    assert convert_alpha(np.inf, from_="sklearn_logistic", to="sparsereg", n_samples=10) == 0
    assert convert_alpha(0.0, from_="sparsereg", to="sklearn_logistic", n_samples=10) == np.inf
    with pytest.raises(ValueError, match="value"):
        convert_alpha(0.0, from_="sklearn_logistic", to="sparsereg", n_samples=10)


@pytest.mark.parametrize("a", [1.0, 0.4])
def test_glmnet_binomial_lambda_satisfies_glmnet_optimality(data, labels, a):
    """glmnet's binomial objective (its vignette), written out: weights rescaled to sum to N,
    -(1/N) sum w_i (y_i eta_i - log(1 + e^eta_i)) + lam ((1 - a)/2 ||b||^2 + a ||b||_1).
    The sparsereg fit at the converted alpha satisfies its optimality conditions."""
    X, _ = data
    y = labels[0]
    w = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    lam = 0.03
    alpha, ratio = convert_alpha(lam, from_="glmnet_binomial", to="sparsereg",
                                 n_samples=len(y), l1_ratio=a, return_l1_ratio=True)
    assert (alpha, ratio) == (lam, a)
    fit = ElasticNetClassifier(alpha, l1_ratio=ratio, tol=1e-12, max_iter=500).fit(
        X, y, sample_weight=w)
    b, b0 = fit.coef_[0], fit.intercept_[0]
    wn = w * len(y) / w.sum()
    r = wn * (y - expit(X @ b + b0)) / len(y)  # minus the loss gradient in eta, per sample
    g = X.T @ r - lam * (1 - a) * b
    assert abs(r.sum()) < 1e-8  # the intercept equation
    active = b != 0
    assert active.any() and not active.all()
    np.testing.assert_allclose(g[active], lam * a * np.sign(b[active]), atol=1e-7)
    assert np.all(np.abs(g[~active]) <= lam * a + 1e-9)


def test_glmnet_multinomial_is_the_classifiers_scale():
    for kind in ("glmnet_binomial", "glmnet_multinomial"):
        assert convert_alpha(0.05, from_=kind, to="sparsereg", n_samples=17) == 0.05
        assert convert_alpha(0.05, from_="sparsereg", to=kind, n_samples=17,
                             l1_ratio=0.3) == 0.05


def test_default_l1_ratio_is_lasso_or_ridge():
    assert convert_alpha(3.0, from_="glmnet", to="sparsereg", n_samples=10) == 3.0
    assert convert_alpha(3.0, from_="sklearn_ridge", to="sparsereg", n_samples=10) == 0.3


@pytest.mark.parametrize("kwargs,match", [
    ({"from_": "lasso"}, "from_"),
    ({"to": "ridge"}, "to"),
    ({"value": -1.0}, "value"),
    ({"value": "1"}, "value"),
    ({"n_samples": 0}, "n_samples"),
    ({"l1_ratio": 1.5}, "l1_ratio"),
    ({"from_": "sklearn_ridge", "l1_ratio": 0.5}, "l1_ratio"),
    ({"to": "sklearn_ridge", "l1_ratio": 0.5}, "l1_ratio"),
    ({"to": "glmnet", "l1_ratio": 0.0}, "y_std"),
    ({"to": "glmnet", "l1_ratio": 0.5, "y_std": 2.0}, "return_l1_ratio"),
    ({"to": "glmnet", "l1_ratio": 0.0, "y_std": -1.0}, "y_std"),
])
def test_bad_input_names_the_parameter(kwargs, match):
    args = {"value": 1.0, "from_": "sparsereg", "to": "sklearn_lasso", "n_samples": 10} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        convert_alpha(args.pop("value"), **args)


def test_lasso_value_needs_no_y_std(data):
    X, y = data
    alpha = convert_alpha(0.2, from_="glmnet", to="sparsereg", n_samples=len(y))
    np.testing.assert_allclose(L1Regressor(alpha, tol=1e-12).fit(X, y).coef_,
                               Lasso(alpha=0.2, tol=1e-12).fit(X, y).coef_, rtol=1e-7, atol=1e-9)
