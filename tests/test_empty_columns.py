"""CV estimators on sparse X whose columns are mostly empty (issue 11, the very wide rows): the
fit runs on the nonempty columns only. The same estimator on an explicit copy of those columns
is the reference (a fit that never drops anything), and memory stays far below one
p-sized array per statistic."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import KFold

from sparsereg import ElasticNetRegressorCV, L1RegressorCV, L2RegressorCV


def _mostly_empty(fmt="csc", n=80, filled=40, p=1000, seed=0):
    rng = np.random.default_rng(seed)
    columns = np.sort(rng.choice(p, size=filled, replace=False))
    block = sp.random(n, filled, density=0.3, random_state=seed, format="csc") * 2.0
    X = sp.lil_matrix((n, p))
    X[:, columns] = block
    y = np.asarray(block[:, :5].sum(axis=1)).ravel() + rng.standard_normal(n) + 3.0
    return X.asformat(fmt), y, columns


CASES = [
    (L1RegressorCV, {}),
    (ElasticNetRegressorCV, dict(l1_ratio=0.5)),
    (L2RegressorCV, dict(alphas=np.geomspace(1e1, 1e-4, 12))),
    (L1RegressorCV, dict(relax=0.5)),
    (L2RegressorCV, dict(alphas=np.geomspace(1e1, 1e-4, 12), solver="cg")),
]


@pytest.mark.parametrize("cls, params", CASES)
@pytest.mark.parametrize("fmt", ["csc", "csr"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_on_the_nonempty_columns_is_the_fit(cls, params, fmt, weighted):
    X, y, columns = _mostly_empty(fmt)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, len(y)) if weighted else None
    factor = np.linspace(0.5, 1.5, X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # grid edges
        model = cls(cv=KFold(4), penalty_factor=factor, **params).fit(X, y, sw)
        ref = cls(cv=KFold(4), penalty_factor=factor[columns], **params).fit(
            X[:, columns], y, sw)
    assert model.alpha_ == ref.alpha_
    np.testing.assert_allclose(model.mse_path_, ref.mse_path_, rtol=1e-10)
    assert model.coef_.shape == (X.shape[1],)
    np.testing.assert_array_equal(np.delete(model.coef_, columns), 0.0)
    np.testing.assert_allclose(model.coef_[columns], ref.coef_, rtol=1e-10, atol=1e-12)
    assert model.intercept_ == pytest.approx(ref.intercept_, rel=1e-10, abs=1e-12)
    assert model.n_nonzero_ == ref.n_nonzero_
    np.testing.assert_allclose(model.path_.coefs[:, columns], ref.path_.coefs, rtol=1e-10,
                               atol=1e-12)
    assert model.path_.coefs.shape == (len(model.alphas_), X.shape[1])
    np.testing.assert_allclose(model.predict(X), ref.predict(X[:, columns]), rtol=1e-10)
    np.testing.assert_allclose(model.path_.predict(X[:5]), ref.path_.predict(X[:5, columns]),
                               rtol=1e-10)


def test_mostly_empty_columns_cost_no_p_sized_statistics():
    n, p = 300, 1_000_000
    rng = np.random.default_rng(3)
    terms = rng.choice(p, size=600, replace=False)
    rows = np.repeat(np.arange(n), 10)
    X = sp.csc_matrix((rng.uniform(0.1, 1.0, n * 10), (rows, rng.choice(terms, n * 10))),
                      shape=(n, p))
    y = np.asarray(X[:, terms[:10]].sum(axis=1)).ravel() + 0.1 * rng.standard_normal(n)
    alphas = np.geomspace(1e-1, 1e-6, 8)
    for cls, params in [(L2RegressorCV, dict(alphas=alphas)), (L1RegressorCV, {})]:
        cls(cv=KFold(3), **params).fit(X[:30, :1000], y[:30])  # compile
        tracemalloc.start()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = cls(cv=KFold(3), **params).fit(X, y)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert model.coef_.shape == (p,)
        # coef_ itself is one p-sized array (8 MB); the design's per-column means, scales and
        # norms were four more, held through the whole fit
        assert peak < 2.5 * 8 * p, (cls.__name__, peak / 1e6)
