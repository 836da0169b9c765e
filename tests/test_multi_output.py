"""A 2-D y of shape (n_samples, n_targets) fits k independent models (docs/user_guide.rst,
"Several targets"), in every regressor, CV regressor and :func:`regularization_path`.

The references are independent of the multi-output code: scikit-learn's Lasso, ElasticNet,
Ridge and RidgeCV fitted to the same 2-D y; the duality gap of each column recomputed by
tests/_reference.py on explicitly centred float64 data; and each column fitted alone (the
single-target code path, checked against scikit-learn by the rest of the suite). Distances
between solutions are bounded by their independently computed gaps
(``_problems.assert_same_minimizer``), not by hand-picked tolerances.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_linnerud
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, Ridge, RidgeCV
from sklearn.model_selection import KFold

import _reference as ref
from _problems import assert_same_minimizer
from sparsereg import (
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    L1Regressor,
    L1RegressorCV,
    L2Regressor,
    L2RegressorCV,
    MultiOutputPath,
    regularization_path,
)

TIGHT = dict(tol=1e-10, max_iter=100_000)
SK_TIGHT = dict(tol=1e-12, max_iter=1_000_000)


def _linnerud():
    """scikit-learn's linnerud: 20 samples, 3 exercise features, 3 physiological targets."""
    X, Y = load_linnerud(return_X_y=True)
    return X.astype(np.float64), Y.astype(np.float64)


def _random(seed=0, n=60, p=8, k=4):
    """Offset, unequally scaled targets sharing part of a sparse truth; a third of X zero."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + rng.normal(0.0, 2.0, p)
    X[rng.random((n, p)) < 0.3] = 0.0
    W = rng.standard_normal((p, k)) * (rng.random((p, k)) < 0.5)
    Y = X @ W + 0.5 * rng.standard_normal((n, k))
    return X, Y * np.array([1.0, 10.0, 0.1, 1000.0])[:k] + np.array([0.0, 5.0, -3.0, 1e4])[:k]


def _wide(seed=1, n=15, p=40, k=3):
    """More features than samples: ridge solves the n x n dual system."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    return X, X[:, :5] @ rng.standard_normal((5, k)) + rng.standard_normal((n, k))


DATA = {"linnerud": _linnerud, "random": _random, "wide": _wide}


def _alpha(kind, Y):
    """A penalty that keeps some coefficients of each target and zeroes others (L1)."""
    return {"l1": 0.05, "enet": 0.1}.get(kind, 0.3) * float(np.mean(np.std(Y, axis=0)))


# (sparsereg estimator, scikit-learn's counterpart at the same objective, l1_ratio)
KINDS = {
    "l1": (lambda a: L1Regressor(a, **TIGHT), lambda a, S: Lasso(a, **SK_TIGHT), 1.0),
    "enet": (lambda a: ElasticNetRegressor(a, l1_ratio=0.6, **TIGHT),
             lambda a, S: ElasticNet(a, l1_ratio=0.6, **SK_TIGHT), 0.6),
    "l2": (lambda a: L2Regressor(a), lambda a, S: Ridge(a * S, solver="cholesky"), 0.0),
    "l2_svd": (lambda a: L2Regressor(a, solver="svd"),
               lambda a, S: Ridge(a * S, solver="cholesky"), 0.0),
    "l2_cg": (lambda a: L2Regressor(a, solver="cg", **TIGHT),
              lambda a, S: Ridge(a * S, solver="cholesky"), 0.0),
}


def _format(X, fmt):
    return sp.csc_matrix(X) if fmt == "csc" else X


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_column_is_the_model_of_that_column(kind, data, fmt, weighted):
    """Column j of a 2-D fit minimises the same objective as the column fitted alone and as
    scikit-learn's fit of the same 2-D y (column j of its coef_), within the distance their
    independent duality gaps allow; and each column's certificate holds: its gap recomputed
    independently is within ``dual_gap_[j] <= tol * P(0)`` of that column."""
    X, Y = DATA[data]()
    n, k = Y.shape
    sw = np.random.default_rng(2).uniform(0.2, 3.0, n) if weighted else None
    S = n if sw is None else sw.sum()
    make, make_sk, l1_ratio = KINDS[kind]
    alpha = _alpha(kind, Y)
    Y_in = Y.copy()
    model = make(alpha).fit(_format(X, fmt), Y, sample_weight=sw)
    np.testing.assert_array_equal(Y, Y_in)  # the input is not modified
    sk = make_sk(alpha, S).fit(X, Y, sample_weight=sw)
    assert model.coef_.shape == sk.coef_.shape == (k, X.shape[1])
    assert model.intercept_.shape == sk.intercept_.shape == (k,)
    for j in range(k):
        alone = make(alpha).fit(_format(X, fmt), Y[:, j], sample_weight=sw)
        candidates = [(model.coef_[j], model.intercept_[j]), (alone.coef_, alone.intercept_),
                      (sk.coef_[j], sk.intercept_[j])]
        assert_same_minimizer(X, Y[:, j], alpha, l1_ratio, candidates, sw=sw, pf=None,
                              fit_intercept=True)
        gap, p0 = ref.normalized_gap(X, Y[:, j], model.coef_[j], model.intercept_[j], alpha,
                                     l1_ratio, sample_weight=sw)
        assert gap <= model.dual_gap_[j] + 1e-11 * p0
        assert 0.0 < model.dual_gap_[j] <= model.tol * p0 * (1 + 1e-12)
        np.testing.assert_array_equal(model.support_[j], model.coef_[j] != 0)
        assert model.n_nonzero_[j] == np.count_nonzero(model.coef_[j])
    np.testing.assert_allclose(model.predict(_format(X, fmt)),
                               X @ model.coef_.T + model.intercept_, rtol=1e-12, atol=1e-9)


SHAPE_PAIRS = [(L1Regressor(1.0), Lasso(1.0)), (ElasticNetRegressor(1.0), ElasticNet(1.0)),
               (L2Regressor(1.0), Ridge(20.0))]


@pytest.mark.parametrize("ours, theirs", SHAPE_PAIRS, ids=["l1", "enet", "l2"])
def test_shapes_are_scikit_learns(ours, theirs):
    """coef_, intercept_, predict, dual_gap_ and n_iter_ have the shapes scikit-learn's
    Lasso, ElasticNet and Ridge give them, for y of shape (n,), (n, 1) and (n, k)."""
    X, Y = _linnerud()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for y in (Y[:, 0], Y[:, :1], Y):
            ours.fit(X, y)
            theirs.fit(X, y)
            for name in ("coef_", "intercept_"):
                assert np.shape(getattr(ours, name)) == np.shape(getattr(theirs, name)), name
            assert ours.predict(X).shape == theirs.predict(X).shape
            # Ridge (cholesky) has neither dual_gap_ nor n_iter_: L2Regressor's are Lasso's
            lasso = Lasso(1.0).fit(X, y) if isinstance(theirs, Ridge) else theirs
            assert np.shape(ours.dual_gap_) == np.shape(lasso.dual_gap_)
            if y.ndim == 2 and y.shape[1] > 1:  # a list of k ints, as Lasso's
                assert isinstance(lasso.n_iter_, list)
                assert isinstance(ours.n_iter_, list) and len(ours.n_iter_) == y.shape[1]
                assert all(isinstance(i, int) for i in ours.n_iter_)
                assert ours.dual_gap_.dtype == np.float64
                assert ours.support_.shape == ours.coef_.shape
                assert ours.n_nonzero_.shape == ours.sparsity_.shape == (y.shape[1],)
            else:  # one target: an int
                assert np.isscalar(lasso.n_iter_) and isinstance(ours.n_iter_, int)
    # a y of shape (n, 1) is one target: the same model as its column
    one = type(ours)(**ours.get_params()).fit(X, Y[:, :1])
    alone = type(ours)(**ours.get_params()).fit(X, Y[:, 0])
    np.testing.assert_array_equal(one.coef_, alone.coef_)
    np.testing.assert_array_equal(one.intercept_, [alone.intercept_])
    assert one.dual_gap_ == alone.dual_gap_ and one.n_iter_ == alone.n_iter_


def test_without_intercept_and_in_float32():
    """fit_intercept=False gives intercept_ = zeros(k) (scikit-learn stores 0.0); float32 X
    keeps coef_ and predictions float32, each column certified after rounding."""
    X, Y = _random()
    model = L1Regressor(0.1, fit_intercept=False).fit(X, Y)
    np.testing.assert_array_equal(model.intercept_, np.zeros(Y.shape[1]))
    assert model.predict(X).shape == Y.shape
    model = ElasticNetRegressor(0.1, **TIGHT).fit(X.astype(np.float32), Y)
    assert model.coef_.dtype == np.float32 and model.coef_.shape == (4, 8)
    assert model.predict(X.astype(np.float32)).dtype == np.float32
    for j in range(Y.shape[1]):
        gap, p0 = ref.normalized_gap(X.astype(np.float32), Y[:, j], model.coef_[j],
                                     model.intercept_[j], 0.1, 0.5)
        assert gap <= model.dual_gap_[j] + 1e-11 * p0


def test_pandas_targets_and_warm_start():
    """A DataFrame y is a 2-D y; warm_start restarts each target from its own coef_."""
    X, Y = load_linnerud(return_X_y=True, as_frame=True)
    model = L1Regressor(1.0, warm_start=True, **TIGHT).fit(X, Y)
    assert model.coef_.shape == (3, 3)
    cold_iter = model.n_iter_
    first = model.coef_.copy()
    model.fit(X, Y)  # from the previous solution: already optimal
    assert all(w <= c for w, c in zip(model.n_iter_, cold_iter))
    np.testing.assert_allclose(model.coef_, first, rtol=1e-6, atol=1e-6 * np.abs(first).max())


def test_warnings_name_the_targets():
    """One target's warning says which target; one message shared by every target is
    emitted once, naming them all."""
    X, Y = _random()
    with pytest.warns(ConvergenceWarning) as caught:
        L1Regressor(1e-4, max_iter=1).fit(X, Y)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert any(m.endswith("(target 0 of y)") for m in messages)
    assert all(m.endswith(" of y)") for m in messages)
    with pytest.warns(UserWarning, match="exact leave-one-out is not available") as caught:
        L2RegressorCV(alphas=3, penalty_factor=np.zeros(X.shape[1])).fit(X, Y)
    loo = [str(w.message) for w in caught if "leave-one-out" in str(w.message)]
    assert len(loo) == 1 and loo[0].endswith("(targets 0, 1, 2, 3 of y)")


UNPENALIZED = {
    "l1": (lambda a, pf: L1Regressor(a, penalty_factor=pf, **TIGHT), 1.0),
    "l2": (lambda a, pf: L2Regressor(a, penalty_factor=pf), 0.0),
    "l2_svd": (lambda a, pf: L2Regressor(a, penalty_factor=pf, solver="svd"), 0.0),
}


@pytest.mark.parametrize("kind", list(UNPENALIZED))
def test_unpenalized_features(kind):
    """Features with penalty_factor 0 are solved out exactly in the shared ridge
    decomposition (their fit is each target's own): each column is its model."""
    X, Y = _random()
    pf = np.ones(X.shape[1])
    pf[[0, 3]] = 0.0
    make, l1_ratio = UNPENALIZED[kind]
    alpha = _alpha("l1" if l1_ratio else "l2", Y)
    model = make(alpha, pf).fit(X, Y)
    for j in range(Y.shape[1]):
        alone = make(alpha, pf).fit(X, Y[:, j])
        assert_same_minimizer(X, Y[:, j], alpha, l1_ratio,
                              [(model.coef_[j], model.intercept_[j]),
                               (alone.coef_, alone.intercept_)],
                              sw=None, pf=pf, fit_intercept=True)
        gap, p0 = ref.normalized_gap(X, Y[:, j], model.coef_[j], model.intercept_[j], alpha,
                                     l1_ratio, penalty_factor=pf)
        assert gap <= model.dual_gap_[j] + 1e-11 * p0 and model.dual_gap_[j] <= 1e-4 * p0


def test_cv_progress_names_the_target(capsys):
    X, Y = _linnerud()
    L1RegressorCV(alphas=5, cv=3, verbose=1).fit(X, Y)
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "target" in line] == [
        f"[L1RegressorCV] target {j} of y's 3 columns" for j in range(3)]


# -- cross-validation ------------------------------------------------------------------

CV_CASES = {
    "l1_kfold": lambda: L1RegressorCV(alphas=30, cv=KFold(4), **TIGHT),
    "l1_1se_relaxed": lambda: L1RegressorCV(alphas=20, cv=3, selection="1se",
                                            relax=[0.0, 0.5], **TIGHT),
    "l1_bic": lambda: L1RegressorCV(alphas=20, selection="bic", **TIGHT),
    "enet_ratios": lambda: ElasticNetRegressorCV(l1_ratio=[0.3, 1.0], alphas=20, cv=3,
                                                 **TIGHT),
    "l2_loo": lambda: L2RegressorCV(alphas=25, store_cv_results=True),
    "l2_kfold": lambda: L2RegressorCV(alphas=25, cv=KFold(4)),
}


@pytest.mark.filterwarnings("ignore::sparsereg.GridEdgeWarning")
@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("case", list(CV_CASES))
def test_cv_on_2d_y_is_each_columns_cv(case, fmt):
    """Each target's alpha (l1_ratio, relax) is chosen by its own cross-validation, on the
    same folds, as the column alone chooses it; every attribute gains a leading target axis
    (path_ and n_iter_ are lists)."""
    X, Y = _random(n=48, k=3)
    Xf = _format(X, fmt)
    model = CV_CASES[case]().fit(Xf, Y)
    k, p = Y.shape[1], X.shape[1]
    assert model.coef_.shape == (k, p) and model.intercept_.shape == (k,)
    assert model.predict(Xf).shape == Y.shape
    assert isinstance(model.path_, list) and isinstance(model.n_iter_, list)
    for name in ("alpha_", "alpha_min_", "alpha_1se_", "l1_ratio_", "relax_", "dual_gap_"):
        assert getattr(model, name).shape == (k,), name
    for j in range(k):
        alone = CV_CASES[case]().fit(Xf, Y[:, j])
        for name in ("alphas_", "mse_mean_", "mse_se_", "mse_path_"):
            ours, single = getattr(model, name), getattr(alone, name)
            if single is None:
                assert ours is None, name
                continue
            assert ours[j].shape == single.shape, name
            np.testing.assert_allclose(ours[j], single, rtol=1e-9, err_msg=name)
        for name in ("alpha_", "alpha_min_", "alpha_1se_", "l1_ratio_", "relax_"):
            assert getattr(model, name)[j] == pytest.approx(getattr(alone, name),
                                                            rel=1e-12), name
        l1_ratio = alone.l1_ratio_
        assert_same_minimizer(X, Y[:, j], alone.alpha_, l1_ratio,
                              [(model.coef_[j], model.intercept_[j]),
                               (alone.coef_, alone.intercept_)],
                              sw=None, pf=None, fit_intercept=True)
        assert model.path_[j].coefs.shape == alone.path_.coefs.shape
        assert model.n_iter_[j] == alone.n_iter_


def test_l2_cv_leave_one_out_per_target_matches_ridgecv():
    """Exact leave-one-out per target is scikit-learn's RidgeCV(alpha_per_target=True) on
    the same grid (sparsereg's alpha times n): the same errors, alphas and coefficients."""
    X, Y = _linnerud()
    n = X.shape[0]
    model = L2RegressorCV(alphas=30, store_cv_results=True).fit(X, Y)
    grid = model.alphas_[0]
    assert all(np.array_equal(grid, a) for a in model.alphas_)  # X's spectrum: one grid
    sk = RidgeCV(alphas=grid * n, alpha_per_target=True, store_cv_results=True).fit(X, Y)
    np.testing.assert_allclose(model.alpha_, sk.alpha_ / n, rtol=1e-12)
    for j in range(Y.shape[1]):  # RidgeCV: (n_samples, n_targets, n_alphas)
        np.testing.assert_allclose(model.mse_path_[j], sk.cv_results_[:, j, :].T, rtol=1e-7)
    np.testing.assert_allclose(model.coef_, sk.coef_, rtol=1e-7,
                               atol=1e-9 * np.abs(sk.coef_).max())
    np.testing.assert_allclose(model.intercept_, sk.intercept_, rtol=1e-9)


@pytest.mark.parametrize("unpenalized", [False, True])
@pytest.mark.parametrize("wide", [False, True])
def test_l2_cv_leave_one_out_shares_the_decomposition(wide, unpenalized):
    """Leave-one-out re-aims one decomposition at every target: the p x p eigendecomposition
    (here dense, 60 x 8), or for sparse X with p > n and p > 2000 the n x n kernel (which
    has no coefficient mapping); with unpenalized features too. Each target's errors,
    alpha and model are those of its column alone; without unpenalized features, scikit-
    learn's RidgeCV(alpha_per_target=True) gives the same errors."""
    if wide:
        rng = np.random.default_rng(7)
        X = sp.random(30, 2500, density=0.01, format="csr", random_state=7)
        Y = np.asarray(X[:, :20] @ rng.standard_normal((20, 3))) + rng.standard_normal((30, 3))
    else:
        X, Y = _random(k=3)
    n, p = X.shape
    pf = np.ones(p)
    if unpenalized:  # two columns with entries (most of sparse X's are empty)
        pf[np.argsort(-np.diff(sp.csc_matrix(X).indptr))[:2]] = 0.0
    model = L2RegressorCV(alphas=8, store_cv_results=True, penalty_factor=pf).fit(X, Y)
    for j in range(Y.shape[1]):
        alone = L2RegressorCV(alphas=8, store_cv_results=True, penalty_factor=pf).fit(X, Y[:, j])
        np.testing.assert_allclose(model.alphas_[j], alone.alphas_, rtol=1e-12)
        np.testing.assert_allclose(model.mse_path_[j], alone.mse_path_, rtol=1e-8)
        assert model.alpha_[j] == pytest.approx(alone.alpha_, rel=1e-12)
        gap, p0 = ref.normalized_gap(X, Y[:, j], model.coef_[j], model.intercept_[j],
                                     model.alpha_[j], 0.0, penalty_factor=pf)
        assert gap <= model.dual_gap_[j] + 1e-11 * p0 and model.dual_gap_[j] <= 1e-4 * p0
        if wide:  # p > n: not strongly convex in w, but the fitted values are determined
            np.testing.assert_allclose(model.predict(X)[:, j], alone.predict(X), rtol=1e-6,
                                       atol=1e-6 * np.abs(Y[:, j]).max())
        else:
            assert_same_minimizer(X, Y[:, j], alone.alpha_, 0.0,
                                  [(model.coef_[j], model.intercept_[j]),
                                   (alone.coef_, alone.intercept_)],
                                  sw=None, pf=pf, fit_intercept=True)
    if not unpenalized:
        sk = RidgeCV(alphas=model.alphas_[0] * n, alpha_per_target=True,
                     store_cv_results=True).fit(X, Y)
        for j in range(Y.shape[1]):
            np.testing.assert_allclose(model.mse_path_[j], sk.cv_results_[:, j, :].T,
                                       rtol=1e-7)


@pytest.mark.parametrize("cls", [L1RegressorCV, ElasticNetRegressorCV, L2RegressorCV])
def test_cv_with_one_column_is_the_column(cls):
    """y of shape (n, 1): one target, every attribute as for its column but intercept_ of
    shape (1,) (as RidgeCV stores it)."""
    X, Y = _linnerud()
    one = cls(alphas=10).fit(X, Y[:, :1])
    alone = cls(alphas=10).fit(X, Y[:, 0])
    assert np.shape(one.alpha_) == () and one.alpha_ == alone.alpha_
    np.testing.assert_array_equal(one.coef_, alone.coef_)
    np.testing.assert_array_equal(one.intercept_, [alone.intercept_])
    assert one.predict(X).shape == (X.shape[0],)


# -- paths -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet", "l2"])
def test_regularization_path_of_2d_y(penalty, fmt):
    """coefs of shape (n_alphas, k, p), each target's slice the path of its column on the
    same grid; the automatic L1/elastic-net grid starts at the largest alpha_max of the
    targets (independent reference), so every target's path starts at zero."""
    X, Y = _random(k=3)
    Xf = _format(X, fmt)
    path = regularization_path(Xf, Y, penalty=penalty, n_alphas=15, **TIGHT)
    k, p = Y.shape[1], X.shape[1]
    assert isinstance(path, MultiOutputPath) and len(path) == 15 and path.n_targets == k
    assert path.coefs.shape == (15, k, p)
    for name in ("intercepts", "n_nonzero", "dual_gaps", "n_iter", "mse"):
        assert getattr(path, name).shape == (15, k), name
    assert path.predict(Xf).shape == (X.shape[0], 15, k)
    assert path.predict(Xf, alpha=path.alphas[3]).shape == Y.shape
    coef, intercept = path.coef_at(path.alphas[3])
    np.testing.assert_array_equal(coef, path.coefs[3])
    np.testing.assert_array_equal(intercept, path.intercepts[3])
    if penalty != "l2":
        l1_ratio = 1.0 if penalty == "l1" else 0.5
        top = max(ref.alpha_max(X, Y[:, j], l1_ratio=l1_ratio) for j in range(k))
        np.testing.assert_allclose(path.alphas, np.geomspace(top, 1e-3 * top, 15), rtol=1e-10)
        assert np.all(path.n_nonzero[0] == 0)
    for j in range(k):
        alone = regularization_path(Xf, Y[:, j], penalty=penalty, alphas=path.alphas, **TIGHT)
        scale = np.abs(alone.coefs).max()
        np.testing.assert_allclose(path.coefs[:, j], alone.coefs, rtol=1e-6, atol=1e-7 * scale)
        np.testing.assert_allclose(path.intercepts[:, j], alone.intercepts, rtol=1e-6,
                                   atol=1e-7 * (np.abs(alone.intercepts).max() + scale))
        p0 = ref.null_objective(Y[:, j])
        assert np.all(path.dual_gaps[:, j] <= 1e-10 * p0 * (1 + 1e-12))
    if penalty == "l2":  # X's spectrum: the same grid as each column's
        np.testing.assert_array_equal(path.alphas, regularization_path(
            Xf, Y[:, 0], penalty="l2", n_alphas=15).alphas)
    bic = path.bic()
    assert bic.shape == (15, k)
    np.testing.assert_allclose(bic[:, 1], path.paths[1].bic())


def test_dask_targets_match_memory():
    """Dask X with a 2-D y (one pass per target) gives the in-memory models."""
    da = pytest.importorskip("dask.array")
    X, Y = _random(n=400, k=3)
    lazy_X, lazy_Y = da.from_array(X, chunks=(100, 8)), da.from_array(Y, chunks=(100, 3))
    for make in (lambda: L1Regressor(0.05, **TIGHT), lambda: L2Regressor(0.3)):
        lazy, memory = make().fit(lazy_X, lazy_Y), make().fit(X, Y)
        assert lazy.coef_.shape == (3, 8)
        np.testing.assert_allclose(lazy.coef_, memory.coef_, rtol=1e-6,
                                   atol=1e-7 * np.abs(memory.coef_).max())
        np.testing.assert_allclose(lazy.predict(lazy_X).compute(), memory.predict(X),
                                   rtol=1e-6, atol=1e-6 * np.abs(Y).max())


# -- bad input ---------------------------------------------------------------------------

BAD_Y = {
    "no_column": (lambda Y: np.empty((Y.shape[0], 0)), ValueError, r"\by\b"),
    "3d": (lambda Y: Y[:, :, None], ValueError, r"\by\b"),
    "rows_mismatch": (lambda Y: Y[:-1], ValueError, r"\by\b"),
    "sparse": (lambda Y: sp.csr_matrix(Y), TypeError, r"\by\b"),
}
FITS = {
    "l1": lambda X, y: L1Regressor().fit(X, y),
    "enet": lambda X, y: ElasticNetRegressor().fit(X, y),
    "l2": lambda X, y: L2Regressor().fit(X, y),
    "l1_cv": lambda X, y: L1RegressorCV().fit(X, y),
    "enet_cv": lambda X, y: ElasticNetRegressorCV().fit(X, y),
    "l2_cv": lambda X, y: L2RegressorCV().fit(X, y),
    "path": lambda X, y: regularization_path(X, y),
}


@pytest.mark.parametrize("fit", list(FITS))
@pytest.mark.parametrize("bad", list(BAD_Y))
def test_bad_y_raises_naming_y(bad, fit):
    X, Y = _random()
    make, error, pattern = BAD_Y[bad]
    y = make(Y)
    before = y.copy()
    with pytest.raises(error, match=pattern):
        FITS[fit](X, y)
    if sp.issparse(y):
        np.testing.assert_array_equal(y.toarray(), before.toarray())
    else:
        np.testing.assert_array_equal(y, before)
