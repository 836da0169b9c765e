"""Every input format gives the same answer (docs/user_guide.rst, "Input data"), and inputs are
never modified.

Two fits of the same problem are compared with the certified distances of
``_problems.assert_same_minimizer`` (independent duality gaps). float32 fits are compared
with the float64 fit of the *same* (upcast) float32 data.
"""

import copy

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import _reference as ref
from _problems import as_candidate, assert_same_minimizer
from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor, alpha_max

pytestmark = [
    pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning"),
    # TOL is below what float32 coefficients hold: a float32 model warns that, rounded, it
    # is certified to less; tests that check that certificate do so explicitly
    pytest.mark.filterwarnings(
        "ignore:The float64 solution meets tol:sklearn.exceptions.ConvergenceWarning"),
]

TOL = 1e-10


def _data(n=60, p=8, seed=0, density=0.5):
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, p)) * rng.uniform(0.5, 2, p) + rng.normal(0, 1, p))
    X *= rng.random((n, p)) < density
    beta = np.zeros(p)
    beta[:3] = [2.0, -1.5, 1.0]
    y = X @ beta + 0.3 * rng.standard_normal(n) + 1.0
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw


def _alpha(X, y, sw, l1_ratio):
    return 0.05 * ref.alpha_max(X, y, l1_ratio=max(l1_ratio, 1e-3), sample_weight=sw)


def _estimator(kind, alpha, **kw):
    if kind == "l1":
        return L1Regressor(alpha, tol=TOL, max_iter=100_000, **kw)
    if kind == "enet":
        return ElasticNetRegressor(alpha, 0.5, tol=TOL, max_iter=100_000, **kw)
    return L2Regressor(alpha, tol=TOL, max_iter=100_000, **kw)


L1_RATIO = {"l1": 1.0, "enet": 0.5, "l2": 0.0}
KINDS = ("l1", "enet", "l2")


def _unsorted_csc(X):
    """CSC with the row indices of every column in reverse order (same matrix)."""
    A = sp.csc_matrix(X)
    data, indices = A.data.copy(), A.indices.copy()
    for j in range(A.shape[1]):
        lo, hi = A.indptr[j], A.indptr[j + 1]
        data[lo:hi] = data[lo:hi][::-1]
        indices[lo:hi] = indices[lo:hi][::-1]
    B = sp.csc_matrix((data, indices, A.indptr.copy()), shape=A.shape)
    B.has_sorted_indices = False
    assert not np.array_equal(B.indices, A.indices)
    return B


def _duplicated_csr(X):
    """CSR where every stored entry is split in two duplicates that sum to it."""
    A = sp.coo_matrix(X)
    rows = np.concatenate([A.row, A.row])
    cols = np.concatenate([A.col, A.col])
    data = np.concatenate([0.25 * A.data, 0.75 * A.data])
    # build the raw arrays by hand (the (data, (row, col)) constructor would sum them)
    order = np.lexsort((cols, rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=A.shape[0]))])
    B = sp.csr_matrix((data[order], cols[order], indptr), shape=A.shape)
    assert B.nnz == 2 * A.nnz
    np.testing.assert_allclose(B.toarray(), X, rtol=1e-15, atol=0)
    return B


def _duplicated_csc(X):
    """CSC where every stored entry is split in two duplicates that sum to it."""
    B = _duplicated_csr(np.ascontiguousarray(X.T))
    return sp.csc_matrix((B.data, B.indices, B.indptr), shape=X.shape)


FORMATS = {
    "dense_C": lambda X: np.ascontiguousarray(X),
    "dense_F": lambda X: np.asfortranarray(X),
    "dense_strided": lambda X: np.repeat(X, 2, axis=1)[:, ::2],
    "csr": sp.csr_matrix,
    "csc": sp.csc_matrix,
    "csc_unsorted": _unsorted_csc,
    "csr_duplicates": _duplicated_csr,
    "csc_duplicates": _duplicated_csc,
    "list": lambda X: X.tolist(),
    "sparse_array_csr": sp.csr_array,
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_every_format_gives_the_same_answer(kind, fmt, weighted, fit_intercept):
    X, y, sw = _data()
    sw = sw if weighted else None
    l1_ratio = L1_RATIO[kind]
    alpha = _alpha(X, y, sw, l1_ratio)
    base = _estimator(kind, alpha, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    Xf = FORMATS[fmt](X)
    est = _estimator(kind, alpha, fit_intercept=fit_intercept).fit(Xf, y, sample_weight=sw)
    assert est.coef_.dtype == np.float64
    assert est.n_features_in_ == X.shape[1]
    assert_same_minimizer(X, y, alpha, l1_ratio, [as_candidate(base), as_candidate(est)],
                          sw=sw, pf=None, fit_intercept=fit_intercept)
    # predictions on the other formats agree with the dense prediction
    Xp = FORMATS[fmt](X[:7])
    np.testing.assert_allclose(est.predict(Xp), X[:7] @ est.coef_ + est.intercept_,
                               rtol=1e-12, atol=1e-12 * np.abs(y).max())
    P0 = ref.null_objective(y, sw, fit_intercept)
    gap = ref.dual_gap(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sample_weight=sw,
                       fit_intercept=fit_intercept)[0]
    assert gap <= TOL * P0 + ref.gap_floor(y, sw, fit_intercept)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_float32_is_kept_and_matches_float64(kind, fmt, weighted, fit_intercept):
    X, y, sw = _data(seed=1)
    sw = sw if weighted else None
    X32 = X.astype(np.float32)
    X64 = X32.astype(np.float64)  # the same numbers: the same problem
    l1_ratio = L1_RATIO[kind]
    alpha = _alpha(X64, y, sw, l1_ratio)
    conv = {"dense": np.asarray, "csr": sp.csr_matrix, "csc": sp.csc_matrix}[fmt]
    est32 = _estimator(kind, alpha, fit_intercept=fit_intercept).fit(conv(X32), y,
                                                                     sample_weight=sw)
    est64 = _estimator(kind, alpha, fit_intercept=fit_intercept).fit(X64, y, sample_weight=sw)
    assert est32.coef_.dtype == np.float32
    # float32 in, float32 out, for dense, CSR and CSC alike (as scikit-learn's Lasso, ElasticNet
    # and Ridge do); the values are X32 @ coef_ + intercept_ to float32 rounding
    pred = est32.predict(conv(X32[:5]))
    assert pred.dtype == np.float32
    terms = np.abs(X64[:5]) @ np.abs(est32.coef_.astype(np.float64)) + abs(float(est32.intercept_))
    np.testing.assert_allclose(pred, X64[:5] @ est32.coef_.astype(np.float64)
                               + float(est32.intercept_), rtol=0, atol=1e-6 * terms.max())
    # coef_ is rounded to float32 (relative 6e-8): compare at float32 accuracy
    np.testing.assert_allclose(est32.coef_, est64.coef_, rtol=1e-5,
                               atol=1e-6 * np.abs(est64.coef_).max())
    assert float(est32.intercept_) == pytest.approx(float(est64.intercept_), rel=1e-5,
                                                    abs=1e-6 * (1 + np.abs(y).max()))
    # exact zeros are exact zeros in both (the L1 part)
    if kind != "l2":
        robust = np.abs(est64.coef_) > 1e-5 * np.abs(est64.coef_).max()
        assert np.array_equal((est32.coef_ != 0)[robust], (est64.coef_ != 0)[robust])
    # the rounded float32 solution is still certified at float32-level accuracy
    gap = ref.dual_gap(X64, y, est32.coef_.astype(np.float64), float(est32.intercept_),
                       alpha, l1_ratio, sample_weight=sw, fit_intercept=fit_intercept)[0]
    p0 = ref.null_objective(y, sw, fit_intercept)
    assert gap <= 1e-6 * p0
    # and dual_gap_ certifies the model as stored (rounded), not the float64 one
    assert gap <= est32.dual_gap_ + 1e-12 * p0


@pytest.mark.parametrize("kind", ["l1", "enet"])
@pytest.mark.parametrize("n", [60, 400])  # below and above the "auto" Gram threshold
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cd_and_gram_solvers_agree(kind, n, weighted, fit_intercept):
    X, y, sw = _data(n=n, density=1.0, seed=2)
    sw = sw if weighted else None
    l1_ratio = L1_RATIO[kind]
    alpha = _alpha(X, y, sw, l1_ratio)
    fits = [_estimator(kind, alpha, fit_intercept=fit_intercept, solver=solver)
            .fit(X, y, sample_weight=sw) for solver in ("cd", "gram", "auto")]
    assert_same_minimizer(X, y, alpha, l1_ratio, [as_candidate(f) for f in fits], sw=sw,
                          pf=None, fit_intercept=fit_intercept)
    for f in fits:
        assert f.dual_gap_ <= TOL * ref.null_objective(y, sw, fit_intercept) * (1 + 1e-9)


@pytest.mark.parametrize("solver", ["cd", "gram"])
def test_gram_solver_accepts_sparse_input(solver):
    X, y, sw = _data(n=200, seed=3)
    alpha = _alpha(X, y, sw, 1.0)
    dense = L1Regressor(alpha, tol=TOL, solver=solver).fit(X, y, sample_weight=sw)
    sparse = L1Regressor(alpha, tol=TOL, solver=solver).fit(sp.csc_matrix(X), y,
                                                            sample_weight=sw)
    assert_same_minimizer(X, y, alpha, 1.0, [as_candidate(dense), as_candidate(sparse)],
                          sw=sw, pf=None, fit_intercept=True)


@pytest.mark.parametrize("kind", KINDS)
def test_integer_and_list_inputs(kind):
    rng = np.random.default_rng(4)
    Xi = rng.integers(-5, 6, size=(40, 5))
    y = Xi @ np.array([1.0, 0, 0, -2, 0.5]) + rng.standard_normal(40)
    alpha = _alpha(Xi.astype(float), y, None, L1_RATIO[kind])
    a = _estimator(kind, alpha).fit(Xi, y)
    b = _estimator(kind, alpha).fit(Xi.astype(float), list(y))
    assert a.coef_.dtype == np.float64
    np.testing.assert_array_equal(a.coef_, b.coef_)


# ----------------------------------------------------------------------------------------
# pandas


@pytest.mark.parametrize("kind", KINDS)
def test_dataframe_sets_feature_names(kind):
    X, y, _ = _data(seed=5)
    cols = [f"feat_{j}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=cols)
    alpha = _alpha(X, y, None, L1_RATIO[kind])
    est = _estimator(kind, alpha).fit(df, pd.Series(y, name="target"))
    assert list(est.feature_names_in_) == cols
    assert est.n_features_in_ == X.shape[1]
    plain = _estimator(kind, alpha).fit(X, y)
    assert not hasattr(plain, "feature_names_in_")
    # Same data, possibly different memory layout: BLAS calls inside the solver may sum in a
    # different order, so equal to round-off rather than bitwise.
    np.testing.assert_allclose(est.coef_, plain.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(est.predict(df), plain.predict(X), rtol=1e-14, atol=1e-12)
    # a float32 frame keeps float32
    est32 = _estimator(kind, alpha).fit(df.astype(np.float32), y)
    assert est32.coef_.dtype == np.float32
    assert list(est32.feature_names_in_) == cols


def test_dataframe_with_non_string_columns_has_no_feature_names():
    X, y, _ = _data(seed=5)
    est = L1Regressor(0.01).fit(pd.DataFrame(X), y)
    assert not hasattr(est, "feature_names_in_")


# ----------------------------------------------------------------------------------------
# read-only inputs


def _readonly(a):
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("weighted", [False, True])
def test_readonly_memmap_input(kind, weighted, tmp_path):
    X, y, sw = _data(seed=6)
    sw = sw if weighted else None
    for name, arr in (("X", np.asfortranarray(X)), ("y", y)):
        np.save(tmp_path / f"{name}.npy", arr)
    Xm = np.load(tmp_path / "X.npy", mmap_mode="r")
    ym = np.load(tmp_path / "y.npy", mmap_mode="r")
    assert isinstance(Xm, np.memmap) and not Xm.flags.writeable
    alpha = _alpha(X, y, sw, L1_RATIO[kind])
    a = _estimator(kind, alpha).fit(Xm, ym, sample_weight=sw)
    b = _estimator(kind, alpha).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12, atol=1e-14)
    # a C-ordered read-only memmap too
    Xc = np.memmap(tmp_path / "Xc.dat", dtype=np.float64, mode="w+", shape=X.shape)
    Xc[:] = X
    Xc.flush()
    Xc = np.memmap(tmp_path / "Xc.dat", dtype=np.float64, mode="r", shape=X.shape)
    c = _estimator(kind, alpha).fit(Xc, ym, sample_weight=sw)
    np.testing.assert_allclose(c.coef_, b.coef_, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["dense_C", "dense_F", "csr", "csc", "float32"])
def test_readonly_arrays(kind, fmt):
    X, y, sw = _data(seed=7)
    pf = np.linspace(0.5, 2.0, X.shape[1])
    pf[0] = 0.0
    if fmt.startswith("dense"):
        Xr = _readonly(np.asfortranarray(X) if fmt == "dense_F" else X)
    elif fmt == "float32":
        Xr = _readonly(X.astype(np.float32))
    else:
        A = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
        Xr = type(A)((_readonly(A.data), _readonly(A.indices), _readonly(A.indptr)),
                     shape=A.shape)
        assert not Xr.data.flags.writeable
    alpha = _alpha(X, y, sw, L1_RATIO[kind])
    est = _estimator(kind, alpha, penalty_factor=_readonly(pf))
    est.fit(Xr, _readonly(y), sample_weight=_readonly(sw))
    ref_est = _estimator(kind, alpha, penalty_factor=pf).fit(
        X.astype(np.float32).astype(np.float64) if fmt == "float32" else X, y,
        sample_weight=sw)
    rtol = 1e-5 if fmt == "float32" else 1e-9
    np.testing.assert_allclose(est.coef_, ref_est.coef_, rtol=rtol,
                               atol=rtol * np.abs(ref_est.coef_).max())
    est.predict(Xr)
    assert alpha_max(Xr, _readonly(y), sample_weight=_readonly(sw),
                     penalty_factor=_readonly(pf)) > 0


# ----------------------------------------------------------------------------------------
# inputs are never modified


def _snapshot(obj):
    if sp.issparse(obj):
        return ("sparse", obj.format, obj.data.copy(), obj.indices.copy(), obj.indptr.copy(),
                obj.shape, obj.dtype)
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return ("pandas", obj.copy(deep=True))
    return ("array", copy.deepcopy(obj))


def _assert_unchanged(obj, snap):
    if snap[0] == "sparse":
        _, fmt, data, indices, indptr, shape, dtype = snap
        assert obj.format == fmt and obj.shape == shape and obj.dtype == dtype
        np.testing.assert_array_equal(obj.data, data)
        np.testing.assert_array_equal(obj.indices, indices)
        np.testing.assert_array_equal(obj.indptr, indptr)
    elif snap[0] == "pandas":
        pd.testing.assert_frame_equal(obj, snap[1]) if isinstance(obj, pd.DataFrame) else \
            pd.testing.assert_series_equal(obj, snap[1])
    else:
        np.testing.assert_array_equal(obj, snap[1])
        if isinstance(obj, np.ndarray):
            assert obj.dtype == snap[1].dtype
            assert obj.flags.f_contiguous == snap[1].flags.f_contiguous


INPUT_FORMATS = {
    "dense_C": lambda X: np.ascontiguousarray(X),
    "dense_F": lambda X: np.asfortranarray(X),
    "float32": lambda X: X.astype(np.float32),
    "csr": sp.csr_matrix,
    "csc": sp.csc_matrix,
    "csc_unsorted": _unsorted_csc,
    "csr_duplicates": _duplicated_csr,
    "csc_duplicates": _duplicated_csc,
    "float32_csc": lambda X: sp.csc_matrix(X.astype(np.float32)),
    "dataframe": lambda X: pd.DataFrame(X, columns=[f"c{j}" for j in range(X.shape[1])]),
}


@pytest.mark.parametrize("kind", KINDS + ("l2_gradient", "gram"))
@pytest.mark.parametrize("fmt", list(INPUT_FORMATS))
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_inputs_are_not_modified(kind, fmt, fit_intercept):
    X, y, sw = _data(seed=8)
    pf = np.linspace(0.5, 2.0, X.shape[1])
    pf[1] = 0.0
    Xf = INPUT_FORMATS[fmt](X)
    snaps = [_snapshot(a) for a in (Xf, y, sw, pf)]
    flags = getattr(Xf, "has_sorted_indices", None)
    alpha = _alpha(X, y, sw, 1.0)
    if kind == "l2_gradient":
        est = L2Regressor(alpha, solver="gradient", penalty_factor=pf,
                          fit_intercept=fit_intercept, tol=1e-6, max_iter=100_000)
    elif kind == "gram":
        est = L1Regressor(alpha, solver="gram", penalty_factor=pf,
                          fit_intercept=fit_intercept)
    else:
        est = _estimator(kind, alpha, penalty_factor=pf, fit_intercept=fit_intercept)
    est.fit(Xf, y, sample_weight=sw)
    est.predict(Xf)
    alpha_max(Xf, y, sample_weight=sw, penalty_factor=pf, fit_intercept=fit_intercept)
    # warm start refit with the same objects
    est.set_params(warm_start=True).fit(Xf, y, sample_weight=sw)
    for a, snap in zip((Xf, y, sw, pf), snaps):
        _assert_unchanged(a, snap)
    if flags is not None:
        assert Xf.has_sorted_indices == flags
    assert est.coef_ is not pf and not np.shares_memory(est.coef_, pf)
