"""Bad input: a clear ValueError/TypeError naming the parameter, raised before
any solver work, with the inputs left untouched; and hard-but-valid problems (constant or
duplicated columns, p >> n, features scaled 1e-8..1e8) that must converge or warn.
"""

import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import _reference as ref
from sparsereg import (
    GridEdgeWarning,
    ElasticNetRegressor,
    ElasticNetRegressorCV,
    L1Regressor,
    L1RegressorCV,
    L2Regressor,
    L2RegressorCV,
    alpha_max,
    regularization_path,
    soft_threshold,
)

ESTIMATORS = {
    "l1": lambda **kw: L1Regressor(**kw),
    "enet": lambda **kw: ElasticNetRegressor(**kw),
    "l2": lambda **kw: L2Regressor(**kw),
}
L1_RATIO = {"l1": 1.0, "enet": 0.5, "l2": 0.0}


def _data(n=12, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    return X, y


# Where solver work starts (a design, a data pass, a fold, a fit, a decomposition), named as
# the caller looks it up.
SOLVER_ENTRY_POINTS = [
    "sparsereg._estimators.solve_enet",
    "sparsereg._estimators.solve_ridge",
    "sparsereg._path.build_path",
    "sparsereg._problem._inputs.make_design",
    "sparsereg._problem._inputs.dask_design",
    "sparsereg._problem._dask.block_stats",
    "sparsereg._cv.fold_designs",
    "sparsereg._cv.row_fold",
    "sparsereg._cv.reported_fold_mse",
    "sparsereg._cv.leave_one_out_spectrum",
    "sparsereg._cv.build_path",
    "sparsereg._folds.make_design",
    "sparsereg._folds.compact_path",
    "sparsereg._cv.statistics_folds",
]


@pytest.fixture
def no_solver_work(monkeypatch):
    """Validation must come before any solver work: make the solver layers explode.

    Patched strictly (``raising=True``): when an entry point is renamed or moved, every test
    using this fixture fails until the list above follows, instead of silently guarding
    nothing.
    """
    def boom(*args, **kwargs):
        raise AssertionError("solver work started before the input was validated")

    for target in SOLVER_ENTRY_POINTS:
        monkeypatch.setattr(target, boom)


def _copies(*arrays):
    return [a.copy() if a is not None else None for a in arrays]


def _same(a, b):
    if a is None:
        return b is None
    if sp.issparse(a):
        return (np.array_equal(a.data, b.data, equal_nan=True)
                and np.array_equal(a.indices, b.indices)
                and np.array_equal(a.indptr, b.indptr))
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def _bad_cases():
    """(id, X, y, sample_weight, estimator params, exception, regex naming the parameter)."""
    X, y = _data()
    n, p = X.shape
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    Xinf = X.copy()
    Xinf[0, 2] = np.inf
    Xninf = X.copy()
    Xninf[5, 0] = -np.inf
    ynan = y.copy()
    ynan[4] = np.nan
    yinf = y.copy()
    yinf[2] = np.inf
    Xs_nan = sp.csr_matrix(X)
    Xs_nan.data[3] = np.nan
    sw = np.ones(n)
    sw_neg = sw.copy()
    sw_neg[2] = -0.5
    sw_nan = sw.copy()
    sw_nan[1] = np.nan
    pf = np.ones(p)
    pf_neg = pf.copy()
    pf_neg[0] = -1.0
    pf_nan = pf.copy()
    pf_nan[1] = np.nan
    X_name = r"\bX\b"
    return [
        ("X_nan", Xnan, y, None, {}, ValueError, X_name),
        ("X_inf", Xinf, y, None, {}, ValueError, X_name),
        ("X_neg_inf", Xninf, y, None, {}, ValueError, X_name),
        ("X_sparse_nan", Xs_nan, y, None, {}, ValueError, X_name),
        ("y_nan", X, ynan, None, {}, ValueError, r"\by\b"),
        ("y_inf", X, yinf, None, {}, ValueError, r"\by\b"),
        ("y_too_short", X, y[:-1], None, {}, ValueError, r"\b(X|y)\b"),
        ("y_too_long", X, np.append(y, 1.0), None, {}, ValueError, r"\b(X|y)\b"),
        ("y_3d", X, np.c_[y, y][:, :, None], None, {}, ValueError, r"\by\b"),
        ("y_no_column", X, np.empty((n, 0)), None, {}, ValueError, r"\by\b"),
        ("y_2d_too_short", X, np.c_[y, y][:-1], None, {}, ValueError, r"\b(X|y)\b"),
        ("y_sparse", X, sp.csr_matrix(np.c_[y, y]), None, {}, TypeError, r"\by\b"),
        ("sw_too_short", X, y, sw[:-1], {}, ValueError, "sample_weight"),
        ("sw_negative", X, y, sw_neg, {}, ValueError, "sample_weight"),
        ("sw_nan", X, y, sw_nan, {}, ValueError, "sample_weight"),
        ("sw_all_zero", X, y, np.zeros(n), {}, ValueError, "sample_weight"),
        ("sw_2d", X, y, np.ones((n, 2)), {}, ValueError, "sample_weight"),
        ("alpha_negative", X, y, None, {"alpha": -0.1}, ValueError, "alpha"),
        ("alpha_nan", X, y, None, {"alpha": np.nan}, ValueError, "alpha"),
        ("alpha_inf", X, y, None, {"alpha": np.inf}, ValueError, "alpha"),
        ("alpha_string", X, y, None, {"alpha": "0.1"}, TypeError, "alpha"),
        ("alpha_none", X, y, None, {"alpha": None}, TypeError, "alpha"),
        ("pf_too_short", X, y, None, {"penalty_factor": pf[:-1]}, ValueError,
         "penalty_factor"),
        ("pf_too_long", X, y, None, {"penalty_factor": np.ones(p + 1)}, ValueError,
         "penalty_factor"),
        ("pf_negative", X, y, None, {"penalty_factor": pf_neg}, ValueError, "penalty_factor"),
        ("pf_nan", X, y, None, {"penalty_factor": pf_nan}, ValueError, "penalty_factor"),
        ("pf_2d", X, y, None, {"penalty_factor": np.ones((p, 1))}, (ValueError, TypeError),
         "penalty_factor"),
        ("pf_strings", X, y, None, {"penalty_factor": ["a"] * p}, (ValueError, TypeError),
         "penalty_factor"),
        ("empty_samples", np.empty((0, p)), np.empty(0), None, {}, ValueError, X_name),
        ("empty_features", np.empty((n, 0)), y, None, {}, ValueError, X_name),
        ("tol_negative", X, y, None, {"tol": -1e-4}, ValueError, "tol"),
        ("max_iter_zero", X, y, None, {"max_iter": 0}, ValueError, "max_iter"),
        ("max_iter_float", X, y, None, {"max_iter": 10.5}, TypeError, "max_iter"),
        ("solver_unknown", X, y, None, {"solver": "newton"}, ValueError, "solver"),
        ("fit_intercept_string", X, y, None, {"fit_intercept": "yes"}, (TypeError, ValueError),
         "fit_intercept"),
    ]


BAD = _bad_cases()


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("kind", list(ESTIMATORS))
@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input_raises_naming_the_parameter(kind, case):
    _, X, y, sw, params, exc, pattern = case
    est = ESTIMATORS[kind](**params)
    before = _copies(X, y, sw)
    with pytest.raises(exc, match=pattern):
        est.fit(X, y, sample_weight=sw)
    for a, b in zip((X, y, sw), before):
        assert _same(a, b), "input modified by a failing fit"
    assert not hasattr(est, "coef_")


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("l1_ratio", [-0.1, 1.1, np.nan, np.inf])
@pytest.mark.parametrize("positive_kw", [{}, {"positive": True}])
def test_enet_bad_l1_ratio(l1_ratio, positive_kw):
    X, y = _data()
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNetRegressor(0.1, l1_ratio, **positive_kw).fit(X, y)


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_enet_l1_ratio_bounds_are_valid(l1_ratio):
    X, y = _data()
    est = ElasticNetRegressor(0.1, l1_ratio).fit(X, y)
    assert np.all(np.isfinite(est.coef_))


def _alpha_max_cases():
    X, y = _data()
    n, p = X.shape
    out = []
    for cid, Xc, yc, sw, params, exc, pattern in BAD:
        if cid.startswith(("alpha_", "tol_", "max_iter", "solver", "fit_intercept", "pf_")):
            continue
        out.append((cid, Xc, yc, sw, {}, exc, pattern))
    pf_neg = np.ones(p)
    pf_neg[0] = -1
    out += [
        ("y_2d", X, np.c_[y, y], None, {}, ValueError, r"\by\b"),  # estimators take it
        ("pf_too_short", X, y, None, {"penalty_factor": np.ones(p - 1)}, ValueError,
         "penalty_factor"),
        ("pf_negative", X, y, None, {"penalty_factor": pf_neg}, ValueError, "penalty_factor"),
        ("l1_ratio_zero", X, y, None, {"l1_ratio": 0.0}, ValueError, "l1_ratio"),
        ("l1_ratio_negative", X, y, None, {"l1_ratio": -0.5}, ValueError, "l1_ratio"),
        ("l1_ratio_above_one", X, y, None, {"l1_ratio": 1.5}, ValueError, "l1_ratio"),
        ("l1_ratio_nan", X, y, None, {"l1_ratio": np.nan}, ValueError, "l1_ratio"),
    ]
    return out


ALPHA_MAX_BAD = _alpha_max_cases()


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("case", ALPHA_MAX_BAD, ids=[c[0] for c in ALPHA_MAX_BAD])
def test_alpha_max_bad_input(case):
    _, X, y, sw, params, exc, pattern = case
    before = _copies(X, y, sw)
    with pytest.raises(exc, match=pattern):
        alpha_max(X, y, sample_weight=sw, **params)
    for a, b in zip((X, y, sw), before):
        assert _same(a, b)


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_failing_fit_leaves_penalty_factor_and_weights_untouched(kind):
    X, y = _data()
    pf = np.array([1.0, 0.0, 2.0, -1.0])
    sw = np.array([1.0] * 11 + [-1.0])
    pf0, sw0 = pf.copy(), sw.copy()
    with pytest.raises(ValueError):
        ESTIMATORS[kind](penalty_factor=pf).fit(X, y)
    with pytest.raises(ValueError):
        ESTIMATORS[kind]().fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(pf, pf0)
    np.testing.assert_array_equal(sw, sw0)


# ----------------------------------------------------------------------------------------
# parameters of every estimator, the CV estimators and regularization_path: flags, verbose,
# solver, the relax / l1_ratio lists and noise_variance are checked before any solver work

ALL_ESTIMATORS = {
    "l1": L1Regressor, "enet": ElasticNetRegressor, "l2": L2Regressor,
    "l1cv": L1RegressorCV, "enetcv": ElasticNetRegressorCV, "l2cv": L2RegressorCV,
}
FLAGS = ("fit_intercept", "positive", "warm_start")
NOT_BOOLS = ["yes", None, 1, 0.0, "False"]


def _flag_cases():
    return [(kind, flag) for kind, cls in ALL_ESTIMATORS.items() for flag in FLAGS
            if flag in cls().get_params()]


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("kind,flag", _flag_cases())
@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_flags_must_be_bools(kind, flag, value):
    X, y = _data()
    est = ALL_ESTIMATORS[kind](**{flag: value})
    with pytest.raises(TypeError, match=rf"{flag} must be a bool"):
        est.fit(X, y)


@pytest.mark.parametrize("kind,flag", _flag_cases())
def test_flags_accept_numpy_bools(kind, flag):
    X, y = _data(n=20)
    est = ALL_ESTIMATORS[kind](**{flag: np.bool_(flag != "positive")})
    if kind.endswith("cv"):
        est.set_params(alphas=3, cv=3)
    assert np.all(np.isfinite(est.fit(X, y).coef_))


CV_KINDS = ["l1cv", "enetcv", "l2cv"]


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("kind", CV_KINDS)
@pytest.mark.parametrize("value,exc", [("yes", TypeError), (None, TypeError),
                                       (1.5, TypeError), (-1, ValueError)], ids=repr)
def test_verbose_must_be_a_non_negative_int(kind, value, exc):
    X, y = _data()
    with pytest.raises(exc, match="verbose"):
        ALL_ESTIMATORS[kind](verbose=value).fit(X, y)


@pytest.mark.parametrize("value", [True, np.bool_(False), np.int64(2)], ids=repr)
def test_verbose_accepts_bools_and_integers(value, capsys):
    X, y = _data(n=20)
    L1RegressorCV(alphas=3, cv=3, verbose=value).fit(X, y)
    assert ("fold 3 done" in capsys.readouterr().err) == bool(value)


PATH_SOLVER_CASES = [
    ("l1", "bad", r"'auto', 'cd', 'gram'"),
    ("l1", "svd", r"'auto', 'cd', 'gram'"),
    ("elasticnet", "cholesky", r"'auto', 'cd', 'gram'"),
    ("l2", "cd", r"'auto', 'cholesky', 'svd', 'cg', 'gradient'"),
    ("l2", None, r"'auto', 'cholesky', 'svd', 'cg', 'gradient'"),
]


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("penalty,solver,valid", PATH_SOLVER_CASES)
def test_path_solver_must_suit_the_penalty(penalty, solver, valid):
    X, y = _data()
    with pytest.raises(ValueError, match=rf"solver with penalty='{penalty}' must be one of "
                                         rf"\[{valid}\]"):
        regularization_path(X, y, penalty=penalty, solver=solver)


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("flag", ["fit_intercept", "positive"])
@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_path_flags_must_be_bools(flag, value):
    X, y = _data()
    with pytest.raises(TypeError, match=rf"{flag} must be a bool"):
        regularization_path(X, y, **{flag: value})


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_alpha_max_fit_intercept_must_be_a_bool(value):
    X, y = _data()
    with pytest.raises(TypeError, match="fit_intercept must be a bool"):
        alpha_max(X, y, fit_intercept=value)


NON_EMPTY_LIST = r"must be a float or a non-empty list of floats in \[0, 1\]"


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("make,name", [
    (lambda v: L1RegressorCV(relax=v), "relax"),
    (lambda v: ElasticNetRegressorCV(relax=v), "relax"),
    (lambda v: ElasticNetRegressorCV(l1_ratio=v), "l1_ratio"),
], ids=["l1cv-relax", "enetcv-relax", "enetcv-l1_ratio"])
@pytest.mark.parametrize("value,exc,match", [
    ([], ValueError, NON_EMPTY_LIST),
    (np.array([]), ValueError, NON_EMPTY_LIST),
    ([[0.5]], ValueError, NON_EMPTY_LIST),
    ([0.5, 1.5], ValueError, "must be <= 1"),
    ([0.5, np.nan], ValueError, "must be finite"),
    ([0.5, "a"], TypeError, "must be a real number"),
], ids=["empty", "empty_array", "nested", "above_one", "nan", "string"])
def test_cv_lists_checked_before_the_folds(make, name, value, exc, match):
    X, y = _data()
    with pytest.raises(exc, match=rf"{name} {match}"):
        make(value).fit(X, y)


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("kind", CV_KINDS)
@pytest.mark.parametrize("selection", ["min", "aic"])
@pytest.mark.parametrize("value,exc", [(-1, ValueError), (0.0, ValueError),
                                       (np.nan, ValueError), (np.inf, ValueError),
                                       ("1", TypeError)], ids=repr)
def test_noise_variance_checked_before_the_folds(kind, selection, value, exc):
    X, y = _data()
    est = ALL_ESTIMATORS[kind](noise_variance=value, selection=selection)
    with pytest.raises(exc, match="noise_variance"):
        est.fit(X, y)


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("kind", CV_KINDS)
@pytest.mark.parametrize("selection", ["aic", "bic"])
def test_information_criterion_without_noise_variance_fails_before_the_folds(kind,
                                                                             selection):
    X, y = _data(n=12, p=11)  # n <= p + 1: sigma^2 cannot be estimated
    with pytest.raises(ValueError, match="noise_variance must be given"):
        ALL_ESTIMATORS[kind](selection=selection, cv=3).fit(X, y)


@pytest.mark.usefixtures("no_solver_work")
@pytest.mark.parametrize("fit", [
    lambda X, y: regularization_path(X, y, penalty="l2", relax=0.5),
    lambda X, y: regularization_path(X, y, penalty="elasticnet", l1_ratio=0.0, relax=0.5),
    lambda X, y: ElasticNetRegressorCV(l1_ratio=0.0, relax=0.5).fit(X, y),
    lambda X, y: ElasticNetRegressorCV(l1_ratio=[0.0, 0.5], relax=[0.0, 1.0]).fit(X, y),
], ids=["path-l2", "path-enet-0", "enetcv-0", "enetcv-list-with-0"])
def test_relax_needs_an_l1_part_in_path_and_cv_alike(fit):
    X, y = _data()
    with pytest.raises(ValueError, match=r"relax applies to penalties with an L1 part, not "
                                         r"to l1_ratio=0"):
        fit(X, y)


@pytest.mark.usefixtures("no_solver_work")
def test_dask_cv_checks_fit_intercept_before_the_data_pass():
    da = pytest.importorskip("dask.array")
    X, y = _data(n=40)
    Xd = da.from_array(X, chunks=(10, X.shape[1]))
    for cls in (L1RegressorCV, ElasticNetRegressorCV, L2RegressorCV):
        for value in ("yes", None):
            with pytest.raises(TypeError, match="fit_intercept must be a bool"):
                cls(cv=3, fit_intercept=value).fit(Xd, y)
        with pytest.raises(TypeError, match="verbose"):
            cls(cv=3, verbose="yes").fit(Xd, y)


@pytest.mark.parametrize("t,exc,match", [
    (np.nan, ValueError, "finite"),
    (np.inf, ValueError, "finite"),
    (-0.5, ValueError, "non-negative"),
    ([1.0, np.nan], ValueError, "finite"),
    ([1.0, -1.0], ValueError, "non-negative"),
    ("1", TypeError, "real"),
    (1j, TypeError, "real"),
    (None, TypeError, "real"),
], ids=["nan", "inf", "negative", "array_nan", "array_negative", "string", "complex",
        "none"])
def test_soft_threshold_threshold_must_be_finite_non_negative(t, exc, match):
    with pytest.raises(exc, match=rf"\bt \(the threshold\) must be .*{match}"):
        soft_threshold(np.array([1.0, 2.0]), t)


def test_soft_threshold_propagates_nan_in_z():
    out = soft_threshold(np.array([np.nan, 2.0, -np.inf, 0.5]), 1.0)
    np.testing.assert_array_equal(out, [np.nan, 1.0, -np.inf, 0.0])
    assert np.isnan(soft_threshold(np.nan, 0.0))
    with pytest.raises(TypeError, match=r"\bz must be real"):
        soft_threshold("1.0", 1.0)


# ----------------------------------------------------------------------------------------
# hard but valid problems: converge (checked by an independent certificate) or warn


GAP_IN_MESSAGE = re.compile(r"duality gap[^0-9+-]*([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)")


def _converge_or_warn(est, X, y, *, sw=None, pf=None, alpha, l1_ratio, fit_intercept=True,
                      positive=False):
    """Fit; either a ConvergenceWarning states the gap reached (equal to dual_gap_), or the
    independently recomputed gap meets tol * P(0). Returns the estimator and the gap."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est.fit(X, y, sample_weight=sw)
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    conv = [w for w in rec if issubclass(w.category, ConvergenceWarning)]
    gap = ref.dual_gap(ref.as_dense(X), y, est.coef_.astype(float), float(est.intercept_),
                       alpha, l1_ratio, sample_weight=sw, penalty_factor=pf,
                       fit_intercept=fit_intercept, positive=positive)[0]
    if conv:
        msg = str(conv[-1].message)
        match = GAP_IN_MESSAGE.search(msg)
        assert match, f"ConvergenceWarning does not state the gap reached: {msg!r}"
        assert float(match.group(1)) == pytest.approx(est.dual_gap_, rel=1e-2)
    else:
        P0 = ref.null_objective(y, sw, fit_intercept)
        assert gap <= est.tol * P0 + ref.gap_floor(y, sw, fit_intercept), (
            f"no ConvergenceWarning but gap {gap:.3e} > tol * P(0) = {est.tol * P0:.3e}")
    return est, gap, bool(conv)


def _solvers(kind, sparse):
    if kind == "l2":
        return ["auto", "cholesky", "gradient"] + ([] if sparse else ["svd"])
    return ["auto", "cd", "gram"]


def _alpha(X, y, kind, frac=0.05, **kw):
    """A fraction of the lasso's alpha_max (the natural scale, for every kind)."""
    return frac * ref.alpha_max(ref.as_dense(X), y, **kw)


CASES_KIND_SPARSE = [(k, s) for k in ESTIMATORS for s in (False, True)]


@pytest.mark.parametrize("kind,sparse", CASES_KIND_SPARSE)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_constant_columns(kind, sparse, fit_intercept):
    rng = np.random.default_rng(1)
    n, p = 40, 6
    X = rng.standard_normal((n, p))
    X[:, 1] = 3.0  # constant
    X[:, 4] = 0.0  # all zeros
    y = X[:, 0] - 2 * X[:, 2] + 0.5 * rng.standard_normal(n) + 1.0
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, fit_intercept=fit_intercept)
    for solver in _solvers(kind, sparse):
        est = ESTIMATORS[kind](alpha=alpha, fit_intercept=fit_intercept, solver=solver,
                               tol=1e-8, max_iter=100_000)
        if kind == "enet":
            est.set_params(l1_ratio=0.5)
        est, gap, warned = _converge_or_warn(est, Xf, y, alpha=alpha, l1_ratio=L1_RATIO[kind],
                                             fit_intercept=fit_intercept)
        assert not warned, f"{solver}: no convergence on a problem with constant columns"
        # all-zero column: its coefficient is 0 in every model
        assert abs(est.coef_[4]) <= 1e-12 * np.abs(est.coef_).max()
        if fit_intercept:  # the constant column is absorbed by the intercept
            if kind == "l2":
                assert abs(est.coef_[1]) <= 1e-8 * np.abs(est.coef_).max()
            else:
                assert est.coef_[1] == 0.0
                assert est.coef_[4] == 0.0
        assert est.n_nonzero_ == np.count_nonzero(est.coef_)


@pytest.mark.parametrize("kind,sparse", CASES_KIND_SPARSE)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_duplicated_columns(kind, sparse, fit_intercept):
    rng = np.random.default_rng(2)
    n = 50
    base = rng.standard_normal((n, 4))
    X = np.column_stack([base, base[:, 0], base[:, 1], base[:, 0]])  # 0 == 4 == 6, 1 == 5
    y = 2 * base[:, 0] - base[:, 1] + 0.3 * rng.standard_normal(n)
    Xf = sp.csr_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, fit_intercept=fit_intercept)
    l1_ratio = L1_RATIO[kind]
    for solver in _solvers(kind, sparse):
        est = ESTIMATORS[kind](alpha=alpha, fit_intercept=fit_intercept, solver=solver,
                               tol=1e-8, max_iter=100_000)
        if kind == "enet":
            est.set_params(l1_ratio=l1_ratio)
        est, gap, warned = _converge_or_warn(est, Xf, y, alpha=alpha, l1_ratio=l1_ratio,
                                             fit_intercept=fit_intercept)
        assert not warned
        G = gap + ref.gap_floor(y, None, fit_intercept)
        if l1_ratio < 1:
            # strictly convex: duplicates share the weight equally. |w_j - w_j*| <=
            # sqrt(2 G / bb_j) (bb = alpha (1 - l1_ratio)), and w*_0 = w*_4 = w*_6.
            bound = 2 * np.sqrt(2 * G / (alpha * (1 - l1_ratio))) + 1e-9 * np.abs(est.coef_).max()
            for j, k in ((0, 4), (0, 6), (1, 5)):
                assert abs(est.coef_[j] - est.coef_[k]) <= bound
        else:
            # lasso: any split is optimal, but the merged coefficients u (sums over the
            # copies) are determined: P_base(u) <= P_dup(w) (same fit; the triangle
            # inequality bounds the penalty) and both problems have the same optimum, so
            # P_base(u) - P* <= G; base has full column rank, so ||u - u*|| <= sqrt(2G/mu).
            w = est.coef_.astype(float)
            u = np.array([w[0] + w[4] + w[6], w[1] + w[5], w[2], w[3]])
            single = L1Regressor(alpha, fit_intercept=fit_intercept, tol=1e-10,
                                 max_iter=100_000).fit(base, y)
            G1 = ref.dual_gap(base, y, single.coef_, single.intercept_, alpha, 1.0,
                              fit_intercept=fit_intercept)[0] + ref.gap_floor(y)
            mu = ref.strong_convexity(base, alpha, 1.0, fit_intercept=fit_intercept)
            assert mu > 0
            bound = np.sqrt(2 * G / mu) + np.sqrt(2 * G1 / mu)
            assert np.linalg.norm(u - single.coef_) <= bound * (1 + 1e-9) + 1e-12


@pytest.mark.parametrize("kind,sparse", CASES_KIND_SPARSE)
@pytest.mark.parametrize("frac", [0.5, 0.05, 0.005])
def test_p_much_larger_than_n(kind, sparse, frac):
    rng = np.random.default_rng(3)
    n, p = 20, 500
    X = rng.standard_normal((n, p))
    if sparse:
        X *= rng.random((n, p)) < 0.3
    y = X[:, :5] @ np.array([3.0, -2.0, 1.5, 1.0, -1.0]) + 0.1 * rng.standard_normal(n)
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, frac=frac)
    for solver in _solvers(kind, sparse):
        est = ESTIMATORS[kind](alpha=alpha, solver=solver, tol=1e-6, max_iter=20_000)
        if kind == "enet":
            est.set_params(l1_ratio=0.5)
        est, gap, warned = _converge_or_warn(est, Xf, y, alpha=alpha, l1_ratio=L1_RATIO[kind])
        assert not warned, f"{solver}: p >> n did not converge"


@pytest.mark.parametrize("kind,sparse", CASES_KIND_SPARSE)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("frac", [0.3, 0.01])
def test_badly_scaled_features(kind, sparse, fit_intercept, frac):
    rng = np.random.default_rng(4)
    n, p = 60, 9
    Z = rng.standard_normal((n, p)) + 0.5
    y = Z @ rng.choice([-1.0, 0.0, 1.0, 2.0], p) + 0.3 * rng.standard_normal(n)
    X = Z * np.logspace(-8, 8, p)  # features scaled 1e-8 .. 1e8
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, frac=frac, fit_intercept=fit_intercept)
    for solver in _solvers(kind, sparse):
        est = ESTIMATORS[kind](alpha=alpha, fit_intercept=fit_intercept, solver=solver,
                               tol=1e-6, max_iter=5_000)
        if kind == "enet":
            est.set_params(l1_ratio=0.5)
        _converge_or_warn(est, Xf, y, alpha=alpha, l1_ratio=L1_RATIO[kind],
                          fit_intercept=fit_intercept)


@pytest.mark.parametrize("kind,solver", [("l1", "cd"), ("l1", "gram"), ("enet", "cd"),
                                         ("enet", "gram"), ("l2", "gradient")])
@pytest.mark.parametrize("sparse", [False, True])
def test_max_iter_one_warns_with_duality_gap(kind, solver, sparse):
    rng = np.random.default_rng(5)
    n, p = 200, 30
    X = rng.standard_normal((n, p)) @ (np.eye(p) + 0.9 * np.ones((p, p)) / p)  # correlated
    y = X @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, frac=1e-3)
    est = ESTIMATORS[kind](alpha=alpha, solver=solver, tol=1e-12, max_iter=1)
    if kind == "enet":
        est.set_params(l1_ratio=0.5)
    with pytest.warns(ConvergenceWarning, match="duality gap") as rec:
        est.fit(Xf, y)
    msg = str([w for w in rec if issubclass(w.category, ConvergenceWarning)][-1].message)
    match = GAP_IN_MESSAGE.search(msg)
    assert match, msg
    assert float(match.group(1)) == pytest.approx(est.dual_gap_, rel=1e-2)
    assert est.dual_gap_ > 1e-12 * ref.null_objective(y, None, True)
    assert np.all(np.isfinite(est.coef_))
    # the reported gap is a valid certificate of the returned (unconverged) model
    primal = ref.objective(X, y, est.coef_, est.intercept_, alpha, L1_RATIO[kind])
    p_ref = ref.reference_objective(X, y, alpha, L1_RATIO[kind], n_iter=500,
                                    start=est.coef_)
    assert est.dual_gap_ >= primal - p_ref - ref.gap_floor(y, None, True)


@pytest.mark.parametrize("kind,solver", [("l1", "cd"), ("l1", "gram"), ("enet", "cd"),
                                         ("enet", "gram"), ("l2", "cholesky"),
                                         ("l2", "gradient")])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("offset", [1e4, 1e6, 1e8])
def test_large_offset_in_y_converges_or_warns(kind, solver, sparse, offset):
    """y = offset + signal: float64 holds the signal to ~offset * 1e-16, far below its
    spread, and with an intercept the problem is the same for every offset (sklearn centres
    y first). A fit must still meet tol * P(0) (P(0) is offset-free) or warn: never
    silently return a poor model."""
    rng = np.random.default_rng(6)
    n, p = 50, 5
    X = rng.standard_normal((n, p))
    signal = X @ np.array([1.0, 0.0, 0.0, 2.0, 0.0]) + rng.standard_normal(n)
    y = signal + offset
    Xf = sp.csc_matrix(X) if sparse else X
    alpha = _alpha(X, y, kind, frac=0.05)
    est = ESTIMATORS[kind](alpha=alpha, solver=solver, max_iter=10_000)
    if kind == "enet":
        est.set_params(l1_ratio=0.5)
    est, gap, warned = _converge_or_warn(est, Xf, y, alpha=alpha, l1_ratio=L1_RATIO[kind])
    assert est.intercept_ == pytest.approx(offset, rel=1e-3)
    if not warned:
        # same model as without the offset (translation only moves the intercept)
        base = ESTIMATORS[kind](alpha=alpha, solver=solver, tol=1e-10, max_iter=100_000)
        if kind == "enet":
            base.set_params(l1_ratio=0.5)
        base.fit(Xf, signal)
        P0 = ref.null_objective(y)
        mu = ref.strong_convexity(X, alpha, L1_RATIO[kind])
        # certified: ||w - w*|| <= sqrt(2 G / mu), both fits
        G = gap + ref.gap_floor(signal)
        G0 = ref.dual_gap(X, signal, base.coef_, base.intercept_, alpha, L1_RATIO[kind])[0]
        bound = np.sqrt(2 * G / mu) + np.sqrt(2 * (G0 + ref.gap_floor(signal)) / mu)
        assert np.linalg.norm(est.coef_ - base.coef_) <= bound * (1 + 1e-6) + 1e-9
        assert gap <= est.tol * P0 + ref.gap_floor(signal)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gram_with_column_means_far_above_their_spread(weighted, dtype):
    """Columns ``1e6 * j + noise``: ``X^T X - S mu mu^T`` would cancel all digits of the spread,
    so the Gram kernel must centre before the product. The translated problem (X minus its
    means: same solution) is the independent reference."""
    rng = np.random.default_rng(11)
    n, p = 3000, 8
    noise = rng.standard_normal((n, p))
    X = (noise + 1e6 * np.arange(1, p + 1)).astype(dtype)
    y = noise @ rng.standard_normal(p) + rng.standard_normal(n)
    sw = rng.uniform(0.5, 2.0, n) if weighted else None
    alpha = 0.02
    if dtype == np.float32:
        # a float32 intercept of size 1e6 is only good to ~0.1: the stored model says so
        with pytest.warns(ConvergenceWarning, match="rounded to float32"):
            est = L1Regressor(alpha, solver="gram", tol=1e-10).fit(X, y, sample_weight=sw)
    else:
        est = L1Regressor(alpha, solver="gram", tol=1e-10).fit(X, y, sample_weight=sw)
    X64 = X.astype(np.float64)
    s = ref.weights_or_ones(sw, n)
    centred = X64 - s @ X64 / s.sum()
    base = L1Regressor(alpha, solver="cd", tol=1e-12).fit(centred, y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, base.coef_, rtol=1e-4, atol=1e-6)
    gap = ref.dual_gap(X64, y, est.coef_, est.intercept_, alpha, 1.0, sample_weight=sw)[0]
    if dtype == np.float64:
        assert gap <= 1e-8 * ref.null_objective(y, sw)
    else:  # the certificate of the stored float32 model covers its rounding
        assert gap <= est.dual_gap_ * (1 + 1e-9)


# ----------------------------------------------------------------------------------------
# ridge leave-one-out (L2RegressorCV's cv=None) on few samples and on sparse wide X


def _brute_force_loo(X, y, alpha):
    """Leave-one-out squared errors of ridge (sum-scale penalty alpha * n), n refits."""
    n, p = X.shape
    errors = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        Xk, yk = X[keep], y[keep]
        mx, my = Xk.mean(0), yk.mean()
        w = np.linalg.solve((Xk - mx).T @ (Xk - mx) + alpha * n * np.eye(p),
                            (Xk - mx).T @ (yk - my))
        errors[i] = (y[i] - (X[i] - mx) @ w - my) ** 2
    return errors


@pytest.mark.parametrize("n", [2, 3, 4])
def test_l2_cv_leave_one_out_on_few_samples_builds_no_folds(n, monkeypatch):
    def no_folds(*args, **kwargs):
        raise AssertionError("folds built for leave-one-out")

    monkeypatch.setattr("sparsereg._cv.row_fold", no_folds)
    X, y = _data(n=n, p=3, seed=n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", GridEdgeWarning)  # tiny random data: any edge
        model = L2RegressorCV(store_cv_results=True).fit(X, y)
        assert model.mse_path_.shape == (100, n)
        model = L2RegressorCV(alphas=[0.05, 0.5, 5.0], store_cv_results=True).fit(X, y)
    for k, alpha in enumerate(model.alphas_):
        np.testing.assert_allclose(model.mse_path_[k], _brute_force_loo(X, y, alpha),
                                   rtol=1e-8)


def _sparse_wide(n=30, p=2500, seed=7):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=0.01, format="csr", random_state=seed)
    y = np.asarray(X[:, :20] @ rng.standard_normal(20)).ravel() + rng.standard_normal(n)
    return X, y, rng


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("unpenalized", [False, True])
def test_l2_cv_sparse_wide_is_leave_one_out_without_densifying(fit_intercept, weighted,
                                                               unpenalized, monkeypatch):
    """Sparse X with p > n (and p > 2000) used to run 5 folds silently; it is now exact
    leave-one-out through the n x n kernel, equal to the dense (SVD) computation."""
    X, y, rng = _sparse_wide()
    n, p = X.shape
    sw = rng.uniform(0.5, 2.0, n) if weighted else None
    v = rng.uniform(0.5, 2.0, p)
    if unpenalized:
        v[:2] = 0.0
    params = dict(alphas=6, fit_intercept=fit_intercept, penalty_factor=v,
                  store_cv_results=True)

    dense = L2RegressorCV(**params).fit(X.toarray(), y, sample_weight=sw)
    densified = []
    for cls in (sp.csr_matrix, sp.csc_matrix):  # record every sparse -> dense conversion
        def spy(self, *args, _to_dense=cls.toarray, **kwargs):
            densified.append(self.shape)
            return _to_dense(self, *args, **kwargs)
        monkeypatch.setattr(cls, "toarray", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", GridEdgeWarning)  # random data: any edge
        model = L2RegressorCV(**params).fit(X, y, sample_weight=sw)
    # the n x n kernel and the unpenalized columns only, never n x p
    assert densified and all(shape[1] < p for shape in densified), densified
    assert model.mse_path_.shape == (6, n)
    np.testing.assert_allclose(model.mse_path_, dense.mse_path_, rtol=1e-7)
    # the default grids come from two decompositions (n x n kernel, thin SVD): round-off
    assert model.alpha_ == pytest.approx(dense.alpha_, rel=1e-9)


def test_l2_cv_sparse_wide_matches_ridgecv():
    from sklearn.linear_model import RidgeCV

    X, y, _ = _sparse_wide()
    model = L2RegressorCV(alphas=8, store_cv_results=True).fit(X, y)
    sk = RidgeCV(alphas=model.alphas_ * X.shape[0], store_cv_results=True).fit(X, y)
    np.testing.assert_allclose(model.mse_path_, sk.cv_results_.T, rtol=1e-7)


@pytest.mark.parametrize("case", ["too_many_samples", "all_unpenalized"])
def test_l2_cv_warns_when_leave_one_out_is_unavailable(case, monkeypatch):
    X, y, _ = _sparse_wide()
    # every column holds entries (mostly empty columns would be dropped first, leaving a
    # design narrow enough for the p x p decomposition)
    X = X + sp.random(*X.shape, density=0.1, format="csr", random_state=1)
    params = dict(alphas=4)
    if case == "too_many_samples":
        monkeypatch.setattr("sparsereg._loo.KERNEL_MAX_SAMPLES", 20)
        reason = "n x n kernel"
    else:
        X, y = _data(n=30, p=3)
        params["penalty_factor"] = np.zeros(3)
        reason = "every feature is unpenalized"
    with pytest.warns(UserWarning, match=rf"leave-one-out is not available: .*{reason}.*"
                                         r"5-fold cross-validation instead"):
        model = L2RegressorCV(**params).fit(X, y)
    assert model.mse_path_.shape == (4, 5)
