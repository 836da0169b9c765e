"""The certificate never lies: ``dual_gap_`` bounds the true gap on the data users pass.

Every check compares the reported gap with :func:`_reference.normalized_gap`, computed
independently in float64 on explicitly centred data with each column and y divided by its
spread, so that its own arithmetic is sound whatever the offset and scale of the data. The
reported gap always bounds the independent one (``independent gap <= dual_gap_ + round-off``),
and a fit either meets ``dual_gap_ <= tol * P(0)`` or warns with a ConvergenceWarning, which
states the gap reached: a certificate too.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso

import _reference as ref
from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor

EPS = np.finfo(np.float64).eps


def roundoff_slack(X, y, coef, intercept, sample_weight=None, fit_intercept=True):
    """What float64 round-off can put into the independent gap, derived from the data.

    The gap is a difference of sums of ``n + p`` terms of the size of P(0); and the residual
    ``y - X w - b`` and the correlations ``x_j^T r`` are computed from terms of size
    ``F = sum_j |w_j| ||x_j|| + |b|`` (over sqrt(S)), whose round-off moves the primal and
    dual values by about ``eps ||r|| F``, far more than ``eps P(0)`` when large coefficients
    cancel (collinear, offset columns without an intercept). Generous constants: the checks
    catch understatements of 1e-2 .. 1 (the failures seen before), and exact rational
    arithmetic on the cases that needed this slack showed the reported gap right and the
    float64 reference off.
    """
    n, p = X.shape
    s = ref.weights_or_ones(sample_weight, n)
    top = np.abs(X).max(axis=0, initial=0.0)
    top[top == 0] = 1.0
    col_norms = top * np.sqrt(s @ ((X / top) ** 2) / s.sum())  # no overflow at 1e160
    size = float(np.abs(np.asarray(coef, dtype=np.float64)) @ col_norms) + abs(float(intercept))
    p0 = ref.null_objective(y, sample_weight, fit_intercept)
    return 1024 * (n + p) * EPS * (p0 + np.sqrt(p0) * size)


def fit_recording(est, X, y, sample_weight=None):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y, sample_weight=sample_weight)
    return any(issubclass(w.category, ConvergenceWarning) for w in caught)


def independent_gap(est, X, y, sample_weight=None):
    params = est.get_params()
    l1_ratio = {L1Regressor: 1.0, L2Regressor: 0.0}.get(type(est), params.get("l1_ratio"))
    return ref.normalized_gap(X, y, est.coef_, est.intercept_, est.alpha, l1_ratio,
                              sample_weight=sample_weight,
                              penalty_factor=params["penalty_factor"],
                              fit_intercept=params["fit_intercept"],
                              positive=params.get("positive", False), dtype=np.longdouble)


def assert_honest(est, X, y, sample_weight=None, warned=False):
    """The independent gap is within the reported one, warned or not (a ConvergenceWarning
    states the gap reached, which must still be a certificate); unless the fit warned, the
    reported gap also meets tol * P(0)."""
    gap, p0 = independent_gap(est, X, y, sample_weight)
    fit_intercept = est.get_params()["fit_intercept"]
    slack = roundoff_slack(X, y, est.coef_, est.intercept_, sample_weight, fit_intercept)
    assert est.dual_gap_ > 0.0, "a computed gap is never exactly zero"
    assert gap <= est.dual_gap_ + slack, (gap / p0, est.dual_gap_ / p0, warned)
    if not warned:
        assert est.dual_gap_ <= est.tol * p0 * (1 + 1e-12)
    return gap


def offset_problem(seed=0):
    """Offset columns (docs/user_guide.rst, "What makes the certificate hold on raw data"): a
    column at 1e6 +- 1, another at 1e4 +- 1e-2."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((5000, 20))
    X[:, 0] = 1e6 + rng.standard_normal(5000)
    X[:, 1] = 1e4 + 1e-2 * rng.standard_normal(5000)
    y = X[:, 0] - 1e6 + 200 * (X[:, 1] - 1e4) + X[:, 2] + 0.1 * rng.standard_normal(5000)
    return X, y


@pytest.mark.parametrize("fmt, solver", [("dense", "cd"), ("csc", "cd"), ("csc", "gram"),
                                         ("dense", "gram"), ("csr", "auto")])
def test_offset_columns_are_certified(fmt, solver):
    X, y = offset_problem()
    Xf = X if fmt == "dense" else getattr(sp, f"{fmt}_matrix")(X)
    est = L1Regressor(alpha=1e-3, solver=solver)
    assert not fit_recording(est, Xf, y)
    gap = assert_honest(est, X, y)
    assert gap <= 1e-4 * ref.null_objective(y)


def test_offset_coefficients_match_sklearn_on_centred_data():
    """Within the certificate: ||w - w_sk|| <= sqrt(2 G / mu) + sqrt(2 G_sk / mu)."""
    X, y = offset_problem()
    Xc = X - X.mean(axis=0)
    alpha = 1e-3
    sk = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(Xc, y)
    sk_gap = ref.normalized_gap(Xc, y, sk.coef_, sk.intercept_, alpha, 1.0)[0]
    mu = ref.strong_convexity(X, alpha, 1.0)
    assert mu > 0
    for Xf in (X, sp.csc_matrix(X)):
        est = L1Regressor(alpha=alpha, tol=1e-8).fit(Xf, y)
        bound = np.sqrt(2 * est.dual_gap_ / mu) + np.sqrt(2 * sk_gap / mu)
        assert np.linalg.norm(est.coef_ - sk.coef_) <= bound
        assert np.array_equal(est.coef_ != 0, sk.coef_ != 0)


def test_offset_on_every_column_selects_what_centred_data_selects():
    """100 x 20 data plus 1e7 on every column: the old kernels picked 6 features, not 5."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((100, 20))
    y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(100)
    sk = Lasso(alpha=0.3, tol=1e-12, max_iter=100_000).fit(X, y)
    for Xf in (X + 1e7, sp.csc_matrix(X + 1e7)):
        est = L1Regressor(alpha=0.3).fit(Xf, y)
        assert_honest(est, X + 1e7, y)
        assert np.array_equal(est.support_, sk.coef_ != 0)


@pytest.mark.parametrize("seed", range(20))
def test_warm_start_into_positive_is_projected(seed):
    """An unconstrained fit warm-starting a positive one: the start is infeasible."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((50, 30))
    y = X @ rng.standard_normal(30) + rng.standard_normal(50)
    est = L1Regressor(alpha=0.02, warm_start=True).fit(X, y)
    assert np.any(est.coef_ < 0)
    warned = fit_recording(est.set_params(positive=True), X, y)
    assert np.all(est.coef_ >= 0)
    assert_honest(est, X, y, warned=warned)
    cold = L1Regressor(alpha=0.02, positive=True, tol=1e-10).fit(X, y)
    p = ref.objective(X, y, est.coef_, est.intercept_, 0.02, 1.0, positive=True)
    p_cold = ref.objective(X, y, cold.coef_, cold.intercept_, 0.02, 1.0, positive=True)
    assert p - p_cold <= est.dual_gap_ + roundoff_slack(X, y, est.coef_, est.intercept_)


def _scaled_estimators(s):
    # alpha in the units that leave the solution unchanged: L1 scales with x * y, L2 with x^2
    return [L1Regressor(alpha=0.05 * s * s), ElasticNetRegressor(alpha=0.05 * s * s),
            L2Regressor(alpha=0.05 * s * s), L2Regressor(alpha=0.05 * s * s, solver="cg"),
            L2Regressor(alpha=0.05 * s * s, solver="gradient"),
            L2Regressor(alpha=0.05 * s * s, solver="svd")]


@pytest.mark.parametrize("scale", [1e-150, 1e-100, 1e100, 1e150])
def test_extreme_scales(scale):
    """X and y times 1e-150 ... 1e150: the same coefficients, an honest gap, no warning."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 20))
    y = X[:, :6] @ np.ones(6) + 0.1 * rng.standard_normal(100)
    for unit, est in zip(_scaled_estimators(1.0), _scaled_estimators(scale)):
        unit.fit(X, y)
        assert not fit_recording(est, X * scale, y * scale)
        assert_honest(est, X * scale, y * scale)
        np.testing.assert_allclose(est.coef_, unit.coef_, rtol=1e-6, atol=1e-6)
        assert est.n_nonzero_ == unit.n_nonzero_


@pytest.mark.parametrize("fmt", ["dense", "csr"])
@pytest.mark.parametrize("x_scale", [1e-125, 1e125])
def test_matrix_free_ridge_with_columns_far_from_y_scale(fmt, x_scale):
    """Wide X at 1e125 with y at 1: conjugate gradient formed ``d^T X^T X d`` ~ 1e384 and
    returned NaN coefficients with a NaN gap (found by an adversarial trial); its iterates
    are now scaled by a power of two near the curvature, so it matches Cholesky."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 120))
    y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(40)
    Xs = X * x_scale
    Xf = Xs if fmt == "dense" else sp.csr_matrix(Xs)
    alpha = 0.05 * x_scale * x_scale
    ref_fit = L2Regressor(alpha=0.05, solver="cholesky").fit(X, y)
    for solver in ("cg", "gradient"):
        est = L2Regressor(alpha=alpha, solver=solver)
        assert not fit_recording(est, Xf, y)
        assert np.all(np.isfinite(est.coef_))
        assert_honest(est, Xs, y)
        # ridge is 0.05-strongly convex (in the unscaled coordinates): each fit is within
        # sqrt(2 G / 0.05) of the optimum, G its certified gap
        bound = np.sqrt(2 * est.dual_gap_ / 0.05) + np.sqrt(2 * ref_fit.dual_gap_ / 0.05)
        assert np.linalg.norm(est.coef_ * x_scale - ref_fit.coef_) <= bound


def test_closed_form_ridge_warns_when_round_off_cannot_certify():
    """A tol below what float64 can certify: the closed form says so instead of claiming it."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((200, 10))
    y = X @ rng.standard_normal(10) + rng.standard_normal(200)
    for solver in ("cholesky", "svd"):
        with pytest.warns(ConvergenceWarning, match="round-off"):
            L2Regressor(alpha=0.1, solver=solver, tol=1e-17).fit(X, y)


@pytest.mark.parametrize("seed", range(6))
def test_tiny_alpha_on_wide_data_gives_the_minimum_norm_interpolant(seed):
    """alpha = 1e-30 on 20 x 50 data: was a raw LinAlgError (seed 3); the limit is the
    least-norm fit of the centred data."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((20, 50))
    y = rng.standard_normal(20)
    est = L2Regressor(alpha=1e-30).fit(X, y)
    Xc = X - X.mean(axis=0)
    w = np.linalg.pinv(Xc) @ (y - y.mean())
    np.testing.assert_allclose(est.coef_, w, rtol=1e-6, atol=1e-8 * np.linalg.norm(w))


def _wide_sparse(n, p, nnz_per_row, seed=0):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n), nnz_per_row)
    cols = rng.integers(0, p, n * nnz_per_row)
    return sp.csr_matrix((rng.standard_normal(n * nnz_per_row), (rows, cols)), shape=(n, p))


@pytest.mark.parametrize("solver", ["auto", "cholesky"])
def test_sparse_wide_ridge_uses_the_dual_system(solver):
    """1000 x 1e6 sparse: was a 7 TiB p x p Cholesky (MemoryError); now the n x n system."""
    import tracemalloc

    n, p = 1000, 1_000_000
    X = _wide_sparse(n, p, 20)
    y = np.random.default_rng(5).standard_normal(n)
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=1 CG, then the dual
        est = L2Regressor(alpha=1e-3, max_iter=1, solver=solver).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 300 * 2**20  # n x n and a few p-vectors, never p x p or n x p dense
    # independent: w = X_c^T (X_c X_c^T + alpha n I)^-1 y_c, the normal equations' dual form
    mean = np.asarray(X.mean(axis=0)).ravel()
    K = (X @ X.T).toarray()
    u = X @ mean
    K = K - u[:, None] - u[None, :] + mean @ mean
    z = np.linalg.solve(K + 1e-3 * n * np.eye(n), y - y.mean())
    w = X.T @ z - mean * z.sum()
    np.testing.assert_allclose(est.coef_, w, rtol=1e-7, atol=1e-9 * np.abs(w).max())
    assert est.dual_gap_ <= est.tol * ref.null_objective(y)


# --- the honesty property --------------------------------------------------------------

@st.composite
def problems(draw):
    n = draw(st.integers(4, 40))
    p = draw(st.integers(1, 25))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    fmt = draw(st.sampled_from(["dense", "csc", "csr"]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    X = rng.standard_normal((n, p))
    if fmt != "dense":
        X[rng.random((n, p)) < draw(st.sampled_from([0.0, 0.5, 0.9]))] = 0.0
    # column offsets with mean / sd up to 1e8 and per-column spreads over 4 decades
    offsets = draw(st.lists(st.sampled_from([0.0, 0.0, 1.0, 1e2, 1e4, 1e6, 1e8]),
                            min_size=p, max_size=p))
    spread = 10.0 ** rng.uniform(-2, 2, p)
    X = X * spread
    X = X + np.asarray(offsets) * spread * (X != 0)
    beta = rng.standard_normal(p) * (rng.random(p) < 0.5)
    y = (X - X.mean(axis=0)) @ beta + rng.standard_normal(n) + draw(
        st.sampled_from([0.0, 1e3]))
    # global scales: float32 holds 1e-38 ... 1e38 only
    # X's offsets and spreads reach 1e10 sx: keep |X| below 1e150 (float64), 3e38 (float32)
    span = 25 if dtype == np.float32 else 140
    ex = draw(st.integers(-span, span))
    # y reaches 1e3 sy: squares of n of them stay finite up to sy = 1e145
    sx, sy = 10.0 ** ex, 10.0 ** draw(st.integers(max(-150, ex - 150), min(145, ex + 150)))
    X, y = (X * sx).astype(dtype), y * sy
    Xf = X if fmt == "dense" else getattr(sp, f"{fmt}_matrix")(X)
    sw = None
    if draw(st.booleans()):
        sw = rng.integers(1, 4, n).astype(float) if draw(st.booleans()) else \
            rng.uniform(0.1, 3.0, n)
    pf = None
    if draw(st.booleans()):
        pf = rng.uniform(0.2, 3.0, p)
        pf[rng.random(p) < 0.2] = 0.0
    return Xf, X.astype(np.float64), y, sw, pf, sx, sy


# derandomize: CI runs the same 300 examples every time (development ran it under many
# seeds); set derandomize=False locally to explore others.
@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems(), l1_ratio=st.sampled_from([1.0, 0.5, 0.0]),
       fit_intercept=st.booleans(), positive=st.booleans(), warm=st.booleans(),
       frac=st.floats(-3.0, 0.3), data=st.data())
def test_reported_gap_bounds_the_independent_gap(problem, l1_ratio, fit_intercept, positive,
                                                 warm, frac, data):
    Xf, X, y, sw, pf, sx, sy = problem
    if l1_ratio > 0:
        top = ref.alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                            sample_weight=sw, penalty_factor=pf)
        alpha = (top if top > 0 else sx * sy) * 10.0 ** frac
        assume(np.isfinite(alpha) and alpha > 0)  # alpha_max of 1e156 data can overflow
        solver = data.draw(st.sampled_from(["auto", "cd", "gram"]))
        est = ElasticNetRegressor(alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                                  penalty_factor=pf, positive=positive, solver=solver)
    else:
        alpha = sx * sx * 10.0 ** frac
        solver = data.draw(st.sampled_from(["auto", "cholesky", "svd", "cg", "gradient"]))
        if solver == "svd" and sp.issparse(Xf) and X.shape[1] > X.shape[0]:
            solver = "cholesky"
        est = L2Regressor(alpha, fit_intercept=fit_intercept, penalty_factor=pf, solver=solver)
    if warm:
        # warm start from another problem (unconstrained, a larger penalty)
        start = est.get_params()
        est.set_params(warm_start=True, alpha=3 * alpha)
        constrained = "positive" in start and l1_ratio > 0  # (L2Regressor: solver="auto")
        if constrained:
            est.set_params(positive=False)
        fit_recording(est, Xf, y, sw)
        est.set_params(alpha=alpha, **({"positive": positive} if constrained else {}))
    warned = fit_recording(est, Xf, y, sw)
    event("warned" if warned else "certified")
    assert_honest(est, X, y, sw, warned=warned)


def test_dask_statistics_with_offset_columns_are_certified():
    """The one-pass statistics (Chan merges) of offset data give an honest gap too."""
    da = pytest.importorskip("dask.array")
    X, y = offset_problem()
    est = L1Regressor(alpha=1e-3).fit(da.from_array(X, chunks=(1000, 20)),
                                      da.from_array(y, chunks=1000))
    assert_honest(est, X, y)


def test_float32_csc_with_unpenalized_features():
    """Was a Numba typing error: float32 cross products met float64 statistics."""
    rng = np.random.default_rng(6)
    X = rng.standard_normal((30, 6)).astype(np.float32)
    y = rng.standard_normal(30)
    pf = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
    for solver in ("cd", "gram"):
        est = L1Regressor(0.1, penalty_factor=pf, solver=solver).fit(sp.csc_matrix(X), y)
        assert est.coef_.dtype == np.float32
        assert_honest(est, X.astype(np.float64), y)


def test_float32_coefficients_out_of_range_are_kept_in_float64():
    rng = np.random.default_rng(7)
    X = rng.standard_normal((40, 3)).astype(np.float32)
    y = 1e40 * (X.astype(np.float64) @ np.ones(3))
    with pytest.warns(RuntimeWarning, match="range of float32"):
        est = L2Regressor(1e-3).fit(X, y)
    assert est.coef_.dtype == np.float64 and np.all(np.isfinite(est.coef_))
    assert_honest(est, X.astype(np.float64), y)


def test_values_whose_squares_overflow_are_refused():
    X = np.random.default_rng(8).standard_normal((10, 2)) * 1e160
    with pytest.raises(ValueError, match="overflow"):
        L1Regressor().fit(X, np.arange(10.0))


def test_sparse_ridge_too_large_for_a_direct_solve_warns_instead():
    """n and p both above what an n x n or p x p system may hold: an unconverged CG is
    returned with its warning, never a dense fallback (and an explicit Cholesky is refused
    before any work)."""
    X = _wide_sparse(13_000, 14_000, 3, seed=9)
    y = np.random.default_rng(9).standard_normal(13_000)
    with pytest.warns(ConvergenceWarning, match="duality gap"):
        est = L2Regressor(alpha=1e-3, max_iter=1).fit(X, y)
    assert est.n_iter_ == 1 and est.dual_gap_ > 0
    with pytest.raises(ValueError, match="solver='cg'"):
        L2Regressor(alpha=1e-3, solver="cholesky").fit(X, y)


# --- found by an adversarial review, each checked against an exact lower bound -----------

def _exact_objective(X, y, coef, intercept, alpha, l1_ratio, pf=None, sw=None):
    """P at the stored (coef, intercept) in exact rational arithmetic (tiny problems)."""
    from fractions import Fraction as F

    n, p = X.shape
    s = [F(1)] * n if sw is None else [F(float(v)) for v in sw]
    v = [F(1)] * p if pf is None else [F(float(t)) for t in pf]
    b = intercept if isinstance(intercept, F) else F(float(intercept))
    w, a = [F(float(t)) for t in coef], F(float(alpha))
    loss = sum(s[i] * (F(float(y[i])) - b - sum(F(float(X[i, j])) * w[j] for j in range(p)))
               ** 2 for i in range(n)) / (2 * sum(s))
    pen = sum(v[j] * (F(float(l1_ratio)) * abs(w[j]) + (1 - F(float(l1_ratio))) / 2
                      * w[j] ** 2) for j in range(p))
    return loss + a * pen


@pytest.mark.parametrize("solver", ["gradient", "cg"])
def test_unpenalized_columns_spanning_the_rows(solver):
    """With the intercept they span R^n, so min P = 0 and dual_gap_ must be >= P(model):
    the projected statistics cancel to round-off, which the dual value now accounts for."""
    rng = np.random.default_rng(257)
    n, nu, pp = 10, 11, 5
    X = rng.standard_normal((n, nu + pp)) * 10.0 ** rng.uniform(-1, 1, nu + pp)
    y = rng.standard_normal(n)
    pf = np.r_[np.zeros(nu), rng.uniform(0.2, 3, pp)]
    warned = fit_recording(est := L2Regressor(0.3, penalty_factor=pf, solver=solver, tol=1e-8),
                           X, y)
    P = float(_exact_objective(X, y, est.coef_, est.intercept_, 0.3, 0.0, pf))
    # a certificate whether or not the fit warned (the gradient solver does warn here)
    assert P <= est.dual_gap_ * (1 + 1e-9)
    assert warned or est.dual_gap_ <= est.tol * ref.null_objective(y) * (1 + 1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_unpenalized_constant_column_with_weights(seed):
    """A constant column (collinear with the intercept) left unpenalized, with weights: the
    coordinate update divided by its round-off spread (NaN, or coefficients of 1e30)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.full(8, 3.7), rng.standard_normal((8, 2))])
    y = rng.standard_normal(8)
    sw = rng.uniform(1e-3, 1e3, 8)
    for solver in ("cd", "gram"):
        est = L1Regressor(0.1, penalty_factor=[0, 1, 1], solver=solver)
        warned = fit_recording(est, X, y, sw)
        assert np.all(np.isfinite(est.coef_)) and np.abs(est.coef_).max() < 1e3
        assert_honest(est, X, y, sw, warned=warned)


def test_intercept_beyond_float64_resolution_warns():
    """A column at 1e15 +- 1: the intercept (~3e15) is stored to 0.5, which can move P by
    more than tol * P(0). The certificate counts that rounding and the fit says so.

    How much the stored intercept really costs depends on where the exact optimum falls
    between two floats, which moves with the last bits of the coefficients (a NumPy
    update moved it): so several draws, each certificate at least the exact
    suboptimality, and the rounding real (above tol * P(0)) in some of them."""
    from fractions import Fraction as F

    real = 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        X = np.column_stack([1e15 + rng.standard_normal(50), rng.standard_normal(50)])
        y = 3 * (X[:, 0] - 1e15) + X[:, 1] + 0.1 * rng.standard_normal(50)
        for est, l1 in ((L1Regressor(0.01), 1.0), (L2Regressor(0.01), 0.0)):
            with pytest.warns(ConvergenceWarning, match="intercept"):
                est.fit(X, y)
            # exact lower bound on the suboptimality: the stored intercept against the
            # exact optimal one for the stored coefficients
            w = [F(float(t)) for t in est.coef_]
            b_star = sum(F(float(y[i])) - sum(F(float(X[i, j])) * w[j] for j in range(2))
                         for i in range(50)) / 50
            lower = _exact_objective(X, y, est.coef_, est.intercept_, 0.01, l1) \
                - _exact_objective(X, y, est.coef_, b_star, 0.01, l1)
            assert est.dual_gap_ >= float(lower)
            real += lower > est.tol * ref.null_objective(y)
    assert real >= 4  # the rounding is real, not only a possibility the certificate counts


def test_unverifiable_projection_is_not_used():
    """Found by a random seed of the honesty property in CI (data kept in tests/data):
    positive, no intercept, weights, three unpenalized columns at 1.4e5 +- 0.2,
    3.5e8 +- 3, 6.7e8 +- 6. The normal equations of that block (uncentred, condition ~1e12)
    left correlations of 2e-2 that the old round-off check accepted, and the certificate
    (3.2e-5 P(0)) fell below the extended-precision reference (4.0e-5 P(0)). Such a
    projection is no longer used: the reported gap bounds the reference, and a fit that
    cannot certify tol warns."""
    import pathlib

    data = np.load(pathlib.Path(__file__).parent / "data" / "unverifiable_projection.npz")
    X, y, sw, pf = data["X"], data["y"], data["sw"], data["pf"]
    est = ElasticNetRegressor(26.35906324679065, l1_ratio=1.0, fit_intercept=False,
                              penalty_factor=pf, positive=True)
    warned = fit_recording(est, sp.csc_matrix(X), y, sw)
    # (it warns here, with a gap of 1.0e-4 P(0): still a certificate, which is checked)
    assert_honest(est, X, y, sw, warned=warned)


@pytest.mark.parametrize("kind", ["path", "cv"])
def test_float32_paths_warn_when_rounding_loses_the_certificate(kind):
    """A float64 path solution at tol 1e-8, rounded to float32, is certified to ~1e-7 P(0)
    only: the path and the CV refit (``path_``, ``dual_gap_``) say so, as single fits did.
    The stored models' gaps are checked independently (explicitly centred float64 data)."""
    from sklearn.datasets import load_diabetes
    from sparsereg import L1RegressorCV, regularization_path
    X, y = load_diabetes(return_X_y=True)
    X32 = (X * 100).astype(np.float32)
    tol = 1e-8
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if kind == "path":
            path = regularization_path(X32, y, tol=tol, n_alphas=30)
        else:
            path = L1RegressorCV(tol=tol, cv=3).fit(X32, y).path_
    gaps = []
    for k in range(len(path.alphas)):
        gap, p0 = ref.normalized_gap(X32.astype(np.float64), y, path.coefs[k],
                                     path.intercepts[k], path.alphas[k], 1.0)
        assert gap <= path.dual_gaps[k] + 1e-10 * p0
        gaps.append(gap / p0)
    assert max(gaps) > tol  # the rounding really loses it here ...
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert any("rounded to float32" in m for m in messages), messages  # ... and it is said
