"""The logistic classifiers against scikit-learn, in scikit-learn, on separable data and on bad
input. Objective values are computed by ``tests/_reference_logistic.py`` (long double), and
every tolerance comes from a duality gap: the reported one, or one computed independently for
scikit-learn's solution (its P minus the reference's dual bound).

Mapping: ``C = 1 / (alpha * S)`` in ``LogisticRegression`` (``S`` the sum of the sample
weights times the class weights, which scikit-learn >= 1.2 also divides by), with the penalty
spelled ``l1_ratio`` (scikit-learn 1.8 deprecated ``penalty``).
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import _reference_logistic as rl
import sparsereg
from sparsereg import ElasticNetClassifier, L1Classifier, L2Classifier

CLASSIFIERS = (L1Classifier, L2Classifier, ElasticNetClassifier)


def make_data(K, n=150, p=6, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * np.array([1, 2, 0.5, 1, 3, 1.0])[:p] + 0.3
    score = X @ np.array([1.5, -0.6, 0.0, 0.0, 0.3, 0.0])[:p] + rng.standard_normal(n)
    if K == 2:
        y = np.where(score > 0.2, "yes", "no")
    else:
        y = np.array(["a", "b", "c", "d"])[np.digitize(score, np.quantile(score, [0.3, 0.6,
                                                                                 0.85])[:K - 1])]
    return X, y


def sklearn_fit(X, y, alpha, l1_ratio, solver, sample_weight=None, class_weight=None,
                fit_intercept=True, **kw):
    S = rl.total_weights(y, sample_weight, class_weight).sum()
    sk = LogisticRegression(C=1.0 / (alpha * S), l1_ratio=l1_ratio, solver=solver,
                            class_weight=class_weight, fit_intercept=fit_intercept,
                            random_state=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return sk.fit(X, y, sample_weight=sample_weight)


def assert_agree(est, sk, ref, l1_ratio):
    """Same problem, both near its minimum: the objectives are within the gaps (the reported
    one for sparsereg, an independent one for scikit-learn), and in the strongly convex
    (ridge) part the coefficients are within ``sqrt(2 G / mu)`` of each other."""
    P = ref.objective(est.coef_, est.intercept_)
    Ps = ref.objective(sk.coef_, sk.intercept_)
    Gs = float(Ps - ref.dual_bound(sk.coef_, sk.intercept_))
    slack = 1e-13 * ref.null_objective()
    assert P - Ps <= est.dual_gap_ + slack, (float(P - Ps), est.dual_gap_)
    assert Ps - P <= Gs + slack, (float(Ps - P), Gs)
    assert est.dual_gap_ <= est.tol * ref.null_objective()
    mu = float(ref.bb.min())  # P is mu-strongly convex in W (alpha (1 - l1_ratio) v_min)
    if mu > 0:
        bound = np.sqrt(2 * est.dual_gap_ / mu) + np.sqrt(2 * max(Gs, 0) / mu)
        assert np.linalg.norm(est.coef_ - sk.coef_) <= bound * (1 + 1e-9) + 1e-12, bound
    return P, Ps


VARIANTS = ["dense", "csr", "csc", "float32", "sample_weight", "balanced", "dict",
            "no_intercept"]


def variant(name, X, y):
    rng = np.random.default_rng(7)
    kw = dict(sample_weight=None, class_weight=None, fit_intercept=True)
    Xf = X
    if name in ("csr", "csc"):
        X = X * (rng.random(X.shape) < 0.6)
        Xf = getattr(sp, f"{name}_matrix")(X)
    elif name == "float32":
        X = X.astype(np.float32).astype(np.float64)
        Xf = X.astype(np.float32)
    elif name == "sample_weight":
        kw["sample_weight"] = rng.uniform(0.2, 3.0, X.shape[0]) * (rng.random(X.shape[0]) > .1)
    elif name == "balanced":
        kw["class_weight"] = "balanced"
    elif name == "dict":
        labels = np.unique(y)
        kw["class_weight"] = {c: 0.5 + k for k, c in enumerate(labels)}
    elif name == "no_intercept":
        kw["fit_intercept"] = False
    return X, Xf, kw


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("name", VARIANTS)
def test_l2_matches_lbfgs(K, name):
    X, y = make_data(K)
    X, Xf, kw = variant(name, X, y)
    alpha = 0.01
    est = L2Classifier(alpha=alpha, tol=1e-10, max_iter=1000,
                       class_weight=kw["class_weight"], fit_intercept=kw["fit_intercept"])
    est.fit(Xf, y, sample_weight=kw["sample_weight"])
    sk = sklearn_fit(X, y, alpha, 0.0, "lbfgs", tol=1e-14, max_iter=10000, **kw)
    ref = rl.Problem(X, y, alpha, 0.0, **kw)
    assert est.classes_.tolist() == sk.classes_.tolist()
    assert est.coef_.shape == sk.coef_.shape and est.intercept_.shape == sk.intercept_.shape
    assert_agree(est, sk, ref, 0.0)
    assert np.mean(est.predict(Xf) == sk.predict(X)) >= 0.98


def test_l1_binary_matches_liblinear():
    """liblinear penalizes the intercept (|b| / intercept_scaling): with a scaling of 1e4 its
    bias is below 1e-8 in the objective here; coefficients of the unique L1 solution and the
    support agree."""
    X, y = make_data(2)
    alpha = 0.02
    est = L1Classifier(alpha=alpha, tol=1e-10).fit(X, y)
    sk = sklearn_fit(X, y, alpha, 1.0, "liblinear", tol=1e-12, max_iter=100000,
                     intercept_scaling=1e4)
    ref = rl.Problem(X, y, alpha, 1.0)
    P, Ps = ref.objective(est.coef_, est.intercept_), ref.objective(sk.coef_, sk.intercept_)
    assert P - Ps <= est.dual_gap_
    assert Ps - P <= 1e-8 * ref.null_objective()  # liblinear's intercept penalty and tol
    np.testing.assert_array_equal(est.coef_ != 0, sk.coef_ != 0)
    np.testing.assert_allclose(est.coef_, sk.coef_, rtol=0, atol=1e-4)
    assert 0 < est.n_nonzero_ < X.shape[1]


@pytest.mark.parametrize("K, l1_ratio", [(2, 1.0), (2, 0.5), (3, 1.0), (3, 0.5), (4, 0.2)])
@pytest.mark.parametrize("name", ["dense", "csr", "sample_weight", "balanced",
                                  "no_intercept"])
def test_l1_and_elastic_net_match_saga(K, l1_ratio, name):
    X, y = make_data(K)
    X, Xf, kw = variant(name, X, y)
    alpha = 0.02
    est = ElasticNetClassifier(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10, max_iter=1000,
                               class_weight=kw["class_weight"],
                               fit_intercept=kw["fit_intercept"])
    est.fit(Xf, y, sample_weight=kw["sample_weight"])
    sk = sklearn_fit(X, y, alpha, l1_ratio, "saga", tol=1e-10, max_iter=50000, **kw)
    ref = rl.Problem(X, y, alpha, l1_ratio, **kw)
    assert_agree(est, sk, ref, l1_ratio)
    if l1_ratio == 1.0:
        assert 0 < np.count_nonzero(est.coef_) < est.coef_.size  # sparse, as sklearn's
        # the support is determined: saga's zeros have correlations well below alpha
        np.testing.assert_array_equal(est.coef_ != 0, np.abs(sk.coef_) > 1e-8)


def test_l2_multinomial_converges_on_a_small_standardised_problem():
    """BUG (reported): the class-by-class Newton steps of the multinomial loss do not move
    along the softmax's flat direction (the same vector added to every row of W leaves the
    loss unchanged), so the ridge penalty's pull towards column sums of 0 is followed only
    linearly. 200 x 5 standard normal features, 3 classes: at alpha=1e-3 the fit stops after
    100 iterations at a gap of 1.9e-6 (sklearn's lbfgs reaches 1e-16); re-centring each
    column of coef_ (loss unchanged) removes 99.5% of the suboptimality."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 5))
    eta = X @ rng.standard_normal((5, 3))
    P = np.exp(eta)
    P /= P.sum(axis=1, keepdims=True)
    y = (P.cumsum(axis=1) < rng.random((200, 1))).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = L2Classifier(alpha=1e-3, tol=1e-8).fit(X, y)
    ref = rl.Problem(X, y, 1e-3, 0.0)
    assert est.dual_gap_ <= 1e-8 * ref.null_objective()


def test_alpha_max_for_the_logistic_loss_as_documented():
    """BUG (reported): L1Classifier's docstring says every coefficient is zero for
    ``alpha >= sparsereg.alpha_max(X, y, loss="logistic")``, but alpha_max has no ``loss``
    parameter (TypeError)."""
    for K in (2, 3):
        X, y = make_data(K)
        amax = sparsereg.alpha_max(X, y, loss="logistic")
        assert amax == pytest.approx(rl.alpha_max(X, y), rel=1e-12)
        assert L1Classifier(alpha=amax).fit(X, y).n_nonzero_ == 0


def test_positive_with_an_unpenalized_feature_at_its_bound_converges():
    """BUG (reported): with ``positive=True`` an unpenalized feature (penalty_factor 0) is
    only constrained to ``w_j >= 0``, so its dual constraint is ``x_j^T theta <= 0``, not
    ``= 0``; the dual point is forced to the equality, which cannot hold when the bound is
    active, and the gap stays at P itself (0.6 here) although the returned fit is optimal
    to long-double precision (independent bracket)."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((100, 3))
    y = (X[:, 0] - 2 * X[:, 1] + rng.standard_normal(100) > 0).astype(int)
    est = L1Classifier(alpha=0.01, positive=True, penalty_factor=[1, 0, 1], tol=1e-8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X, y)
    ref = rl.Problem(X, y, 0.01, 1.0, penalty_factor=[1, 0, 1], positive=True)
    P, lower, upper = rl.certified_suboptimality(ref, est.coef_, est.intercept_)
    # the fit is within its certificate of the independent bracket's optimum
    assert P - lower <= est.dual_gap_ <= 1e-8 * ref.null_objective()
    assert est.coef_[0, 1] == 0
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert est.dual_gap_ <= 1e-8 * ref.null_objective()


# ----------------------------------------------------------------------------------------
# scikit-learn integration


@parametrize_with_checks([cls() for cls in CLASSIFIERS])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_grid_search_over_a_pipeline_scores_as_lbfgs():
    """GridSearchCV over Pipeline(StandardScaler, L2Classifier) with the log-loss: every
    alpha's CV score equals that of the same folds fitted by lbfgs at C = 1/(n_train alpha)."""
    X, y = make_data(3, n=120)
    grid = [1e-3, 1e-2, 1e-1]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()),
                     ("clf", L2Classifier(tol=1e-10, max_iter=2000))])
    search = GridSearchCV(pipe, {"clf__alpha": grid}, cv=cv, scoring="neg_log_loss")
    search.fit(X, y)
    expected = []
    for alpha in grid:
        scores = []
        for train, test in cv.split(X, y):
            scaler = StandardScaler().fit(X[train])
            sk = sklearn_fit(scaler.transform(X[train]), y[train], alpha, 0.0, "lbfgs",
                             tol=1e-14, max_iter=10000)
            scores.append(-log_loss(y[test], sk.predict_proba(scaler.transform(X[test])),
                                    labels=sk.classes_))
        expected.append(np.mean(scores))
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, atol=1e-6)
    assert search.best_params_["clf__alpha"] == grid[int(np.argmax(expected))]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_calibrated_classifier(cls):
    X, y = make_data(3)
    cal = CalibratedClassifierCV(cls(alpha=0.01), cv=3).fit(X, y)
    proba = cal.predict_proba(X)
    assert proba.shape == (X.shape[0], 3) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.mean(cal.predict(X) == y) > 0.5


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("K", [2, 3])
def test_clone_and_pickle_round_trip(cls, K):
    X, y = make_data(K)
    est = cls(alpha=0.01).fit(X, y)
    for other in (pickle.loads(pickle.dumps(est)), clone(est).fit(X, y)):
        np.testing.assert_array_equal(other.predict(X), est.predict(X))
        np.testing.assert_array_equal(other.predict_proba(X), est.predict_proba(X))
        np.testing.assert_array_equal(other.coef_, est.coef_)


# ----------------------------------------------------------------------------------------
# separable data


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("alpha", [0.0, 1e-12, 1e-6])
def test_separable_data_stays_finite(cls, K, alpha):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 3))
    y = np.digitize(X[:, 0], [0.0] if K == 2 else [-0.5, 0.5])  # separable by feature 0
    est = cls(alpha=alpha, max_iter=50)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", RuntimeWarning)
        est.fit(X, y)
        proba = est.predict_proba(X)
        log_proba = est.predict_log_proba(X)
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
    for a in (est.coef_, est.intercept_, proba, est.decision_function(X)):
        assert np.all(np.isfinite(a))
    assert not np.any(np.isnan(log_proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.isfinite(est.dual_gap_) and est.dual_gap_ > 0
    ref = rl.Problem(X, y, alpha, {L1Classifier: 1.0, L2Classifier: 0.0}.get(cls, 0.5))
    if not warned:
        assert est.dual_gap_ <= est.tol * ref.null_objective()
    assert np.isfinite(float(ref.objective(est.coef_, est.intercept_)))
    assert np.mean(est.predict(X) == y) == 1.0


# ----------------------------------------------------------------------------------------
# bad input


@pytest.fixture
def no_solver_work(monkeypatch):
    """Any design construction or solve fails the test: errors must come first."""
    def forbidden(*args, **kwargs):
        raise AssertionError("solver work started before the input was rejected")
    monkeypatch.setattr("sparsereg._classifiers.ClassDesign", forbidden)
    monkeypatch.setattr("sparsereg._classifiers.solve_logistic", forbidden)


BAD_PARAMS = [
    (dict(alpha=-1.0), ValueError, "alpha"),
    (dict(alpha="big"), TypeError, "alpha"),
    (dict(tol=-1e-3), ValueError, "tol"),
    (dict(max_iter=0), ValueError, "max_iter"),
    (dict(max_iter=2.5), (TypeError, ValueError), "max_iter"),
    (dict(penalty_factor=[1.0, 1.0]), ValueError, "penalty_factor"),
    (dict(penalty_factor=[1.0, -1.0, 1.0]), ValueError, "penalty_factor"),
    (dict(class_weight=[1.0, 2.0]), (TypeError, ValueError), "class_weight"),
    (dict(class_weight="even"), (TypeError, ValueError), "class_weight"),
    (dict(fit_intercept="yes"), (TypeError, ValueError), "fit_intercept"),
]


@pytest.mark.parametrize("cls", CLASSIFIERS)
@pytest.mark.parametrize("params, error, name", BAD_PARAMS)
def test_bad_parameters_are_named(cls, params, error, name, no_solver_work):
    X, y = make_data(2, n=20, p=3)
    with pytest.raises(error, match=name):
        cls(**params).fit(X, y)


@pytest.mark.parametrize("l1_ratio", [1.5, -0.1, np.nan])
def test_bad_l1_ratio(l1_ratio, no_solver_work):
    X, y = make_data(2, n=20, p=3)
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNetClassifier(l1_ratio=l1_ratio).fit(X, y)


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_bad_targets(cls, no_solver_work):
    X, _ = make_data(2, n=20, p=3)
    with pytest.raises(ValueError, match="class"):
        cls().fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="(?i)unknown label type|continuous"):
        cls().fit(X, np.linspace(0, 1, 20))
    with pytest.raises(ValueError, match="sample"):
        cls().fit(X, np.arange(20) % 2, sample_weight=-np.ones(20))
    with pytest.raises(ValueError):
        cls().fit(X[:10], np.arange(20) % 2)


def test_sample_weights_leaving_one_class_are_handled():
    """BUG (reported): zero sample weights on every sample of one class leave one effective
    class; the fit then targets tol * P(0) = tol * 0 (or round-off), runs max_iter
    iterations and warns (duality gap 3e-14 > tol * P(0) = 4e-19), instead of raising the
    clear single-class ValueError (as for y with one label) or returning the trivial fit."""
    X, _ = make_data(2, n=20, p=3)
    y = np.arange(20) % 2
    sw = (y == 1).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            est = L1Classifier(alpha=0.01).fit(X, y, sample_weight=sw)
        except ValueError as exc:
            assert "class" in str(exc)
        else:
            assert np.all(est.predict(X) == 1)
