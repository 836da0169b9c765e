"""Ridge paths by one multi-shift conjugate gradient sequence (``_ridge_shifts``, issue 11: the
TF-IDF ridge row). Every alpha's model against the normal equations solved directly on
explicitly centred dense data, its reported gap against an independent one, and the cost in
products with X against one cold solve at the smallest alpha."""

import numpy as np
import pytest
import scipy.sparse as sp

from sparsereg import regularization_path
from sparsereg._problem._rows import RowDesign

import _reference as ref


def _tfidf_like(n=300, p=120, seed=0, scales=None):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.05, random_state=seed, format="csc")
    X = sp.csc_matrix(X @ sp.diags(rng.pareto(1.0, p) + 0.2))  # power-law column norms
    if scales is not None:
        X = sp.csc_matrix(X @ sp.diags(scales))
    y = np.asarray(X[:, :10] @ rng.standard_normal(10)).ravel() + 0.3 * rng.standard_normal(n)
    return X, y + 4.0


def _direct(X, y, alpha, sw=None, fit_intercept=True):
    """argmin 1/(2S) sum s_i (y_i - x_i w - b)^2 + alpha/2 |w|^2 from the normal equations
    of explicitly centred dense data."""
    X = ref.as_dense(X)
    s = ref.weights_or_ones(sw, X.shape[0])
    S = s.sum()
    if fit_intercept:
        mx, my = s @ X / S, s @ y / S
        X, y = X - mx, y - my
    w = np.linalg.solve((X.T * s) @ X / S + alpha * np.eye(X.shape[1]), (X.T * s) @ y / S)
    return w, (my - mx @ w) if fit_intercept else 0.0


CASES = {
    "tall sparse": dict(),
    "wide sparse": dict(n=60, p=400),
    "weighted": dict(weighted=True),
    "no intercept": dict(fit_intercept=False),
    "scales 1e-3..1e3": dict(scales=np.geomspace(1e-3, 1e3, 120)),
    "csr": dict(fmt="csr"),
}


@pytest.mark.parametrize("case", CASES)
def test_every_alpha_is_the_ridge_solution_and_certified(case):
    opts = dict(CASES[case])
    n, p = opts.pop("n", 300), opts.pop("p", 120)
    scales = opts.pop("scales", None)
    X, y = _tfidf_like(n, p, scales=scales)
    X = X.asformat(opts.pop("fmt", "csc"))
    sw = np.random.default_rng(2).uniform(0.2, 3.0, n) if opts.pop("weighted", False) else None
    fit_intercept = opts.pop("fit_intercept", True)
    alphas = np.geomspace(1.0, 1e-7, 15)
    tol = 1e-6
    path = regularization_path(X, y, penalty="l2", alphas=alphas, solver="cg", tol=tol,
                               sample_weight=sw, fit_intercept=fit_intercept)
    for k, alpha in enumerate(alphas):
        w, b = _direct(X, y, alpha, sw, fit_intercept)
        coef, intercept = path.coefs[k], path.intercepts[k]
        gap, p0 = ref.normalized_gap(X, y, coef, intercept, alpha, 0.0, sample_weight=sw,
                                     fit_intercept=fit_intercept)
        assert gap <= path.dual_gaps[k] + 1e-12 * p0, (k, gap, path.dual_gaps[k])
        assert path.dual_gaps[k] <= tol * p0
        # strongly convex (modulus alpha): |coef - w|^2 <= 2 gap / alpha
        assert np.linalg.norm(coef - w) <= np.sqrt(2 * path.dual_gaps[k] / alpha) * 1.001 \
            + 1e-9 * np.linalg.norm(w)
        assert intercept == pytest.approx(b, abs=1e-6 * (1 + abs(b)) + np.sqrt(
            2 * path.dual_gaps[k] / alpha) * np.abs(ref.as_dense(X)).sum(0).max())


def _count_products(monkeypatch):
    calls = {"n": 0}
    for name in ("centered_matvec", "centered_rmatvec"):
        original = getattr(RowDesign, name)

        def counted(self, v, _original=original):
            calls["n"] += 1
            return _original(self, v)
        monkeypatch.setattr(RowDesign, name, counted)
    return calls


@pytest.mark.parametrize("columns, most", [("even", 0.5), ("power law", 1.25)])
def test_the_grid_costs_fewer_products_than_alpha_by_alpha(monkeypatch, columns, most):
    """Columns of similar norms: one sequence serves the grid at well under half the
    products of the warm-started per-alpha path. Power-law column norms (ratio 1e6), where
    the unpreconditioned sequence is ten times slower than Jacobi-preconditioned CG: it
    gives up early, at a small extra cost."""
    rng = np.random.default_rng(3)
    if columns == "even":
        X = sp.random(2000, 600, density=0.02, random_state=3, format="csc")
        X = sp.csc_matrix(X @ sp.diags(rng.uniform(0.5, 2.0, 600)))
        y = np.asarray(X[:, :20] @ rng.standard_normal(20)).ravel() \
            + 0.5 * rng.standard_normal(2000)
    else:
        X, y = _tfidf_like(2000, 600, seed=3)
    alphas = np.geomspace(1e-1, 1e-8, 20)
    calls = _count_products(monkeypatch)
    shifted = regularization_path(X, y, penalty="l2", alphas=alphas, solver="cg")
    with_shifts = calls["n"]
    calls["n"] = 0
    monkeypatch.setattr("sparsereg._path.ridge_grid_cg",
                        lambda design, alphas, *args: ([None] * len(alphas),) * 2)
    per_alpha = regularization_path(X, y, penalty="l2", alphas=alphas, solver="cg")
    assert with_shifts <= most * calls["n"], (with_shifts, calls["n"])
    np.testing.assert_allclose(shifted.coefs, per_alpha.coefs, rtol=0,
                               atol=1e-3 * np.abs(per_alpha.coefs).max())


@pytest.mark.parametrize("factor", ["unequal", "zero"])
def test_penalty_factors_that_are_not_a_shift_are_solved_per_alpha(factor):
    X, y = _tfidf_like()
    pf = np.linspace(0.5, 2.0, X.shape[1])
    if factor == "zero":
        pf[:3] = 0.0
    alphas = np.geomspace(1.0, 1e-5, 8)
    path = regularization_path(X, y, penalty="l2", alphas=alphas, solver="cg", tol=1e-7,
                               penalty_factor=pf)
    for k, alpha in enumerate(alphas):
        gap, p0 = ref.normalized_gap(X, y, path.coefs[k], path.intercepts[k], alpha, 0.0,
                                     penalty_factor=pf)
        assert gap <= path.dual_gaps[k] + 1e-12 * p0 and path.dual_gaps[k] <= 1e-7 * p0


@pytest.mark.parametrize("scale", [1e-140, 1e125])
def test_extreme_scales_fall_back_and_stay_certified(scale):
    X, y = _tfidf_like()
    X = sp.csc_matrix(X * scale)
    alphas = np.geomspace(1.0, 1e-4, 6) * scale ** 2
    path = regularization_path(X, y, penalty="l2", alphas=alphas, solver="cg", tol=1e-6)
    for k, alpha in enumerate(alphas):
        gap, p0 = ref.normalized_gap(X, y, path.coefs[k], path.intercepts[k], alpha, 0.0)
        assert gap <= path.dual_gaps[k] + 1e-10 * p0 and path.dual_gaps[k] <= 1e-6 * p0
