"""Weighted Gram statistics from the nonzeros of one-hot columns (``SplitRows``), used by the
GLM losses' Newton steps when n >> p and most of X is zeros (issue 15 item 6).

References: the statistics written out with numpy on explicitly centred float64 data; the
GLM fits against glum and the independent duality gap of tests/test_glm.py, and against the
same fits with the split switched off.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import sparsereg._glm as glm_module
from sparsereg import ElasticNetRegressor, L1Regressor
from sparsereg._problem._split import SplitRows

from test_glm import independent_gap, null_objective, objective


def _factors(n=3000, levels=(3, 5, 6, 8, 4, 7), n_numeric=2, offset=0.0, seed=0):
    """One-hot rating factors (drop-first) and Gaussian numeric columns (``+ offset``)."""
    rng = np.random.default_rng(seed)
    blocks = []
    for k in levels:
        codes = rng.integers(0, k, n)
        onehot = np.zeros((n, k - 1))
        rows = np.flatnonzero(codes > 0)
        onehot[rows, codes[rows] - 1] = 1.0
        blocks.append(onehot)
    blocks.append(rng.standard_normal((n, n_numeric)) + offset)
    X = np.asfortranarray(np.hstack(blocks))
    w = rng.normal(0, 0.3, X.shape[1]) * (rng.random(X.shape[1]) < 0.6)
    eta = (X - X.mean(0)) @ w + np.log(0.5)
    return X, rng.poisson(np.exp(eta)).astype(float), rng.gamma(2.0, np.exp(eta) / 2.0)


@pytest.mark.parametrize("fmt", ["dense", "csc", "csr"])
@pytest.mark.parametrize("offset", [0.0, 1e3])
def test_weighted_stats_are_the_centred_products(fmt, offset):
    X, _, _ = _factors(offset=offset)
    rng = np.random.default_rng(1)
    h, z = rng.uniform(0.1, 3.0, X.shape[0]), rng.standard_normal(X.shape[0]) + 5.0
    Xf = {"dense": X, "csc": sp.csc_matrix(X), "csr": sp.csr_matrix(X)}[fmt]
    split = SplitRows.of(Xf)
    # the 3-level factor's columns (1 in 3 nonzero) and the numeric ones are the dense part
    assert split is not None and list(split.dense) == [0, 1, 27, 28]
    stats = split.weighted_stats(z, h)
    S = h.sum()
    mx, my = h @ X / S, h @ z / S
    Xc, zc = X - mx, z - my
    np.testing.assert_allclose(stats.S, S, rtol=1e-14)
    np.testing.assert_allclose(stats.mean_x, mx, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(stats.Mxx, Xc.T @ (h[:, None] * Xc), rtol=1e-10,
                               atol=1e-10 * S)
    np.testing.assert_allclose(stats.Mxy, Xc.T @ (h * zc), rtol=1e-10, atol=1e-10 * S)
    np.testing.assert_allclose(stats.Myy, h @ (zc * zc), rtol=1e-12)
    w = rng.standard_normal(X.shape[1])
    np.testing.assert_allclose(split.matvec(w), X @ w, rtol=1e-12, atol=1e-9 * (1 + offset))
    np.testing.assert_allclose(split.rmatvec(z), X.T @ z, rtol=1e-12)


def test_the_split_is_left_out_where_it_would_not_pay():
    rng = np.random.default_rng(0)
    assert SplitRows.of(rng.standard_normal((500, 10))) is None  # dense
    X, _, _ = _factors(levels=(3,), n_numeric=8)  # few one-hot columns, many dense
    assert SplitRows.of(X) is None


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("fmt, offset", [("dense", 0.0), ("csc", 0.0), ("dense", 1e3)])
def test_glm_fits_on_split_rows_are_certified_and_match(monkeypatch, loss, l1_ratio, fmt,
                                                         offset):
    X, counts, amounts = _factors(offset=offset)
    y = counts if loss == "poisson" else amounts
    Xf = sp.csc_matrix(X) if fmt == "csc" else X
    calls = []
    weighted_stats = SplitRows.weighted_stats
    monkeypatch.setattr(SplitRows, "weighted_stats",
                        lambda self, *a: calls.append(1) or weighted_stats(self, *a))
    alpha = 0.002
    model = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, tol=1e-10).fit(
        Xf, y)
    assert calls, "the Newton steps did not use the split rows"
    power = 1.0 if loss == "poisson" else 2.0
    p0 = null_objective(y, power)
    gap = independent_gap(X, y, model.coef_, model.intercept_, alpha, l1_ratio, power)
    assert gap <= model.dual_gap_ + 1e-12 * p0
    assert model.dual_gap_ <= 1e-10 * p0
    monkeypatch.setattr(SplitRows, "of", classmethod(lambda cls, X: None))
    plain = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, tol=1e-10).fit(
        Xf, y)
    np.testing.assert_allclose(model.coef_, plain.coef_, atol=1e-7)
    glum = pytest.importorskip("glum")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family=loss, link="log", alpha=alpha,
                                              l1_ratio=l1_ratio, gradient_tol=1e-12,
                                              max_iter=10_000).fit(X, y)
    mine = objective(X, y, model.coef_, model.intercept_, alpha, l1_ratio, power)
    theirs = objective(X, y, ref.coef_, ref.intercept_, alpha, l1_ratio, power)
    assert mine <= theirs + 1e-11 * p0


def test_split_is_made_once_per_path():
    X, counts, _ = _factors()
    made = []
    of = SplitRows.of.__func__
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SplitRows, "of", classmethod(lambda cls, X: made.append(1) or of(cls, X)))
        from sparsereg import regularization_path
        regularization_path(X, counts, loss="poisson", n_alphas=5)
    assert len(made) == 1
    assert glm_module.SplitRows is SplitRows


def test_duplicate_and_unsorted_sparse_entries_are_summed():
    """A CSC matrix may hold an entry twice (scipy sums them in products): the products
    pair each row's entries, so the split sums them first."""
    X, _, _ = _factors(n=400)
    coo = sp.coo_matrix(X)
    half = 0.5 * coo.data
    dup = sp.csc_matrix((np.r_[half, half], (np.r_[coo.row, coo.row],
                                              np.r_[coo.col, coo.col])), shape=X.shape)
    dup.has_canonical_format = False
    rng = np.random.default_rng(2)
    h, z = rng.uniform(0.1, 3.0, X.shape[0]), rng.standard_normal(X.shape[0])
    a = SplitRows.of(dup).weighted_stats(z, h)
    b = SplitRows.of(X).weighted_stats(z, h)
    np.testing.assert_allclose(a.Mxx, b.Mxx, rtol=1e-12, atol=1e-12)


def test_box_on_split_rows_is_glums():
    """Box constraints on the one-hot path (Newton steps on the split rows' Gram matrix)."""
    glum = pytest.importorskip("glum")
    X, counts, _ = _factors(offset=10.0)
    p = X.shape[1]
    lower, upper = np.full(p, -0.05), np.full(p, 0.05)
    model = ElasticNetRegressor(alpha=1e-3, l1_ratio=0.5, loss="poisson", lower_bounds=lower,
                                upper_bounds=upper, tol=1e-10).fit(sp.csc_matrix(X), counts)
    assert np.all(np.abs(model.coef_) <= 0.05) and np.sum(np.abs(model.coef_) == 0.05) >= 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family="poisson", alpha=1e-3, l1_ratio=0.5,
                                              lower_bounds=lower, upper_bounds=upper,
                                              gradient_tol=1e-12, max_iter=10_000).fit(X, counts)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-7)
    p0 = null_objective(counts, 1.0)
    mine = objective(X, counts, model.coef_, model.intercept_, 1e-3, 0.5, 1.0)
    theirs = objective(X, counts, ref.coef_, ref.intercept_, 1e-3, 0.5, 1.0)
    assert mine - theirs <= model.dual_gap_ + 1e-13 * p0


def _spy_split_hessian(monkeypatch):
    """Count the unpenalized block's Newton evaluations made from the split rows."""
    calls = []
    make = glm_module.GLMProblem._split_block_evaluator
    monkeypatch.setattr(glm_module.GLMProblem, "_split_block_evaluator",
                        lambda self, *a: calls.append(1) or make(self, *a))
    return calls


@pytest.mark.parametrize("loss", ["poisson", "gamma"])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_many_unpenalized_features_refit_on_split_rows_as_glum(monkeypatch, loss, fmt):
    """Most rating factors left unpenalized (penalty_factor 0, glum's P1 = 0): the Newton
    refit of that block (every certificate's dual point, and P(0)) takes its Hessian from the
    split rows' weighted statistics; the fit is glum's and its certificate bounds the
    independently computed suboptimality."""
    glum = pytest.importorskip("glum")
    calls = _spy_split_hessian(monkeypatch)
    X, counts, amounts = _factors(offset=5.0)
    y = counts if loss == "poisson" else amounts
    power = 1.0 if loss == "poisson" else 2.0
    factors = np.zeros(X.shape[1])
    factors[-6:] = 1.0  # the last factor's levels and the numeric columns penalized
    alpha = 0.01
    model = L1Regressor(alpha=alpha, loss=loss, penalty_factor=factors, tol=1e-10).fit(
        sp.csc_matrix(X) if fmt == "csc" else X, y)
    assert calls, "the unpenalized block was not refitted from the split rows"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family=loss, link="log", alpha=alpha,
                                              l1_ratio=1.0, P1=factors, gradient_tol=1e-12,
                                              max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, atol=1e-6)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, atol=1e-6)

    def objective_pf(coef, intercept):
        mu = np.exp(X @ coef + intercept)
        dev = (mu - y - y * np.log(mu / np.where(y > 0, y, 1.0)) * (y > 0)) if power == 1.0 \
            else (np.log(mu / y) + y / mu - 1.0)
        return float(np.mean(dev)) + alpha * factors @ np.abs(coef)
    p0 = null_objective(y, power)
    assert objective_pf(model.coef_, model.intercept_) <= \
        objective_pf(ref.coef_, ref.intercept_) + 1e-11 * p0
    # the unpenalized coefficients are optimal given the others: their gradients vanish
    mu = np.exp(X @ model.coef_ + model.intercept_)
    grad = X.T @ (mu ** (1 - power) * (mu - y)) / len(y)
    np.testing.assert_allclose(grad[factors == 0], 0.0, atol=1e-9)
    loose = L1Regressor(alpha=alpha, loss=loss, penalty_factor=factors, tol=1e-3).fit(X, y)
    assert objective_pf(loose.coef_, loose.intercept_) - objective_pf(
        model.coef_, model.intercept_) <= loose.dual_gap_ + 1e-12 * p0


def test_gamma_path_dispersion_on_split_rows_is_scikit_learns(monkeypatch):
    """The Gamma path's AIC needs the dispersion of the unpenalized fit: on one-hot data it
    is refitted from the split rows (from the path's last model), and it is Pearson's
    statistic of scikit-learn's unpenalized Gamma GLM."""
    from sklearn.linear_model import GammaRegressor

    from sparsereg import regularization_path
    calls = _spy_split_hessian(monkeypatch)
    X, _, amounts = _factors(offset=2.0)
    path = regularization_path(X, amounts, loss="gamma", n_alphas=6)
    assert calls
    ref = GammaRegressor(alpha=0.0, tol=1e-12, max_iter=10_000, solver="newton-cholesky").fit(
        X, amounts)
    mu = ref.predict(X)
    n, p = X.shape
    dispersion = np.sum(((amounts - mu) / mu) ** 2) / (n - p - 1)
    shape = 1.0 / dispersion
    from scipy.special import gammaln
    k = len(path.alphas) - 1
    mu_k = np.exp(X @ path.coefs[k] + path.intercepts[k])
    loglik = np.sum(shape * np.log(shape * amounts / mu_k) - shape * amounts / mu_k
                    - np.log(amounts) - gammaln(shape))
    assert path.aic()[k] == pytest.approx(-2 * loglik + 2 * path.df[k], rel=1e-9)
