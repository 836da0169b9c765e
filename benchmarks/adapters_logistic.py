"""Logistic adapters, one per library and solver, and the objective they are all mapped onto.

``adapter.fit(X, y, alpha, tol) -> (coef, intercept)`` runs exactly what a user's ``fit``
runs, with ``y`` integer labels (0/1, or 0..K-1). ``coef`` is ``(p,)`` for a binary problem
and ``(K, p)`` for a multinomial one; ``intercept`` a float or ``(K,)`` (zeros without an
intercept). Path adapters (problem L6) have ``run(X, y, alphas, tol) -> (coefs, intercepts)``
with ``coefs`` of shape ``(n_alphas, p)``. The objective (:func:`logistic_objective`) is

    P(W, b) = 1/n sum_i logloss(y_i, W x_i + b)
              + alpha sum (l1_ratio |W| + (1 - l1_ratio)/2 W^2),

evaluated here with numpy only, independently of every library, and certified by
:func:`logistic_gap` (a Fenchel duality gap). Parameter mappings, each checked by
``python -m benchmarks.bench_logistic --verify`` on small problems at tight tolerances:

- scikit-learn ``LogisticRegression``: ``C = 1 / (n alpha)`` and ``l1_ratio`` (1.9 spells the
  penalty with ``l1_ratio`` alone: ``penalty`` is deprecated). liblinear penalizes the
  intercept (a synthetic feature of value ``intercept_scaling``): it runs with
  ``intercept_scaling=1000`` (the penalty on b is then alpha |b| / 1000). Every solver gets
  ``random_state=0``: liblinear's coordinate order and saga's sampling are random otherwise
  (saga's accuracy at a given tol then varies from run to run). liblinear is binary only and has no elastic net; lbfgs is L2 only.
  For K >= 3 classes every other solver fits the multinomial loss.
- skglm: ``SparseLogisticRegression(alpha, l1_ratio)`` (ProxNewton) and
  ``GeneralizedLinearEstimator(Logistic(), L1 / L1_plus_L2, AndersonCD)``: same scale as P.
  Multiclass is one-vs-rest (a different objective), so skglm is binary only.
- celer ``LogisticRegression(C = 1 / (n alpha))``: L1 only, no intercept (the ``-noint``
  problems only).
- glum ``GeneralizedLinearRegressor(family="binomial", alpha, l1_ratio)``: half the mean
  binomial deviance = the mean logloss, same penalty. Binary only; skipped on the sparse
  p = 50000 problems (its IRLS allocates a dense (p+1)^2 Hessian).
- python-glmnet ``LogitNet(alpha=l1_ratio, lambda_path=[alpha], standardize=False)``:
  glmnet's binomial / multinomial objective is -loglik / n + lambda (mixing |W| +
  (1 - mixing)/2 W^2), so lambda = alpha (no sd(y) scaling, unlike the gaussian family).
  Multinomial: glmnet's default "ungrouped" penalty, i.e. elementwise L1.
- sparsereg ``L1Classifier`` / ``ElasticNetClassifier`` / ``L2Classifier``: P itself;
  ``tol`` is the duality gap relative to P(0).

Libraries are imported lazily (on first use).
"""


import numpy as np
import scipy.sparse as sp
from scipy.special import expit, logsumexp

from benchmarks import adapters
from benchmarks.adapters import HALF_DECADE, MAX_ITER

LIBLINEAR_SCALING = 1000.0


# ---------------------------------------------------------------------------------------------
# Objective and duality gap (numpy only)
# ---------------------------------------------------------------------------------------------

def _as_2d(coef, intercept):
    W = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    b = np.atleast_1d(np.asarray(intercept, dtype=np.float64)).ravel()
    return W, np.broadcast_to(b, (W.shape[0],)) if b.size == 1 else b


def penalty(coef, alpha, l1_ratio=1.0):
    """``alpha sum (l1_ratio |W| + (1 - l1_ratio)/2 W^2)``."""
    W = np.asarray(coef, dtype=np.float64)
    value = l1_ratio * float(np.abs(W).sum())
    if l1_ratio != 1.0:
        value += 0.5 * (1.0 - l1_ratio) * float((W * W).sum())
    return alpha * value


def logistic_loss(X, y, coef, intercept):
    """Mean logloss: binary ``log(1 + e^z) - y z`` with ``z = x.w + b``; multinomial
    ``logsumexp(z) - z_y`` with ``z = W x + b``."""
    W, b = _as_2d(coef, intercept)
    Z = np.asarray(X @ W.T) + b
    if W.shape[0] == 1:
        z = Z[:, 0]
        return float(np.mean(np.logaddexp(0.0, z) - y * z))
    return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]))


def logistic_objective(X, y, alpha, coef, intercept, l1_ratio=1.0):
    """P(W, b) of the module docstring, at the solver's own intercept."""
    return logistic_loss(X, y, coef, intercept) + penalty(coef, alpha, l1_ratio)


def _probabilities(Z):
    if Z.shape[1] == 1:
        return expit(Z)
    return np.exp(Z - logsumexp(Z, axis=1, keepdims=True))


def _optimal_intercept(Z0, Y, b, iters=50):
    """Newton on the intercepts alone (the offsets ``Z0 = X W^T`` fixed); pseudo-inverse for
    the singular multinomial Hessian."""
    n = Z0.shape[0]
    for _ in range(iters):
        Pr = _probabilities(Z0 + b)
        g = (Pr - Y).mean(axis=0)
        if np.max(np.abs(g)) < 1e-15:
            break
        H = (np.diag(Pr.sum(axis=0)) - Pr.T @ Pr) / n if Y.shape[1] > 1 else \
            np.array([[float(np.mean(Pr * (1.0 - Pr)))]])
        b = b - np.linalg.pinv(H) @ g
    return b


def _neg_entropy(Q):
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.where(Q > 0, Q * np.log(Q), 0.0).sum())


def logistic_gap(X, y, alpha, coef, intercept, l1_ratio=1.0, fit_intercept=True):
    """A certified bound on ``P(coef, intercept) - P*`` (Fenchel duality; library-free).

    With the intercept first made optimal for ``coef`` (Newton; it only lowers P), the dual
    point is ``U = s (softmax(Z) - Y)`` (binary: ``sigmoid(z) - y``; its columns then sum to
    zero, as the intercept's constraint requires), with ``s`` scaling ``||X^T U / n||_inf`` to
    ``alpha l1_ratio`` for the pure L1 penalty. The dual objective is
    ``-1/n sum_i negentropy(Y_i + U_i) - g*(-X^T U / n)``, with ``g*`` the penalty's conjugate
    (for the elastic net ``sum (|v| - a)_+^2 / (2 c)``, ``a = alpha l1_ratio``,
    ``c = alpha (1 - l1_ratio)``).
    """
    W, b = _as_2d(coef, intercept)
    n = X.shape[0]
    Y = y.astype(float)[:, None] if W.shape[0] == 1 else \
        np.eye(W.shape[0])[y]
    Z0 = np.asarray(X @ W.T)
    if fit_intercept:
        b = _optimal_intercept(Z0, Y, b.copy())
        U = _probabilities(Z0 + b) - Y
        U -= U.mean(axis=0)  # removes the last rounding error of the constraint
    else:
        U = _probabilities(Z0 + b) - Y
    G = np.asarray(X.T @ U).T / n  # (K, p): the gradient of the loss in W
    a, c = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    if c == 0.0:
        g_inf = float(np.max(np.abs(G)))
        s = min(1.0, a / g_inf) if g_inf > 0 else 1.0
        U, G = s * U, s * G
        conj = 0.0
    else:
        conj = float((np.maximum(np.abs(G) - a, 0.0) ** 2).sum()) / (2.0 * c)
    Q = np.clip(Y + U, 0.0, 1.0)
    if W.shape[0] == 1:
        dual = -(_neg_entropy(Q) + _neg_entropy(1.0 - Q)) / n - conj
    else:
        dual = -_neg_entropy(Q) / n - conj
    primal = logistic_objective(X, y, alpha, W if W.shape[0] > 1 else W[0], intercept,
                                l1_ratio)
    return primal - dual


# ---------------------------------------------------------------------------------------------
# Single-alpha adapters
# ---------------------------------------------------------------------------------------------

class Adapter(adapters.Adapter):
    """Base class (the least-squares benchmark's, plus ``fit_intercept``): ``name`` (table
    label), ``module`` (import name), ``tol_param``, ``tol_grid`` and, for the libraries that
    provide the reference P*, ``reference_tol``."""

    tol_start = 1e-4  # where the tolerance search starts (a typical matched value)
    numba = False  # compiles on first call (warmed up before any timing)
    max_iter = MAX_ITER  # lowered for the reference fits of sparsereg (see bench_logistic)

    def __init__(self, l1_ratio=1.0, fit_intercept=True):
        super().__init__(l1_ratio)
        self.fit_intercept = fit_intercept


def _penalty_name(l1_ratio):
    return "L1" if l1_ratio == 1.0 else "L2" if l1_ratio == 0.0 else "elastic net"


class Sparsereg(Adapter):
    """sparsereg L1Classifier / ElasticNetClassifier / L2Classifier (the lead's contract)."""

    module = "sparsereg"
    reference_tol = 1e-13
    numba = True

    @property
    def name(self):
        return {"L1": "sparsereg L1Classifier", "L2": "sparsereg L2Classifier"}.get(
            _penalty_name(self.l1_ratio), "sparsereg ElasticNetClassifier")

    def supports(self, problem):
        if not hasattr(self.lib(), "L1Classifier"):
            return "not available yet: sparsereg has no L1Classifier on this commit"
        return True

    def fit(self, X, y, alpha, tol):
        lib = self.lib()
        kw = dict(tol=tol, max_iter=self.max_iter, fit_intercept=self.fit_intercept)
        pen = _penalty_name(self.l1_ratio)
        model = (lib.L1Classifier(alpha=alpha, **kw) if pen == "L1" else
                 lib.L2Classifier(alpha=alpha, **kw) if pen == "L2" else
                 lib.ElasticNetClassifier(alpha=alpha, l1_ratio=self.l1_ratio, **kw)).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        self.dual_gap = getattr(model, "dual_gap_", None)
        return _squeeze(model.coef_), _squeeze(model.intercept_)


def _squeeze(a):
    """``(1, p) -> (p,)`` and ``(1,) -> float``; multinomial shapes unchanged."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2 and a.shape[0] == 1:
        return a[0]
    if a.ndim <= 1 and a.size == 1:
        return float(a.ravel()[0])
    return a


class SklearnLogistic(Adapter):
    """scikit-learn LogisticRegression(solver); ``C = 1 / (n alpha)``."""

    module = "sklearn.linear_model"

    def __init__(self, solver="saga", l1_ratio=1.0, fit_intercept=True):
        super().__init__(l1_ratio, fit_intercept)
        self.solver = solver
        self.tol_start = 1e-3 if solver == "saga" else 1e-4
        self.reference_tol = 1e-12 if solver == "saga" else None
        scaling = " [intercept_scaling=1000]" if solver == "liblinear" and fit_intercept else ""
        self.name = f"sklearn LogisticRegression({solver}){scaling}"

    def supports(self, problem):
        if self.solver == "liblinear" and problem.multinomial:
            return "binary only (one-vs-rest is a different objective)"
        if self.solver == "liblinear" and 0.0 < self.l1_ratio < 1.0:
            return "liblinear has no elastic-net penalty"
        if self.solver in ("lbfgs", "newton-cholesky") and self.l1_ratio != 0.0:
            return f"{self.solver} supports the L2 penalty only"
        return True

    def fit(self, X, y, alpha, tol):
        kw = dict(C=1.0 / (X.shape[0] * alpha), l1_ratio=self.l1_ratio, solver=self.solver,
                  tol=tol, max_iter=MAX_ITER, fit_intercept=self.fit_intercept)
        if self.solver == "liblinear":
            kw.update(intercept_scaling=LIBLINEAR_SCALING)
        model = self.lib().LogisticRegression(random_state=0, **kw).fit(X, y)
        self.n_iter = int(np.max(model.n_iter_))
        return _squeeze(model.coef_), _squeeze(model.intercept_)


class SkglmProxNewton(Adapter):
    """skglm SparseLogisticRegression (ProxNewton, working sets); ``tol``: KKT violation."""

    module = "skglm"
    name = "skglm SparseLogisticRegression (ProxNewton)"
    reference_tol = 1e-12
    numba = True

    def supports(self, problem):
        return "no multinomial datafit (multiclass = one-vs-rest)" if problem.multinomial \
            else True

    def fit(self, X, y, alpha, tol):
        model = self.lib().SparseLogisticRegression(
            alpha=alpha, l1_ratio=self.l1_ratio, tol=tol, max_iter=1000, max_epochs=MAX_ITER,
            fit_intercept=self.fit_intercept).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return _squeeze(model.coef_), _squeeze(model.intercept_)


class SkglmAndersonCD(SkglmProxNewton):
    """skglm GeneralizedLinearEstimator(Logistic, L1 / L1_plus_L2, AndersonCD)."""

    name = "skglm GLE(Logistic, AndersonCD)"
    reference_tol = None

    def fit(self, X, y, alpha, tol):
        from skglm import GeneralizedLinearEstimator
        from skglm.datafits import Logistic
        from skglm.penalties import L1, L1_plus_L2
        from skglm.solvers import AndersonCD

        pen = L1(alpha) if self.l1_ratio == 1.0 else L1_plus_L2(alpha, self.l1_ratio)
        solver = AndersonCD(tol=tol, max_iter=1000, max_epochs=MAX_ITER,
                            fit_intercept=self.fit_intercept)
        model = GeneralizedLinearEstimator(Logistic(), pen, solver).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return _squeeze(model.coef_), _squeeze(getattr(model, "intercept_", 0.0))


class Celer(Adapter):
    """celer LogisticRegression (celer-pn or celer), ``C = 1 / (n alpha)``; no intercept."""

    module = "celer"
    tol_start = 1e-3

    def __init__(self, solver="celer-pn", l1_ratio=1.0, fit_intercept=True):
        super().__init__(l1_ratio, fit_intercept)
        self.solver = solver
        self.name = f"celer LogisticRegression({solver})"

    def supports(self, problem):
        if problem.fit_intercept:
            return ("no intercept support (fit_intercept=True not implemented); see the "
                    "*-noint problems")
        if problem.l1_ratio != 1.0:
            return "L1 penalty only"
        return "binary only (one-vs-rest)" if problem.multinomial else True

    def fit(self, X, y, alpha, tol):
        model = self.lib().LogisticRegression(
            C=1.0 / (X.shape[0] * alpha), solver=self.solver, tol=tol, fit_intercept=False,
            max_iter=1000, max_epochs=MAX_ITER).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return _squeeze(model.coef_), 0.0


class Glum(Adapter):
    """glum GeneralizedLinearRegressor(family="binomial"); ``gradient_tol``."""

    module = "glum"
    name = "glum GeneralizedLinearRegressor(binomial)"
    tol_param = "gradient_tol"
    tol_start = 1e-3

    def supports(self, problem):
        p = problem.shape[1]
        if problem.multinomial:
            return "no multinomial family"
        if problem.sparse and p > 20_000:
            return (f"glum's IRLS allocates a dense (p+1)x(p+1) Hessian: "
                    f"{8 * (p + 1) ** 2 / 1e9:.0f} GB")
        return True

    def fit(self, X, y, alpha, tol):
        model = self.lib().GeneralizedLinearRegressor(
            family="binomial", alpha=alpha, l1_ratio=self.l1_ratio, gradient_tol=tol,
            max_iter=MAX_ITER, fit_intercept=self.fit_intercept).fit(X, y.astype(np.float64))
        self.n_iter = getattr(model, "n_iter_", None)
        return np.asarray(model.coef_, dtype=np.float64), float(model.intercept_)


class Glmnet(Adapter):
    """python-glmnet LogitNet; ``tol`` is glmnet's ``thr``. ``n_lambda == 1``: a one-element
    lambda path; otherwise a geometric path of ``n_lambda`` values from alpha_max (computed
    inside the timing) to alpha, the last fit returned."""

    module = "glmnet"
    tol_param = "tol (thr)"
    tol_start = 1e-6

    def __init__(self, n_lambda=1, l1_ratio=1.0, fit_intercept=True):
        super().__init__(l1_ratio, fit_intercept)
        self.n_lambda = n_lambda
        self.name = ("glmnet LogitNet, single lambda" if n_lambda == 1 else
                     f"glmnet LogitNet, {n_lambda}-lambda path to alpha")

    def fit(self, X, y, alpha, tol):
        if self.n_lambda == 1:
            lambdas = np.array([alpha])
        else:
            from benchmarks.problems_logistic import logistic_alpha_max

            lam_max = logistic_alpha_max(X, y, self.fit_intercept) / self.l1_ratio
            lambdas = np.geomspace(lam_max, alpha, self.n_lambda)
        coefs, intercepts = self.path(X, y, lambdas, tol)
        return coefs[-1], intercepts[-1]

    def path(self, X, y, lambdas, tol):
        """``(coefs (n_lambdas, [K,] p), intercepts (n_lambdas[, K]))`` along ``lambdas``."""
        model = self.lib().LogitNet(alpha=self.l1_ratio, lambda_path=lambdas,
                                    standardize=False, fit_intercept=self.fit_intercept,
                                    tol=tol, max_iter=MAX_ITER, n_splits=0).fit(X, y)
        self.n_iter = None
        coef = np.moveaxis(np.asarray(model.coef_path_), -1, 0)  # (n_lambdas, K or 1, p)
        b = np.moveaxis(np.atleast_2d(np.asarray(model.intercept_path_)), -1, 0)
        if coef.shape[1] == 1:
            coef, b = coef[:, 0], b[:, 0]
        if coef.shape[0] != len(lambdas):
            raise RuntimeError(f"glmnet returned {coef.shape[0]} of {len(lambdas)} lambdas")
        return coef, b


ADAPTERS = {
    "sparsereg": Sparsereg,
    "sklearn-saga": lambda **kw: SklearnLogistic("saga", **kw),
    "sklearn-liblinear": lambda **kw: SklearnLogistic("liblinear", **kw),
    "sklearn-lbfgs": lambda **kw: SklearnLogistic("lbfgs", **kw),
    "skglm": SkglmProxNewton,
    "skglm-cd": SkglmAndersonCD,
    "celer-pn": lambda **kw: Celer("celer-pn", **kw),
    "celer": lambda **kw: Celer("celer", **kw),
    "glmnet": Glmnet,
    "glmnet-path": lambda **kw: Glmnet(n_lambda=20, **kw),
    "glum": Glum,
}


def make_adapter(key, problem):
    """The adapter ``key`` set up for ``problem`` (its l1_ratio and intercept)."""
    return ADAPTERS[key](l1_ratio=problem.l1_ratio, fit_intercept=problem.fit_intercept)


# ---------------------------------------------------------------------------------------------
# Path adapters (L6): run(X, y, alphas, tol) -> (coefs (n_alphas, p), intercepts (n_alphas,))
# ---------------------------------------------------------------------------------------------

class PathAdapter(Adapter):
    """A whole path; ``alphas`` decreasing."""

    def run(self, X, y, alphas, tol):
        raise NotImplementedError


class SparseregPath(PathAdapter):
    """``sparsereg.regularization_path(X, y, loss="logistic", alphas=alphas, tol=tol)``."""

    module = "sparsereg"
    name = "sparsereg regularization_path(loss='logistic')"
    numba = True
    tol_start = 1e-5

    def supports(self, problem):
        import inspect

        params = inspect.signature(self.lib().regularization_path).parameters
        if "loss" not in params:
            return "not available yet: regularization_path has no loss= on this commit"
        return True

    def run(self, X, y, alphas, tol):
        path = self.lib().regularization_path(X, y, loss="logistic", alphas=alphas, tol=tol,
                                             max_iter=self.max_iter)
        coefs = np.asarray(path.coefs, dtype=np.float64)
        coefs = coefs.reshape(len(alphas), -1) if coefs.ndim == 3 else coefs
        return coefs, np.asarray(path.intercepts, dtype=np.float64).reshape(len(alphas))


class SklearnLoop(PathAdapter):
    """LogisticRegression refitted per alpha (saga: ``warm_start=True``; liblinear has no
    warm start: cold fits)."""

    module = "sklearn.linear_model"

    def __init__(self, solver="saga", **kw):
        super().__init__(**kw)
        self.solver = solver
        self.tol_start = 1e-4 if solver == "saga" else 3e-6
        self.name = ("sklearn saga, warm_start loop" if solver == "saga" else
                     "sklearn liblinear loop (no warm start) [intercept_scaling=1000]")

    def run(self, X, y, alphas, tol):
        n = X.shape[0]
        kw = dict(solver=self.solver, l1_ratio=self.l1_ratio, tol=tol, max_iter=MAX_ITER,
                  fit_intercept=self.fit_intercept)
        kw.update(random_state=0)
        if self.solver == "liblinear":
            kw.update(intercept_scaling=LIBLINEAR_SCALING)
        else:
            kw.update(warm_start=True)
        model = self.lib().LogisticRegression(C=1.0, **kw)
        coefs, intercepts = np.zeros((len(alphas), X.shape[1])), np.zeros(len(alphas))
        for k, alpha in enumerate(alphas):
            model.set_params(C=1.0 / (n * alpha)).fit(X, y)
            coefs[k], intercepts[k] = model.coef_[0], model.intercept_[0]
        return coefs, intercepts


class SkglmLoop(PathAdapter):
    """skglm SparseLogisticRegression refitted per alpha with ``warm_start=True``."""

    module = "skglm"
    name = "skglm SparseLogisticRegression warm_start loop"
    numba = True
    tol_start = 1e-6

    def run(self, X, y, alphas, tol):
        model = self.lib().SparseLogisticRegression(
            alpha=alphas[0], l1_ratio=self.l1_ratio, tol=tol, max_iter=1000,
            max_epochs=MAX_ITER, fit_intercept=self.fit_intercept, warm_start=True)
        coefs, intercepts = np.zeros((len(alphas), X.shape[1])), np.zeros(len(alphas))
        for k, alpha in enumerate(alphas):
            model.set_params(alpha=alpha).fit(X, y)
            coefs[k], intercepts[k] = _squeeze(model.coef_), _squeeze(model.intercept_)
        return coefs, intercepts


class GlmnetPath(PathAdapter):
    """glmnet LogitNet on the whole lambda path (its own warm starts and strong rules)."""

    module = "glmnet"
    name = "glmnet LogitNet (own path)"
    tol_param = "tol (thr)"
    tol_start = 1e-9

    def run(self, X, y, alphas, tol):
        glm = Glmnet(n_lambda=len(alphas), l1_ratio=self.l1_ratio,
                     fit_intercept=self.fit_intercept)
        return glm.path(X, y, np.asarray(alphas), tol)


class GlumPath(PathAdapter):
    """glum GeneralizedLinearRegressor(binomial, alpha_search=True, alphas=alphas)."""

    module = "glum"
    name = "glum alpha_search path"
    tol_param = "gradient_tol"

    def run(self, X, y, alphas, tol):
        model = self.lib().GeneralizedLinearRegressor(
            family="binomial", alpha_search=True, alphas=np.asarray(alphas),
            l1_ratio=self.l1_ratio, gradient_tol=tol, max_iter=MAX_ITER,
            fit_intercept=self.fit_intercept).fit(X, y.astype(np.float64))
        coefs = np.asarray(model.coef_path_, dtype=np.float64)
        intercepts = np.asarray(model.intercept_path_, dtype=np.float64)
        return coefs, intercepts


PATH_ADAPTERS = {
    "sparsereg": SparseregPath,
    "sklearn-saga": lambda **kw: SklearnLoop("saga", **kw),
    "sklearn-liblinear": lambda **kw: SklearnLoop("liblinear", **kw),
    "skglm": SkglmLoop,
    "glmnet": GlmnetPath,
    "glum": GlumPath,
}


def make_path_adapter(key, problem):
    return PATH_ADAPTERS[key](l1_ratio=problem.l1_ratio, fit_intercept=problem.fit_intercept)


