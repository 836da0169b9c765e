"""Dask input (docs/larger_than_memory.rst): one pass over the chunks, then the same objective
as in memory.

References are independent: numpy's own moments, the in-memory fits (another code path: rows,
not statistics), and the duality gap recomputed from the rows by tests/_reference.py.
"""

import threading
import warnings

import numpy as np
import pytest
from sklearn.model_selection import KFold

import _reference as ref
from sparsereg import (
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    L1Regressor,
    L1RegressorCV,
    L2Regressor,
    L2RegressorCV,
    alpha_max,
    regularization_path,
)
from sparsereg._problem import SufficientStats

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

N, P, CHUNK = 2400, 12, 400


def _data(seed=0, shift=3.0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, P)) + shift
    w = np.zeros(P)
    w[:4] = [2.0, -1.5, 1.0, 0.5]
    y = X @ w + rng.standard_normal(N) + 10.0
    s = rng.uniform(0.0, 2.0, N)
    return X, y, s


def _lazy(X, counter=None, chunk=CHUNK):
    """X as a dask array whose chunks are produced by a task (counted when asked)."""
    lock = threading.Lock()

    def make(block, block_info=None):
        if counter is not None:
            with lock:
                counter.append(block_info[0]["chunk-location"][0])
        return block.copy()

    return da.from_array(X, chunks=(chunk, X.shape[1])).map_blocks(make, dtype=X.dtype)


@pytest.fixture(scope="module")
def data():
    return _data()


# --- the statistics themselves -----------------------------------------------------------

def test_stats_merge_and_subtract_match_numpy():
    X, y, s = _data(1, shift=1e6)  # large means: the centred form must not cancel
    whole = SufficientStats.of_rows(X, y, s)
    parts = [SufficientStats.of_rows(X[i:i + 700], y[i:i + 700], s[i:i + 700])
             for i in range(0, N, 700)]
    merged = parts[0]
    for part in parts[1:]:
        merged = merged + part
    S = s.sum()
    mx = s @ X / S
    Xc = X - mx
    cov = (Xc * s[:, None]).T @ Xc
    for got in (whole, merged):
        assert got.S == pytest.approx(S, rel=1e-13)
        np.testing.assert_allclose(got.mean_x, mx, rtol=1e-13)
        np.testing.assert_allclose(got.Mxx, cov, rtol=1e-8, atol=1e-8 * np.abs(cov).max())
    rest = merged - parts[1]
    keep = np.r_[0:700, 1400:N]
    direct = SufficientStats.of_rows(X[keep], y[keep], s[keep])
    assert rest.n_rows == len(keep)
    np.testing.assert_allclose(rest.mean_x, direct.mean_x, rtol=1e-12)
    np.testing.assert_allclose(rest.Mxx, direct.Mxx, rtol=1e-7, atol=1e-7 * np.abs(cov).max())
    np.testing.assert_allclose(rest.Mxy, direct.Mxy, rtol=1e-7, atol=1e-7 * np.abs(cov).max())


def test_held_out_squared_errors_match_rows():
    X, y, s = _data(2)
    stats = SufficientStats.of_rows(X, y, s)
    W = np.random.default_rng(3).standard_normal((3, P))
    b = np.array([0.5, -1.0, 2.0])
    direct = [(s * (y - X @ w - bk) ** 2).sum() for w, bk in zip(W, b)]
    np.testing.assert_allclose(stats.squared_errors(W, b), direct, rtol=1e-10)


# --- estimators ---------------------------------------------------------------------------

ESTIMATORS = [
    (L1Regressor, {"alpha": 0.05}, 1.0),
    (ElasticNetRegressor, {"alpha": 0.1, "l1_ratio": 0.3}, 0.3),
    (L2Regressor, {"alpha": 0.5}, 0.0),
]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cls,params,l1_ratio", ESTIMATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_fit_equals_in_memory_fit(data, cls, params, l1_ratio, weighted, fit_intercept):
    X, y, s = data
    if not fit_intercept:
        X = X - X.mean(axis=0)  # a well-conditioned problem without intercept
    sw = s if weighted else None
    est = cls(**params, tol=1e-10, fit_intercept=fit_intercept)
    mem = cls(**params, tol=1e-10, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    lazy = est.fit(_lazy(X), da.from_array(y, chunks=500),
                   sample_weight=None if sw is None else da.from_array(sw, chunks=700))
    # The certificate, recomputed from the rows independently of sparsereg:
    gap, _, _ = ref.dual_gap(X, y, lazy.coef_, lazy.intercept_, params["alpha"], l1_ratio,
                                  sample_weight=sw, fit_intercept=fit_intercept)
    p0 = ref.null_objective(y, sw, fit_intercept)
    assert gap <= 1e-10 * p0 + ref.gap_floor(y, sw, fit_intercept)
    assert lazy.dual_gap_ == pytest.approx(gap, abs=1e-9 * p0)
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-6, atol=1e-8)
    assert lazy.intercept_ == pytest.approx(mem.intercept_, rel=1e-8, abs=1e-8)
    assert lazy.n_nonzero_ == mem.n_nonzero_
    assert lazy.n_features_in_ == P


def test_float32_and_numpy_target(data):
    X, y, _ = data
    X32 = X.astype(np.float32)
    # tol at float32's resolution: the stored (rounded) coefficients are certified to it
    lazy = L1Regressor(0.05, tol=1e-6).fit(da.from_array(X32, chunks=(CHUNK, P)), y)
    mem = L1Regressor(0.05, tol=1e-6).fit(X32, y)
    assert lazy.coef_.dtype == np.float32
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-4, atol=1e-5)


def test_one_pass_chunk_by_chunk(data, monkeypatch):
    X, y, s = data
    seen, rows = [], []
    original = SufficientStats.of_rows.__func__

    def spy(cls, Xb, yb, sb=None):
        rows.append(len(yb))
        return original(cls, Xb, yb, sb)

    monkeypatch.setattr(SufficientStats, "of_rows", classmethod(spy))
    L1Regressor(0.05).fit(_lazy(X, seen), da.from_array(y, chunks=CHUNK),
                          sample_weight=da.from_array(s, chunks=CHUNK))
    assert sorted(seen) == list(range(N // CHUNK))  # every chunk made exactly once
    assert max(rows) == CHUNK  # and reduced on its own


def test_predict_is_lazy(data):
    X, y, _ = data
    model = L1Regressor(0.05).fit(X, y)
    made = []
    pred = model.predict(_lazy(X, made))
    assert isinstance(pred, da.Array) and not made
    np.testing.assert_allclose(pred.compute(), model.predict(X), rtol=1e-12)
    with pytest.raises(ValueError, match="features"):
        model.predict(da.from_array(X[:, :3], chunks=CHUNK))


# --- path and cross-validation ------------------------------------------------------------

@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_path_equals_in_memory_path(data, penalty):
    X, y, s = data
    seen = []
    lazy = regularization_path(_lazy(X, seen), da.from_array(y, chunks=CHUNK), penalty=penalty,
                               sample_weight=s, n_alphas=30, tol=1e-10)
    mem = regularization_path(X, y, penalty=penalty, sample_weight=s, n_alphas=30, tol=1e-10)
    assert len(seen) == N // CHUNK  # one pass for the whole path
    np.testing.assert_allclose(lazy.alphas, mem.alphas, rtol=1e-10)
    np.testing.assert_allclose(lazy.coefs, mem.coefs, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(lazy.mse, mem.mse, rtol=1e-8)
    np.testing.assert_array_equal(lazy.n_nonzero, mem.n_nonzero)
    np.testing.assert_allclose(lazy.bic(), mem.bic(), rtol=1e-8)


def test_alpha_max(data):
    X, y, s = data
    pf = np.r_[0.0, np.ones(P - 1)]
    for kw in ({}, {"sample_weight": s, "penalty_factor": pf}):
        assert alpha_max(_lazy(X), da.from_array(y, chunks=CHUNK), **kw) == pytest.approx(
            ref.alpha_max(X, y, **kw), rel=1e-10)


@pytest.mark.parametrize("make", [
    lambda: L1RegressorCV(cv=4, tol=1e-10),
    lambda: ElasticNetRegressorCV(l1_ratio=[0.2, 0.9], cv=4, tol=1e-10, selection="1se"),
    lambda: L2RegressorCV(cv=4),
    lambda: L1RegressorCV(cv=4, relax=[0.0, 0.5], tol=1e-10),
], ids=["l1", "enet-1se", "l2", "relaxed"])
def test_cv_equals_in_memory_kfold(data, make):
    X, y, s = data
    # Chunks of 600 rows in 4 groups are exactly KFold(4)'s consecutive folds.
    seen = []
    lazy = make().fit(_lazy(X, seen, chunk=600), da.from_array(y, chunks=600), sample_weight=s)
    assert len(seen) == N // 600  # one data pass for all folds and the refit
    mem = make().set_params(cv=KFold(4)).fit(X, y, sample_weight=s)
    np.testing.assert_allclose(lazy.mse_path_, mem.mse_path_, rtol=1e-7)
    assert lazy.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)
    assert lazy.l1_ratio_ == mem.l1_ratio_
    np.testing.assert_allclose(lazy.coef_, mem.coef_, rtol=1e-6, atol=1e-8)


def test_cv_with_fewer_chunks_than_folds(data):
    X, y, _ = data
    model = L1RegressorCV(cv=3).fit(da.from_array(X, chunks=(N, P)), y)
    assert model.mse_path_.shape[1] == 3


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize("case,exc,match", [
    ("1d", ValueError, "2-D"),
    ("complex", TypeError, "real"),
    ("short_y", ValueError, "y has"),
    ("nan", ValueError, "NaN"),
    ("negative_weight", ValueError, "non-negative"),
    ("zero_weight", ValueError, "sum must be positive"),
    ("unknown_chunks", ValueError, "chunk sizes"),
    ("solver_cd", ValueError, "solver"),
    ("alpha", ValueError, "alpha"),
])
def test_bad_input(data, case, exc, match):
    X, y, _ = data
    Xd, yd, sw, est = da.from_array(X, chunks=(CHUNK, P)), y, None, L1Regressor(0.1)
    if case == "1d":
        Xd = Xd[:, 0]
    elif case == "complex":
        Xd = Xd.astype(np.complex128)
    elif case == "short_y":
        yd = y[:-1]
    elif case == "nan":
        Xn = X.copy()
        Xn[1000, 3] = np.nan
        Xd = da.from_array(Xn, chunks=(CHUNK, P))
    elif case == "negative_weight":
        sw = np.r_[-1.0, np.ones(N - 1)]
    elif case == "zero_weight":
        sw = np.zeros(N)
    elif case == "unknown_chunks":
        Xd = Xd[da.from_array(y, chunks=CHUNK) > 0]
        yd = y[y > 0]
    elif case == "solver_cd":
        est = L1Regressor(0.1, solver="cd")
    elif case == "alpha":
        est = L1Regressor(-1.0)
    with pytest.raises(exc, match=match):
        est.fit(Xd, yd, sample_weight=sw)


def test_cv_rejects_splitters_and_groups(data):
    X, y, _ = data
    Xd = da.from_array(X, chunks=(CHUNK, P))
    with pytest.raises(TypeError, match="cv must be an int"):
        L1RegressorCV(cv=KFold(3)).fit(Xd, y)
    with pytest.raises(ValueError, match="groups"):
        L1RegressorCV(cv=3).fit(Xd, y, groups=np.arange(N) % 3)


# --- dask.distributed, with worker processes ----------------------------------------------

def test_distributed_local_cluster(data):
    distributed = pytest.importorskip("distributed")
    X, y, s = data
    mem_fit = L1Regressor(0.05, tol=1e-10).fit(X, y, sample_weight=s)
    mem_cv = L1RegressorCV(cv=KFold(4), tol=1e-10).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cluster's own port / resource notices
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster):
            Xd = da.from_array(X, chunks=(600, P))
            yd, sd = da.from_array(y, chunks=600), da.from_array(s, chunks=600)
            fit = L1Regressor(0.05, tol=1e-10).fit(Xd, yd, sample_weight=sd)
            cv = L1RegressorCV(cv=4, tol=1e-10).fit(Xd, yd)
            pred = fit.predict(Xd).compute()
    np.testing.assert_allclose(fit.coef_, mem_fit.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(cv.mse_path_, mem_cv.mse_path_, rtol=1e-7)
    assert cv.alpha_ == pytest.approx(mem_cv.alpha_, rel=1e-12)
    np.testing.assert_allclose(pred, mem_fit.predict(X), rtol=1e-6, atol=1e-6)
