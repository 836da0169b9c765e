"""Box constraints (``lower_bounds``, ``upper_bounds``; ``positive=True`` is
``lower_bounds=0``) for the least-squares regressors, paths and CV (issue 15 item 4).

References are independent (tests/_reference_box.py): scipy's L-BFGS-B on the split
``w = u - v`` with the box as bound constraints, glum's bounded normal GLM, and a duality
gap computed from explicitly centred float64 data with the penalty's conjugate enumerated.
Data: scikit-learn's diabetes (real measurements nobody here wrote) and small simulations.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes

from sparsereg import (
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    L1Regressor,
    L1RegressorCV,
    L2Regressor,
    L2RegressorCV,
    regularization_path,
)

from _reference_box import box_gap, split_minimize, squared_loss, squared_objective

X_DIA, Y_DIA = load_diabetes(return_X_y=True)
P = X_DIA.shape[1]


def _box(p=P):
    """Mixed bounds: finite lower on the first half, finite upper on the second, one feature
    held at 0 from above, one unbounded."""
    lower = np.full(p, -np.inf)
    upper = np.full(p, np.inf)
    lower[: p // 2] = -50.0
    upper[p // 2:] = 100.0
    upper[2] = 0.0
    lower[-1], upper[-1] = -np.inf, np.inf
    return lower, upper


def _weights(alpha, l1_ratio, p=P, pf=None):
    v = np.ones(p) if pf is None else pf
    return alpha * l1_ratio * v, alpha * (1 - l1_ratio) * v


def _estimator(l1_ratio, alpha, **kw):
    if l1_ratio == 1.0:
        return L1Regressor(alpha=alpha, **kw)
    if l1_ratio == 0.0:
        return L2Regressor(alpha=alpha, **kw)
    return ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, **kw)


def _null_objective(y, s=None):
    s = np.ones(len(y)) if s is None else s
    r = y - (s @ y) / s.sum()
    return 0.5 * float(s @ (r * r)) / s.sum()


@pytest.mark.parametrize("l1_ratio, alpha", [(1.0, 0.05), (1.0, 0.5), (0.5, 0.05),
                                             (0.0, 0.01)])
@pytest.mark.parametrize("fmt", ["dense", "csc", "float32", "gram"])
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_the_split_problem_and_an_independent_gap(l1_ratio, alpha, fmt, weighted):
    X, y = X_DIA, Y_DIA
    s = np.random.default_rng(0).uniform(0.5, 2.0, len(y)) if weighted else None
    lower, upper = _box()
    Xf = {"dense": X, "csc": sp.csc_matrix(X), "float32": X.astype(np.float32),
          "gram": X}[fmt]
    kw = dict(solver="gram") if fmt == "gram" and l1_ratio > 0 else {}
    model = _estimator(l1_ratio, alpha, lower_bounds=lower, upper_bounds=upper, tol=1e-10,
                       **kw).fit(Xf, y, sample_weight=s)
    a, b = _weights(alpha, l1_ratio)
    w_ref, c_ref, p_ref = split_minimize(X, squared_loss(y, np.ones(len(y)) if s is None
                                                         else s), a, b, lower, upper)
    coef = model.coef_.astype(np.float64)
    assert np.all(coef >= lower) and np.all(coef <= upper)
    p0 = _null_objective(y, s)
    mine = squared_objective(X, y, coef, float(model.intercept_), a, b, s)
    # at least as good as L-BFGS-B (which stops near 1e-12 relative), and the same point
    assert mine <= p_ref + 1e-9 * p0
    scale = np.abs(w_ref).max()
    rtol = 1e-4 if fmt == "float32" else 1e-6
    np.testing.assert_allclose(coef, w_ref, atol=rtol * scale)
    # the problem of the data as given: float32 X as its float64 values
    X_given = Xf.astype(np.float64) if fmt == "float32" else X
    gap = box_gap(X_given, y, coef, float(model.intercept_), a, b, lower, upper, s)
    assert gap <= model.dual_gap_ * (1 + 1e-6) + 1e-12 * p0
    if fmt != "float32":
        assert model.dual_gap_ <= 1e-10 * p0


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_glums_bounded_normal_glm(l1_ratio):
    """glum's GeneralizedLinearRegressor(family="normal") has the same objective (half the
    squared error, mean over weights) and takes lower_bounds/upper_bounds."""
    glum = pytest.importorskip("glum")
    lower, upper = _box()
    alpha = 0.1
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lower,
                                upper_bounds=upper, tol=1e-12).fit(X_DIA, Y_DIA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(
            family="normal", alpha=alpha, l1_ratio=l1_ratio, lower_bounds=lower,
            upper_bounds=upper, gradient_tol=1e-10, max_iter=10_000).fit(X_DIA, Y_DIA)
    a, b = _weights(alpha, l1_ratio)
    mine = squared_objective(X_DIA, Y_DIA, model.coef_, model.intercept_, a, b)
    theirs = squared_objective(X_DIA, Y_DIA, ref.coef_, ref.intercept_, a, b)
    assert mine <= theirs + 1e-10 * _null_objective(Y_DIA)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-4 * np.abs(ref.coef_).max())
    assert np.all(ref.coef_ >= lower - 1e-12) and np.all(ref.coef_ <= upper + 1e-12)


def test_positive_is_lower_bounds_zero():
    a = L1Regressor(alpha=0.2, positive=True).fit(X_DIA, Y_DIA)
    b = L1Regressor(alpha=0.2, lower_bounds=0.0).fit(X_DIA, Y_DIA)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.dual_gap_ == b.dual_gap_


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_a_box_that_binds_nothing_changes_nothing(l1_ratio):
    free = _estimator(l1_ratio, 0.05, tol=1e-10).fit(X_DIA, Y_DIA)
    m = np.abs(free.coef_).max()
    boxed = _estimator(l1_ratio, 0.05, tol=1e-10, lower_bounds=-2 * m,
                       upper_bounds=np.full(P, np.inf)).fit(X_DIA, Y_DIA)
    np.testing.assert_allclose(boxed.coef_, free.coef_, atol=1e-6 * m)
    unbounded = _estimator(l1_ratio, 0.05, tol=1e-10, lower_bounds=-np.inf,
                           upper_bounds=np.inf).fit(X_DIA, Y_DIA)
    np.testing.assert_array_equal(unbounded.coef_, free.coef_)


def test_bounds_at_zero_hold_features_out():
    upper = np.full(P, np.inf)
    lower = np.full(P, -np.inf)
    lower[[2, 8]] = upper[[2, 8]] = 0.0
    model = L1Regressor(alpha=0.01, lower_bounds=lower, upper_bounds=upper,
                        tol=1e-10).fit(X_DIA, Y_DIA)
    assert np.all(model.coef_[[2, 8]] == 0.0)
    # the same as the lasso without those columns
    keep = np.setdiff1d(np.arange(P), [2, 8])
    ref = L1Regressor(alpha=0.01, tol=1e-10).fit(X_DIA[:, keep], Y_DIA)
    np.testing.assert_allclose(model.coef_[keep], ref.coef_, atol=1e-6 * np.abs(ref.coef_).max())


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_warm_start_from_outside_the_box_is_certified(l1_ratio):
    """A warm start from the unconstrained fit lies outside the box: it is projected before
    anything is certified or screened."""
    lower, upper = _box()
    model = _estimator(l1_ratio, 0.01, tol=1e-8, warm_start=True).fit(X_DIA, Y_DIA)
    assert np.any(model.coef_ > upper) or np.any(model.coef_ < lower)
    model.set_params(lower_bounds=lower, upper_bounds=upper).fit(X_DIA, Y_DIA)
    a, b = _weights(0.01, l1_ratio)
    gap = box_gap(X_DIA, Y_DIA, model.coef_, model.intercept_, a, b, lower, upper)
    p0 = _null_objective(Y_DIA)
    assert gap <= model.dual_gap_ * (1 + 1e-6) + 1e-12 * p0
    assert model.dual_gap_ <= 1e-8 * p0


@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_unpenalized_features_with_a_box(offset):
    """penalty_factor zeros on bounded features: their dual constraint is an equation
    only inside the box (at a bound, only the sign it allows)."""
    X = X_DIA + offset
    pf = np.ones(P)
    pf[[0, 3, 7]] = 0.0
    lower, upper = _box()
    upper[3] = 200.0  # the free least-squares coefficient of feature 3 is ~300
    alpha = 0.1
    model = L1Regressor(alpha=alpha, penalty_factor=pf, lower_bounds=lower,
                        upper_bounds=upper, tol=1e-10).fit(X, Y_DIA)
    assert model.coef_[3] == 200.0
    a, b = _weights(alpha, 1.0, pf=pf)
    w_ref, _, p_ref = split_minimize(X - X.mean(0), squared_loss(
        Y_DIA - Y_DIA.mean(), np.ones(len(Y_DIA))), a, b, lower, upper)
    mine = squared_objective(X, Y_DIA, model.coef_, model.intercept_, a, b)
    p0 = _null_objective(Y_DIA)
    assert mine - p_ref <= model.dual_gap_ + 1e-9 * p0  # the certificate bounds the excess
    assert model.dual_gap_ <= 1e-10 * p0
    np.testing.assert_allclose(model.coef_, w_ref, atol=1e-5 * np.abs(w_ref).max())


@pytest.mark.parametrize("kw, match", [
    (dict(lower_bounds=1.0), "lower_bounds must be non-positive"),
    (dict(upper_bounds=-1.0), "upper_bounds must be non-negative"),
    (dict(lower_bounds=np.full(P, np.nan)), "NaN"),
    (dict(lower_bounds=np.zeros(3)), "3 entries but X has 10"),
    (dict(positive=True, lower_bounds=-1.0), "give one of them"),
    (dict(upper_bounds=np.zeros((2, 5))), "1-D array"),
    (dict(upper_bounds="1"), "real number"),
    (dict(upper_bounds=True), "real number"),
])
def test_bad_bounds_are_refused_before_work(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        L1Regressor(**kw).fit(X_DIA, Y_DIA)
    with pytest.raises((ValueError, TypeError), match=match):
        regularization_path(X_DIA, Y_DIA, n_alphas=3, **kw)


def test_ridge_solvers_that_cannot_keep_a_box_say_so():
    with pytest.raises(ValueError, match="solver='cholesky' cannot keep"):
        L2Regressor(solver="cholesky", upper_bounds=1.0).fit(X_DIA, Y_DIA)
    with pytest.raises(ValueError, match="solver='svd' cannot keep"):
        L2RegressorCV(solver="svd", positive=True).fit(X_DIA, Y_DIA)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), l1_ratio=st.sampled_from([1.0, 0.7, 0.0]),
       sparse=st.booleans(), fit_intercept=st.booleans())
def test_random_boxes_are_kept_and_certified(seed, l1_ratio, sparse, fit_intercept):
    rng = np.random.default_rng(seed)
    n, p = rng.integers(5, 40), rng.integers(1, 12)
    X = rng.standard_normal((n, p)) * rng.uniform(0.1, 10, p) + rng.uniform(-5, 5, p)
    y = X @ rng.standard_normal(p) * 3 + rng.standard_normal(n)
    lower = np.where(rng.random(p) < 0.5, -rng.uniform(0, 2, p), -np.inf)
    upper = np.where(rng.random(p) < 0.5, rng.uniform(0, 2, p), np.inf)
    alpha = rng.uniform(0.01, 1.0)
    Xf = sp.csc_matrix(np.where(np.abs(X) > 1, X, 0.0)) if sparse else X
    model = _estimator(l1_ratio, alpha, lower_bounds=lower, upper_bounds=upper, tol=1e-8,
                       fit_intercept=fit_intercept, max_iter=100_000).fit(Xf, y)
    assert np.all(model.coef_ >= lower) and np.all(model.coef_ <= upper)
    a, b = _weights(alpha, l1_ratio, p)
    gap = box_gap(Xf, y, model.coef_, model.intercept_, a, b, lower, upper,
                  fit_intercept=fit_intercept)
    yc = y - y.mean() if fit_intercept else y
    p0 = 0.5 * float(yc @ yc) / n
    assert gap <= model.dual_gap_ * (1 + 1e-6) + 1e-11 * p0
    assert model.dual_gap_ <= 1e-8 * p0


@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_path_keeps_the_box_at_every_alpha(penalty):
    lower, upper = _box()
    path = regularization_path(X_DIA, Y_DIA, penalty=penalty, n_alphas=12, tol=1e-10,
                               lower_bounds=lower, upper_bounds=upper)
    l1_ratio = {"l1": 1.0, "elasticnet": 0.5, "l2": 0.0}[penalty]
    p0 = _null_objective(Y_DIA)
    for k, alpha in enumerate(path.alphas):
        coef = path.coefs[k]
        assert np.all(coef >= lower) and np.all(coef <= upper)
        a, b = _weights(alpha, l1_ratio)
        gap = box_gap(X_DIA, Y_DIA, coef, path.intercepts[k], a, b, lower, upper)
        assert gap <= path.dual_gaps[k] * (1 + 1e-6) + 1e-12 * p0
        assert path.dual_gaps[k] <= 1e-10 * p0
    single = _estimator(l1_ratio, path.alphas[6], lower_bounds=lower, upper_bounds=upper,
                        tol=1e-10).fit(X_DIA, Y_DIA)
    np.testing.assert_allclose(path.coefs[6], single.coef_,
                               atol=1e-5 * np.abs(single.coef_).max())


def test_relaxed_path_stays_in_the_box():
    """The relaxed refit is bounded least squares on the support (scipy's BVLS), so the
    blend of two points of the box stays in it; checked against the split problem with
    the support's columns only and no penalty."""
    lower, upper = _box()
    path = regularization_path(X_DIA, Y_DIA, n_alphas=10, relax=0.0, lower_bounds=lower,
                               upper_bounds=upper, tol=1e-10)
    for k in range(len(path.alphas)):
        coef = path.coefs[k]
        assert np.all(coef >= lower - 1e-12) and np.all(coef <= upper + 1e-12)
        support = np.flatnonzero(coef)
        if support.size:
            Xs = X_DIA[:, support]
            zero = np.zeros(support.size)
            w_ref, _, _ = split_minimize(Xs, squared_loss(Y_DIA, np.ones(len(Y_DIA))), zero,
                                         zero, lower[support], upper[support])
            np.testing.assert_allclose(coef[support], w_ref, atol=1e-4 * np.abs(w_ref).max())


@pytest.mark.parametrize("cls, kw", [(L1RegressorCV, {}), (ElasticNetRegressorCV,
                                                           dict(l1_ratio=[0.5, 1.0])),
                                     (L2RegressorCV, dict(cv=4))])
def test_cv_refit_is_the_bounded_fit_at_the_chosen_alpha(cls, kw):
    lower, upper = _box()
    cv = cls(alphas=15, lower_bounds=lower, upper_bounds=upper, tol=1e-10, **kw).fit(
        X_DIA, Y_DIA)
    assert np.all(cv.coef_ >= lower) and np.all(cv.coef_ <= upper)
    single = _estimator(cv.l1_ratio_, cv.alpha_, lower_bounds=lower, upper_bounds=upper,
                        tol=1e-10).fit(X_DIA, Y_DIA)
    np.testing.assert_allclose(cv.coef_, single.coef_, atol=1e-5 * np.abs(single.coef_).max())


def test_ridge_cv_with_a_box_uses_folds_not_leave_one_out():
    with pytest.warns(UserWarning, match="the box"):
        cv = L2RegressorCV(alphas=10, upper_bounds=50.0).fit(X_DIA, Y_DIA)
    assert cv.mse_path_.shape == (10, 5)
    assert np.all(cv.coef_ <= 50.0)


def test_multi_output_and_dask_keep_the_box():
    lower, upper = _box()
    Y = np.column_stack([Y_DIA, -Y_DIA, 0.5 * Y_DIA])
    multi = L1Regressor(alpha=0.05, lower_bounds=lower, upper_bounds=upper,
                        tol=1e-10).fit(X_DIA, Y)
    # The columns share X's preparation, so their arithmetic (and with it the iterates) may
    # differ from a single fit's at round-off: both solutions are certified, and P being
    # mu-strongly convex (mu = the smallest eigenvalue of the centred X^T X / n),
    # ||w - w*|| <= sqrt(2 gap / mu) bounds their distance.
    Xc = X_DIA - X_DIA.mean(axis=0)
    mu = np.linalg.eigvalsh(Xc.T @ Xc / X_DIA.shape[0])[0]
    for j in range(3):
        single = L1Regressor(alpha=0.05, lower_bounds=lower, upper_bounds=upper,
                             tol=1e-10).fit(X_DIA, Y[:, j])
        bound = np.sqrt(2 * multi.dual_gap_[j] / mu) + np.sqrt(2 * single.dual_gap_ / mu)
        assert np.linalg.norm(multi.coef_[j] - single.coef_) <= bound

        def objective(coef, intercept):  # computed here, not by the library
            r = Y[:, j] - X_DIA @ coef - intercept
            return r @ r / (2 * len(r)) + 0.05 * np.abs(coef).sum()

        difference = objective(multi.coef_[j], multi.intercept_[j]) \
            - objective(single.coef_, single.intercept_)
        assert abs(difference) <= multi.dual_gap_[j] + single.dual_gap_ + 1e-12 * abs(
            objective(single.coef_, single.intercept_))
        assert np.all(multi.coef_[j] >= lower) and np.all(multi.coef_[j] <= upper)
    da = pytest.importorskip("dask.array")
    lazy = L1Regressor(alpha=0.05, lower_bounds=lower, upper_bounds=upper, tol=1e-10).fit(
        da.from_array(X_DIA, chunks=(100, P)), da.from_array(Y_DIA, chunks=100))
    np.testing.assert_allclose(lazy.coef_, multi.coef_[0],
                               atol=1e-6 * np.abs(multi.coef_[0]).max())


def test_inputs_are_not_mutated():
    lower, upper = _box()
    lo, up = lower.copy(), upper.copy()
    L1Regressor(alpha=0.05, lower_bounds=lower, upper_bounds=upper).fit(X_DIA, Y_DIA)
    np.testing.assert_array_equal(lower, lo)
    np.testing.assert_array_equal(upper, up)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_float32_models_keep_bounds_float32_cannot_hold(l1_ratio):
    """0.1 is not a float32: a coefficient at the bound 0.1, stored as float32, rounded to
    0.10000000149 (outside the box, where the stored model's certificate means nothing); it
    is stored at the nearest float32 inside, and certified there."""
    X = X_DIA.astype(np.float32)
    model = _estimator(l1_ratio, 0.001, lower_bounds=-0.1, upper_bounds=0.1, tol=1e-8).fit(X, Y_DIA)
    assert model.coef_.dtype == np.float32
    assert np.all(model.coef_ <= 0.1) and np.all(model.coef_ >= -0.1)
    assert np.any(np.abs(model.coef_) == np.nextafter(np.float32(0.1), np.float32(0)))
    a, b = _weights(0.001, l1_ratio)
    gap = box_gap(X.astype(np.float64), Y_DIA, model.coef_.astype(np.float64),
                  float(model.intercept_), a, b, np.full(P, -0.1), np.full(P, 0.1))
    assert gap <= model.dual_gap_ * (1 + 1e-6) + 1e-12 * _null_objective(Y_DIA)


def test_float32_glm_and_path_keep_the_box():
    from test_glm import _claims

    X, y = _claims("poisson")
    X32 = X.astype(np.float32)
    model = L1Regressor(alpha=1e-4, loss="poisson", lower_bounds=-0.1, upper_bounds=0.1).fit(
        X32, y)
    assert model.coef_.dtype == np.float32
    assert np.all(np.abs(model.coef_) <= 0.1)
    cv = L1RegressorCV(alphas=4, cv=3, upper_bounds=0.1, lower_bounds=-0.1).fit(
        X_DIA.astype(np.float32), Y_DIA)
    assert np.all(np.abs(cv.coef_) <= 0.1) and np.all(np.abs(cv.path_.coefs) <= 0.1)
