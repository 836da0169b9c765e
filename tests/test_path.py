"""regularization_path and RegularizationPath (docs/user_guide.rst, "Paths and
RegularizationPath"): path points against cold fits, the default grid from alpha_max, the
order of entry, the information criteria, the relaxed lasso and the path's methods.

Every expected value here comes from an independent computation (numpy/scipy written from the
objective P(w, b) documented in docs/conventions.rst and its dual, or scikit-learn), never from
sparsereg's own output.

Tolerances for iterative solvers come from duality gaps: a gap ``g`` certifies
``P(w, b) - P* <= g``, and because the loss ``1/(2S) ||y~ - z||^2`` is ``1/S``-strongly convex
in the fitted values ``z = X~ w + b c``, also ``||z - z*||^2 <= 2 S g``. With a ridge part
(modulus ``mu = alpha (1 - l1_ratio) min_j v_j``) the coefficients themselves satisfy
``||w - w*||^2 <= 2 g / mu``.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoLarsIC, lars_path

import sparsereg
from sparsereg import (ElasticNetRegressor, L1Regressor, L2Regressor, alpha_max,
                       regularization_path)

pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

ROUNDOFF = 1e-12  # relative (to P(0)) round-off allowed on top of a certificate


# ---------------------------------------------------------------------------------------------
# Independent references (numpy only)
# ---------------------------------------------------------------------------------------------

def dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)


def ones_or(v, k):
    return np.ones(k) if v is None else np.asarray(v, dtype=np.float64)


def null_objective(y, sw=None, fit_intercept=True):
    s = ones_or(sw, len(y))
    yc = y - (s @ y) / s.sum() if fit_intercept else y
    return 0.5 * float(s @ yc ** 2) / s.sum()


def objective(X, y, w, b, alpha, l1_ratio, sw=None, pf=None):
    """The objective P(w, b) documented in docs/conventions.rst."""
    X = dense(X)
    s = ones_or(sw, X.shape[0])
    v = ones_or(pf, X.shape[1])
    r = y - X @ w - b
    return (0.5 * float(s @ r ** 2) / s.sum()
            + alpha * float(np.sum(v * (l1_ratio * np.abs(w) + 0.5 * (1 - l1_ratio) * w ** 2))))


def duality_gap(X, y, w, b, alpha, l1_ratio, sw=None, pf=None, fit_intercept=True,
                positive=False):
    """P(w, b) - D(theta) for the best dual point on the ray theta = kappa r_p / S.

    Fenchel dual of P (derived in tests/_reference.py; rows scaled by sqrt(s)):
    ``D(theta) = y~^T theta - S/2 ||theta||^2 - sum_j h_j*(x~_j^T theta)`` subject to
    ``theta`` orthogonal to the unpenalized columns (intercept and v_j = 0 features), with
    ``h_j*(u) = (|u| - a_j)_+^2 / (2 b_j)`` (``u`` instead of ``|u|`` if positive), or the
    indicator of ``|u| <= a_j`` when ``b_j = 0``. ``r_p`` is the scaled residual made
    orthogonal to the unpenalized columns; ``D`` is concave in ``kappa``, maximised exactly
    (pure L1) or by bisection on its slope (with a ridge part).
    Weak duality makes the result an upper bound on ``P(w, b) - P*``.
    """
    X = dense(X)
    n, p = X.shape
    s, v = ones_or(sw, n), ones_or(pf, p)
    S, sq = float(s.sum()), np.sqrt(s)
    a, bb = alpha * l1_ratio * v, alpha * (1 - l1_ratio) * v
    unpen = (a == 0) & (bb == 0)
    Xt, yt = sq[:, None] * X, sq * y
    r = yt - Xt @ w - (b * sq if fit_intercept else 0.0)
    cols = ([sq] if fit_intercept else []) + [Xt[:, j] for j in np.flatnonzero(unpen)]
    if cols:
        B = np.column_stack(cols)
        r = r - B @ np.linalg.lstsq(B, r, rcond=None)[0]
    u = (Xt.T @ r / S)[~unpen]
    a, bb = a[~unpen], bb[~unpen]
    ry, rr = float(yt @ r) / S, float(r @ r) / S
    ridge = bb > 0

    def excess(kappa):
        z = kappa * u
        return np.maximum((z if positive else np.abs(z)) - a, 0.0)

    def dual(kappa):
        e = excess(kappa)[ridge]
        return kappa * ry - 0.5 * kappa ** 2 * rr - float(np.sum(e ** 2 / (2 * bb[ridge])))

    def slope(kappa):
        e = excess(kappa)[ridge]
        du = (u if positive else np.abs(u))[ridge]
        return ry - kappa * rr - float(np.sum(e * du / bb[ridge]))

    corr = (u if positive else np.abs(u))[~ridge]
    with np.errstate(divide="ignore", invalid="ignore"):
        caps = np.where(corr > 0, a[~ridge] / corr, np.inf)
    k_hi = float(caps.min()) if caps.size else np.inf  # pure-L1 feasibility
    k_free = ry / rr if rr > 0 else 0.0  # maximiser without the conjugate terms
    hi = max(min(k_hi, k_free), 0.0)
    if not np.any(ridge) or slope(hi) >= 0:
        kappa = hi
    else:
        lo = 0.0
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if slope(mid) > 0 else (lo, mid)
        kappa = lo
    primal = objective(X, y, w, b if fit_intercept else 0.0, alpha, l1_ratio, sw, pf)
    return primal - dual(kappa)


def independent_alpha_max(X, y, l1_ratio=1.0, sw=None, pf=None, fit_intercept=True):
    """alpha_max as in docs/theory.rst: max_j |x_j^T diag(s) r0| / (S v_j l1_ratio), r0 from
    weighted LS on the unpenalized part (intercept and v_j = 0 features)."""
    X = dense(X)
    n, p = X.shape
    s, v = ones_or(sw, n), ones_or(pf, p)
    cols = ([np.ones(n)] if fit_intercept else []) + [X[:, j] for j in np.flatnonzero(v == 0)]
    r0 = y.copy()
    if cols:
        B = np.column_stack(cols)
        sq = np.sqrt(s)
        r0 = y - B @ np.linalg.lstsq(sq[:, None] * B, sq * y, rcond=None)[0]
    pen = v > 0
    return float(np.max(np.abs(X[:, pen].T @ (s * r0)) / (s.sum() * v[pen] * l1_ratio)))


def weighted_lstsq(X, y, sw=None, fit_intercept=True):
    """Weighted least squares with an (unpenalized) intercept: ``(coef, intercept)``."""
    n = X.shape[0]
    sq = np.sqrt(ones_or(sw, n))
    A = np.column_stack([np.ones(n), X]) if fit_intercept else X
    sol = np.linalg.lstsq(sq[:, None] * A, sq * y, rcond=None)[0]
    return (sol[1:], sol[0]) if fit_intercept else (sol, 0.0)


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------

def make_problem(seed, n, p, *, k=6, offset=3.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 0.4 * rng.standard_normal((n, 1)) + rng.normal(0, 1, p)
    X *= rng.uniform(0.5, 2.0, p)
    beta = np.zeros(p)
    beta[rng.choice(p, min(k, p), replace=False)] = rng.choice([-2.0, 1.0, 3.0], min(k, p))
    y = X @ beta + rng.standard_normal(n) + offset
    return X, y


def diabetes():
    return load_diabetes(return_X_y=True)


# ---------------------------------------------------------------------------------------------
# 1. Each point of the path equals an independent cold fit, within the certificates
# ---------------------------------------------------------------------------------------------

CASES = {
    # name: (penalty, l1_ratio, n, p, fmt, fit_intercept, weights, pf, positive)
    "l1-dense": ("l1", None, 60, 25, "dense", True, False, None, False),
    "l1-wide-weights-pf": ("l1", None, 30, 80, "dense", True, True, "zeros", False),
    "l1-csc-nointercept": ("l1", None, 50, 40, "csc", False, False, None, False),
    "l1-positive-csr": ("l1", None, 45, 30, "csr", True, True, "positive", True),
    "enet-wide": ("elasticnet", 0.3, 30, 70, "dense", True, False, None, False),
    "enet-weights-pf": ("elasticnet", 0.8, 60, 20, "dense", True, True, "positive", False),
    "l2-tall": ("l2", None, 60, 15, "dense", True, False, None, False),
    "l2-wide-weights": ("l2", None, 25, 60, "dense", True, True, "positive", False),
    "l2-pf-zero": ("l2", None, 50, 12, "dense", True, False, "zeros", False),
}


def case_data(name, seed=0):
    penalty, l1_ratio, n, p, fmt, fit_intercept, weights, pf_kind, positive = CASES[name]
    X, y = make_problem(seed, n, p)
    rng = np.random.default_rng(seed + 100)
    sw = rng.uniform(0.2, 3.0, n) if weights else None
    pf = None
    if pf_kind == "positive":
        pf = rng.uniform(0.3, 2.5, p)
    elif pf_kind == "zeros":
        pf = rng.uniform(0.3, 2.5, p)
        pf[[0, 3]] = 0.0
    if fmt != "dense":
        X = X * (rng.random(X.shape) < 0.5)
        X = sp.csc_matrix(X) if fmt == "csc" else sp.csr_matrix(X)
    return X, y, dict(penalty=penalty, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                      sample_weight=sw, penalty_factor=pf, positive=positive)


def cold_estimator(penalty, l1_ratio, alpha, kw, tol):
    common = dict(fit_intercept=kw["fit_intercept"], penalty_factor=kw["penalty_factor"],
                  tol=tol, max_iter=100_000)
    if penalty == "l1":
        return L1Regressor(alpha, positive=kw["positive"], **common)
    if penalty == "elasticnet":
        return ElasticNetRegressor(alpha, l1_ratio, positive=kw["positive"], **common)
    return L2Regressor(alpha, **common)


@pytest.mark.parametrize("tol", [1e-4, 1e-9])
@pytest.mark.parametrize("name", list(CASES))
def test_path_points_equal_cold_fits(name, tol):
    X, y, kw = case_data(name)
    penalty, positive = kw["penalty"], kw["positive"]
    l1_ratio = {"l1": 1.0, "l2": 0.0}.get(penalty, kw["l1_ratio"])
    sw, pf, fi = kw["sample_weight"], kw["penalty_factor"], kw["fit_intercept"]
    path = regularization_path(X, y, n_alphas=12, eps=1e-2, tol=tol, max_iter=100_000, **kw)
    Xd = dense(X)
    n, p = Xd.shape
    s = ones_or(sw, n)
    S = s.sum()
    P0 = null_objective(y, sw, fi)
    slack = ROUNDOFF * P0
    v = ones_or(pf, p)
    mu = (path.alphas * (1 - l1_ratio) * v.min()) if l1_ratio < 1 else np.zeros(len(path))
    assert path.coefs.shape == (len(path), p)
    assert np.all(np.diff(path.alphas) < 0)
    for k, alpha in enumerate(path.alphas):
        w_path, b_path = path.coefs[k], path.intercepts[k]
        cold = cold_estimator(penalty, l1_ratio, alpha, kw, tol).fit(X, y, sample_weight=sw)
        w_cold, b_cold = cold.coef_, cold.intercept_
        if positive:
            assert np.all(w_path >= 0)
        # the path's own certificate meets the stopping rule dual gap <= tol * P(0)
        assert path.dual_gaps[k] <= tol * P0 + slack
        # objective values: each within its (reported and independent) gap of the other
        P_path = objective(Xd, y, w_path, b_path, alpha, l1_ratio, sw, pf)
        P_cold = objective(Xd, y, w_cold, b_cold, alpha, l1_ratio, sw, pf)
        g_path = duality_gap(Xd, y, w_path, b_path, alpha, l1_ratio, sw, pf, fi, positive)
        g_cold = duality_gap(Xd, y, w_cold, b_cold, alpha, l1_ratio, sw, pf, fi, positive)
        assert g_path >= -slack and g_cold >= -slack
        assert P_path - P_cold <= path.dual_gaps[k] + slack, (k, alpha)
        assert P_cold - P_path <= cold.dual_gap_ + slack, (k, alpha)
        assert abs(P_path - P_cold) <= max(g_path, g_cold) + slack, (k, alpha)
        # fitted values (weighted) within sqrt(2 S g) of the optimum each
        g1, g2 = max(g_path, 0) + slack, max(g_cold, 0) + slack
        z_diff = (Xd @ (w_path - w_cold) + (b_path - b_cold)) * np.sqrt(s)
        assert np.linalg.norm(z_diff) <= np.sqrt(2 * S) * (np.sqrt(g1) + np.sqrt(g2)), (k, alpha)
        if mu[k] > 0:  # strongly convex in w: the coefficients themselves
            bound = np.sqrt(2 * g1 / mu[k]) + np.sqrt(2 * g2 / mu[k])
            assert np.linalg.norm(w_path - w_cold) <= bound, (k, alpha)
        # exact zeros: the path and the cold fit report the same count convention
        assert path.n_nonzero[k] == np.count_nonzero(w_path)


def test_lasso_path_coefficients_tall_full_rank():
    """n > p, full column rank: the lasso is strongly convex in (w, b), so coefficients agree
    within ``(sqrt(2 S g1) + sqrt(2 S g2)) / sigma_min([X~, c])``."""
    X, y = make_problem(3, 80, 10)
    tol = 1e-10
    path = regularization_path(X, y, n_alphas=15, eps=1e-3, tol=tol, max_iter=100_000)
    A = np.column_stack([X, np.ones(len(y))])
    sigma_min = np.linalg.svd(A, compute_uv=False).min()
    S, slack = len(y), ROUNDOFF * null_objective(y)
    for k, alpha in enumerate(path.alphas):
        cold = L1Regressor(alpha, tol=tol, max_iter=100_000).fit(X, y)
        g1 = max(duality_gap(X, y, path.coefs[k], path.intercepts[k], alpha, 1.0), 0) + slack
        g2 = max(duality_gap(X, y, cold.coef_, cold.intercept_, alpha, 1.0), 0) + slack
        bound = (np.sqrt(2 * S * g1) + np.sqrt(2 * S * g2)) / sigma_min
        diff = np.append(path.coefs[k] - cold.coef_, path.intercepts[k] - cold.intercept_)
        assert np.linalg.norm(diff) <= bound


def test_reported_gaps_bound_suboptimality_against_tight_reference():
    """A loose path's reported gaps must exceed its true suboptimality (P* from tight fits)."""
    X, y = make_problem(5, 40, 120)
    path = regularization_path(X, y, n_alphas=10, eps=1e-2, tol=1e-3)
    slack = ROUNDOFF * null_objective(y)
    for k, alpha in enumerate(path.alphas):
        tight = L1Regressor(alpha, tol=1e-13, max_iter=200_000).fit(X, y)
        P_star_upper = objective(X, y, tight.coef_, tight.intercept_, alpha, 1.0)
        g_tight = duality_gap(X, y, tight.coef_, tight.intercept_, alpha, 1.0)
        P_star_lower = P_star_upper - max(g_tight, 0) - slack
        P_path = objective(X, y, path.coefs[k], path.intercepts[k], alpha, 1.0)
        assert P_path - P_star_lower <= path.dual_gaps[k] + max(g_tight, 0) + 2 * slack


def test_reported_gap_is_the_gap_of_the_returned_coefficients_at_tight_tol():
    """``dual_gap_``/``dual_gaps`` must certify the coefficients actually returned.

    Near interpolation (p >> n, support ~ n) and tol = 1e-13, sklearn's Lasso reaches an
    independently recomputed gap of ~2e-14 P(0) on the same data, so a recomputed gap within
    ``tol * P(0) + 1e-12 P(0)`` is achievable; the allowance (50x sklearn's floor) covers
    round-off. A point reported as converged (no ConvergenceWarning) must meet it.
    """
    rng = np.random.default_rng(0)
    n, p = 48, 150
    X = rng.standard_normal((n, p)) + 0.4 * rng.standard_normal((n, 1)) + rng.normal(0, 1, p)
    beta = np.zeros(p)
    beta[rng.choice(p, 6, replace=False)] = rng.choice([-2.0, 1.0, 3.0], 6)
    y = X @ beta + rng.standard_normal(n) + 3.0
    P0, tol = null_objective(y), 1e-13
    top = alpha_max(X, y)
    checked = 0
    for frac in np.geomspace(1e-2, 1e-3, 8):
        alpha = frac * top
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model = L1Regressor(alpha, tol=tol, max_iter=100_000).fit(X, y)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            continue  # not claimed converged
        assert model.dual_gap_ <= tol * P0
        recomputed = duality_gap(X, y, model.coef_, model.intercept_, alpha, 1.0)
        assert recomputed <= tol * P0 + 1e-12 * P0, (
            f"alpha = {frac:.2e} alpha_max: reported dual_gap_ = {model.dual_gap_:.2e}, "
            f"recomputed from coef_/intercept_ = {recomputed:.2e}, tol * P(0) = {tol * P0:.2e}")
        checked += 1
    # (all 8 converge today; a test in which every fit warned would have checked nothing)
    assert checked > 0, "every fit warned: no reported gap was checked"


# ---------------------------------------------------------------------------------------------
# 2. Counts and the default grid
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_n_nonzero_counts_exact_nonzeros(name):
    X, y, kw = case_data(name, seed=1)
    path = regularization_path(X, y, n_alphas=20, **kw)
    np.testing.assert_array_equal(path.n_nonzero, (path.coefs != 0).sum(axis=1))
    assert path.n_nonzero.dtype.kind in "iu"
    assert path.intercepts.shape == path.dual_gaps.shape == path.n_iter.shape == (20,)
    assert np.all(path.n_iter >= 1)


@pytest.mark.parametrize("name", [c for c in CASES if not c.startswith("l2")])
@pytest.mark.parametrize("eps,n_alphas", [(1e-3, 100), (1e-2, 7)])
def test_default_grid_starts_at_alpha_max_with_all_zeros(name, eps, n_alphas):
    X, y, kw = case_data(name, seed=2)
    l1_ratio = 1.0 if kw["penalty"] == "l1" else kw["l1_ratio"]
    path = regularization_path(X, y, n_alphas=n_alphas, eps=eps, **kw)
    top = independent_alpha_max(X, y, l1_ratio, kw["sample_weight"], kw["penalty_factor"],
                                kw["fit_intercept"])
    api_top = alpha_max(X, y, l1_ratio=l1_ratio, fit_intercept=kw["fit_intercept"],
                        sample_weight=kw["sample_weight"], penalty_factor=kw["penalty_factor"])
    np.testing.assert_allclose(api_top, top, rtol=1e-10)
    assert path.alphas[0] == pytest.approx(api_top, rel=1e-12)
    np.testing.assert_allclose(path.alphas, np.geomspace(top, eps * top, n_alphas), rtol=1e-10)
    pf = kw["penalty_factor"]
    penalized = np.ones(X.shape[1], bool) if pf is None else pf > 0
    assert np.all(path.coefs[0][penalized] == 0)
    assert path.n_nonzero[0] == np.count_nonzero(path.coefs[0][~penalized])
    if pf is None:
        assert path.n_nonzero[0] == 0
        # and the first point is the intercept-only model
        s = ones_or(kw["sample_weight"], X.shape[0])
        expected_b = (s @ y) / s.sum() if kw["fit_intercept"] else 0.0
        assert path.intercepts[0] == pytest.approx(expected_b, rel=1e-12, abs=1e-12)
    # (with positive=True the top may be loose: alpha_max uses |x_j^T r0|, but only a positive
    # correlation lets a feature enter)
    if not kw["positive"]:
        # just below alpha_max something enters: the grid top is tight, not just an upper bound
        below = regularization_path(X, y, alphas=[0.999 * top], tol=1e-10, **kw)
        assert np.count_nonzero(below.coefs[0][penalized]) >= 1


def independent_ridge_spectrum(X, y, sample_weight, penalty_factor):
    """Eigenvalues of the weighted, centred Gram matrix of the penalized columns (scaled by
    1 / sqrt(penalty_factor)), residualized on the unpenalized ones, from numpy alone."""
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    v = np.ones(X.shape[1]) if penalty_factor is None else np.asarray(penalty_factor, float)
    A = (X - s @ X / s.sum()) * np.sqrt(s / s.sum())[:, None]
    B = A[:, v > 0] / np.sqrt(v[v > 0])
    if np.any(v == 0):
        basis = np.linalg.svd(A[:, v == 0], full_matrices=False)[0]
        B = B - basis @ (basis.T @ B)
    return np.linalg.svd(B, compute_uv=False) ** 2


@pytest.mark.parametrize("name", ["l2-tall", "l2-wide-weights"])
def test_l2_default_grid_spans_the_spectrum(name):
    X, y, kw = case_data(name, seed=3)
    lam = independent_ridge_spectrum(X, y, kw["sample_weight"], kw["penalty_factor"])
    top = 100 * lam.max()  # every direction shrunk at least 100x
    path = regularization_path(X, y, n_alphas=30, eps=1e-4, **kw)
    np.testing.assert_allclose(path.alphas, np.geomspace(top, 1e-4 * top, 30), rtol=1e-8)
    default = regularization_path(X, y, n_alphas=30, **kw)
    bottom = lam[lam > 1e-12 * lam.max()].min() / 1000  # each within 0.1 % of least squares
    np.testing.assert_allclose(default.alphas, np.geomspace(top, bottom, 30), rtol=1e-8)
    # ridge never gives exact zeros on generic data; ||w|| increases as alpha decreases
    assert np.all(path.n_nonzero == X.shape[1])
    norms = np.linalg.norm(path.coefs, axis=1)
    assert np.all(np.diff(norms) > 0)


def test_explicit_alphas_are_sorted_decreasing():
    X, y = make_problem(4, 40, 10)
    grid = np.array([0.01, 1.0, 0.1, 0.5])
    path = regularization_path(X, y, alphas=grid, tol=1e-10)
    np.testing.assert_array_equal(path.alphas, np.sort(grid)[::-1])
    for k, alpha in enumerate(path.alphas):
        cold = L1Regressor(alpha, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(path.coefs[k], cold.coef_, atol=1e-6 * np.abs(cold.coef_).max())


# ---------------------------------------------------------------------------------------------
# 3. Order of entry on the diabetes data equals LARS-lasso
# ---------------------------------------------------------------------------------------------

def entry_order(coefs):
    """Features in the order they first become nonzero along the rows of ``coefs``."""
    order = []
    for row in coefs:
        for j in np.flatnonzero(row):
            if j not in order:
                order.append(int(j))
    return order


def test_l1_entry_order_matches_lars_lasso_on_diabetes():
    X, y = diabetes()
    path = regularization_path(X, y, n_alphas=300, eps=1e-3, tol=1e-12, max_iter=100_000)
    # lars_path does not centre: give it the centred problem (same solution as with intercept)
    knots, _, lars_coefs = lars_path(X - X.mean(0), y - y.mean(), method="lasso")
    assert knots[0] == pytest.approx(path.alphas[0], rel=1e-12)
    lars_order = entry_order(lars_coefs.T)
    assert len(lars_order) == X.shape[1]
    # the grid resolves the order: no two features enter at the same grid point
    first = [int(np.flatnonzero(path.coefs[:, j])[0]) for j in range(X.shape[1])
             if path.coefs[:, j].any()]
    assert len(first) == X.shape[1] and len(set(first)) == len(first)
    assert entry_order(path.coefs) == lars_order
    # and each feature enters between the two LARS knots around its entry
    for j in lars_order:
        k_lars = int(np.flatnonzero(lars_coefs[j])[0])  # first knot where j is nonzero
        a_enter = knots[k_lars - 1]  # j is zero for alpha >= this knot
        k_path = int(np.flatnonzero(path.coefs[:, j])[0])
        assert path.alphas[k_path] < a_enter * (1 + 1e-9)
        assert path.alphas[k_path - 1] >= a_enter * (1 - 1e-6)


# ---------------------------------------------------------------------------------------------
# 4. Information criteria
# ---------------------------------------------------------------------------------------------

def test_noise_variance_matches_lassolarsic_on_diabetes():
    X, y = diabetes()
    path = regularization_path(X, y, n_alphas=20)
    for criterion in ("aic", "bic"):
        ic = LassoLarsIC(criterion=criterion).fit(X, y)
        assert path.noise_variance == pytest.approx(ic.noise_variance_, rel=1e-10)
    # and independently: residual variance of OLS with intercept, n - p - 1 dof
    coef, b = weighted_lstsq(X, y)
    r = y - X @ coef - b
    assert path.noise_variance == pytest.approx(r @ r / (len(y) - X.shape[1] - 1), rel=1e-10)


def test_weighted_noise_variance():
    X, y = make_problem(6, 70, 8)
    sw = np.random.default_rng(0).uniform(0.2, 3.0, 70)
    path = regularization_path(X, y, n_alphas=5, sample_weight=sw)
    coef, b = weighted_lstsq(X, y, sw)
    r = y - X @ coef - b
    assert path.noise_variance == pytest.approx(sw @ r ** 2 / (sw.sum() - 8 - 1), rel=1e-10)


@pytest.mark.parametrize("given_sigma2", [None, 2500.0])
def test_aic_bic_formula_on_diabetes(given_sigma2):
    X, y = diabetes()
    n = len(y)
    path = regularization_path(X, y, n_alphas=40, tol=1e-10)
    coef_ols, b_ols = weighted_lstsq(X, y)
    r_ols = y - X @ coef_ols - b_ols
    sigma2 = r_ols @ r_ols / (n - X.shape[1] - 1) if given_sigma2 is None else given_sigma2
    rss = np.array([np.sum((y - X @ w - b) ** 2)
                    for w, b in zip(path.coefs, path.intercepts)])
    df = (path.coefs != 0).sum(axis=1)
    base = n * np.log(2 * np.pi * sigma2) + rss / sigma2
    np.testing.assert_allclose(path.mse, rss / n, rtol=1e-10)
    np.testing.assert_allclose(path.aic(given_sigma2), base + 2 * df, rtol=1e-9)
    np.testing.assert_allclose(path.bic(given_sigma2), base + np.log(n) * df, rtol=1e-9)


def test_aic_agrees_with_lassolarsic_at_midpoints():
    """Between LARS knots the lasso support is fixed; sklearn's criterion on its own path at
    the knots brackets ours. Compare our criterion with one computed from LARS coefficients
    interpolated (the lasso path is piecewise linear in alpha) at the midpoints."""
    X, y = diabetes()
    n = len(y)
    ic = LassoLarsIC(criterion="aic").fit(X, y)
    knots, _, lars_coefs = lars_path(X - X.mean(0), y - y.mean(), method="lasso")
    mids = 0.5 * (knots[:-2] + knots[1:-1])  # skip the final (alpha = 0) segment
    path = regularization_path(X, y, alphas=mids, tol=1e-13, max_iter=100_000)
    for k, alpha in enumerate(path.alphas):
        i = np.searchsorted(-knots, -alpha) - 1  # knots[i] > alpha > knots[i + 1]
        t = (knots[i] - alpha) / (knots[i] - knots[i + 1])
        w = (1 - t) * lars_coefs[:, i] + t * lars_coefs[:, i + 1]
        b = y.mean() - X.mean(0) @ w
        rss = np.sum((y - X @ w - b) ** 2)
        expected = (n * np.log(2 * np.pi * ic.noise_variance_) + rss / ic.noise_variance_
                    + 2 * np.count_nonzero(w))
        assert path.aic()[k] == pytest.approx(expected, rel=1e-8)


@pytest.mark.parametrize("shape", [(60, 12), (25, 60)])
def test_ridge_degrees_of_freedom_from_svd(shape):
    X, y = make_problem(7, *shape)
    n = shape[0]
    path = regularization_path(X, y, penalty="l2", n_alphas=15, eps=1e-4)
    d = np.linalg.svd(X - X.mean(0), compute_uv=False)
    expected = np.array([np.sum(d ** 2 / (d ** 2 + n * a)) for a in path.alphas])
    np.testing.assert_allclose(path.df, expected, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("pf", [None, "varied"])
def test_enet_degrees_of_freedom_trace_on_active_set(pf):
    """Elastic net df = tr(X_A (X_A^T X_A + S alpha (1 - l1_ratio) diag(v_A))^-1 X_A^T)."""
    X, y = make_problem(21, 50, 10)
    v = None if pf is None else np.linspace(0.3, 2.0, 10)
    path = regularization_path(X, y, penalty="elasticnet", l1_ratio=0.5, n_alphas=10,
                               penalty_factor=v, tol=1e-12)
    vv = ones_or(v, 10)
    Xc = X - X.mean(0)
    for k, (alpha, w) in enumerate(zip(path.alphas, path.coefs)):
        A = np.flatnonzero(w)
        if A.size == 0:
            assert path.df[k] == 0
            continue
        XA = Xc[:, A]
        H = XA @ np.linalg.solve(XA.T @ XA + 50 * alpha * 0.5 * np.diag(vv[A]), XA.T)
        assert path.df[k] == pytest.approx(np.trace(H), rel=1e-9)


def test_ridge_degrees_of_freedom_with_weights():
    X, y = make_problem(8, 50, 10)
    sw = np.random.default_rng(1).uniform(0.2, 3.0, 50)
    path = regularization_path(X, y, penalty="l2", n_alphas=10, sample_weight=sw)
    S = sw.sum()
    Xc = np.sqrt(sw)[:, None] * (X - sw @ X / S)
    d = np.linalg.svd(Xc, compute_uv=False)
    expected = np.array([np.sum(d ** 2 / (d ** 2 + S * a)) for a in path.alphas])
    np.testing.assert_allclose(path.df, expected, rtol=1e-8)
    # the smoother's trace, computed directly: H = X_c (X_c^T X_c + S alpha I)^-1 X_c^T
    a = path.alphas[4]
    H = Xc @ np.linalg.solve(Xc.T @ Xc + S * a * np.eye(10), Xc.T)
    assert path.df[4] == pytest.approx(np.trace(H), rel=1e-8)


@pytest.mark.parametrize("shape", [(20, 20), (20, 19), (15, 40)])
def test_information_criteria_need_noise_variance_when_n_le_p(shape):
    X, y = make_problem(9, *shape)
    path = regularization_path(X, y, n_alphas=5)
    assert path.noise_variance is None
    for method in (path.aic, path.bic):
        with pytest.raises(ValueError, match="noise_variance"):
            method()
        values = method(noise_variance=1.5)
        assert values.shape == (5,) and np.all(np.isfinite(values))
    with pytest.raises(ValueError, match="noise_variance"):
        path.aic(noise_variance=-1.0)


# ---------------------------------------------------------------------------------------------
# 5. Relaxed lasso
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(60, 15), (30, 60)])
def test_relax_zero_is_least_squares_refit_on_each_support(shape, weighted):
    X, y = make_problem(10, *shape)
    sw = np.random.default_rng(2).uniform(0.2, 3.0, shape[0]) if weighted else None
    plain = regularization_path(X, y, n_alphas=25, eps=1e-2, sample_weight=sw, tol=1e-10)
    relaxed = regularization_path(X, y, n_alphas=25, eps=1e-2, sample_weight=sw, tol=1e-10,
                                  relax=0.0)
    half = regularization_path(X, y, n_alphas=25, eps=1e-2, sample_weight=sw, tol=1e-10,
                               relax=0.5)
    np.testing.assert_array_equal(relaxed.alphas, plain.alphas)
    np.testing.assert_allclose(relaxed.unrelaxed_coefs, plain.coefs, rtol=0, atol=1e-12)
    s = ones_or(sw, shape[0])
    for k in range(len(plain)):
        support = np.flatnonzero(plain.coefs[k])
        expected = np.zeros(shape[1])
        if support.size:
            coef, b = weighted_lstsq(X[:, support], y, sw)
            expected[support] = coef
        else:
            b = (s @ y) / s.sum()
        scale = 1 + np.abs(expected).max()
        np.testing.assert_allclose(relaxed.coefs[k], expected, rtol=0, atol=1e-8 * scale)
        assert relaxed.intercepts[k] == pytest.approx(b, abs=1e-8 * (scale + abs(b)))
        np.testing.assert_allclose(half.coefs[k], 0.5 * plain.coefs[k] + 0.5 * expected,
                                   rtol=0, atol=1e-8 * scale)
        assert relaxed.n_nonzero[k] == np.count_nonzero(relaxed.coefs[k])
    # the relaxed fit spends one degree of freedom per nonzero
    np.testing.assert_array_equal(relaxed.df, relaxed.n_nonzero)
    # training error of the OLS refit on a support is never above the lasso's
    assert np.all(relaxed.mse <= plain.mse * (1 + 1e-10))


def test_relax_one_equals_plain_path():
    X, y = make_problem(11, 40, 30)
    plain = regularization_path(X, y, n_alphas=20, tol=1e-8)
    one = regularization_path(X, y, n_alphas=20, tol=1e-8, relax=1.0)
    np.testing.assert_array_equal(one.alphas, plain.alphas)
    np.testing.assert_allclose(one.coefs, plain.coefs, rtol=1e-14, atol=0)
    np.testing.assert_allclose(one.intercepts, plain.intercepts, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(one.dual_gaps, plain.dual_gaps, rtol=1e-14, atol=0)


def test_relax_rejected_for_l2_and_out_of_range():
    X, y = make_problem(12, 30, 5)
    with pytest.raises(ValueError, match="relax"):
        regularization_path(X, y, penalty="l2", relax=0.5)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="relax"):
            regularization_path(X, y, relax=bad)


# ---------------------------------------------------------------------------------------------
# 6. plot, to_frame, predict, coef_at, feature names
# ---------------------------------------------------------------------------------------------

def test_plot_renders_one_line_per_feature_under_agg():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = diabetes()
    path = regularization_path(X, y, n_alphas=30)
    ax = path.plot()
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        assert isinstance(ax.figure.canvas, FigureCanvasAgg)
        ax.figure.canvas.draw()  # really renders
        trajectories = [line for line in ax.get_lines()
                        if len(line.get_xdata()) == len(path)
                        and np.array_equal(np.asarray(line.get_xdata(), float), path.alphas)]
        assert len(trajectories) == X.shape[1]
        # the trajectories are in the rendered pixels: hiding them changes the image
        shown = np.array(ax.figure.canvas.buffer_rgba())
        for line in trajectories:
            line.set_visible(False)
        ax.figure.canvas.draw()
        hidden = np.array(ax.figure.canvas.buffer_rgba())
        assert np.count_nonzero(np.any(shown != hidden, axis=-1)) > 1000
        drawn = np.column_stack([np.asarray(line.get_ydata(), float) for line in trajectories])
        np.testing.assert_array_equal(drawn, path.coefs)
        assert ax.get_xscale() == "log"
    finally:
        plt.close(ax.figure)
    # onto a given Axes
    fig, given = plt.subplots()
    try:
        assert path.plot(ax=given) is given
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_to_frame_shape_index_and_columns():
    pd = pytest.importorskip("pandas")
    X, y = make_problem(13, 40, 6)
    path = regularization_path(X, y, n_alphas=9)
    frame = path.to_frame()
    assert frame.shape == (9, 6)
    np.testing.assert_array_equal(frame.index.to_numpy(), path.alphas)
    assert frame.index.name == "alpha"
    np.testing.assert_array_equal(frame.to_numpy(), path.coefs)
    names = [f"gene_{j}" for j in range(6)]
    path_df = regularization_path(pd.DataFrame(X, columns=names), y, n_alphas=9)
    assert list(path_df.feature_names) == names
    assert list(path_df.to_frame().columns) == names
    np.testing.assert_allclose(path_df.coefs, path.coefs, rtol=1e-12, atol=1e-14)


def test_feature_names_none_for_arrays():
    X, y = make_problem(14, 30, 4)
    assert regularization_path(X, y, n_alphas=3).feature_names is None


@pytest.mark.parametrize("fmt", ["dense", "csr"])
def test_predict_shapes_and_values(fmt):
    X, y = make_problem(15, 40, 12)
    Xq = make_problem(16, 7, 12)[0]
    path = regularization_path(sp.csr_matrix(X) if fmt == "csr" else X, y, n_alphas=11)
    Xq_in = sp.csr_matrix(Xq) if fmt == "csr" else Xq
    pred = path.predict(Xq_in)
    assert pred.shape == (7, 11)
    manual = np.column_stack([Xq @ w + b for w, b in zip(path.coefs, path.intercepts)])
    np.testing.assert_allclose(pred, manual, rtol=1e-12, atol=1e-10)
    # at a grid point: exactly that column
    k = 4
    at = path.predict(Xq_in, alpha=path.alphas[k])
    assert at.shape == (7,)
    np.testing.assert_allclose(at, manual[:, k], rtol=1e-12, atol=1e-10)
    # between grid points: linear interpolation in log(alpha) (documented)
    a_lo, a_hi = path.alphas[k + 1], path.alphas[k]
    alpha = np.sqrt(a_lo * a_hi) * (a_hi / a_lo) ** 0.2
    t = (np.log(a_hi) - np.log(alpha)) / (np.log(a_hi) - np.log(a_lo))
    coef = (1 - t) * path.coefs[k] + t * path.coefs[k + 1]
    b = (1 - t) * path.intercepts[k] + t * path.intercepts[k + 1]
    np.testing.assert_allclose(path.predict(Xq_in, alpha=alpha), Xq @ coef + b, rtol=1e-12,
                               atol=1e-10)
    c_at, b_at = path.coef_at(alpha)
    np.testing.assert_allclose(c_at, coef, rtol=1e-12, atol=1e-14)
    # outside the grid: the end points
    np.testing.assert_allclose(path.predict(Xq_in, alpha=10 * path.alphas[0]), manual[:, 0],
                               rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(path.predict(Xq_in, alpha=path.alphas[-1] / 10), manual[:, -1],
                               rtol=1e-12, atol=1e-10)


def test_path_mse_is_training_weighted_mse():
    X, y = make_problem(17, 50, 9)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, 50)
    path = regularization_path(X, y, n_alphas=8, sample_weight=sw)
    expected = [sw @ (y - X @ w - b) ** 2 / sw.sum() for w, b in zip(path.coefs, path.intercepts)]
    np.testing.assert_allclose(path.mse, expected, rtol=1e-10)


def test_float32_input_keeps_dtype_and_agrees():
    X, y = make_problem(18, 40, 10)
    p64 = regularization_path(X, y, n_alphas=10, tol=1e-8)
    # tol 1e-8 is below what float32 coefficients hold: the path says so
    with pytest.warns(ConvergenceWarning, match="rounded to float32"):
        p32 = regularization_path(X.astype(np.float32), y, n_alphas=10, tol=1e-8)
    assert p32.coefs.dtype == np.float32
    np.testing.assert_allclose(p32.alphas, p64.alphas, rtol=1e-5)
    np.testing.assert_allclose(p32.coefs, p64.coefs, rtol=0, atol=1e-3 * np.abs(p64.coefs).max())


def test_path_warns_when_max_iter_too_small():
    X, y = make_problem(19, 40, 200)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        regularization_path(X, y, n_alphas=10, eps=1e-3, tol=1e-14, max_iter=1)


def test_top_level_exports():
    assert sparsereg.regularization_path is regularization_path
    assert isinstance(regularization_path(*make_problem(20, 20, 3), n_alphas=2),
                      sparsereg.RegularizationPath)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        repr(regularization_path(*make_problem(20, 20, 3), n_alphas=2))
