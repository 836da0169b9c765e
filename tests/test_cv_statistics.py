"""Cross-validation without refits on copies (issue 11 item 1): folds known by their
sufficient statistics, sparse paths solved without their empty columns, the ridge path's
decomposition or warm-started CG, and refits that compute only what selection needs.

Every CV error is compared with a brute-force reference: scikit-learn's estimators fitted at a
tight tolerance on each fold's explicit training rows, scored on its held-out rows.
"""

import pickle
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet, Lasso, LassoCV, Ridge
from sklearn.model_selection import KFold, ShuffleSplit, TimeSeriesSplit

from sparsereg import ElasticNetRegressorCV, L1RegressorCV, L2RegressorCV
from sparsereg._folds import statistics_suffice
from sparsereg._ridge import thin_svd

TIGHT = 1e-12
pytestmark = pytest.mark.filterwarnings("ignore::sparsereg.GridEdgeWarning")


def tall(n=2000, p=8, seed=0):
    """Dense n >> p data with offset columns (means 50 times their spread)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, :2] += 50.0
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y


def brute_force_errors(X, y, sw, splits, alphas, make):
    """(n_alphas, n_folds) weighted held-out MSE of ``make(alpha, S_train)`` refitted on each
    fold's rows with scikit-learn."""
    s = np.ones(X.shape[0]) if sw is None else sw
    out = np.empty((len(alphas), len(splits)))
    for f, (train, test) in enumerate(splits):
        for k, alpha in enumerate(alphas):
            model = make(alpha, s[train].sum()).fit(X[train], y[train], sample_weight=s[train])
            residual = y[test] - model.predict(X[test])
            out[k, f] = s[test] @ residual ** 2 / s[test].sum()
    return out


ESTIMATORS = {
    "l1": (lambda alphas, cv: L1RegressorCV(alphas=alphas, cv=cv, tol=TIGHT, max_iter=100000),
           lambda a, S: Lasso(alpha=a, tol=TIGHT, max_iter=100000), 1.0),
    "enet": (lambda alphas, cv: ElasticNetRegressorCV(l1_ratio=0.5, alphas=alphas, cv=cv,
                                                      tol=TIGHT, max_iter=100000),
             lambda a, S: ElasticNet(alpha=a, l1_ratio=0.5, tol=TIGHT, max_iter=100000), 0.5),
    # sparsereg's ridge alpha a is Ridge's a * S (its loss is not divided by 2S)
    "l2": (lambda alphas, cv: L2RegressorCV(alphas=alphas, cv=cv, tol=TIGHT),
           lambda a, S: Ridge(alpha=a * S, solver="cholesky"), 0.0),
}


def grid(X, y, l1_ratio, n=6):
    if l1_ratio == 0.0:
        return np.geomspace(10.0, 1e-4, n)
    top = np.max(np.abs((X - X.mean(0)).T @ (y - y.mean()))) / len(y) / l1_ratio
    return np.geomspace(top, top * 1e-3, n)


@pytest.mark.parametrize("name", sorted(ESTIMATORS))
@pytest.mark.parametrize("splitter", ["kfold", "shuffle", "timeseries"])
@pytest.mark.parametrize("weighted", [False, True])
def test_statistics_folds_match_refits_on_the_rows(name, splitter, weighted):
    """Tall dense data: the folds are known by their statistics (k-fold: a partition, the
    training part the total minus the held-out one; ShuffleSplit: complements that do not
    partition; TimeSeriesSplit: training parts that are no complement), and every CV error
    equals scikit-learn's refit on the fold's rows."""
    make_ours, make_sk, l1_ratio = ESTIMATORS[name]
    X, y = tall()
    sw = np.random.default_rng(1).uniform(0.2, 3.0, len(y)) if weighted else None
    cv = {"kfold": KFold(5, shuffle=True, random_state=0),
          "shuffle": ShuffleSplit(3, test_size=0.3, random_state=0),
          "timeseries": TimeSeriesSplit(3)}[splitter]
    splits = list(cv.split(X))
    n_train = min(len(train) for train, _ in splits)
    assert statistics_suffice(X, n_train, l1_ratio, "auto")
    alphas = grid(X, y, max(l1_ratio, 1e-3) if l1_ratio else 0.0)
    ours = make_ours(alphas, splits).fit(X, y, sample_weight=sw)
    expected = brute_force_errors(X, y, sw, splits, ours.alphas_, make_sk)
    # a duality gap of 1e-12 P(0) leaves coefficients ~1e-6 (relative) from the optimum
    np.testing.assert_allclose(ours.mse_path_, expected, rtol=2e-6)


def test_statistics_folds_copy_no_fold_rows():
    """Memory: k-fold CV of a tall F-ordered X allocates a fraction of X (vectors of
    length n, blocks of rows), where refits copied 4/5 of X for every fold (the peak was
    above X's size)."""
    rng = np.random.default_rng(0)
    n, p = 100_000, 40
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = X[:, 0] + rng.standard_normal(n)
    model = L1RegressorCV(alphas=20, cv=KFold(5))
    model.fit(X[:2000], y[:2000])  # compile and warm up outside the measurement
    tracemalloc.start()
    model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 0.5 * X.nbytes, (peak, X.nbytes)


def mostly_empty(n=120, p=5000, nnz=900, seed=0):
    """Sparse X whose columns are mostly empty (the 1000 x 1,000,000 shape, scaled down)."""
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, n, nnz), rng.integers(0, p // 10, nnz) * 10
    X = sp.csc_matrix((rng.standard_normal(nnz), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    w = np.zeros(p)
    w[np.unique(cols)[:8]] = 3.0
    y = X @ w + rng.standard_normal(n)
    return X, y


def test_sparse_paths_without_empty_columns_match_lassocv():
    """Most columns empty: the path is solved on the others; the CV errors equal
    LassoCV's on the same folds and grid, the refit's zeros are where X is empty, and the
    fitted model stores no dense path over every column."""
    X, y = mostly_empty(p=50_000)
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    sk = LassoCV(alphas=15, cv=folds, tol=TIGHT, max_iter=100000).fit(X, y)
    ours = L1RegressorCV(alphas=sk.alphas_, cv=folds, tol=TIGHT, max_iter=100000).fit(X, y)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=1e-6)
    np.testing.assert_allclose(ours.coef_, sk.coef_, atol=1e-6 * np.abs(sk.coef_).max())
    empty = np.diff(X.indptr) == 0
    assert np.all(ours.coef_[empty] == 0)
    assert ours.path_.coefs.shape == (15, X.shape[1])
    np.testing.assert_allclose(ours.path_.predict(X[:5]),
                               X[:5] @ ours.path_.coefs.T + ours.path_.intercepts)
    dense_path_bytes = 15 * X.shape[1] * 8
    assert len(pickle.dumps(ours)) < dense_path_bytes / 10


def test_sparse_ridge_path_by_conjugate_gradient_matches_refits():
    """Sparse X where a decomposition would cost more than CG along the grid
    (``decomposition_pays`` is False): the warm-started CG path's CV errors equal exact
    refits."""
    X, y = mostly_empty(n=150, p=3000, nnz=3000, seed=2)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    alphas = np.geomspace(1.0, 1e-3, 5)
    ours = L2RegressorCV(alphas=alphas, cv=splits, tol=TIGHT, max_iter=10000).fit(X, y)
    expected = brute_force_errors(X, y, None, splits, ours.alphas_,
                                  lambda a, S: Ridge(alpha=a * S, solver="sparse_cg",
                                                     tol=1e-14, max_iter=100000))
    np.testing.assert_allclose(ours.mse_path_, expected, rtol=1e-6)


@pytest.mark.parametrize("null_dim", [0, 1])
def test_thin_svd_through_the_kernel(null_dim):
    """The wide thin SVD through the n x n kernel: the same singular values and
    reconstruction as LAPACK's; a centred matrix's known zero is left out; an unresolvable
    spectrum falls back to the direct SVD."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 400))
    if null_dim:
        A -= A.mean(axis=0)
    U, sv, Vt = thin_svd(A, null_dim=null_dim)
    ref = np.linalg.svd(A, compute_uv=False)
    assert len(sv) == 30 - null_dim
    np.testing.assert_allclose(sv, ref[:30 - null_dim], rtol=1e-10)
    np.testing.assert_allclose((U * sv) @ Vt, A, atol=1e-10)
    low = rng.standard_normal((30, 5)) @ rng.standard_normal((5, 400))  # rank 5 of 30
    U, sv, Vt = thin_svd(low)
    assert len(sv) == 30  # the direct SVD, with its round-off singular values
    np.testing.assert_allclose((U * sv) @ Vt, low, atol=1e-10)


def test_refit_computes_information_criteria_only_when_selecting_by_them():
    """selection 'min' does not compute degrees of freedom or the noise variance for the
    refit path (path_.aic() says why); selection 'aic' does, and equals the path's own."""
    X, y = tall(n=300, p=5)
    plain = L2RegressorCV(alphas=10, cv=3).fit(X, y)
    assert plain.path_.df is None
    with pytest.raises(ValueError, match="selection='aic'"):
        plain.path_.aic()
    by_aic = L2RegressorCV(alphas=10, cv=3, selection="aic").fit(X, y)
    lam = np.linalg.eigvalsh(np.cov(X.T, bias=True))
    np.testing.assert_allclose(by_aic.path_.df,
                               [np.sum(lam / (lam + a)) for a in by_aic.alphas_], rtol=1e-8)
