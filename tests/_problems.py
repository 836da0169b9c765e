"""Random test problems (drawn with numpy from a hypothesis-drawn seed) and shared helpers."""

import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from hypothesis import strategies as st

import _reference as ref
from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor

FORMATS = ("dense", "csr", "csc")


def examples(k):
    """Number of hypothesis examples: ``k`` times $SPARSEREG_HYPOTHESIS_SCALE (default 1)."""
    return max(1, int(k * float(os.environ.get("SPARSEREG_HYPOTHESIS_SCALE", "1"))))


@dataclass
class Problem:
    X: object  # in the requested format
    Xd: np.ndarray  # dense float64 copy
    y: np.ndarray
    sw: object  # None or ndarray
    pf: object  # None or ndarray
    fit_intercept: bool
    fmt: str

    @property
    def n(self):
        return self.Xd.shape[0]

    @property
    def p(self):
        return self.Xd.shape[1]

    @property
    def P0(self):
        return ref.null_objective(self.y, self.sw, self.fit_intercept)

    @property
    def S(self):
        return float(ref.weights_or_ones(self.sw, self.n).sum())

    def v(self):
        return ref.pf_or_ones(self.pf, self.p)


def to_format(Xd, fmt):
    if fmt == "dense":
        return Xd.copy()
    if fmt == "csr":
        return sp.csr_matrix(Xd)
    if fmt == "csc":
        return sp.csc_matrix(Xd)
    raise ValueError(fmt)


def build_problem(seed, n, p, *, fmt="dense", fit_intercept=True, weights=None, pf_kind=None):
    """A random regression problem.

    weights: None, "random" (uniform in [0.1, 3]) or "zeros" (random with ~20% zeros).
    pf_kind: None, "positive" (uniform in [0.2, 3]) or "zeros" (~30% zeros, at least one > 0).
    Sparse formats zero out a random share (20-70%) of the entries.
    """
    rng = np.random.default_rng(seed)
    Xd = rng.standard_normal((n, p)) * rng.uniform(0.3, 3.0, p) + rng.normal(0.0, 1.0, p)
    if fmt != "dense":
        Xd = Xd * (rng.random((n, p)) >= rng.uniform(0.2, 0.7))
    beta = rng.standard_normal(p) * (rng.random(p) < 0.6) * rng.uniform(0.5, 3.0)
    y = Xd @ beta + rng.uniform(0.1, 2.0) * rng.standard_normal(n) + rng.normal(0.0, 3.0)
    sw = None
    if weights == "random":
        sw = rng.uniform(0.1, 3.0, n)
    elif weights == "zeros":
        sw = rng.uniform(0.1, 3.0, n) * (rng.random(n) >= 0.2)
        sw[:2] = rng.uniform(0.5, 2.0, 2)  # at least two positive weights
    pf = None
    if pf_kind == "positive":
        pf = rng.uniform(0.2, 3.0, p)
    elif pf_kind == "zeros":
        pf = rng.uniform(0.2, 3.0, p) * (rng.random(p) >= 0.3)
        pf[rng.integers(p)] = rng.uniform(0.5, 2.0)
    return Problem(X=to_format(Xd, fmt), Xd=Xd, y=y, sw=sw, pf=pf,
                   fit_intercept=fit_intercept, fmt=fmt)


@st.composite
def problems(draw, min_n=3, max_n=40, min_p=1, max_p=15, formats=FORMATS,
             weights=(None, "random", "zeros"), pf_kinds=(None, "positive", "zeros"),
             intercept=(True, False), overdetermined=False):
    """Hypothesis strategy of :class:`Problem`; ``overdetermined`` forces n >= p + 5."""
    seed = draw(st.integers(0, 2**32 - 1))
    p = draw(st.integers(min_p, max_p))
    lo = max(min_n, p + 5) if overdetermined else min_n
    n = draw(st.integers(lo, max(lo, max_n)))
    return build_problem(seed, n, p, fmt=draw(st.sampled_from(formats)),
                         fit_intercept=draw(st.sampled_from(intercept)),
                         weights=draw(st.sampled_from(weights)),
                         pf_kind=draw(st.sampled_from(pf_kinds)))


def make_estimator(alpha, l1_ratio, **kw):
    """L1Regressor for l1_ratio == 1, L2Regressor for 0, ElasticNetRegressor otherwise."""
    if l1_ratio == 1.0:
        return L1Regressor(alpha, **kw)
    if l1_ratio == 0.0:
        kw.pop("positive", None)
        return L2Regressor(alpha, **kw)
    return ElasticNetRegressor(alpha, l1_ratio, **kw)


def fit(prob, alpha, l1_ratio, **kw):
    est = make_estimator(alpha, l1_ratio, fit_intercept=prob.fit_intercept,
                         penalty_factor=prob.pf, **kw)
    return est.fit(prob.X, prob.y, sample_weight=prob.sw)


def gap_of(prob, est, alpha, l1_ratio, positive=False, X=None, y=None, sw="same"):
    """Independent duality gap (tests/_reference.py) of a fitted estimator."""
    return ref.dual_gap(prob.Xd if X is None else X, prob.y if y is None else y,
                        est.coef_.astype(np.float64), float(est.intercept_), alpha, l1_ratio,
                        sample_weight=prob.sw if isinstance(sw, str) else sw,
                        penalty_factor=prob.pf, fit_intercept=prob.fit_intercept,
                        positive=positive)[0]


def fitted(Xd, est):
    return Xd @ est.coef_.astype(np.float64) + float(est.intercept_)


def wnorm(v, s):
    """Weighted Euclidean norm sqrt(sum_i s_i v_i^2)."""
    return float(np.sqrt(ref.weights_or_ones(s, v.shape[0]) @ (v * v)))


def assert_same_minimizer(Xd, y, alpha, l1_ratio, candidates, *, sw, pf, fit_intercept,
                          positive=False):
    """All ``(w, b)`` in ``candidates`` approximately minimise the same problem: check the
    distances allowed by their independent duality gaps (see the module docstring)."""
    s = ref.weights_or_ones(sw, Xd.shape[0])
    S = float(s.sum())
    floor = ref.gap_floor(y, sw, fit_intercept)
    gaps = [ref.dual_gap(Xd, y, w, b, alpha, l1_ratio, sample_weight=sw, penalty_factor=pf,
                         fit_intercept=fit_intercept, positive=positive)[0] + floor
            for w, b in candidates]
    mu = ref.strong_convexity(Xd, alpha, l1_ratio, sw, pf, fit_intercept)
    xbar = (s @ Xd) / S if fit_intercept else np.zeros(Xd.shape[1])
    (w1, b1), G1 = candidates[0], gaps[0]
    f1 = Xd @ w1 + b1
    for (w2, b2), G2 in zip(candidates[1:], gaps[1:]):
        f2 = Xd @ w2 + b2
        bound_fit = np.sqrt(2 * S * G1) + np.sqrt(2 * S * G2)
        dist = wnorm(f1 - f2, s)
        assert dist <= bound_fit * (1 + 1e-9) + 1e-12 * wnorm(f1, s), (
            f"fitted values differ by {dist:.3e} > certified {bound_fit:.3e}")
        if mu > 0:
            bound_w = np.sqrt(2 * G1 / mu) + np.sqrt(2 * G2 / mu)
            slack = 1e-9 * (np.linalg.norm(w1) + np.linalg.norm(w2))
            dist_w = float(np.linalg.norm(w1 - w2))
            assert dist_w <= bound_w + slack, (
                f"coefficients differ by {dist_w:.3e} > certified {bound_w:.3e}: "
                f"{w1} vs {w2}")
            if fit_intercept:
                bound_b = bound_fit / np.sqrt(S) + np.linalg.norm(xbar) * (bound_w + slack)
                assert abs(b1 - b2) <= bound_b * (1 + 1e-9) + 1e-12 * (abs(b1) + 1), (
                    f"intercepts differ by {abs(b1 - b2):.3e} > certified {bound_b:.3e}")
    return gaps


def as_candidate(est):
    return est.coef_.astype(np.float64), float(est.intercept_)
