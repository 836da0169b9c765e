"""Property-based tests of the solvers' invariants, in the numbered sections below: 1. alpha_max
(docs/theory.rst), 2. the optimality (KKT) conditions, 3. the stopping rule dual gap <= tol * P(0)
and the certificate (docs/user_guide.rst), 4.-5. L2 and L1 along alpha, 6. equivariances,
7. soft-thresholding, 8. agreement with scikit-learn.

Every tolerance is derived from a duality gap computed *independently* in
``tests/_reference.py`` (never from sparsereg's own numbers), plus a float64 round-off floor
of ``1e-13 * P(0)`` on the gap (see ``_reference.gap_floor``). The key facts, proved in
``_reference.kkt_report``:

* if ``G >= P(w, b) - P*`` then ``||r~ - r~*|| <= sqrt(2 S G)`` (the loss is (1/S)-strongly
  convex in the fitted values), so two approximate solutions with gaps G1, G2 have fitted
  values within ``sqrt(2 S G1) + sqrt(2 S G2)`` (weighted norm);
* ``min_b P(w, b) - P* >= mu/2 ||w - w*||^2`` with ``mu`` the smallest eigenvalue of
  ``X~_c^T X~_c / S + diag(bb)``, so coefficients are within
  ``sqrt(2 G1/mu) + sqrt(2 G2/mu)`` when ``mu > 0``.
"""

import warnings
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, Ridge

import _reference as ref
from _problems import (as_candidate, assert_same_minimizer, build_problem, examples, fit,
                       make_estimator, problems)
from sparsereg import L1Regressor, L2Regressor, alpha_max, soft_threshold

# A fit that does not converge on these tiny problems is itself a failure.
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

SETTINGS = settings(max_examples=examples(40), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

L1_RATIOS = (1.0, 0.9, 0.5, 0.1)
ENET_SOLVERS = ("auto", "cd", "gram")
RIDGE_SOLVERS = ("auto", "cholesky", "gradient")
TIGHT = dict(tol=1e-10, max_iter=100_000)


def draw_solver(data, prob, l1_ratio):
    if l1_ratio > 0:
        return data.draw(st.sampled_from(ENET_SOLVERS), label="solver")
    choices = RIDGE_SOLVERS
    if prob.fmt == "dense" and (prob.pf is None or np.all(prob.pf > 0)):
        choices = choices + ("svd",)
    return data.draw(st.sampled_from(choices), label="solver")


def log_uniform(lo, hi):
    return st.floats(np.log10(lo), np.log10(hi)).map(lambda e: 10.0 ** e)


def scale_alpha(prob):
    """A natural scale for alpha: alpha_max of the lasso (independent implementation).

    Problems where the intercept and the unpenalized features already fit y (alpha_max is
    then round-off, and so is every alpha derived from it) are skipped: no float64 solver
    can certify a lasso whose penalty is at round-off level.
    """
    assume(not unpenalized_part_fits_y(prob))
    top = ref.alpha_max(prob.Xd, prob.y, fit_intercept=prob.fit_intercept,
                        sample_weight=prob.sw, penalty_factor=prob.pf)
    # ... and so are those whose penalized columns are orthogonal to what the unpenalized
    # part leaves (in its span, or zero where it is not): alpha_max is then the round-off
    # of |x_j^T r0| / S, e.g. 1e-16 next to correlations of size 1 (found by CI's draw)
    s = ref.weights_or_ones(prob.sw, prob.n)
    r0 = ref.unpenalized_residual(prob.Xd, prob.y, s, prob.v() == 0, prob.fit_intercept)
    size = np.abs(prob.Xd).max(initial=0.0) * np.sqrt(prob.n) * np.linalg.norm(r0) / prob.S
    assume(top > 1e-10 * size)
    return top


def unpenalized_part_fits_y(prob, rel=1e-6):
    """Whether intercept + unpenalized features leave (almost) nothing to explain."""
    s = ref.weights_or_ones(prob.sw, prob.n)
    r0 = ref.unpenalized_residual(prob.Xd, prob.y, s, prob.v() == 0, prob.fit_intercept)
    return 0.5 * float(s @ (r0 * r0)) / prob.S <= rel * prob.P0


# ----------------------------------------------------------------------------------------
# 1.  alpha >= alpha_max  =>  all (penalized) coefficients are exactly zero


@SETTINGS
@given(prob=problems(), l1_ratio=st.sampled_from((1.0, 0.5, 0.05)))
def test_alpha_max_matches_independent_formula(prob, l1_ratio):
    am = alpha_max(prob.X, prob.y, l1_ratio=l1_ratio, fit_intercept=prob.fit_intercept,
                   sample_weight=prob.sw, penalty_factor=prob.pf)
    expected = ref.alpha_max(prob.Xd, prob.y, l1_ratio=l1_ratio,
                             fit_intercept=prob.fit_intercept, sample_weight=prob.sw,
                             penalty_factor=prob.pf)
    assert isinstance(am, float)
    scale = np.abs(prob.Xd).max() * np.abs(prob.y - prob.y.mean()).max() / l1_ratio + 1e-300
    assert am == pytest.approx(expected, rel=1e-9, abs=1e-11 * scale)


@SETTINGS
@given(prob=problems(), factor=st.sampled_from((1.0, 1.0 + 1e-12, 1.001, 1.5, 100.0)),
       l1_ratio=st.sampled_from((1.0, 0.8, 0.3)), positive=st.booleans(), data=st.data())
def test_all_zero_at_and_above_alpha_max(prob, factor, l1_ratio, positive, data):
    assume(not unpenalized_part_fits_y(prob))
    # alpha_max has no `positive` argument: with positive=True and unpenalized features the
    # null model of the constrained problem differs, so only test positive without them.
    positive = positive and (prob.pf is None or np.all(prob.pf > 0))
    solver = draw_solver(data, prob, l1_ratio)
    am = alpha_max(prob.X, prob.y, l1_ratio=l1_ratio, fit_intercept=prob.fit_intercept,
                   sample_weight=prob.sw, penalty_factor=prob.pf)
    assume(am > 0)
    alpha = am * factor
    est = fit(prob, alpha, l1_ratio, positive=positive, solver=solver, tol=1e-8,
              max_iter=100_000)
    penalized = prob.v() > 0
    nonzero = est.coef_[penalized][est.coef_[penalized] != 0]
    assert nonzero.size == 0, (
        f"alpha = {factor} * alpha_max but penalized coefficients {nonzero!r} are nonzero")
    assert est.n_nonzero_ == int(np.count_nonzero(est.coef_))
    # the unpenalized part (intercept, v_j = 0) is still fitted: certificate holds
    gap = ref.dual_gap(prob.Xd, prob.y, est.coef_, float(est.intercept_), alpha, l1_ratio,
                       sample_weight=prob.sw, penalty_factor=prob.pf,
                       fit_intercept=prob.fit_intercept, positive=positive)[0]
    assert gap <= 1e-8 * prob.P0 + ref.gap_floor(prob.y, prob.sw, prob.fit_intercept)


@SETTINGS
@given(prob=problems(), l1_ratio=st.sampled_from((1.0, 0.7)), data=st.data())
def test_alpha_max_is_the_smallest_such_alpha(prob, l1_ratio, data):
    """Just below alpha_max some penalized coefficient must be nonzero.

    Moving one coordinate j away from the null model (unpenalized part fitted) lowers P by
    ``(|g_j| - a_j)_+^2 / (2 (||x~_j||^2/S + bb_j))`` with ``g_j = x_j^T diag(s) r0 / S``.
    When that certified decrease exceeds ``tol * P(0)``, the null model cannot pass the
    stopping rule, so a correct solver must return a nonzero penalized coefficient.
    """
    solver = draw_solver(data, prob, l1_ratio)
    am = alpha_max(prob.X, prob.y, l1_ratio=l1_ratio, fit_intercept=prob.fit_intercept,
                   sample_weight=prob.sw, penalty_factor=prob.pf)
    alpha = 0.9 * am
    tol = 1e-10
    s = ref.weights_or_ones(prob.sw, prob.n)
    v = prob.v()
    r0 = ref.unpenalized_residual(prob.Xd, prob.y, s, v == 0, prob.fit_intercept)
    g = prob.Xd.T @ (s * r0) / prob.S
    a, bb = ref.penalty_weights(alpha, l1_ratio, prob.pf, prob.p)
    curv = (s @ prob.Xd ** 2) / prob.S + bb
    with np.errstate(divide="ignore", invalid="ignore"):
        decrease = np.where((v > 0) & (curv > 0),
                            np.maximum(np.abs(g) - a, 0.0) ** 2 / (2 * curv), 0.0)
    assume(decrease.max() > 100 * tol * prob.P0)
    est = fit(prob, alpha, l1_ratio, solver=solver, tol=tol, max_iter=100_000)
    assert np.any(est.coef_[v > 0] != 0)


@pytest.mark.parametrize("solver", ENET_SOLVERS)
@pytest.mark.parametrize("fmt", ("dense", "csr", "csc"))
@pytest.mark.parametrize("pf_kind", (None, "zeros"))
@pytest.mark.parametrize("l1_ratio", (1.0, 0.5))
def test_all_zero_exactly_at_alpha_max_many_seeds(solver, fmt, pf_kind, l1_ratio):
    """Deterministic companion of the property above, at the boundary alpha == alpha_max
    (default tol), where any disagreement between alpha_max() and the solver shows."""
    for seed in range(30):
        prob = build_problem(seed, 30, 3, fmt=fmt, pf_kind=pf_kind,
                             weights="random" if seed % 2 else None)
        am = alpha_max(prob.X, prob.y, l1_ratio=l1_ratio, fit_intercept=prob.fit_intercept,
                       sample_weight=prob.sw, penalty_factor=prob.pf)
        est = fit(prob, am, l1_ratio, solver=solver)
        penalized = prob.v() > 0
        assert np.all(est.coef_[penalized] == 0), (
            f"seed {seed}: alpha == alpha_max but coef_ = {est.coef_!r}")


@pytest.mark.parametrize("solver", ENET_SOLVERS)
@pytest.mark.parametrize("l1_ratio", (1.0, 0.5))
def test_positive_with_unpenalized_feature_is_certified(solver, l1_ratio):
    """positive=True constrains unpenalized coefficients too; here the free least-squares
    coefficient of the unpenalized feature is negative, so the constraint binds."""
    X = np.array([[1.93, -5.21], [-0.44, -1.46], [-1.72, -0.80], [-4.01, -0.83],
                  [-2.32, 5.87], [-0.72, -1.06]])
    y = np.array([0.96, -1.54, -0.99, 0.42, 2.34, -1.13])
    pf = np.array([0.0, 1.0])
    am = ref.alpha_max(X, y, penalty_factor=pf)
    for frac in (2.0, 1.0, 0.5, 0.1, 0.01):
        alpha = frac * am
        est = L1Regressor(alpha, penalty_factor=pf, positive=True, solver=solver, tol=1e-8) \
            if l1_ratio == 1.0 else make_estimator(alpha, l1_ratio, penalty_factor=pf,
                                                   positive=True, solver=solver, tol=1e-8)
        est.fit(X, y)  # a ConvergenceWarning is an error here
        w, b = as_candidate(est)
        assert np.all(w >= 0)
        gap = ref.dual_gap(X, y, w, b, alpha, l1_ratio, penalty_factor=pf, positive=True)[0]
        assert gap <= 1e-8 * ref.null_objective(y) + ref.gap_floor(y)
        assert est.dual_gap_ <= 1e-8 * ref.null_objective(y) * (1 + 1e-9) + ref.gap_floor(y)
        violations = ref.kkt_report(X, y, w, b, alpha, l1_ratio, penalty_factor=pf,
                                    positive=True, gap=gap)
        assert not violations, "\n".join(violations)


# ----------------------------------------------------------------------------------------
# 2.  KKT conditions, with tolerances derived from the certificate


@SETTINGS
@given(prob=problems(), frac=log_uniform(1e-3, 1.2),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)), positive=st.booleans(), data=st.data())
def test_kkt_conditions_hold_at_returned_solution(prob, frac, l1_ratio, positive, data):
    positive = positive and l1_ratio > 0
    solver = draw_solver(data, prob, l1_ratio)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est = fit(prob, alpha, l1_ratio, positive=positive, solver=solver, tol=1e-8,
              max_iter=100_000)
    w, b = as_candidate(est)
    if not prob.fit_intercept:
        assert b == 0.0
    gap = ref.dual_gap(prob.Xd, prob.y, w, b, alpha, l1_ratio, sample_weight=prob.sw,
                       penalty_factor=prob.pf, fit_intercept=prob.fit_intercept,
                       positive=positive)[0]
    violations = ref.kkt_report(prob.Xd, prob.y, w, b, alpha, l1_ratio, sample_weight=prob.sw,
                                penalty_factor=prob.pf, fit_intercept=prob.fit_intercept,
                                positive=positive, gap=gap)
    assert not violations, "\n".join(violations)


# ----------------------------------------------------------------------------------------
# 3.  duality gap <= tol * P(0), recomputed independently; dual_gap_ is a valid certificate


@SETTINGS
@given(prob=problems(), frac=log_uniform(1e-3, 1.2),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)), positive=st.booleans(),
       tol=st.sampled_from((1e-4, 1e-6, 1e-8, 1e-10)), data=st.data())
def test_duality_gap_certificate(prob, frac, l1_ratio, positive, tol, data):
    positive = positive and l1_ratio > 0
    solver = draw_solver(data, prob, l1_ratio)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est = fit(prob, alpha, l1_ratio, positive=positive, solver=solver, tol=tol,
              max_iter=100_000)
    w, b = as_candidate(est)
    P0 = prob.P0
    floor = ref.gap_floor(prob.y, prob.sw, prob.fit_intercept)
    gap, primal, dual = ref.dual_gap(prob.Xd, prob.y, w, b, alpha, l1_ratio,
                                     sample_weight=prob.sw, penalty_factor=prob.pf,
                                     fit_intercept=prob.fit_intercept, positive=positive)
    # (a) the independently recomputed gap meets the stopping rule
    assert gap <= tol * P0 + floor, f"gap {gap:.3e} > tol * P(0) = {tol * P0:.3e}"
    # (b) the reported gap meets it too (no ConvergenceWarning was raised)
    assert np.isfinite(est.dual_gap_) and est.dual_gap_ >= 0.0
    assert est.dual_gap_ <= tol * P0 * (1 + 1e-9) + floor
    # (c) the reported gap is a valid certificate: it bounds P(w, b) - P*, and P* is at most
    #     the objective of any point, e.g. the best one an independent FISTA finds.
    p_ref = ref.reference_objective(prob.Xd, prob.y, alpha, l1_ratio, sample_weight=prob.sw,
                                    penalty_factor=prob.pf,
                                    fit_intercept=prob.fit_intercept, positive=positive,
                                    start=w, n_iter=1500)
    assert est.dual_gap_ >= primal - min(p_ref, primal) - floor, (
        f"dual_gap_ = {est.dual_gap_:.3e} but P(w, b) - P_ref = {primal - p_ref:.3e}")
    # (d) our own certificate is consistent: weak duality
    assert dual <= primal + floor


# ----------------------------------------------------------------------------------------
# 4.  L2: no exact zeros on generic data, ||w|| strictly decreasing in alpha


def generic_columns(prob):
    """Every column varies over the rows with positive weight (intercept) / is nonzero."""
    s = ref.weights_or_ones(prob.sw, prob.n)
    rows = prob.Xd[s > 0]
    if prob.fit_intercept:
        return bool(np.all(np.ptp(rows, axis=0) > 1e-8)) and rows.shape[0] >= 2
    return bool(np.all(np.abs(rows).max(axis=0) > 1e-8))


@SETTINGS
@given(prob=problems(pf_kinds=(None, "positive")),
       solver=st.sampled_from(RIDGE_SOLVERS + ("svd",)))
def test_l2_has_no_exact_zeros_and_norm_strictly_decreases(prob, solver):
    assume(generic_columns(prob))
    if solver == "svd":
        assume(prob.fmt == "dense")
    Xc = ref.centered_scaled(prob.Xd, prob.sw, prob.fit_intercept)
    scale = float(np.trace(Xc.T @ Xc)) / prob.S / prob.p
    assume(scale > 0)
    norms = []
    for alpha in scale * np.logspace(-2, 2, 6):
        est = L2Regressor(alpha, fit_intercept=prob.fit_intercept, penalty_factor=prob.pf,
                          solver=solver, tol=1e-12, max_iter=100_000)
        est.fit(prob.X, prob.y, sample_weight=prob.sw)
        assert np.all(est.coef_ != 0), f"exact zeros at alpha={alpha}: {est.coef_!r}"
        assert est.n_nonzero_ == prob.p and est.sparsity_ == 0.0
        assert np.all(est.support_)
        # d/dalpha (w^T D w) = -2 w^T D (Q + alpha D)^-1 D w < 0 for w = (Q + alpha D)^-1 g,
        # D = diag(v) > 0: the penalty-weighted norm (||w|| without penalty factors) strictly
        # decreases. (The plain ||w|| need not when the factors differ.)
        norms.append(float(np.sqrt(np.sum(prob.v() * est.coef_.astype(float) ** 2))))
    assert all(b < a for a, b in zip(norms, norms[1:])), f"norms not decreasing: {norms}"


# ----------------------------------------------------------------------------------------
# 5.  ||w||_1 non-increasing in alpha for the lasso; n_nonzero(L1) <= n_nonzero(L2)


@SETTINGS
@given(prob=problems(), positive=st.booleans(), solver=st.sampled_from(ENET_SOLVERS))
def test_lasso_l1_norm_non_increasing_in_alpha(prob, positive, solver):
    """For exact solutions at alpha1 < alpha2, adding the two optimality inequalities
    ``f(w1) + alpha1 h(w1) <= f(w2) + alpha1 h(w2)`` and vice versa gives
    ``(alpha2 - alpha1)(h(w2) - h(w1)) <= 0`` with ``h(w) = sum_j v_j |w_j|`` (``||w||_1``
    without penalty factors). With gaps G1, G2 the same sum gives
    ``h(w2) - h(w1) <= (G1 + G2) / (alpha2 - alpha1)``."""
    scale = scale_alpha(prob)
    assume(scale > 0)
    v = prob.v()
    floor = ref.gap_floor(prob.y, prob.sw, prob.fit_intercept)
    alphas = scale * np.geomspace(1e-3, 1.0, 7)
    h, gaps = [], []
    for alpha in alphas:
        est = _fit_quietly(make_estimator(alpha, 1.0, fit_intercept=prob.fit_intercept,
                                          penalty_factor=prob.pf, positive=positive,
                                          solver=solver, **TIGHT), prob.X, prob.y, prob.sw)
        w, b = as_candidate(est)
        gaps.append(ref.dual_gap(prob.Xd, prob.y, w, b, alpha, 1.0, sample_weight=prob.sw,
                                 penalty_factor=prob.pf, fit_intercept=prob.fit_intercept,
                                 positive=positive)[0] + floor)
        h.append(float(np.sum(v * np.abs(w))))
        ridge = L2Regressor(alpha, fit_intercept=prob.fit_intercept, penalty_factor=prob.pf)
        ridge.fit(prob.X, prob.y, sample_weight=prob.sw)
        assert est.n_nonzero_ <= ridge.n_nonzero_
    for k in range(len(alphas) - 1):
        allowed = (gaps[k] + gaps[k + 1]) / (alphas[k + 1] - alphas[k])
        assert h[k + 1] <= h[k] + allowed * (1 + 1e-9), (
            f"weighted ||w||_1 grows from {h[k]!r} to {h[k + 1]!r} when alpha grows from "
            f"{alphas[k]:.4g} to {alphas[k + 1]:.4g} (allowed {allowed:.3e})")


# ----------------------------------------------------------------------------------------
# 6.  equivariances


def _solve(prob, alpha, l1_ratio, solver, X=None, y=None, sw="same", pf="same",
           positive=False):
    kw = dict(TIGHT)
    if l1_ratio == 0.0:
        kw["tol"] = 1e-12
    est = make_estimator(alpha, l1_ratio, fit_intercept=prob.fit_intercept,
                         penalty_factor=prob.pf if isinstance(pf, str) else pf,
                         positive=positive, solver=solver, **kw)
    return _fit_quietly(est, prob.X if X is None else X, prob.y if y is None else y,
                        prob.sw if isinstance(sw, str) else sw)


def _fit_quietly(est, X, y, sw):
    """Fit, tolerating a ConvergenceWarning: where the tight tol only serves to make the
    certified tolerances small, the comparison uses the gap actually reached (computed
    independently), so it stays rigorous either way. Convergence itself is the subject of
    the tests of sections 2, 3 and 8, where a ConvergenceWarning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, sample_weight=sw)


@SETTINGS
@given(prob=problems(), frac=log_uniform(1e-2, 1.0),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)), data=st.data())
def test_permuting_features_permutes_coef(prob, frac, l1_ratio, data):
    solver = draw_solver(data, prob, l1_ratio)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    perm = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).permutation(prob.p)
    X2 = prob.X[:, perm]
    pf2 = None if prob.pf is None else prob.pf[perm]
    est1 = _solve(prob, alpha, l1_ratio, solver)
    est2 = _solve(prob, alpha, l1_ratio, solver, X=X2, pf=pf2)
    w2 = np.empty(prob.p)
    w2[perm] = est2.coef_
    assert np.array_equal(est2.support_, est2.coef_ != 0)
    assert_same_minimizer(prob.Xd, prob.y, alpha, l1_ratio,
                          [as_candidate(est1), (w2, float(est2.intercept_))],
                          sw=prob.sw, pf=prob.pf, fit_intercept=prob.fit_intercept)


@SETTINGS
@given(prob=problems(), frac=log_uniform(1e-2, 1.0), c=log_uniform(1e-2, 1e2),
       solver=st.sampled_from(ENET_SOLVERS))
def test_lasso_scaling_y_and_alpha_scales_coef(prob, frac, c, solver):
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est1 = _solve(prob, alpha, 1.0, solver)
    est2 = _solve(prob, c * alpha, 1.0, solver, y=c * prob.y)
    w1, b1 = as_candidate(est1)
    # exact zeros stay exact zeros where the solution is robustly sparse is not implied;
    # compare as minimisers of the scaled problem
    assert_same_minimizer(prob.Xd, c * prob.y, c * alpha, 1.0,
                          [(c * w1, c * b1), as_candidate(est2)],
                          sw=prob.sw, pf=prob.pf, fit_intercept=prob.fit_intercept)


@SETTINGS
@given(prob=problems(), frac=log_uniform(1e-2, 1e2),
       c=st.one_of(log_uniform(1e-2, 1e2), log_uniform(1e-2, 1e2).map(lambda x: -x)),
       data=st.data())
def test_ridge_scaling_y_scales_coef(prob, frac, c, data):
    solver = draw_solver(data, prob, 0.0)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est1 = _solve(prob, alpha, 0.0, solver)
    est2 = _solve(prob, alpha, 0.0, solver, y=c * prob.y)
    w1, b1 = as_candidate(est1)
    assert_same_minimizer(prob.Xd, c * prob.y, alpha, 0.0,
                          [(c * w1, c * b1), as_candidate(est2)],
                          sw=prob.sw, pf=prob.pf, fit_intercept=prob.fit_intercept)


@SETTINGS
@given(prob=problems(weights=(None,)), frac=log_uniform(1e-2, 1.0),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)), data=st.data())
def test_integer_sample_weight_equals_repeating_rows(prob, frac, l1_ratio, data):
    solver = draw_solver(data, prob, l1_ratio)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    k = rng.integers(0, 4, prob.n)
    k[rng.integers(prob.n)] = max(1, k.max())
    assume(np.count_nonzero(k) >= 2)
    weighted = replace(prob, sw=k.astype(np.float64))
    scale = scale_alpha(weighted)
    assume(scale > 0)
    alpha = frac * scale
    rows = np.repeat(np.arange(prob.n), k)
    X_rep = prob.X[rows] if sp.issparse(prob.X) else prob.X[rows, :]
    est_w = _solve(prob, alpha, l1_ratio, solver, sw=k)
    est_r = _solve(prob, alpha, l1_ratio, solver, X=X_rep, y=prob.y[rows], sw=None)
    assert_same_minimizer(prob.Xd, prob.y, alpha, l1_ratio,
                          [as_candidate(est_w), as_candidate(est_r)],
                          sw=k.astype(np.float64), pf=prob.pf,
                          fit_intercept=prob.fit_intercept)


@SETTINGS
@given(prob=problems(intercept=(True,)), frac=log_uniform(1e-2, 1.0),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)),
       shift=st.floats(-1e3, 1e3, allow_nan=False), data=st.data())
def test_adding_constant_to_y_moves_only_intercept(prob, frac, l1_ratio, shift, data):
    solver = draw_solver(data, prob, l1_ratio)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est1 = _solve(prob, alpha, l1_ratio, solver)
    est2 = _solve(prob, alpha, l1_ratio, solver, y=prob.y + shift)
    w1, b1 = as_candidate(est1)
    assert_same_minimizer(prob.Xd, prob.y + shift, alpha, l1_ratio,
                          [(w1, b1 + shift), as_candidate(est2)],
                          sw=prob.sw, pf=prob.pf, fit_intercept=True)


# ----------------------------------------------------------------------------------------
# 7.  soft-thresholding

finite = st.floats(-1e12, 1e12, allow_nan=False, allow_infinity=False)
thresholds = st.floats(0.0, 1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=examples(300), deadline=None)
@given(z=finite, t=thresholds)
def test_soft_threshold_exact_zeros_on_interval(z, t):
    out = soft_threshold(z, t)
    if -t <= z <= t:
        assert out == 0.0
    else:
        assert out != 0.0 and np.sign(out) == np.sign(z)
        # prox optimality: z - S(z, t) = t sign(S(z, t)), up to one rounding of |z| - t
        assert abs((z - out) - t * np.sign(out)) <= 2 * np.spacing(max(abs(z), t))


@settings(max_examples=examples(300), deadline=None)
@given(z=finite, t=thresholds)
def test_soft_threshold_inside_interval_array(z, t):
    zs = np.array([-t, -0.5 * t, 0.0, 0.5 * t, t, z])
    out = soft_threshold(zs, t)
    assert out.shape == zs.shape
    assert np.all(out[:5] == 0.0)
    assert np.array_equal(out, np.sign(zs) * np.maximum(np.abs(zs) - t, 0.0))


@settings(max_examples=examples(300), deadline=None)
@given(z1=finite, z2=finite, t=thresholds)
def test_soft_threshold_is_one_lipschitz(z1, z2, t):
    d_out = abs(float(soft_threshold(z1, t)) - float(soft_threshold(z2, t)))
    # each output carries at most one rounding of |z| - t, the difference one more
    slack = 3 * np.spacing(max(abs(z1), abs(z2), t))
    assert d_out <= abs(z1 - z2) + slack


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 50),
       dtype=st.sampled_from((np.float64, np.float32)))
def test_soft_threshold_vectorised(seed, n, dtype):
    rng = np.random.default_rng(seed)
    z = (rng.standard_normal(n) * 3).astype(dtype)
    t = rng.uniform(0, 3, n).astype(dtype)
    out = soft_threshold(z, t)
    assert out.dtype == dtype
    expected = z - np.clip(z, -t, t)  # independent formula of the same operator
    np.testing.assert_allclose(out, expected, rtol=0, atol=4 * np.finfo(dtype).eps * 6)
    assert np.all(out[np.abs(z) <= t] == 0)
    # 1-Lipschitz for a common threshold (pairwise over the vector)
    t0 = dtype(t[0])
    out0 = soft_threshold(z, t0).astype(np.float64)
    diffs_out = np.abs(out0[:, None] - out0[None, :])
    diffs_in = np.abs(z[:, None].astype(np.float64) - z[None, :])
    assert np.all(diffs_out <= diffs_in + 3 * np.finfo(dtype).eps * 12)
    # broadcasting a scalar threshold agrees with the elementwise one
    assert np.array_equal(soft_threshold(z, t0), soft_threshold(z, np.full(n, t0)))


def test_soft_threshold_rejects_negative_threshold():
    with pytest.raises(ValueError, match="t"):
        soft_threshold(1.0, -0.5)


# ----------------------------------------------------------------------------------------
# 8.  agreement with scikit-learn at tight tolerance


def sklearn_fit(prob, alpha, l1_ratio, positive):
    """sklearn's Lasso / ElasticNet / Ridge on the same problem (converted alpha).

    Penalty factors v > 0 are emulated by scaling columns: for the lasso u_j = v_j w_j on
    x_j / v_j; for ridge u_j = sqrt(v_j) w_j on x_j / sqrt(v_j).
    """
    v = prob.v()
    col = v if l1_ratio == 1.0 else np.sqrt(v)
    X = prob.X @ sp.diags(1.0 / col) if sp.issparse(prob.X) else prob.X / col
    if sp.issparse(X):
        X = sp.csc_matrix(X)
    if l1_ratio == 0.0:
        model = Ridge(alpha=alpha * prob.S, fit_intercept=prob.fit_intercept, tol=1e-14)
    elif l1_ratio == 1.0:
        model = Lasso(alpha=alpha, fit_intercept=prob.fit_intercept, positive=positive,
                      tol=1e-10, max_iter=200_000)
    else:
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=prob.fit_intercept,
                           positive=positive, tol=1e-10, max_iter=200_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, prob.y, sample_weight=prob.sw)
    return np.asarray(model.coef_, dtype=np.float64) / col, float(model.intercept_)


@SETTINGS
@given(prob=problems(pf_kinds=(None, "positive")), frac=log_uniform(1e-3, 1.0),
       l1_ratio=st.sampled_from(L1_RATIOS + (0.0,)), positive=st.booleans(), data=st.data())
def test_matches_sklearn(prob, frac, l1_ratio, positive, data):
    positive = positive and l1_ratio > 0
    if prob.pf is not None and 0.0 < l1_ratio < 1.0:
        prob = replace(prob, pf=None)  # sklearn's ElasticNet has no per-feature factors
    solver = draw_solver(data, prob, l1_ratio)
    scale = scale_alpha(prob)
    assume(scale > 0)
    alpha = frac * scale
    est = fit(prob, alpha, l1_ratio, positive=positive, solver=solver,
              tol=1e-12 if l1_ratio == 0.0 else 1e-10, max_iter=100_000)
    w_sk, b_sk = sklearn_fit(prob, alpha, l1_ratio, positive)
    cands = [as_candidate(est), (w_sk, b_sk)]
    gaps = assert_same_minimizer(prob.Xd, prob.y, alpha, l1_ratio, cands, sw=prob.sw,
                                 pf=prob.pf, fit_intercept=prob.fit_intercept,
                                 positive=positive)
    objs = [ref.objective(prob.Xd, prob.y, w, b, alpha, l1_ratio, prob.sw, prob.pf, positive)
            for w, b in cands]
    # both within their gap of P*: |P1 - P2| <= max(G1, G2)
    assert abs(objs[0] - objs[1]) <= max(gaps) * (1 + 1e-9), (objs, gaps)
    # and sparsereg is at least as accurate as its own stopping rule requires
    tol = 1e-12 if l1_ratio == 0.0 else 1e-10
    assert gaps[0] <= tol * prob.P0 + 2 * ref.gap_floor(prob.y, prob.sw, prob.fit_intercept)
