"""Poisson, Gamma and Tweedie regression (issue 15 item 1, 2, 5): ``loss=`` on the regressors.

References nobody here wrote: scikit-learn's PoissonRegressor / GammaRegressor /
TweedieRegressor (L2) and glum's GeneralizedLinearRegressor (L1, elastic net), both at tight
tolerances; the objective and the duality gap written out again below from the deviance's
textbook form (not the library's datafit); KKT conditions of the returned models.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import xlogy
from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor
from sklearn.metrics import d2_tweedie_score

from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor, regularization_path

POWER = {"poisson": 1.0, "gamma": 2.0, "tweedie": 1.5}


def _claims(loss, n=400, p=12, seed=0, sparse=False):
    """Simulated claims: one-hot-like and Gaussian features, log-linear mean; counts
    (Poisson), positive amounts (Gamma), or compound Poisson-Gamma totals (Tweedie, exact
    zeros included)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, : p // 3] = (X[:, : p // 3] > 0.8).astype(float)  # indicators
    w = np.zeros(p)
    w[[0, 1, p // 2, p - 1]] = [0.4, -0.3, 0.25, -0.2]
    mu = np.exp(X @ w + 0.3)
    if loss == "poisson":
        y = rng.poisson(mu).astype(float)
    elif loss == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    else:
        counts = rng.poisson(mu)
        y = np.array([rng.gamma(2.0, 0.5, k).sum() for k in counts])
    if sparse:
        X = sp.csc_matrix(np.where(np.abs(X) > 1.0, X, 0.0))
    return X, y


def half_deviance(y, mu, power):
    """Half the Tweedie unit deviance, from its textbook definition."""
    if power == 1.0:
        return xlogy(y, y / mu) - y + mu
    if power == 2.0:
        return np.log(mu / y) + y / mu - 1.0
    return (np.maximum(y, 0) ** (2 - power) / ((1 - power) * (2 - power))
            - y * mu ** (1 - power) / (1 - power) + mu ** (2 - power) / (2 - power))


def objective(X, y, coef, intercept, alpha, l1_ratio, power, sw=None):
    s = np.ones(len(y)) if sw is None else sw
    mu = np.exp(np.asarray(X @ coef).ravel() + intercept)
    return float(s @ half_deviance(y, mu, power)) / s.sum() + alpha * (
        l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * coef @ coef)


def null_objective(y, power, sw=None):
    s = np.ones(len(y)) if sw is None else sw
    return float(s @ half_deviance(y, np.full(len(y), s @ y / s.sum()), power)) / s.sum()


def independent_gap(X, y, coef, intercept, alpha, l1_ratio, power, sw=None):
    """The Fenchel duality gap for Poisson (power 1) and Gamma (power 2), written out:
    dual point theta = c (y - mu~) (Poisson) or c (y / mu~ - 1) (Gamma) at the intercept-
    optimal mean mu~, scaled into the L1 constraints."""
    s = np.ones(len(y)) if sw is None else sw
    c = s / s.sum()
    Xd = X.toarray() if sp.issparse(X) else X
    mu = np.exp(Xd @ coef + intercept)
    if power == 1.0:
        mu_t = mu * (c @ y) / (c @ mu)
        theta = c * (y - mu_t)
    else:
        mu_t = mu * (c @ (y / mu))
        theta = c * (y / mu_t - 1.0)
    u = Xd.T @ theta
    a, b = alpha * l1_ratio, alpha * (1 - l1_ratio)
    kappa = 1.0 if b > 0 or not np.any(np.abs(u) > a) else a / np.abs(u).max()
    if power == 1.0:
        t = (1 - kappa) * y + kappa * mu_t  # F*(-kappa theta) = sum c (t log t - t - ...)
        conj = c @ (xlogy(t, t) - t - xlogy(y, y) + y)
    else:
        t = (1 - kappa) + kappa * y / mu_t
        conj = c @ (t * np.log(t / y) - t + np.log(y) + 1)
    r_conj = 0.0 if b == 0 else np.sum(np.maximum(kappa * np.abs(u) - a, 0) ** 2) / (2 * b)
    return objective(X, y, coef, intercept, alpha, l1_ratio, power, sw) - (-conj - r_conj)


def _sklearn(loss, alpha):
    common = dict(alpha=alpha, tol=1e-12, max_iter=100_000)
    if loss == "poisson":
        return PoissonRegressor(**common)
    if loss == "gamma":
        return GammaRegressor(**common)
    return TweedieRegressor(power=POWER[loss], link="log", **common)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [1.0, 0.05, 0.001])
def test_l2_is_scikit_learns_glm_regressor(loss, weighted, alpha):
    X, y = _claims(loss)
    sw = np.random.default_rng(4).uniform(0.2, 3.0, len(y)) if weighted else None
    ours = L2Regressor(alpha=alpha, loss=loss, power=POWER[loss], tol=1e-12).fit(X, y, sw)
    ref = _sklearn(loss, alpha).fit(X, y, sample_weight=sw)
    p = POWER[loss]
    mine = objective(X, y, ours.coef_, ours.intercept_, alpha, 0.0, p, sw)
    theirs = objective(X, y, ref.coef_, ref.intercept_, alpha, 0.0, p, sw)
    assert mine <= theirs + 1e-13 * null_objective(y, p, sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-5)
    assert ours.score(X, y, sw) == pytest.approx(ref.score(X, y, sw), rel=1e-6)
    assert ours.score(X, y) == pytest.approx(d2_tweedie_score(y, ours.predict(X), power=p),
                                             rel=1e-10)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("alpha, l1_ratio", [(0.05, 1.0), (0.02, 0.5), (0.004, 1.0),
                                             (0.01, 0.2)])
@pytest.mark.parametrize("sparse", [False, True])
def test_l1_and_elastic_net_are_glums(loss, alpha, l1_ratio, sparse):
    glum = pytest.importorskip("glum")
    X, y = _claims(loss, sparse=sparse)
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss,
                                power=POWER[loss], tol=1e-12).fit(X, y)
    family = {"poisson": "poisson", "gamma": "gamma"}.get(loss, f"tweedie({POWER[loss]})")
    with warnings.catch_warnings():  # glum's line search gives up near 1e-12: its own note
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family=family, link="log", alpha=alpha,
                                              l1_ratio=l1_ratio, gradient_tol=1e-12,
                                              max_iter=10_000).fit(X, y)
    p = POWER[loss]
    mine = objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio, p)
    theirs = objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, p)
    assert mine <= theirs + 1e-12 * null_objective(y, p)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_array_equal(model.coef_ == 0, np.abs(ref.coef_) < 1e-9)


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("tol", [1e-2, 1e-4, 1e-8])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_reported_gap_bounds_an_independent_gap(loss, tol, l1_ratio):
    X, y = _claims(loss, seed=3)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    alpha = 0.01
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, tol=tol).fit(
        X, y, sw)
    p0 = null_objective(y, POWER[loss], sw)
    gap = independent_gap(X, y, model.coef_, model.intercept_, alpha, l1_ratio, POWER[loss],
                          sw)
    assert gap <= model.dual_gap_ + 1e-12 * p0
    assert model.dual_gap_ <= tol * p0


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reported_gap_bounds_the_suboptimality(loss, l1_ratio):
    """For every power (Tweedie's conjugate is numerical): P(model) - P(tight model) is at
    most the model's reported gap, at a loose tol where that difference is large."""
    X, y = _claims(loss, seed=5)
    p = POWER[loss]
    alpha = 0.005
    loose = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, power=p,
                                tol=1e-2).fit(X, y)
    tight = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, power=p,
                                tol=1e-12).fit(X, y)
    suboptimality = objective(X, y, loose.coef_, loose.intercept_, alpha, l1_ratio, p) \
        - objective(X, y, tight.coef_, tight.intercept_, alpha, l1_ratio, p)
    assert suboptimality <= loose.dual_gap_ + 1e-13
    assert tight.dual_gap_ <= 1e-12 * null_objective(y, p)


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
def test_kkt_conditions_of_the_lasso(loss):
    X, y = _claims(loss, seed=7)
    alpha = 0.01
    model = L1Regressor(alpha=alpha, loss=loss, power=POWER[loss], tol=1e-12).fit(X, y)
    mu = np.exp(X @ model.coef_ + model.intercept_)
    p = POWER[loss]
    grad = X.T @ (mu ** (1 - p) * (mu - y)) / len(y)  # d/dw of the mean half deviance
    on = model.coef_ != 0
    np.testing.assert_allclose(grad[on], -alpha * np.sign(model.coef_[on]), atol=1e-7)
    assert np.all(np.abs(grad[~on]) <= alpha + 1e-7)
    assert abs(np.mean(mu ** (1 - p) * (mu - y))) <= 1e-8  # the intercept


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), loss=st.sampled_from(["poisson", "gamma", "tweedie"]),
       power=st.floats(1.05, 1.95), l1_ratio=st.sampled_from([1.0, 0.7]))
def test_nothing_enters_above_alpha_max(seed, loss, power, l1_ratio):
    """Sparsity invariant per loss: at the null model the gradient is X^T l'(mean y) / n, so
    every coefficient is zero for alpha >= max_j |gradient_j| / l1_ratio and some is not just
    below (computed here from the deviance's derivative, not the library)."""
    X, y = _claims(loss, n=120, p=8, seed=seed)
    p = {"poisson": 1.0, "gamma": 2.0}.get(loss, power)
    mu0 = y.mean()
    g0 = X.T @ np.full(len(y), 0.0) if False else X.T @ (mu0 ** (1 - p) * (mu0 - y)) / len(y)
    alpha_max = np.abs(g0).max() / l1_ratio
    above = ElasticNetRegressor(alpha=alpha_max * 1.001, l1_ratio=l1_ratio, loss=loss,
                                power=p, tol=1e-8).fit(X, y)
    assert above.n_nonzero_ == 0
    assert above.intercept_ == pytest.approx(np.log(mu0), rel=1e-9, abs=1e-9)
    below = ElasticNetRegressor(alpha=alpha_max * 0.95, l1_ratio=l1_ratio, loss=loss,
                                power=p, tol=1e-8).fit(X, y)
    assert below.n_nonzero_ >= 1


def test_float32_and_warm_start():
    X, y = _claims("poisson")
    m64 = L1Regressor(alpha=0.01, loss="poisson", tol=1e-8).fit(X, y)
    m32 = L1Regressor(alpha=0.01, loss="poisson", tol=1e-6).fit(X.astype(np.float32), y)
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=1e-4)
    # the stored float32 model's own gap
    gap = independent_gap(X.astype(np.float32).astype(float), y, m32.coef_.astype(float),
                          float(m32.intercept_), 0.01, 1.0, 1.0)
    assert gap <= m32.dual_gap_ + 1e-12
    warm = L1Regressor(alpha=0.01, loss="poisson", tol=1e-8, warm_start=True).fit(X, y)
    first = warm.n_iter_
    warm.fit(X, y)
    assert warm.n_iter_ <= 1 < first or warm.n_iter_ < first
    np.testing.assert_allclose(warm.coef_, m64.coef_, atol=1e-7)


BAD_TARGETS = [
    ("poisson", 1.5, lambda y: -y, "y >= 0"),
    ("tweedie", 1.5, lambda y: y - 1.0, "y >= 0"),
    ("gamma", 1.5, lambda y: np.where(y > 1, y, 0.0), "y > 0"),
    ("poisson", 1.5, lambda y: 0.0 * y, "some y > 0"),
    ("poisson", 1.5, lambda y: np.where(y > 1, np.nan, y), "NaN"),
]


@pytest.mark.parametrize("loss, power, change, message", BAD_TARGETS)
def test_bad_targets_are_refused_before_work(monkeypatch, loss, power, change, message):
    X, y = _claims("gamma")
    monkeypatch.setattr("sparsereg._estimators.solve_glm", lambda *a, **k: 1 / 0)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        L1Regressor(loss=loss, power=power).fit(X, change(y))


@pytest.mark.parametrize("params, error, message", [
    (dict(loss="huber"), ValueError, "loss must be one of"),
    (dict(loss="tweedie", power=2.5), ValueError, r"power must be in \[1, 2\]"),
    (dict(loss="tweedie", power=0.5), ValueError, r"power must be in \[1, 2\]"),
    (dict(loss="tweedie", power="1.5"), TypeError, "power must be a real number"),
    (dict(loss="poisson", positive=True, penalty_factor=np.r_[0.0, np.ones(11)]), ValueError,
     "positive=True or lower_bounds/upper_bounds with unpenalized"),
])
def test_bad_parameters(params, error, message):
    X, y = _claims("poisson")
    with pytest.raises(error, match=message):
        L1Regressor(**params).fit(X, y)


def test_two_dimensional_y_is_refused():
    X, y = _claims("poisson")
    with pytest.raises(ValueError, match="1-D"):
        L2Regressor(loss="poisson").fit(X, np.c_[y, y])


def test_the_squared_error_default_is_unchanged():
    X, y = _claims("gamma")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ElasticNetRegressor(alpha=0.01).fit(X, y)
        b = ElasticNetRegressor(alpha=0.01, loss="squared_error", power=1.9).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_allclose(a.predict(X), X @ a.coef_ + a.intercept_)


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("offset", [1e6, 1e12])
def test_offset_columns_certified_or_said_so(loss, offset):
    """Columns shifted by a large offset: the same model with the intercept moved, in exact
    arithmetic. At 1e6 it is fitted and certified as without the offset; at 1e12 float64
    cannot certify the tolerance: a ConvergenceWarning names round-off after a few Newton
    steps (not max_iter), and the reported gap still bounds the suboptimality."""
    X, y = _claims(loss, n=400, p=12, seed=1)
    p = POWER[loss]
    alpha, l1_ratio = 0.01, 1.0
    tight = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, tol=1e-12).fit(X, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, tol=1e-6).fit(
            X + offset, y)
    p0 = null_objective(y, p)
    # the model on the centred data: the offset moves into the intercept
    sub = objective(X, y, model.coef_, model.intercept_ + offset * model.coef_.sum(), alpha,
                    l1_ratio, p) - objective(X, y, tight.coef_, tight.intercept_, alpha,
                                             l1_ratio, p)
    assert sub <= model.dual_gap_ + 1e-12 * p0
    messages = [str(w.message) for w in caught]
    if offset == 1e6:
        assert model.dual_gap_ <= 1e-6 * p0 and not messages
    else:
        assert model.n_iter_ <= 10
        assert any("round-off" in m and "centre X" in m for m in messages), messages


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("sparse", [False, True])
def test_wide_lasso_newton_steps_on_working_sets(monkeypatch, loss, sparse):
    """p > n: each Newton step moves the support and the worst violators only (their
    weighted rows are what it copies); the model is still the lasso's (glum, and the gap
    written out here), and the working sets really are smaller than p."""
    glum = pytest.importorskip("glum")
    import sparsereg._glm as glm_module
    rng = np.random.default_rng(12)
    n, p = 80, 400
    X = rng.standard_normal((n, p))
    mu = np.exp(0.3 * X[:, :5].sum(axis=1) - 0.5)
    y = rng.poisson(mu).astype(float) if loss == "poisson" else rng.gamma(2.0, mu / 2.0)
    if sparse:
        X = sp.csc_matrix(np.where(np.abs(X) > 0.7, X, 0.0))
    sizes = []
    original = glm_module.working_set

    def recording(problem, w, eta):
        ws = original(problem, w, eta)
        sizes.append(p if ws is None else len(ws))
        return ws
    monkeypatch.setattr(glm_module, "working_set", recording)
    Xd = X.toarray() if sparse else X
    mu0 = y.mean()
    alpha = 0.2 * np.abs(Xd.T @ (mu0 ** (1 - POWER[loss]) * (mu0 - y))).max() / n
    model = L1Regressor(alpha=alpha, loss=loss, tol=1e-10).fit(X, y)
    assert sizes and max(sizes) < p / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family=loss, link="log", alpha=alpha,
                                              l1_ratio=1.0, gradient_tol=1e-12,
                                              max_iter=10_000).fit(Xd, y)
    p0 = null_objective(y, POWER[loss])
    assert objective(Xd, y, model.coef_, model.intercept_, alpha, 1.0, POWER[loss]) <= \
        objective(Xd, y, ref.coef_, ref.intercept_, alpha, 1.0, POWER[loss]) + 1e-11 * p0
    gap = independent_gap(Xd, y, model.coef_, model.intercept_, alpha, 1.0, POWER[loss])
    assert gap <= model.dual_gap_ + 1e-12 * p0 and model.dual_gap_ <= 1e-10 * p0


@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_unpenalized_features_are_glums(loss, l1_ratio):
    """penalty_factor with zeros (glum's P1/P2 weights): unpenalized features fitted freely,
    the certificate's dual point refitted on them; against glum and, for Poisson and Gamma,
    the gap written out here with the unpenalized columns' residual correlations."""
    glum = pytest.importorskip("glum")
    X, y = _claims(loss, seed=9)
    p = POWER[loss]
    factors = np.ones(X.shape[1])
    factors[[0, 5]] = 0.0
    factors[7] = 2.5
    alpha = 0.02
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, power=p,
                                penalty_factor=factors, tol=1e-10).fit(X, y)
    family = {"poisson": "poisson", "gamma": "gamma"}.get(loss, f"tweedie({p})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family=family, link="log", alpha=alpha,
                                              l1_ratio=l1_ratio, P1=factors, P2=factors,
                                              gradient_tol=1e-12, max_iter=10_000).fit(X, y)

    def objective_pf(coef, intercept):
        mu = np.exp(X @ coef + intercept)
        return float(np.mean(half_deviance(y, mu, p))) + alpha * (
            l1_ratio * factors @ np.abs(coef) + 0.5 * (1 - l1_ratio) * factors @ coef ** 2)
    p0 = null_objective(y, p)
    assert objective_pf(model.coef_, model.intercept_) <= \
        objective_pf(ref.coef_, ref.intercept_) + 1e-11 * p0
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-5)
    assert model.coef_[0] != 0 and model.coef_[5] != 0
    # the unpenalized coefficients are optimal given the others: their gradients vanish
    mu = np.exp(X @ model.coef_ + model.intercept_)
    grad = X.T @ (mu ** (1 - p) * (mu - y)) / len(y)
    np.testing.assert_allclose(grad[[0, 5]], 0.0, atol=1e-8)
    # a loose fit's reported gap bounds its suboptimality
    loose = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, power=p,
                                penalty_factor=factors, tol=1e-3).fit(X, y)
    assert objective_pf(loose.coef_, loose.intercept_) - objective_pf(
        model.coef_, model.intercept_) <= loose.dual_gap_ + 1e-12 * p0


def test_alpha_max_with_unpenalized_features():
    """The grid's top is where the penalized features start to enter, the unpenalized ones
    fitted: everything penalized is zero there, and a feature enters just below."""
    X, y = _claims("poisson", seed=10)
    factors = np.ones(X.shape[1])
    factors[[1, 2]] = 0.0
    path = regularization_path(X, y, loss="poisson", penalty_factor=factors, n_alphas=10)
    penalized = factors > 0
    assert np.all(path.coefs[0][penalized] == 0) and np.all(path.coefs[0][~penalized] != 0)
    below = L1Regressor(alpha=path.alphas[0] * 0.97, loss="poisson", penalty_factor=factors,
                        tol=1e-10).fit(X, y)
    assert np.count_nonzero(below.coef_[penalized]) >= 1


def _tweedie_gap_by_scipy(X, y, coef, intercept, alpha, l1_ratio, power):
    """The Tweedie duality gap with every ingredient computed here by scipy: the intercept
    shift by root finding, each sample's conjugate ``sup_eta v eta - l(eta)`` by a bounded
    scalar maximisation (from below, so this gap is at most the exact one at this dual
    point, up to the maximiser's tolerance)."""
    from scipy.optimize import brentq, minimize_scalar
    n = len(y)
    c = np.full(n, 1.0 / n)
    eta = X @ coef + intercept

    def lprime(e):
        mu = np.exp(e)
        return mu ** (1 - power) * (mu - y)
    beta = brentq(lambda t: c @ lprime(eta + t), -20, 20, xtol=1e-15)
    g = lprime(eta + beta)
    u = -X.T @ (c * g)
    a, b = alpha * l1_ratio, alpha * (1 - l1_ratio)
    kappa = 1.0 if b > 0 or np.abs(u).max() <= a else a / np.abs(u).max()
    conj = 0.0
    for yi, vi in zip(y, kappa * g):
        def neg(t, yi=yi, vi=vi):
            return -(vi * t - half_deviance(np.array([yi]), np.exp(np.array([t])), power)[0])
        lo = np.log(max(yi, 1e-3)) - 25
        conj += -minimize_scalar(neg, bounds=(lo, lo + 50), method="bounded",
                                 options=dict(xatol=1e-12)).fun / n
    r_conj = 0.0 if b == 0 else np.sum(np.maximum(kappa * np.abs(u) - a, 0) ** 2) / (2 * b)
    return objective(X, y, coef, intercept, alpha, l1_ratio, power) + conj + r_conj


@pytest.mark.parametrize("power", [1.2, 1.5, 1.8])
@pytest.mark.parametrize("tol", [1e-3, 1e-8])
def test_tweedie_gap_bounds_a_gap_computed_by_scipy(power, tol):
    X, y = _claims("tweedie", n=150, p=8, seed=16)
    alpha, l1_ratio = 0.01, 0.7
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss="tweedie", power=power,
                                tol=tol).fit(X, y)
    p0 = null_objective(y, power)
    gap = _tweedie_gap_by_scipy(X, y, model.coef_, model.intercept_, alpha, l1_ratio, power)
    assert gap <= model.dual_gap_ + 1e-11 * p0, (gap, model.dual_gap_)
    assert model.dual_gap_ <= tol * p0
