"""Poisson, Gamma and Tweedie regression on dask arrays (issue 15 item 7): one pass over the
row chunks per Newton step, the in-memory model and certificate.

References are independent of the chunked code path: the in-memory fits (X in memory, its
Gram matrix formed at once), scikit-learn's PoissonRegressor / GammaRegressor /
TweedieRegressor (L2), glum (L1), and the duality gaps written out in tests/test_glm.py from
the deviance's textbook form (numpy, and scipy for Tweedie). Passes are counted at the data
itself: a dask task that makes each chunk of X.
"""

import threading
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sparsereg import (
    ElasticNetRegressor,
    L1Regressor,
    L1RegressorCV,
    L2Regressor,
    regularization_path,
)
from sparsereg._glm import glm_gap
from test_glm import (
    POWER,
    _claims,
    _sklearn,
    _tweedie_gap_by_scipy,
    independent_gap,
    null_objective,
    objective,
)

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

N, P = 2000, 20
ROW_CHUNKS = (400, 700, 500, 400)  # four chunks, uneven on purpose
PENALTIES = {"l1": (L1Regressor, {}, 1.0), "enet": (ElasticNetRegressor, {"l1_ratio": 0.5}, 0.5),
             "l2": (L2Regressor, {}, 0.0)}
ALPHA = 0.01


def counted(X, made=None):
    """X as a dask array whose row chunks are made by a task, recorded in ``made``."""
    lock = threading.Lock()

    def make(block, block_info=None):
        if made is not None:
            with lock:
                made.append(block_info[0]["chunk-location"][0])
        return block.copy()

    return da.from_array(X, chunks=(ROW_CHUNKS, X.shape[1])).map_blocks(make, dtype=X.dtype)


def rows(v):
    return da.from_array(v, chunks=(ROW_CHUNKS,))


def weights(seed=3):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.2, 3.0, N)
    s[rng.random(N) < 0.05] = 0.0  # rows without weight are kept, as in memory
    return s


def fit_quietly(est, X, y, sample_weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("error", RuntimeWarning)
        return est.fit(X, y, sample_weight=sample_weight)


@pytest.fixture(scope="module", params=["poisson", "gamma", "tweedie"])
def claims(request):
    loss = request.param
    X, y = _claims(loss, n=N, p=P, seed=7)
    return loss, X, y


# --- 1. the dask fit is the in-memory fit ----------------------------------------------------

CONFIGS = {  # fit_intercept, weights ("dask", "numpy" or None), penalty_factor with a zero
    "plain": (True, None, False),
    "dask-weights-pf0": (True, "dask", True),
    "numpy-weights-no-intercept": (False, "numpy", False),
}


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("penalty", list(PENALTIES))
def test_dask_fit_is_the_in_memory_fit(claims, penalty, config):
    loss, X, y = claims
    fit_intercept, weighted, pf_zero = CONFIGS[config]
    cls, kw, _ = PENALTIES[penalty]
    sw = None if weighted is None else weights()
    pf = np.r_[0.0, np.linspace(0.5, 2.0, P - 1)] if pf_zero else None
    params = dict(alpha=ALPHA, loss=loss, power=POWER[loss], tol=1e-10, max_iter=200,
                  fit_intercept=fit_intercept, penalty_factor=pf, **kw)
    mem = fit_quietly(cls(**params), X, y, sw)
    dsw = rows(sw) if weighted == "dask" else sw
    lazy = fit_quietly(cls(**params), counted(X), rows(y), dsw)
    assert lazy.coef_.dtype == np.float64 and lazy.n_features_in_ == P
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-6, atol=1e-9)
    assert lazy.intercept_ == pytest.approx(mem.intercept_, rel=1e-6, abs=1e-9)
    if not fit_intercept:
        assert lazy.intercept_ == 0.0
    if pf_zero:
        assert lazy.coef_[0] != 0  # the unpenalized feature is in the model
    assert lazy.n_iter_ == mem.n_iter_
    p0 = null_objective(y, POWER[loss], sw) if fit_intercept else None
    if p0 is not None:
        assert 0 < lazy.dual_gap_ <= 1e-10 * p0
    # the in-memory certificate of the same model, up to the round-off of sums taken in
    # another order
    same, _ = glm_gap(X, y, sw, loss, POWER[loss], ALPHA, PENALTIES[penalty][2], lazy.coef_,
                      lazy.intercept_, fit_intercept=fit_intercept, penalty_factor=pf)
    assert lazy.dual_gap_ == pytest.approx(same, rel=1e-3, abs=1e-14)
    np.testing.assert_array_equal(lazy.support_, mem.support_)


@pytest.mark.parametrize("tol", [1e-4, 1e-9])
@pytest.mark.parametrize("penalty", list(PENALTIES))
def test_reported_gap_bounds_an_independent_gap(penalty, tol):
    """Poisson and Gamma: the Fenchel gap of tests/test_glm.py (written from the textbook
    deviance); it is at most tol * P(0) and at most the reported gap."""
    cls, kw, l1_ratio = PENALTIES[penalty]
    for loss in ("poisson", "gamma"):
        X, y = _claims(loss, n=N, p=P, seed=8)
        sw = weights(5)
        model = fit_quietly(cls(alpha=ALPHA, loss=loss, tol=tol, **kw), counted(X), rows(y),
                            rows(sw))
        p, p0 = POWER[loss], null_objective(y, POWER[loss], sw)
        gap = independent_gap(X, y, model.coef_, model.intercept_, ALPHA, l1_ratio, p, sw)
        assert gap <= tol * p0
        assert gap <= model.dual_gap_ + 1e-13 * p0, (gap, model.dual_gap_)
        assert model.dual_gap_ <= tol * p0


@pytest.mark.parametrize("power", [1.3, 1.7])
def test_tweedie_gap_bounds_a_gap_computed_by_scipy(power):
    X, y = _claims("tweedie", n=300, p=8, seed=16)
    alpha, l1_ratio, tol = 0.01, 0.7, 1e-8
    model = fit_quietly(ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss="tweedie",
                                            power=power, tol=tol),
                        da.from_array(X, chunks=(100, 8)), da.from_array(y, chunks=100))
    p0 = null_objective(y, power)
    gap = _tweedie_gap_by_scipy(X, y, model.coef_, model.intercept_, alpha, l1_ratio, power)
    assert gap <= model.dual_gap_ + 1e-11 * p0, (gap, model.dual_gap_)
    assert model.dual_gap_ <= tol * p0


# --- 2. independent references -------------------------------------------------------------

@pytest.mark.parametrize("loss", ["poisson", "gamma", "tweedie"])
def test_l2_is_scikit_learns_glm_regressor(loss):
    X, y = _claims(loss, n=N, p=P, seed=9)
    sw = weights(6)
    alpha = 0.05
    ours = fit_quietly(L2Regressor(alpha=alpha, loss=loss, power=POWER[loss], tol=1e-12),
                       counted(X), rows(y), rows(sw))
    ref = _sklearn(loss, alpha).fit(X, y, sample_weight=sw)
    p = POWER[loss]
    assert objective(X, y, ours.coef_, ours.intercept_, alpha, 0.0, p, sw) <= \
        objective(X, y, ref.coef_, ref.intercept_, alpha, 0.0, p, sw) + 1e-13 * null_objective(
            y, p, sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5, abs=1e-7)


def test_l1_is_glums():
    glum = pytest.importorskip("glum")
    X, y = _claims("poisson", n=N, p=P, seed=10)
    alpha = 0.005
    ours = fit_quietly(L1Regressor(alpha=alpha, loss="poisson", tol=1e-12), counted(X),
                       rows(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = glum.GeneralizedLinearRegressor(family="poisson", link="log", alpha=alpha,
                                              l1_ratio=1.0, gradient_tol=1e-12,
                                              max_iter=10_000).fit(X, y)
    assert objective(X, y, ours.coef_, ours.intercept_, alpha, 1.0, 1.0) <= \
        objective(X, y, ref.coef_, ref.intercept_, alpha, 1.0, 1.0) + 1e-13 * null_objective(
            y, 1.0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.coef_ != 0, ref.coef_ != 0)


# --- 3. passes over the data ------------------------------------------------------------------

@pytest.mark.parametrize("pf_zero", [False, True])
@pytest.mark.parametrize("loss", ["poisson", "gamma"])
def test_one_pass_per_newton_step_plus_the_certificates(monkeypatch, loss, pf_zero):
    """Every pass reads each chunk of X once, X is never materialized, and the passes are:
    the first (norms, the model without features), with unpenalized features the refit of
    the null model, one per Newton step, and per certificate its refit (one pass for the
    intercept alone) and the conjugate's."""
    import sparsereg._problem._class_chunks as chunks_module

    X, y = _claims(loss, n=N, p=P, seed=11)
    passes = []
    reduce = chunks_module.DaskChunks.reduce

    def spy(self, func, *args):
        kind = func.__name__ if func.__name__ != "glm_sums" else \
            "norms" if args[-1] else "step" if args[-2] else "refit"
        passes.append(kind)
        return reduce(self, func, *args)

    monkeypatch.setattr(chunks_module.DaskChunks, "reduce", spy)
    made = []
    pf = np.r_[0.0, np.ones(P - 1)] if pf_zero else None
    model = fit_quietly(L1Regressor(alpha=ALPHA, loss=loss, tol=1e-8, penalty_factor=pf),
                        counted(X, made), rows(y))
    n_chunks = len(ROW_CHUNKS)
    # each pass makes every chunk exactly once; nothing else reads X
    assert len(made) == n_chunks * len(passes)
    assert sorted(made) == sorted(list(range(n_chunks)) * len(passes))
    # before the first certificate: the first pass, then the null model's refit
    first = passes.index("conjugate_sums")
    start, loop = passes[:first], passes[first + 1:]
    assert start[0] == "norms" and set(start[1:]) <= {"step"}
    assert len(start) == 1 if not pf_zero else 2 <= len(start) <= 7
    # then one pass per Newton step (no step halved here), and each certificate's passes
    assert loop.count("step") == model.n_iter_
    assert loop[-1] == "conjugate_sums" and set(loop) == {"step", "refit", "conjugate_sums"}
    certificates = loop.count("conjugate_sums")
    assert certificates <= 2
    if not pf_zero:  # the intercept's closed-form shift: one pass
        assert loop.count("refit") == certificates
    else:  # Newton's method from a point where the block is nearly optimal: a pass or two
        assert loop.count("refit") <= 2 * certificates


def test_the_target_is_checked_before_any_pass_over_x():
    X, y = _claims("poisson", n=N, p=P, seed=12)
    made = []
    bad = y.copy()
    bad[1500] = -1.0
    with pytest.raises(ValueError, match="y >= 0"):
        L1Regressor(alpha=ALPHA, loss="poisson").fit(counted(X, made), rows(bad))
    with pytest.raises(ValueError, match="y > 0"):
        L1Regressor(alpha=ALPHA, loss="gamma").fit(counted(X, made), rows(y))  # zero counts
    with pytest.raises(ValueError, match="some y > 0"):
        L1Regressor(alpha=ALPHA, loss="tweedie", power=1.5).fit(counted(X, made),
                                                                rows(np.zeros(N)))
    with pytest.raises(ValueError, match="finite"):
        L1Regressor(alpha=ALPHA, loss="poisson").fit(counted(X, made), rows(np.r_[y[:-1],
                                                                                np.nan]))
    s = weights()
    s[10] = -1.0
    with pytest.raises(ValueError, match="non-negative"):
        L1Regressor(alpha=ALPHA, loss="poisson").fit(counted(X, made), rows(y), rows(s))
    with pytest.raises(ValueError, match="all zero"):
        L1Regressor(alpha=ALPHA, loss="poisson").fit(counted(X, made), rows(y),
                                                     rows(np.zeros(N)))
    assert made == []


def test_other_bad_input():
    X, y = _claims("poisson", n=N, p=P, seed=13)
    with pytest.raises(ValueError, match="solver='cd' needs X in memory"):
        L1Regressor(loss="poisson", solver="cd").fit(counted(X), rows(y))
    with pytest.raises(ValueError, match="1-D"):
        L1Regressor(loss="poisson").fit(counted(X), da.from_array(np.c_[y, y],
                                                                 chunks=(ROW_CHUNKS, 2)))
    with pytest.raises(ValueError, match="power must be in"):
        L1Regressor(loss="tweedie", power=3.0).fit(counted(X), rows(y))
    Xnan = X.copy()
    Xnan[5, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        L1Regressor(loss="poisson").fit(counted(Xnan), rows(y))
    # paths and CV with these losses stay in memory, and say so before work
    with pytest.raises(ValueError, match="dask input in regularization paths"):
        L1RegressorCV(loss="poisson", cv=3).fit(counted(X), rows(y))
    with pytest.raises(ValueError, match="dask input in regularization paths"):
        regularization_path(counted(X), rows(y), loss="poisson")


# --- 4. what the estimator returns ------------------------------------------------------------

def test_predict_is_lazy_and_float32_certifies_the_stored_model():
    X, y = _claims("poisson", n=N, p=P, seed=14)
    X32 = X.astype(np.float32)
    mem = fit_quietly(ElasticNetRegressor(alpha=ALPHA, loss="poisson", tol=1e-6), X32, y)
    lazy = fit_quietly(ElasticNetRegressor(alpha=ALPHA, loss="poisson", tol=1e-6),
                       counted(X32), y)  # a numpy y with a dask X
    assert lazy.coef_.dtype == np.float32 and isinstance(lazy.intercept_, np.float32)
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-5, atol=1e-7)
    # the certificate is of the float32 model as stored, measured independently too
    gap = independent_gap(X32.astype(np.float64), y, lazy.coef_.astype(np.float64),
                          float(lazy.intercept_), ALPHA, 0.5, 1.0)
    assert gap <= lazy.dual_gap_ + 1e-13 * null_objective(y, 1.0)
    made = []
    pred = lazy.predict(counted(X32, made))
    assert isinstance(pred, da.Array) and not made
    np.testing.assert_allclose(pred.compute(), mem.predict(X32), rtol=1e-4)
    assert sorted(made) == list(range(len(ROW_CHUNKS)))


def test_warm_start_and_max_iter():
    X, y = _claims("gamma", n=N, p=P, seed=15)
    model = L1Regressor(alpha=ALPHA, loss="gamma", tol=1e-10, warm_start=True)
    fit_quietly(model, counted(X), rows(y))
    first = model.coef_.copy()
    fit_quietly(model, counted(X), rows(y))
    assert model.n_iter_ == 1
    np.testing.assert_allclose(model.coef_, first, rtol=1e-8, atol=1e-12)
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 Newton steps"):
        short = L1Regressor(alpha=ALPHA, loss="gamma", tol=1e-12, max_iter=1).fit(
            counted(X), rows(y))
    assert short.n_iter_ == 1 and short.dual_gap_ > 1e-12 * null_objective(y, 2.0)


def test_positive_and_alpha_above_alpha_max():
    X, y = _claims("poisson", n=N, p=P, seed=16)
    params = dict(alpha=0.005, loss="poisson", positive=True, tol=1e-10)
    mem = fit_quietly(L1Regressor(**params), X, y)
    lazy = fit_quietly(L1Regressor(**params), counted(X), rows(y))
    assert np.all(lazy.coef_ >= 0) and np.any(lazy.coef_ > 0)
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-6, atol=1e-9)
    empty = fit_quietly(L1Regressor(alpha=10.0, loss="poisson"), counted(X), rows(y))
    assert np.all(empty.coef_ == 0) and empty.n_iter_ == 1
    assert np.exp(empty.intercept_) == pytest.approx(y.mean(), rel=1e-12)


def test_wide_data_on_the_gram_matrix_is_the_in_memory_fit():
    """p > n: dask input is solved on the p x p weighted Gram matrix (as the squared loss's
    and the classifiers'), in memory on working sets of rows; the same problem, certified."""
    X, y = _claims("poisson", n=150, p=400, seed=17)
    alpha, tol = 0.02, 1e-9
    mem = fit_quietly(L1Regressor(alpha=alpha, loss="poisson", tol=tol), X, y)
    lazy = fit_quietly(L1Regressor(alpha=alpha, loss="poisson", tol=tol),
                       da.from_array(X, chunks=(50, 400)), da.from_array(y, chunks=50))
    p0 = null_objective(y, 1.0)
    P_mem = objective(X, y, mem.coef_, mem.intercept_, alpha, 1.0, 1.0)
    P_lazy = objective(X, y, lazy.coef_, lazy.intercept_, alpha, 1.0, 1.0)
    assert abs(P_lazy - P_mem) <= max(lazy.dual_gap_, mem.dual_gap_) + 1e-13 * p0
    gap = independent_gap(X, y, lazy.coef_, lazy.intercept_, alpha, 1.0, 1.0)
    assert gap <= lazy.dual_gap_ + 1e-13 * p0 and lazy.dual_gap_ <= tol * p0
    np.testing.assert_allclose(lazy.coef_, mem.coef_, atol=1e-4 * np.abs(mem.coef_).max())


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_warm_start_with_unpenalized_features(fit_intercept):
    X, y = _claims("poisson", n=N, p=P, seed=18)
    pf = np.r_[0.0, 0.0, np.ones(P - 2)]
    params = dict(alpha=ALPHA, loss="poisson", tol=1e-10, penalty_factor=pf,
                  fit_intercept=fit_intercept)
    mem = fit_quietly(L1Regressor(**params), X, y)
    model = L1Regressor(warm_start=True, **params)
    for _ in range(2):  # the second fit starts at the solution
        fit_quietly(model, counted(X), rows(y))
        np.testing.assert_allclose(model.coef_, mem.coef_, rtol=1e-6, atol=1e-9)
    assert model.n_iter_ == 1
