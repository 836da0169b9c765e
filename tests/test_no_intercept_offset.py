"""Classifiers without an intercept on columns with a large common offset (regression test).

Without an intercept the offset acts as a shared, penalized intercept: class-by-class Newton
steps crawl along it (the multinomial fit stalled at P = 0.5324 after 10 000 iterations,
P* = 0.52524; the binary one needed 926 iterations). A joint Newton step on the support with
its signs held then fixed those two (18 and 119 iterations) but stopped at the best point of
its orthant on others: the elastic net on wine + 100 ended after 3 000 iterations with a gap
of 9.3, on breast cancer with 49 (ConvergenceWarnings). The joint step now minimises its
model exactly (feature-sign search): 5 to 9 iterations on every case below.

The optimum is bounded independently here, by L-BFGS-B on the split formulation
``W = U - V`` with ``U, V >= 0`` (on these ill-conditioned problems it may stop short of the
optimum: its value is an upper bound), and the KKT conditions are checked in NumPy.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit, logsumexp
from sklearn.datasets import load_breast_cancer, load_iris, load_wine

import _reference_logistic as rl
from sparsereg import ElasticNetClassifier, L1Classifier
from sparsereg._problem._classes import ClassDesign

ALPHA = 0.01


def _offset_data(loader, standardize=True):
    X, y = loader(return_X_y=True)
    return (X / X.std(axis=0) if standardize else X) + 100.0, y


def _one_hot(y):
    classes = np.unique(y)
    Y = (y[:, None] == classes[None, :]).astype(float)
    return Y[:, 1:] if len(classes) == 2 else Y


def _probabilities(X, Y, W):
    Z = X @ W.T
    if Y.shape[1] == 1:
        return expit(Z)
    return np.exp(Z - logsumexp(Z, axis=1)[:, None])


def _objective(X, Y, W, alpha=ALPHA, l1_ratio=1.0):
    Z = X @ W.T
    if Y.shape[1] == 1:  # binary: the logistic loss of the one predictor
        loss = np.mean(np.logaddexp(0.0, Z[:, 0]) - Y[:, 0] * Z[:, 0])
    else:
        loss = np.mean(logsumexp(Z, axis=1) - (Z * Y).sum(axis=1))
    return loss + alpha * (l1_ratio * np.abs(W).sum() + (1 - l1_ratio) / 2 * (W ** 2).sum())


def _reference(X, Y, alpha=ALPHA, l1_ratio=1.0):
    """min P by L-BFGS-B on (U, V) >= 0: a smooth problem, no sparsereg code involved."""
    n, p = X.shape
    K = Y.shape[1]
    a, b = alpha * l1_ratio, alpha * (1 - l1_ratio)

    def f(z):
        W = (z[:K * p] - z[K * p:]).reshape(K, p)
        G = (_probabilities(X, Y, W) - Y).T @ X / n + b * W
        return (_objective(X, Y, W, alpha, l1_ratio),
                np.concatenate([(G + a).ravel(), (a - G).ravel()]))

    best = np.inf
    for seed in range(3):
        z0 = np.random.default_rng(seed).uniform(0.0, 0.01, 2 * K * p)
        r = minimize(f, z0, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * (2 * K * p),
                     options=dict(maxiter=100_000, maxfun=100_000, ftol=1e-15, gtol=1e-12))
        best = min(best, r.fun)
    return best


@pytest.mark.parametrize("loader", [load_iris, load_breast_cancer], ids=["multinomial",
                                                                          "binary"])
def test_converges_and_certifies_without_intercept(loader):
    X, y = _offset_data(loader)
    Y = _one_hot(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        # Multinomial: 6 Newton iterations, binary: 9 (18 and 119 with the joint step
        # holding its signs, 10 000+ and 926 without a joint step).
        model = L1Classifier(alpha=ALPHA, fit_intercept=False, max_iter=30).fit(X, y)
    W = model.coef_.reshape(Y.shape[1], -1)
    p_model = _objective(X, Y, W)
    p_star = _reference(X, Y)
    null = _objective(X, Y, np.zeros_like(W))
    assert model.dual_gap_ <= model.tol * null
    # The certificate bounds the true suboptimality (the reference is at least as low as
    # the optimum up to its own accuracy).
    assert p_model - p_star <= model.dual_gap_ + 1e-9 * null
    assert p_model - p_star <= model.tol * null


@pytest.mark.parametrize("loader, standardize", [(load_wine, False), (load_breast_cancer, True)],
                         ids=["wine-multinomial", "breast-cancer-binary"])
def test_elastic_net_converges_and_certifies_without_intercept(loader, standardize):
    alpha, l1_ratio = 0.001, 0.5
    X, y = _offset_data(loader, standardize)
    Y = _one_hot(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 3 000 iterations and a ConvergenceWarning before
        model = ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False,
                                     max_iter=30).fit(X, y)
    W = model.coef_.reshape(Y.shape[1], -1)
    null = _objective(X, Y, np.zeros_like(W), alpha, l1_ratio)
    assert model.dual_gap_ <= model.tol * null
    p_model = _objective(X, Y, W, alpha, l1_ratio)
    assert p_model - _reference(X, Y, alpha, l1_ratio) <= model.tol * null
    # KKT: the smooth part's gradient is -a sign(w) on the support, within a elsewhere
    # (a loose bound: the gap, not the gradient, is what the solver certifies; 2e-5 = 4 %
    # of a remains on breast cancer's support, along the offset's stiff direction).
    a = alpha * l1_ratio
    G = (_probabilities(X, Y, W) - Y).T @ X / X.shape[0] + alpha * (1 - l1_ratio) * W
    on = W != 0.0
    assert np.all(np.abs(G[on] + a * np.sign(W[on])) <= 0.1 * a)
    assert np.all(np.abs(G[~on]) <= a * (1 + 0.1))


@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_unpenalized_features_do_not_drift(fmt):
    """Unpenalized features of a multinomial fit have a free common shift (loss and penalty
    unchanged): a joint step read the round-off of its null space as a slope and moved
    them to -7.8e7 on the CSC copy (the objective unchanged, the coefficients absurd)."""
    X, y = _offset_data(load_iris)
    pf = np.array([0.0, 0.0, 1.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = L1Classifier(alpha=0.001, fit_intercept=False, penalty_factor=pf).fit(
            sp.csc_matrix(X) if fmt == "csc" else X, y)
    assert np.abs(model.coef_).max() < 100.0
    prob = rl.Problem(X, y, 0.001, 1.0, penalty_factor=pf, fit_intercept=False)
    P, lower, _ = rl.certified_suboptimality(prob, model.coef_, np.zeros(3))
    assert model.dual_gap_ <= model.tol * prob.null_objective()
    assert float(P - lower) <= model.tol * prob.null_objective()


def test_offset_columns_are_detected_without_an_intercept():
    """The joint steps are taken only where some column's mean exceeds 4 standard
    deviations (they cost more than they save on centred data: L1a-noint 24 passes with
    them, 13 without)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 4))
    codes = rng.integers(0, 3, 50)
    assert not ClassDesign(X, codes, 3, None, False).has_offsets
    X[:, 2] += 5.0
    assert ClassDesign(X, codes, 3, None, False).has_offsets
    assert ClassDesign(X, codes, 3, None, True).has_offsets
