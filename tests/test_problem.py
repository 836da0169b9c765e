"""The problem layer: the datafit contract, the centred cross-products, the design's
statistics fixed at construction, and one rule per parameter name at every entry point.

References are independent: finite differences and closed forms for the datafit, explicitly
centred float64 / extended-precision products for the cross-products, scikit-learn's Lasso
for a reference optimum.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso

import sparsereg
from sparsereg._problem import SquaredError, make_design
from sparsereg._problem._centered import centered_products
from sparsereg._solvers import solve_enet


def _loss_data(seed, n=30):
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n) * 3 + 1
    eta = rng.standard_normal(n)
    s = rng.uniform(0.2, 2.0, n)
    return y, eta, s


# -- the datafit contract, on the squared loss ---------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_gradient_and_curvature_are_the_derivatives_of_value(seed):
    y, eta, s = _loss_data(seed)
    loss, h = SquaredError(), 1e-6
    grad = loss.gradient(y, eta, s)
    for i in range(0, len(y), 7):
        e = np.zeros_like(eta)
        e[i] = h
        numeric = (loss.value(y, eta + e, s) - loss.value(y, eta - e, s)) / (2 * h)
        assert numeric == pytest.approx(grad[i], rel=1e-6, abs=1e-10)
        second = (loss.gradient(y, eta + e, s)[i] - loss.gradient(y, eta - e, s)[i]) / (2 * h)
        assert second == pytest.approx(loss.curvature(y, eta, s)[i], rel=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_intercept_step_makes_the_intercept_optimal(seed):
    y, eta, s = _loss_data(seed)
    loss = SquaredError()
    moved = eta + loss.intercept_step(y, eta, s)
    assert abs(loss.gradient(y, moved, s).sum()) < 1e-12 * np.abs(y).max()
    # and it is the minimiser over constant shifts: the weighted mean residual
    assert loss.intercept_step(y, eta, s) == pytest.approx(s @ (y - eta) / s.sum())


@pytest.mark.parametrize("seed", range(3))
def test_conjugate_satisfies_fenchel_young(seed):
    """F(eta) + F*(u) >= <u, eta> for every u, with equality at u = grad F(eta)."""
    y, eta, s = _loss_data(seed)
    loss = SquaredError()
    rng = np.random.default_rng(100 + seed)
    for _ in range(20):
        u = rng.standard_normal(len(y)) * 0.1
        assert loss.value(y, eta, s) + loss.conjugate(y, u, s) >= u @ eta - 1e-12
    u = loss.gradient(y, eta, s)
    assert loss.value(y, eta, s) + loss.conjugate(y, u, s) == pytest.approx(u @ eta, abs=1e-12)
    # outside the domain (u_i != 0 where s_i = 0) the conjugate is infinite
    s0 = s.copy()
    s0[0] = 0.0
    u0 = np.zeros_like(u)
    u0[0] = 1.0
    assert loss.conjugate(y, u0, s0) == np.inf


def _lasso_gap_from_datafit(X, y, w, b, alpha, s):
    """P(w, b) - D(theta) from the datafit's value and conjugate, theta the dual point at the
    optimal intercept scaled into |X^T theta| <= alpha (the generic recipe a new loss uses)."""
    loss = SquaredError()
    eta = X @ w + b
    eta = eta + loss.intercept_step(y, eta, s)
    theta = loss.dual_point(y, eta, s)
    assert abs(theta.sum()) < 1e-12 * np.abs(theta).sum()  # the intercept's constraint
    corr = np.abs(X.T @ theta).max()
    theta = theta * min(1.0, alpha / corr) if corr > 0 else theta
    primal = loss.value(y, X @ w + b, s) + alpha * np.abs(w).sum()
    dual = -loss.conjugate(y, -theta, s)
    return primal - dual, primal


def test_datafit_gap_vanishes_at_the_optimum_and_bounds_suboptimality():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((60, 15))
    y = X[:, :3] @ [2.0, -1.0, 0.5] + 0.3 * rng.standard_normal(60) + 4.0
    s = np.ones(60)
    alpha = 0.05
    ref = Lasso(alpha=alpha, tol=1e-14, max_iter=100000).fit(X, y)
    gap, primal = _lasso_gap_from_datafit(X, y, ref.coef_, ref.intercept_, alpha, s)
    assert 0 <= gap <= 1e-10 * primal
    # a perturbed point: the gap is positive and bounds P(w) - P*
    w = ref.coef_ + 0.05 * rng.standard_normal(15)
    gap_w, primal_w = _lasso_gap_from_datafit(X, y, w, ref.intercept_, alpha, s)
    p_star = primal
    b_w = ref.intercept_ + SquaredError().intercept_step(y, X @ w + ref.intercept_, s)
    primal_w = SquaredError().value(y, X @ w + b_w, s) + alpha * np.abs(w).sum()
    assert gap_w >= primal_w - p_star > 0
    # and sparsereg's own certificate of its fit is within tol of that optimum
    model = sparsereg.L1Regressor(alpha=alpha, tol=1e-8).fit(X, y)
    gap_m, _ = _lasso_gap_from_datafit(X, y, model.coef_, model.intercept_, alpha, s)
    assert gap_m <= 1e-8 * SquaredError().value(y, np.full(60, y.mean()), s) + 1e-12


# -- centred cross-products: one routine, dense and CSC ------------------------------------

def _offset_columns(seed, n=400, p=6, offset=1e7):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[rng.random((n, p)) < 0.5] = 0.0
    X[:, 1] += offset  # huge mean, unit spread: X^T X - S mu mu^T would lose every digit
    X[:, 4] += 300.0
    y = rng.standard_normal(n)
    return X, y


def _exact_products(X, c, y, means, columns):
    Xc = (np.asarray(X, dtype=np.longdouble) - np.outer(c, means)) * 1.0
    return (Xc.T @ Xc[:, columns]) / (c @ c), (Xc[:, columns].T @ y) / (c @ c)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("columns", [None, [1, 3]])
def test_centred_products_do_not_cancel_for_large_means(fmt, columns):
    X, y = _offset_columns(0)
    c = np.ones(X.shape[0])
    means = X.mean(axis=0)
    y = y - y.mean()
    storage = np.asfortranarray(X)
    if fmt == "csc":
        Xs = sp.csc_matrix(X)
        storage = (Xs.data, Xs.indices, Xs.indptr)
    Q, g = centered_products(storage, c, y, float(len(c)), means,
                             None if columns is None else np.array(columns))
    cols = np.arange(X.shape[1]) if columns is None else np.array(columns)
    Q_ref, g_ref = _exact_products(X, c, y, means, cols)
    scale = np.sqrt(np.outer(np.diag(_exact_products(X, c, y, means, np.arange(6))[0]),
                             np.diag(_exact_products(X, c, y, means, np.arange(6))[0])[cols]))
    # every entry to a few ulps of the centred product's scale (X^T X - S mu mu^T would be
    # wrong by ~1e14 / 1 = all digits in column 1)
    assert np.all(np.abs(Q - Q_ref.astype(float)) <= 1e-12 * scale)
    assert np.allclose(g, g_ref.astype(float), rtol=1e-10, atol=1e-12)


# -- statistics fixed at construction -------------------------------------------------------

@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("gram", [False, True])
def test_design_statistics_do_not_depend_on_call_order(fmt, gram):
    rng = np.random.default_rng(3)
    X = rng.standard_normal((300, 12)) + 5.0
    y = X[:, 0] - X[:, 3] + rng.standard_normal(300)
    Xin = sp.csc_matrix(X) if fmt == "csc" else X
    solver = "gram" if gram else "cd"
    design = make_design(Xin, y, None, True, solver=solver)
    before = {k: np.copy(getattr(design, k)) for k in ("means", "lips", "norms", "xty")}
    before["null_objective"] = design.null_objective
    design.gram()
    design.cross_products(np.array([0, 2]))
    solve_enet(design, 0.05, 1.0, solver="gram")
    solve_enet(design, 0.05, 1.0, solver="cd", penalty_factor=np.r_[0.0, np.ones(11)])
    for key, value in before.items():
        assert np.array_equal(getattr(design, key), value), key
    # and two designs of the same data give the same solution whatever was asked first
    other = make_design(Xin, y, None, True, solver=solver)
    a = solve_enet(other, 0.05, 1.0, solver="cd")
    b = solve_enet(design, 0.05, 1.0, solver="cd")
    assert np.array_equal(a.coef, b.coef)


# -- one rule per parameter name -------------------------------------------------------------

def _entry_points(X, y):
    """Each public entry point called with one parameter, as a function of that parameter."""
    return {
        "L1Regressor": lambda **kw: sparsereg.L1Regressor(**kw).fit(X, y),
        "ElasticNetRegressor": lambda **kw: sparsereg.ElasticNetRegressor(**kw).fit(X, y),
        "L2Regressor": lambda **kw: sparsereg.L2Regressor(**kw).fit(X, y),
        "L1RegressorCV": lambda **kw: sparsereg.L1RegressorCV(**kw).fit(X, y),
        "L2RegressorCV": lambda **kw: sparsereg.L2RegressorCV(**kw).fit(X, y),
        "regularization_path": lambda **kw: sparsereg.regularization_path(X, y, **kw),
        "alpha_max": lambda **kw: sparsereg.alpha_max(X, y, **kw),
    }


SHARED = [  # (parameter, bad value, exception, message)
    ("tol", -1.0, ValueError, "tol must be >= 0"),
    ("tol", "1e-4", TypeError, "tol must be a real number"),
    ("max_iter", 0, ValueError, "max_iter must be >= 1"),
    ("max_iter", 1.5, TypeError, "max_iter must be an integer"),
    ("fit_intercept", "yes", TypeError, "fit_intercept must be a bool"),
    ("penalty_factor", [1.0, -1.0, 1.0], ValueError, "penalty_factor must be non-negative"),
    ("eps", 0.0, ValueError, "eps must be > 0"),
]


@pytest.mark.parametrize("name, value, error, message", SHARED)
def test_a_parameter_means_the_same_everywhere(name, value, error, message):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 3)), rng.standard_normal(20)
    checked = 0
    for entry, call in _entry_points(X, y).items():
        takes = {"alpha_max": ("fit_intercept", "penalty_factor"),
                 "L1Regressor": ("tol", "max_iter", "fit_intercept", "penalty_factor"),
                 "ElasticNetRegressor": ("tol", "max_iter", "fit_intercept", "penalty_factor"),
                 "L2Regressor": ("tol", "max_iter", "fit_intercept", "penalty_factor")}
        if entry in takes and name not in takes[entry]:
            continue
        with pytest.raises(error, match=message):
            call(**{name: value})
        checked += 1
    assert checked >= 3


def test_dask_entry_points_apply_the_same_rules():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(0)
    X = da.from_array(rng.standard_normal((40, 3)), chunks=(10, 3))
    y = da.from_array(rng.standard_normal(40), chunks=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for call in _entry_points(X, y).values():
            with pytest.raises(TypeError, match="fit_intercept must be a bool"):
                call(fit_intercept="yes")
