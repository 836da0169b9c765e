"""Warm starts along a path (``_path.extrapolated_start``): the solutions at the two previous
alphas extrapolated in log alpha, keeping the last support and signs for L1 and elastic net.
Hand-computed starts, and the epochs saved on a wide elastic-net path, each of whose models is
certified by an independently computed gap (the start changes the cost, never the answer)."""

import warnings

import numpy as np
import pytest

from sparsereg import L1Regressor, regularization_path
from sparsereg._path import extrapolated_start

import _reference as ref


def test_extrapolated_start_by_hand():
    alphas = np.array([4.0, 2.0, 1.0])
    coefs = np.array([[1.0, 0.0, -1.0, 0.5, 2.0, 0.0],
                      [2.0, 1.0, -1.5, -0.5, 1.0, 0.0],
                      [0.0] * 6])
    # t = log(2/1) / log(4/2) = 1: last + (last - before)
    ridge = extrapolated_start(alphas, coefs, 2, sign_safe=False)
    np.testing.assert_allclose(ridge, [3.0, 2.0, -2.0, -1.5, 0.0, 0.0])
    lasso = extrapolated_start(alphas, coefs, 2, sign_safe=True)
    # column 1 entered at the last alpha, 3 changed sign: kept; 4 would reach 0: kept at
    # 0.0 (not past it); 5 stays out
    np.testing.assert_allclose(lasso, [3.0, 1.0, -2.0, -0.5, 0.0, 0.0])
    assert extrapolated_start(alphas, coefs, 0, sign_safe=True) is None
    np.testing.assert_array_equal(extrapolated_start(alphas, coefs, 1, sign_safe=True),
                                  coefs[0])
    zero = np.array([4.0, 2.0, 0.0])  # no trend in log alpha to follow down to 0
    np.testing.assert_array_equal(extrapolated_start(zero, coefs, 2, sign_safe=False),
                                  coefs[1])
    flat = np.array([4.0, 4.0, 1.0])  # not strictly decreasing: the last solution
    np.testing.assert_array_equal(extrapolated_start(flat, coefs, 2, sign_safe=True),
                                  coefs[1])


def test_sign_flip_past_zero_is_cut_at_zero():
    alphas = np.array([1.0, 0.5, 0.25])
    coefs = np.array([[3.0, -3.0], [1.0, -1.0], [0.0, 0.0]])
    # extrapolated: 1 + (1 - 3) = -1 and +1: both cross zero, both start at 0
    np.testing.assert_array_equal(extrapolated_start(alphas, coefs, 2, sign_safe=True),
                                  [0.0, 0.0])


def _wide(seed=0, n=120, p=600):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.5 * rng.standard_normal((n, 1))  # correlated
    y = X[:, :15] @ rng.standard_normal(15) + rng.standard_normal(n) + 2.0
    return X, y


@pytest.mark.parametrize("l1_ratio, most", [(0.5, 0.85), (1.0, 0.95)])
def test_wide_path_saves_epochs_and_keeps_the_answers(monkeypatch, l1_ratio, most):
    X, y = _wide()
    penalty = "l1" if l1_ratio == 1.0 else "elasticnet"
    kwargs = dict(penalty=penalty, n_alphas=60, eps=1e-3, solver="cd", tol=1e-6)
    if penalty == "elasticnet":
        kwargs["l1_ratio"] = l1_ratio
    path = regularization_path(X, y, **kwargs)
    monkeypatch.setattr("sparsereg._path.extrapolated_start",
                        lambda alphas, coefs, k, sign_safe: None if k == 0 else coefs[k - 1])
    plain = regularization_path(X, y, **kwargs)
    assert path.n_iter.sum() <= most * plain.n_iter.sum(), (path.n_iter.sum(),
                                                            plain.n_iter.sum())
    for k in range(0, 60, 6):
        alpha = path.alphas[k]
        gap, p0 = ref.normalized_gap(X, y, path.coefs[k], path.intercepts[k], alpha,
                                     l1_ratio)
        assert gap <= path.dual_gaps[k] + 1e-12 * p0 and path.dual_gaps[k] <= 1e-6 * p0



def test_a_converged_coefficient_cycling_by_an_ulp_does_not_spend_the_budget():
    """Found through the test above: at the path's second alpha one coefficient is nonzero,
    the gap is small after 2 epochs, but the inner loop's step tolerance (from the KKT
    violations, now round-off) was below the one-ulp cycle of that coefficient's update:
    500 epochs."""
    X, y = _wide()
    alpha = regularization_path(X, y, penalty="l1", n_alphas=60, eps=1e-3).alphas[1]
    model = L1Regressor(alpha=alpha, solver="cd").fit(X, y)
    assert model.n_nonzero_ == 1 and model.n_iter_ <= 10, model.n_iter_
    gap, p0 = ref.normalized_gap(X, y, model.coef_, model.intercept_, alpha, 1.0)
    assert gap <= model.dual_gap_ + 1e-12 * p0 and model.dual_gap_ <= 1e-4 * p0


def test_ridge_cg_path_down_to_alpha_zero():
    """Was: the extrapolated start at alpha = 0 took log(alpha_prev / 0), and the path's
    last model came out NaN."""
    import scipy.sparse as sp
    rng = np.random.default_rng(0)
    X = sp.random(200, 80, density=0.1, random_state=0, format="csr") * 3
    y = rng.standard_normal(200) + 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = regularization_path(X, y, penalty="l2", alphas=[1.0, 0.1, 0.0], solver="cg",
                                   tol=1e-8)
    gap, p0 = ref.normalized_gap(X, y, path.coefs[2], path.intercepts[2], 0.0, 0.0)
    assert np.all(np.isfinite(path.coefs)) and gap <= path.dual_gaps[2] + 1e-12 * p0
    assert path.dual_gaps[2] <= 1e-8 * p0
