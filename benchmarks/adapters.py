"""One small adapter per library, with a common interface (Lasso and elastic net).

``adapter.fit(X, y, alpha, tol) -> (coef, intercept)`` runs exactly what a user's ``fit``
runs (estimator construction, validation, centring, Gram, ...) on scikit-learn's objective
``1/(2n) ||y - Xw - b||^2 + alpha (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)``; the
elastic-net mixing is given to the constructor (``make_adapter(key, l1_ratio=0.5)``).
``tol_grid`` is the grid the harness searches for the loosest tolerance reaching the target
accuracy. Libraries are imported lazily, on first use, so that importing this module stays
cheap and the cold-start probe can time ``import <module>`` on its own. Ridge adapters are in
``adapters_ridge.py``.

Parameter mappings (ANCHORS.md, section 2): glmnet's Lasso is ``lambda = alpha`` with
``standardize=False``; for the elastic net glmnet divides y by sd(y) internally, so
``A = alpha l1_ratio``, ``B = alpha (1 - l1_ratio) sd(y)``, ``lambda = A + B``, mixing
``A / (A + B)``. glum's normal-family objective is scikit-learn's, so ``alpha`` passes as is.
"""

import importlib

import numpy as np

# half-decade grid 1e-1, 3e-2, 1e-2, ..., 1e-14 (loosest first)
HALF_DECADE = tuple(float(f"{m}e-{k}") for k in range(1, 15) for m in (3, 1)
                    if (m, k) != (3, 1))
MAX_ITER = 100_000  # high enough that the tolerance, not the cap, stops every solver


class Adapter:
    """Base class: ``name`` (table label), ``module`` (import name) and ``tol_param``."""

    name = "?"
    module = "?"
    tol_param = "tol"
    tol_grid = HALF_DECADE
    reference_tol = None  # tolerance for the reference optimum, if this adapter provides one

    def __init__(self, l1_ratio=1.0):
        self.l1_ratio = l1_ratio
        self.n_iter = None  # iterations/epochs of the last fit, when the library reports them

    @property
    def enet(self):
        return self.l1_ratio != 1.0

    def lib(self):
        return importlib.import_module(self.module)

    def supports(self, problem):
        """True, or the reason why this adapter cannot run ``problem``."""
        return True

    def fit(self, X, y, alpha, tol):
        raise NotImplementedError


class Sparsereg(Adapter):
    """sparsereg.L1Regressor / ElasticNetRegressor; ``tol``: duality gap relative to P(0)."""

    module = "sparsereg"
    reference_tol = 1e-14

    def __init__(self, solver="auto", l1_ratio=1.0):
        super().__init__(l1_ratio)
        self.solver = solver
        self.name = ("sparsereg ElasticNetRegressor" if self.enet else
                     "sparsereg L1Regressor") + ("" if solver == "auto" else
                                                 f"(solver='{solver}')")

    def fit(self, X, y, alpha, tol):
        lib = self.lib()
        kw = dict(tol=tol, max_iter=MAX_ITER, solver=self.solver)
        model = (lib.ElasticNetRegressor(alpha, l1_ratio=self.l1_ratio, **kw) if self.enet
                 else lib.L1Regressor(alpha, **kw)).fit(X, y)
        self.n_iter = model.n_iter_
        return model.coef_, model.intercept_


class SklearnLasso(Adapter):
    """sklearn Lasso / ElasticNet; ``tol`` is the duality gap relative to ||y||^2."""

    module = "sklearn.linear_model"
    reference_tol = 1e-13

    def __init__(self, precompute=False, l1_ratio=1.0):
        super().__init__(l1_ratio)
        self.precompute = precompute
        self.name = ("sklearn ElasticNet" if self.enet else "sklearn Lasso") + (
            "(precompute=True)" if precompute else "")

    def fit(self, X, y, alpha, tol):
        model = self.lib().ElasticNet(alpha=alpha, l1_ratio=self.l1_ratio, tol=tol,
                                      max_iter=MAX_ITER, precompute=self.precompute).fit(X, y)
        self.n_iter = model.n_iter_
        return model.coef_, float(model.intercept_)


class _EstimatorLib(Adapter):
    """A library whose Lasso / ElasticNet estimators take sklearn's (alpha, l1_ratio)."""

    label = None  # name prefix

    def __init__(self, l1_ratio=1.0):
        super().__init__(l1_ratio)
        self.name = f"{self.label} ElasticNet" if self.enet else f"{self.label} Lasso"

    def fit(self, X, y, alpha, tol):
        lib = self.lib()
        kw = dict(tol=tol, max_iter=MAX_ITER, max_epochs=MAX_ITER, fit_intercept=True)
        model = (lib.ElasticNet(alpha, l1_ratio=self.l1_ratio, **kw) if self.enet
                 else lib.Lasso(alpha, **kw)).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return model.coef_, float(model.intercept_)


class Skglm(_EstimatorLib):
    """skglm Lasso / ElasticNet (working sets + Anderson CD); ``tol``: max KKT violation."""

    module = "skglm"
    label = "skglm"
    reference_tol = 1e-13


class SkglmGram(Adapter):
    """skglm GramCD through the solver API (Lasso, dense); X, y centred inside the timing."""

    module = "skglm"
    name = "skglm GramCD (solver API; centring inside the timing)"

    def supports(self, problem):
        return True if not self.enet and not hasattr(problem.X, "tocsc") else \
            "GramCD row: dense Lasso only"

    def fit(self, X, y, alpha, tol):
        from skglm.penalties import L1
        from skglm.solvers import GramCD

        x_mean, y_mean = X.mean(axis=0), y.mean()
        solver = GramCD(tol=tol, max_iter=MAX_ITER, fit_intercept=False)
        coef = solver.solve(X - x_mean, y - y_mean, None, L1(alpha))[0]
        return coef, float(y_mean - x_mean @ coef)


class Celer(_EstimatorLib):
    """celer Lasso / ElasticNet (working sets + dual extrapolation); ``tol``: gap / (||y||^2/n)."""

    module = "celer"
    label = "celer"


class Glmnet(Adapter):
    """python-glmnet (Fortran glmnet); ``thr``: max objective change / null deviance.

    ``n_lambda == 1``: a one-element lambda path. Otherwise a geometric path of ``n_lambda``
    values from alpha_max (computed inside the timing) to alpha; the last fit is returned.
    """

    module = "glmnet"
    tol_param = "thr"

    def __init__(self, n_lambda=1, l1_ratio=1.0):
        super().__init__(l1_ratio)
        self.n_lambda = n_lambda
        self.name = ("glmnet (Fortran), single lambda" if n_lambda == 1 else
                     f"glmnet, {n_lambda}-lambda path to alpha") + (
            " (mapped lambda, mixing)" if self.enet else "")

    def fit(self, X, y, alpha, tol):
        n = X.shape[0]
        sd_y = float(np.std(y)) if self.enet else 1.0
        a, b = alpha * self.l1_ratio, alpha * (1.0 - self.l1_ratio) * sd_y
        lam, mix = a + b, a / (a + b)
        if self.n_lambda == 1:
            lambdas = np.array([lam])
        else:  # the lambda at which glmnet's solution becomes zero, on glmnet's scale
            lam_max = float(np.max(np.abs(X.T @ (y - y.mean())))) / (n * mix)
            lambdas = np.geomspace(lam_max, lam, self.n_lambda)
        model = self.lib().ElasticNet(alpha=mix, lambda_path=lambdas, standardize=False,
                                      fit_intercept=True, tol=tol, max_iter=MAX_ITER,
                                      n_splits=0).fit(X, y)
        self.n_iter = None
        return model.coef_path_[:, -1], float(model.intercept_path_[-1])


class Glum(Adapter):
    """glum GeneralizedLinearRegressor (normal family; IRLS-CD); ``gradient_tol``."""

    module = "glum"
    tol_param = "gradient_tol"

    def __init__(self, l1_ratio=1.0):
        super().__init__(l1_ratio)
        self.name = "glum"

    def supports(self, problem):
        p = problem.shape[1]
        if hasattr(problem.X, "tocsc") and p > 20_000:  # see ANCHORS.md, "Solver-specific"
            return (f"skipped: IRLS allocates a dense (p+1)^2 Hessian = "
                    f"{8 * (p + 1) ** 2 / 1e9:.0f} GB")
        return True

    def fit(self, X, y, alpha, tol):
        model = self.lib().GeneralizedLinearRegressor(
            family="normal", alpha=alpha, l1_ratio=self.l1_ratio, gradient_tol=tol,
            max_iter=MAX_ITER, fit_intercept=True).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return np.asarray(model.coef_), float(model.intercept_)


ADAPTERS = {
    "sklearn": SklearnLasso,
    "sklearn-gram": lambda **kw: SklearnLasso(precompute=True, **kw),
    "sparsereg": Sparsereg,
    "sparsereg-cd": lambda **kw: Sparsereg(solver="cd", **kw),
    "sparsereg-gram": lambda **kw: Sparsereg(solver="gram", **kw),
    "skglm": Skglm,
    "skglm-gram": SkglmGram,
    "celer": Celer,
    "glmnet": Glmnet,
    "glmnet-path": lambda **kw: Glmnet(n_lambda=20, **kw),
    "glum": Glum,
}


def make_adapter(key, **kwargs):
    """The adapter ``key`` (``kwargs``: e.g. ``l1_ratio``); ridge keys are in adapters_ridge."""
    if key in ADAPTERS:
        return ADAPTERS[key](**kwargs)
    from benchmarks.adapters_ridge import RIDGE_ADAPTERS

    return RIDGE_ADAPTERS[key](**kwargs)


def installed(module):
    """None if ``module`` imports, else the error as a one-line string."""
    try:
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 -- report any failure, never drop silently
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None
