"""The grouped multinomial penalty (``grouped=True``) against independent references: its
KKT conditions, an independently computed dual bound (extended precision), the all-or-none
sparsity pattern, its own ``alpha_max`` and the binary case (where it is the plain L1)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.preprocessing import StandardScaler

from sparsereg import ElasticNetClassifier, L1Classifier

LD = np.longdouble


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    keep = y < 5
    X = StandardScaler().fit_transform(X[keep][:400])
    return X[:, X.std(axis=0) > 0], y[keep][:400]


def one_hot(y):
    classes, codes = np.unique(y, return_inverse=True)
    Y = np.zeros((len(classes), len(y)), dtype=LD)
    Y[codes, np.arange(len(y))] = 1
    return Y


def softmax(eta):
    z = np.exp(eta - eta.max(axis=0))
    return z / z.sum(axis=0)


def objective(X, Y, W, b, a, bb):
    """The grouped objective in extended precision (unit weights)."""
    eta = (X.astype(LD) @ W.T.astype(LD)).T + b.astype(LD)[:, None]
    top = eta.max(axis=0)
    lse = top + np.log(np.exp(eta - top).sum(axis=0))
    norms = np.sqrt((W.astype(LD) ** 2).sum(axis=0))
    return (lse - (Y * eta).sum(axis=0)).mean() + (a * norms).sum() + 0.5 * (bb * norms ** 2).sum()


def dual_bound(X, Y, W, b, a, bb):
    """A lower bound on the optimum: the dual at the probabilities of ``(W, b)`` with the
    intercepts re-solved exactly (Newton in extended precision, so that each class's
    ``sum theta = 0``), scaled into the group-L1 constraints ``||X_j^T Theta|| <= a``."""
    n = X.shape[0]
    Xl = X.astype(LD)
    eta = (Xl @ W.T.astype(LD)).T + b.astype(LD)[:, None]
    shift = np.zeros(Y.shape[0], dtype=LD)
    for _ in range(50):  # Newton on the intercepts: Y.mean - P.mean = 0 per class
        P = softmax(eta + shift[:, None])
        r = (Y - P).mean(axis=1)
        H = (np.diag(P.sum(axis=1)) - P @ P.T) / n
        step = np.linalg.lstsq(H.astype(float), r.astype(float), rcond=None)[0]
        shift += step.astype(LD)
    P = softmax(eta + shift[:, None])
    assert np.abs((Y - P).mean(axis=1)).max() < 1e-15
    theta = (Y - P) / n
    G = Xl.T @ theta.T  # (p, K)
    gnorm = np.sqrt((G ** 2).sum(axis=1))
    kappa = LD(1)
    pure = (bb == 0) & (a > 0)
    if np.any(pure):
        kappa = min(kappa, np.min(a[pure] / np.maximum(gnorm[pure], 1e-300)))
    T = (1 - kappa) * Y + kappa * P
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(T > 0, T * np.log(T), 0).sum(axis=0).mean()
    excess = np.maximum(kappa * gnorm - a, 0)
    conj = np.where(bb > 0, excess ** 2 / (2 * np.where(bb > 0, bb, 1)), 0).sum()
    return entropy - conj


@pytest.mark.parametrize("l1_ratio, alpha", [(1.0, 0.02), (1.0, 0.004), (0.5, 0.03)])
def test_certificate_bounds_an_independent_gap(digits, l1_ratio, alpha):
    X, y = digits
    Y = one_hot(y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, grouped=True, tol=1e-9,
                                     max_iter=300).fit(X, y)
    warned = any("did not converge" in str(w.message) for w in caught)
    a = np.full(X.shape[1], alpha * l1_ratio, dtype=LD)
    bb = np.full(X.shape[1], alpha * (1 - l1_ratio), dtype=LD)
    P = objective(X, Y, model.coef_, model.intercept_, a, bb)
    D = dual_bound(X, Y, model.coef_, model.intercept_, a, bb)
    assert float(P - D) <= model.dual_gap_ + 1e-13
    # P(0) = log 5 for 5 balanced-ish classes at most: converged, or said it did not
    assert warned or model.dual_gap_ <= 1e-9 * np.log(5)


@pytest.mark.parametrize("alpha", [0.02, 0.005])
def test_kkt_conditions_of_the_group_penalty(digits, alpha):
    X, y = digits
    Y = one_hot(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the slack below is derived from the gap reached
        model = L1Classifier(alpha=alpha, grouped=True, tol=1e-10, max_iter=300).fit(X, y)
    W, b = model.coef_.astype(LD), model.intercept_.astype(LD)
    P = softmax((X.astype(LD) @ W.T).T + b[:, None])
    G = X.T.astype(LD) @ ((Y - P) / len(y)).T  # (p, K): -gradient of the loss
    # what a gap g allows: each block's gradient map moves by at most sqrt(2 g L_j)
    L = 0.5 * (X ** 2).mean(axis=0)
    slack = np.sqrt(2 * model.dual_gap_ * L) * 4 + 1e-12
    norms = np.sqrt((W ** 2).sum(axis=0))
    for j in range(X.shape[1]):
        if norms[j] > 0:
            resid = G[j] - alpha * W[:, j] / norms[j]
            assert float(np.sqrt((resid ** 2).sum())) <= slack[j] * np.sqrt(len(b)) + 1e-9, j
        else:
            assert float(np.sqrt((G[j] ** 2).sum())) <= alpha + slack[j] * np.sqrt(len(b)), j


def test_features_enter_for_all_classes_or_none(digits):
    X, y = digits
    for alpha in (0.05, 0.01, 0.002):
        coef = L1Classifier(alpha=alpha, grouped=True).fit(X, y).coef_
        nonzero = coef != 0
        assert np.all(nonzero.all(axis=0) | ~nonzero.any(axis=0))
        assert nonzero.any()
    # the elementwise penalty has no such pattern on the same data
    plain = L1Classifier(alpha=0.01).fit(X, y).coef_ != 0
    assert np.any(plain.any(axis=0) & ~plain.all(axis=0))


def test_grouped_alpha_max_is_the_largest_group_norm(digits):
    X, y = digits
    Y = one_hot(y)
    theta = (Y - Y.mean(axis=1, keepdims=True)) / len(y)
    top = float(np.sqrt(((X.T @ theta.T.astype(float)) ** 2).sum(axis=1)).max())
    assert L1Classifier(alpha=top * 1.0001, grouped=True).fit(X, y).n_nonzero_ == 0
    assert L1Classifier(alpha=top * 0.98, grouped=True).fit(X, y).n_nonzero_ >= 1


def test_two_classes_grouped_is_the_plain_l1():
    X, y = load_iris(return_X_y=True)
    keep = y > 0
    X, y = StandardScaler().fit_transform(X[keep]), y[keep]
    g = L1Classifier(alpha=0.01, grouped=True, tol=1e-10).fit(X, y)
    e = L1Classifier(alpha=0.01, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(g.coef_, e.coef_, atol=1e-7)


def test_relabelling_classes_permutes_rows(digits):
    X, y = digits
    perm = np.array([3, 0, 4, 1, 2])
    a = L1Classifier(alpha=0.02, grouped=True, tol=1e-10, max_iter=500).fit(X, y)
    b = L1Classifier(alpha=0.02, grouped=True, tol=1e-10, max_iter=500).fit(X, perm[y])
    # class c of the first fit is class perm[c] of the second
    np.testing.assert_allclose(b.coef_[perm], a.coef_, atol=2e-5)


def test_grouped_with_the_gram_solver_is_refused(digits):
    X, y = digits
    with pytest.raises(ValueError, match="grouped"):
        L1Classifier(grouped=True, solver="gram").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TypeError, match="grouped"):
            L1Classifier(grouped="yes").fit(X, y)
