"""The classifiers' certificate, optimality conditions and invariants, checked against the
independent references of ``tests/_reference_logistic.py`` (never the library's numbers).

1. Honesty: ``P(coef_, intercept_) - P* <= dual_gap_``, with ``P`` computed in long double and
   ``P*`` bracketed independently (a dual bound from Newton-corrected probabilities, and an
   independent L-BFGS-B solve); ``dual_gap_ <= tol * P(0)`` unless a ConvergenceWarning.
2. KKT: a coordinate proximal-gradient step of length ``delta`` from a point ``w`` decreases P
   by at least ``L_j delta^2 / 2`` (``L_j`` the coordinate's Lipschitz constant), so
   ``|delta_j| <= sqrt(2 gap / L_j)`` at any point whose suboptimality is ``<= gap``.
3. Invariants: alpha_max, L2 density, integer weights = repeated rows, relabelling classes,
   permuting columns, nested L1 supports.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

import _reference_logistic as rl
import sparsereg
from sparsereg import ElasticNetClassifier, L1Classifier, L2Classifier

EPS = np.finfo(np.float64).eps
SETTINGS = dict(deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def make_classifier(l1_ratio, **kw):
    if l1_ratio == 1.0:
        return L1Classifier(**kw)
    if l1_ratio == 0.0:
        return L2Classifier(**kw)
    return ElasticNetClassifier(l1_ratio=l1_ratio, **kw)


def fit_recording(est, X, y, **kw):
    """Fit; returns whether a ConvergenceWarning was raised (no RuntimeWarning allowed)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        est.fit(X, y, **kw)
    return any(issubclass(w.category, ConvergenceWarning) for w in caught)


def labels_from_model(rng, Xs, K, strength):
    """Labels drawn from a softmax model on standardised features, every class present."""
    n, p = Xs.shape
    eta = Xs @ (strength * rng.standard_normal((p, K))) + rng.normal(0, 0.5, K)
    P = np.exp(eta - eta.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    y = (P.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1)
    y[:K] = np.arange(K)
    return y


@st.composite
def class_problems(draw, max_n=60, max_p=8):
    seed = draw(st.integers(0, 2**32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    K = draw(st.sampled_from([2, 3, 4]), label="K")
    p = draw(st.integers(1, max_p), label="p")
    n = draw(st.integers(max(2 * K, 6), max_n), label="n")
    fmt = draw(st.sampled_from(["dense", "csr", "csc"]), label="fmt")
    dtype = draw(st.sampled_from([np.float64, np.float32]), label="dtype")
    Xs = rng.standard_normal((n, p))
    if fmt != "dense":
        Xs *= rng.random((n, p)) >= rng.uniform(0.1, 0.6)
    y = labels_from_model(rng, Xs, K, draw(st.sampled_from([0.3, 1.0, 3.0]), label="signal"))
    scales = 10.0 ** rng.uniform(-2.5, 2.5, p) if draw(st.booleans(), label="scaled") \
        else np.ones(p)
    offsets = np.zeros(p)
    fit_intercept = draw(st.booleans(), label="fit_intercept")
    if fmt == "dense" and draw(st.booleans(), label="offsets"):
        offsets = np.where(rng.random(p) < 0.5, 10.0 ** rng.uniform(0, 6, p), 0.0)
    Xd = (Xs * scales + offsets).astype(dtype).astype(np.float64)
    X = {"dense": Xd, "csr": sp.csr_matrix(Xd), "csc": sp.csc_matrix(Xd)}[fmt].astype(dtype)
    kind = draw(st.sampled_from([None, "random", "zeros", "integer"]), label="weights")
    sw = None
    if kind == "random":
        sw = rng.uniform(0.1, 3.0, n)
    elif kind == "zeros":
        sw = rng.uniform(0.1, 3.0, n) * (rng.random(n) >= 0.2)
        sw[:K] = 1.0  # every class keeps some weight
    elif kind == "integer":
        sw = rng.integers(0, 4, n).astype(float)
        sw[:K] = 1.0
    class_weight = draw(st.sampled_from([None, "balanced", "dict"]), label="class_weight")
    if class_weight == "dict":
        class_weight = {k: float(rng.uniform(0.3, 3.0)) for k in range(K)}
    pf = None
    pf_kind = draw(st.sampled_from([None, "positive", "zeros"]), label="penalty_factor")
    if pf_kind is not None:
        pf = rng.uniform(0.2, 3.0, p)
        if pf_kind == "zeros":
            pf *= rng.random(p) >= 0.3
            pf[rng.integers(p)] = 1.0
    return dict(X=X, Xd=Xd, y=y, sw=sw, class_weight=class_weight, pf=pf,
                fit_intercept=fit_intercept, K=K, fmt=fmt, dtype=dtype)


def reference_problem(prob, alpha, l1_ratio, positive=False):
    return rl.Problem(prob["Xd"], prob["y"], alpha, l1_ratio, sample_weight=prob["sw"],
                      class_weight=prob["class_weight"], penalty_factor=prob["pf"],
                      fit_intercept=prob["fit_intercept"], positive=positive)


def alpha_scale(prob):
    """alpha_max of the unit-penalty lasso, computed independently (a natural scale)."""
    s = rl.total_weights(prob["y"], prob["sw"], prob["class_weight"])
    return rl.alpha_max(prob["Xd"], prob["y"], s, prob["fit_intercept"])


def assert_certificate(est, ref, warned, P0):
    """The reported gap bounds the true suboptimality, bracketed independently."""
    P, lower, upper = rl.certified_suboptimality(ref, est.coef_, est.intercept_)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    assert est.dual_gap_ > 0 and np.isfinite(est.dual_gap_)
    slack = 1e-13 * P0  # the long-double objective's own round-off is far below this
    # Certain lie if violated: P* <= upper, so P - P* >= P - upper.
    assert P - upper <= est.dual_gap_ + slack, (float(P - upper), est.dual_gap_, warned)
    # ... and the independent bracket [lower, upper] is (nearly always) tight enough that
    # P - lower is itself a certificate the reported gap must cover.
    assert P - lower <= est.dual_gap_ + float(upper - lower) + slack
    event(f"independent bracket / reported gap < 1e-2: {upper - lower < 1e-2 * est.dual_gap_}")
    if not warned:
        assert est.dual_gap_ <= est.tol * P0 * (1 + 1e-12), (est.dual_gap_, est.tol * P0)
    return P, lower, upper


@settings(max_examples=100, **SETTINGS)
@given(prob=class_problems(), data=st.data())
def test_reported_gap_bounds_the_true_suboptimality(prob, data):
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5, 0.0]), label="l1_ratio")
    positive = data.draw(st.booleans(), label="positive")
    frac = 10.0 ** data.draw(st.floats(-2.5, 0.2), label="log10 alpha / alpha_max")
    tol = data.draw(st.sampled_from([1e-4, 1e-7]), label="tol")
    alpha = frac * alpha_scale(prob)
    est = make_classifier(l1_ratio, alpha=alpha, tol=tol, positive=positive,
                          fit_intercept=prob["fit_intercept"], penalty_factor=prob["pf"],
                          class_weight=prob["class_weight"], max_iter=200)
    if data.draw(st.booleans(), label="warm start"):
        est.set_params(alpha=3 * alpha, warm_start=True)
        fit_recording(est, prob["X"], prob["y"], sample_weight=prob["sw"])
        est.set_params(alpha=alpha)
    warned = fit_recording(est, prob["X"], prob["y"], sample_weight=prob["sw"])
    event(f"warned: {warned}")
    ref = reference_problem(prob, alpha, l1_ratio, positive)
    assert est.coef_.shape == (1 if prob["K"] == 2 else prob["K"], prob["Xd"].shape[1])
    if positive:
        assert np.all(est.coef_ >= 0)
    assert_certificate(est, ref, warned, ref.null_objective())


@settings(max_examples=40, **SETTINGS)
@given(prob=class_problems(), data=st.data())
def test_path_gaps_bound_the_true_suboptimality(prob, data):
    """Along a path each alpha starts from the previous solution and its correlations, and
    may be certified by the linearized (quadratic-model) dual point: every reported gap
    still bounds the suboptimality bracketed independently."""
    penalty = data.draw(st.sampled_from(["l1", "elasticnet"]), label="penalty")
    positive = data.draw(st.booleans(), label="positive")
    tol = data.draw(st.sampled_from([1e-3, 1e-5, 1e-8]), label="tol")
    l1_ratio = 1.0 if penalty == "l1" else 0.5
    alphas = alpha_scale(prob) * np.geomspace(0.9, 0.01, 8) / l1_ratio
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = sparsereg.regularization_path(
            prob["X"], prob["y"], loss="logistic", penalty=penalty, alphas=alphas, tol=tol,
            max_iter=200, fit_intercept=prob["fit_intercept"], sample_weight=prob["sw"],
            class_weight=prob["class_weight"], penalty_factor=prob["pf"], positive=positive)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    K = 1 if prob["K"] == 2 else prob["K"]
    for k, alpha in enumerate(path.alphas):
        ref = reference_problem(prob, alpha, l1_ratio, positive)
        coef = np.asarray(path.coefs[k]).reshape(K, -1)
        intercept = np.asarray(path.intercepts[k]).reshape(K)
        P, lower, upper = rl.certified_suboptimality(ref, coef, intercept)
        P0 = ref.null_objective()
        gap = float(path.dual_gaps[k])
        assert P - upper <= gap + 1e-13 * P0, (k, float(P - upper), gap)
        if not warned:
            assert gap <= tol * P0 * (1 + 1e-12), (k, gap, tol * P0)


# ----------------------------------------------------------------------------------------
# KKT


def kkt_steps(ref, W, b):
    """Coordinate proximal-gradient steps (delta_W, delta_b) at (W, b) and the coordinates'
    Lipschitz constants (L_W, L_b): 1/4 sum_i c_i x_ij^2 and 1/4 (t(1 - t) <= 1/4)."""
    W = np.asarray(W).astype(rl.LD)
    gW, gb = ref.gradient(W, b)
    L = 0.25 * (ref.c @ (ref.X * ref.X))
    L = np.where(L > 0, L, 1)
    z = W - gW / L
    thr = ref.a / L
    shrunk = np.maximum(np.abs(z) - thr, 0) if not ref.positive else np.maximum(z - thr, 0)
    new = np.sign(z) * shrunk if not ref.positive else shrunk
    new = new / (1 + ref.bb / L)
    dW = (new - W).astype(np.float64)
    db = (-gb / 0.25).astype(np.float64) if ref.fit_intercept else np.zeros_like(gb)
    return dW, db, L.astype(np.float64)


@settings(max_examples=60, **SETTINGS)
@given(prob=class_problems(), data=st.data())
def test_kkt_residuals_are_within_the_reported_gap(prob, data):
    l1_ratio = data.draw(st.sampled_from([1.0, 0.5, 0.0]), label="l1_ratio")
    positive = data.draw(st.booleans(), label="positive")
    alpha = 10.0 ** data.draw(st.floats(-2, 0), label="log10 frac") * alpha_scale(prob)
    est = make_classifier(l1_ratio, alpha=alpha, tol=1e-6, positive=positive,
                          fit_intercept=prob["fit_intercept"], penalty_factor=prob["pf"],
                          class_weight=prob["class_weight"], max_iter=200)
    fit_recording(est, prob["X"], prob["y"], sample_weight=prob["sw"])
    ref = reference_problem(prob, alpha, l1_ratio, positive)
    dW, db, L = kkt_steps(ref, est.coef_, est.intercept_)
    G = est.dual_gap_
    bound_W = np.sqrt(2 * G / L) * (1 + 1e-6) + 1e-9 * (np.abs(est.coef_) + 1e-300)
    assert np.all(np.abs(dW) <= bound_W), np.max(np.abs(dW) / bound_W)
    bound_b = np.sqrt(2 * G / 0.25) * (1 + 1e-6) + 1e-9 * np.abs(est.intercept_)
    assert np.all(np.abs(db) <= bound_b), (db, bound_b)


# ----------------------------------------------------------------------------------------
# invariants

FAST = dict(max_examples=25, **SETTINGS)


@settings(**FAST)
@given(prob=class_problems(), l1_ratio=st.sampled_from([1.0, 0.5]),
       factor=st.floats(1.0, 10.0))
def test_all_zero_at_and_above_alpha_max(prob, l1_ratio, factor):
    """alpha_max = ||X^T c (Y - pi)||_inf / l1_ratio (unit penalty factors)."""
    s = rl.total_weights(prob["y"], prob["sw"], prob["class_weight"])
    amax = rl.alpha_max(prob["Xd"], prob["y"], s, prob["fit_intercept"]) / l1_ratio
    est = make_classifier(l1_ratio, alpha=amax * factor * (1 + 1e-9),
                          fit_intercept=prob["fit_intercept"],
                          class_weight=prob["class_weight"])
    est.fit(prob["X"], prob["y"], sample_weight=prob["sw"])
    assert np.all(est.coef_ == 0), est.coef_
    assert est.n_nonzero_ == 0
    # and just below it some coefficient is nonzero (alpha_max is the smallest such alpha)
    est.set_params(alpha=amax * 0.9, tol=1e-8)
    est.fit(prob["X"], prob["y"], sample_weight=prob["sw"])
    assert np.any(est.coef_ != 0)


@settings(**FAST)
@given(seed=st.integers(0, 2**32 - 1), K=st.sampled_from([2, 3, 4]))
def test_l2_fit_has_no_zeros_on_generic_data(seed, K):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 6))
    y = labels_from_model(rng, X, K, 1.0)
    est = L2Classifier(alpha=0.05).fit(X, y)
    assert np.all(est.coef_ != 0) and est.n_nonzero_ == 6


@settings(**FAST)
@given(prob=class_problems(max_n=30), l1_ratio=st.sampled_from([1.0, 0.5, 0.0]))
def test_integer_weights_equal_repeated_rows(prob, l1_ratio):
    rng = np.random.default_rng(0)
    n = prob["Xd"].shape[0]
    w = rng.integers(0, 4, n)
    w[:prob["K"]] = 1
    rep = np.repeat(np.arange(n), w)
    alpha = 0.1 * alpha_scale(prob)
    kw = dict(alpha=alpha, tol=1e-10, max_iter=500, fit_intercept=prob["fit_intercept"])
    a = make_classifier(l1_ratio, **kw).fit(prob["Xd"], prob["y"], sample_weight=w)
    b = make_classifier(l1_ratio, **kw).fit(prob["Xd"][rep], prob["y"][rep])
    ref = rl.Problem(prob["Xd"], prob["y"], alpha, l1_ratio, sample_weight=w,
                     fit_intercept=prob["fit_intercept"])
    # the same problem: both objectives within both gaps of each other (and of P*)
    Pa, Pb = ref.objective(a.coef_, a.intercept_), ref.objective(b.coef_, b.intercept_)
    assert abs(Pa - Pb) <= a.dual_gap_ + b.dual_gap_ + 1e-13
    assert a.classes_.tolist() == b.classes_.tolist()


def relabel_map(K):
    """A relabelling of 0..K-1 to strings whose sorted order is a non-trivial permutation."""
    names = np.array([f"c{(K - 1 - k) * 7 % 10}" for k in range(K)])  # order reversed
    return names


@settings(**FAST)
@given(prob=class_problems(max_n=40), l1_ratio=st.sampled_from([1.0, 0.5, 0.0]))
def test_relabelling_classes_permutes_rows_or_flips_sign(prob, l1_ratio):
    """Class names whose sorted order is reversed: the relabelled fit is the same model with
    its rows permuted (multinomial) or its sign flipped (binary)."""
    K = prob["K"]
    names = relabel_map(K)
    order = np.argsort(names)  # row r of the relabelled fit is original class order[r]
    inv = np.argsort(order)
    alpha = 0.1 * alpha_scale(prob)
    kw = dict(alpha=alpha, tol=1e-12, max_iter=500, fit_intercept=prob["fit_intercept"])
    a = make_classifier(l1_ratio, **kw).fit(prob["X"], prob["y"], sample_weight=prob["sw"])
    b = make_classifier(l1_ratio, **kw).fit(prob["X"], names[prob["y"]],
                                            sample_weight=prob["sw"])
    assert b.classes_.tolist() == names[order].tolist()
    if K == 2:
        Wb, bb = -b.coef_, -b.intercept_
    else:
        Wb, bb = b.coef_[inv], b.intercept_[inv]
    ref = rl.Problem(prob["Xd"], prob["y"], alpha, l1_ratio, sample_weight=prob["sw"],
                     fit_intercept=prob["fit_intercept"])
    Pa, Pb = ref.objective(a.coef_, a.intercept_), ref.objective(Wb, bb)
    assert abs(Pa - Pb) <= a.dual_gap_ + b.dual_gap_ + 1e-13 * ref.null_objective()
    # same predictions (probabilities per original class), up to ties
    proba_b = b.predict_proba(prob["X"])[:, inv]
    assert np.all(np.isfinite(proba_b))
    if l1_ratio < 1:  # strongly convex in W: the rows are unique
        mu = alpha * (1 - l1_ratio) * (np.min(prob["pf"]) if prob.get("pf") is not None
                                       else 1.0)
        if mu > 0:
            bound = np.sqrt(2 * a.dual_gap_ / mu) + np.sqrt(2 * b.dual_gap_ / mu)
            assert np.linalg.norm(Wb - a.coef_) <= bound + 1e-12


@settings(**FAST)
@given(prob=class_problems(max_n=40), l1_ratio=st.sampled_from([1.0, 0.5, 0.0]),
       seed=st.integers(0, 1000))
def test_permuting_columns_permutes_coef(prob, l1_ratio, seed):
    perm = np.random.default_rng(seed).permutation(prob["Xd"].shape[1])
    alpha = 0.1 * alpha_scale(prob)
    kw = dict(alpha=alpha, tol=1e-12, max_iter=500, fit_intercept=prob["fit_intercept"],
              class_weight=prob["class_weight"])
    pf = prob["pf"]
    a = make_classifier(l1_ratio, penalty_factor=pf, **kw).fit(
        prob["X"], prob["y"], sample_weight=prob["sw"])
    b = make_classifier(l1_ratio, penalty_factor=None if pf is None else pf[perm], **kw).fit(
        prob["X"][:, perm], prob["y"], sample_weight=prob["sw"])
    ref = reference_problem(prob, alpha, l1_ratio)
    Pa = ref.objective(a.coef_, a.intercept_)
    Pb = ref.objective(b.coef_[:, np.argsort(perm)], b.intercept_)
    assert abs(Pa - Pb) <= a.dual_gap_ + b.dual_gap_ + 1e-13 * ref.null_objective()
    if l1_ratio == 0.0 and pf is None:
        bound = 2 * np.sqrt(2 * (a.dual_gap_ + b.dual_gap_) / alpha)
        assert np.abs(b.coef_[:, np.argsort(perm)] - a.coef_).max() <= bound + 1e-10


@settings(**FAST)
@given(seed=st.integers(0, 2**32 - 1), K=st.sampled_from([2, 3]))
def test_l1_support_grows_along_the_path(seed, K):
    """p = 3 nearly orthogonal standardised features: nested supports as alpha decreases."""
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((200, 3)))[0] * np.sqrt(200)
    y = labels_from_model(rng, Q, K, 1.0)
    amax = rl.alpha_max(Q, y)
    supports = []
    for frac in (0.9, 0.6, 0.4, 0.25, 0.1, 0.03):
        est = L1Classifier(alpha=frac * amax, tol=1e-10).fit(Q, y)
        supports.append(est.coef_ != 0)
    for big, small in zip(supports, supports[1:]):
        assert np.all(small[big]), supports
