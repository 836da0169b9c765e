"""One small adapter per library, with a common interface.

``adapter.fit(X, y, alpha, tol) -> (coef, intercept)`` runs exactly what a user's ``fit``
runs (estimator construction, validation, centring, Gram, ...). ``tol_grid`` is the grid the
harness searches for the loosest tolerance reaching the target accuracy. Libraries are
imported lazily, on first use, so that importing this module stays cheap and the cold-start
probe can time ``import <module>`` on its own.

Adding a library (celer, skglm, glum, glmnet) is one more subclass and one more line in
``ADAPTERS``.
"""

import importlib

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

    def __init__(self):
        self.n_iter = None  # iterations/epochs of the last fit, when the library reports them

    def lib(self):
        return importlib.import_module(self.module)

    def supports(self, problem):
        """Whether this adapter can run ``problem`` (e.g. dense-only libraries)."""
        return True

    def fit(self, X, y, alpha, tol):
        raise NotImplementedError


class Sparsereg(Adapter):
    """sparsereg.L1Regressor; ``tol`` is the duality gap relative to P(0)."""

    module = "sparsereg"
    reference_tol = 1e-14

    def __init__(self, solver="auto"):
        super().__init__()
        self.solver = solver
        self.name = "sparsereg L1Regressor" + ("" if solver == "auto" else
                                               f"(solver='{solver}')")

    def fit(self, X, y, alpha, tol):
        model = self.lib().L1Regressor(alpha, tol=tol, max_iter=MAX_ITER,
                                       solver=self.solver).fit(X, y)
        self.n_iter = model.n_iter_
        return model.coef_, model.intercept_


class SklearnLasso(Adapter):
    """sklearn.linear_model.Lasso; ``tol`` is the duality gap relative to ||y||^2."""

    module = "sklearn.linear_model"
    reference_tol = 1e-13

    def __init__(self, precompute=False):
        super().__init__()
        self.precompute = precompute
        self.name = "sklearn Lasso" + ("(precompute=True)" if precompute else "")

    def fit(self, X, y, alpha, tol):
        model = self.lib().Lasso(alpha=alpha, tol=tol, max_iter=MAX_ITER,
                                 precompute=self.precompute).fit(X, y)
        self.n_iter = model.n_iter_
        return model.coef_, float(model.intercept_)


ADAPTERS = {
    "sklearn": SklearnLasso,
    "sklearn-gram": lambda: SklearnLasso(precompute=True),
    "sparsereg": Sparsereg,
    "sparsereg-cd": lambda: Sparsereg(solver="cd"),
    "sparsereg-gram": lambda: Sparsereg(solver="gram"),
}


def make_adapter(key):
    return ADAPTERS[key]()

