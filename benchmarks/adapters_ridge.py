"""Ridge adapters (problem f: e1, e2) and leave-one-out RidgeCV adapters (e3).

Same interface as ``adapters.py``: ``fit(X, y, alpha, tol) -> (coef, intercept)``, with
``alpha`` on scikit-learn's ``Ridge`` scale, ``||y - Xw - b||^2 + alpha ||w||^2``. Mappings:
sparsereg's ``L2Regressor(alpha=a)`` is ``Ridge(alpha=a * n)``; glum's normal family with
``l1_ratio=0`` minimises ``1/(2n) ||r||^2 + alpha/2 ||w||^2``, so ``alpha_glum = alpha / n``.
Direct solvers have ``tol_grid = (None,)``: one run, nothing to tune.

The leave-one-out adapters (``CV_ADAPTERS``) have ``fit_cv(X, y, alphas) -> (alpha, coef,
intercept)`` with ``alphas`` and the returned alpha on scikit-learn's scale.
"""

import numpy as np

from benchmarks.adapters import HALF_DECADE, Adapter

DIRECT = (None,)


class SklearnRidge(Adapter):
    """sklearn Ridge; ``tol`` only for the iterative solvers (lsqr, sag, sparse_cg)."""

    module = "sklearn.linear_model"

    def __init__(self, solver="auto", max_iter=None):
        super().__init__()
        self.solver, self.max_iter = solver, max_iter
        self.name = f"sklearn Ridge(solver='{solver}'" + (
            f", max_iter={max_iter})" if max_iter else ")")
        iterative = solver in ("lsqr", "sag", "saga", "sparse_cg")
        self.tol_grid = HALF_DECADE if iterative else DIRECT
        self.tol_param = "tol" if iterative else "direct"

    def fit(self, X, y, alpha, tol):
        kw = {} if tol is None else dict(tol=tol)
        model = self.lib().Ridge(alpha=alpha, solver=self.solver, max_iter=self.max_iter,
                                 **kw).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return model.coef_, float(model.intercept_)


class SparseregRidge(Adapter):
    """sparsereg.L2Regressor(alpha / n); ``tol``: duality gap relative to P(0)."""

    module = "sparsereg"

    def __init__(self, solver="auto"):
        super().__init__()
        self.solver = solver
        self.name = "sparsereg L2Regressor" + ("" if solver == "auto" else
                                               f"(solver='{solver}')")
        direct = solver in ("cholesky", "svd")
        self.tol_grid = DIRECT if direct else HALF_DECADE
        self.tol_param = "direct" if direct else "tol"

    def fit(self, X, y, alpha, tol):
        kw = {} if tol is None else dict(tol=tol)
        model = self.lib().L2Regressor(alpha / X.shape[0], solver=self.solver,
                                       max_iter=100_000, **kw).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return model.coef_, float(model.intercept_)


class GlumRidge(Adapter):
    """glum GeneralizedLinearRegressor(alpha / n, l1_ratio=0); ``gradient_tol``."""

    module = "glum"
    tol_param = "gradient_tol"

    def __init__(self, solver="auto"):
        super().__init__()
        self.solver = solver
        self.name = f"glum (solver='{solver}'; alpha_glum = alpha/n)"

    def fit(self, X, y, alpha, tol):
        model = self.lib().GeneralizedLinearRegressor(
            family="normal", alpha=alpha / X.shape[0], l1_ratio=0.0, solver=self.solver,
            gradient_tol=tol, max_iter=1000, fit_intercept=True).fit(X, y)
        self.n_iter = getattr(model, "n_iter_", None)
        return np.asarray(model.coef_), float(model.intercept_)


RIDGE_ADAPTERS = {
    "sklearn-ridge": SklearnRidge,
    "sklearn-ridge-cholesky": lambda: SklearnRidge("cholesky"),
    "sklearn-ridge-lsqr": lambda: SklearnRidge("lsqr"),
    "sklearn-ridge-svd": lambda: SklearnRidge("svd"),
    "sparsereg-ridge": SparseregRidge,
    "sparsereg-ridge-cholesky": lambda: SparseregRidge("cholesky"),
    "sparsereg-ridge-svd": lambda: SparseregRidge("svd"),
    "sparsereg-ridge-cg": lambda: SparseregRidge("cg"),
    "glum-ridge": GlumRidge,
    "glum-ridge-lbfgs": lambda: GlumRidge("lbfgs"),
}


# ---------------------------------------------------------------------------------------------
# Leave-one-out selection over an alpha grid (e3)
# ---------------------------------------------------------------------------------------------

class SklearnRidgeCV:
    module = "sklearn.linear_model"

    def __init__(self, gcv_mode=None):
        self.gcv_mode = gcv_mode
        self.name = ("sklearn RidgeCV (default gcv_mode; 'cov' for n > p)" if gcv_mode is None
                     else f"sklearn RidgeCV(gcv_mode='{gcv_mode}')")

    def fit_cv(self, X, y, alphas):
        from sklearn.linear_model import RidgeCV

        model = RidgeCV(alphas=alphas, gcv_mode=self.gcv_mode).fit(X, y)
        return float(model.alpha_), model.coef_, float(model.intercept_)


class SparseregRidgeCV:
    module = "sparsereg"
    name = "sparsereg L2RegressorCV(cv=None) (exact LOO; alphas / n)"

    def fit_cv(self, X, y, alphas):
        from sparsereg import L2RegressorCV

        n = X.shape[0]
        model = L2RegressorCV(alphas=np.asarray(alphas) / n, cv=None).fit(X, y)
        return float(model.alpha_) * n, model.coef_, float(model.intercept_)


class NaiveRidgeFits:
    module = "sklearn.linear_model"
    name = "naive: one Ridge(solver='cholesky') fit per alpha (no LOO scores)"

    def fit_cv(self, X, y, alphas):
        from sklearn.linear_model import Ridge

        for alpha in alphas:
            model = Ridge(alpha=alpha, solver="cholesky").fit(X, y)
        return float("nan"), model.coef_, float(model.intercept_)


CV_ADAPTERS = {
    "sklearn-ridgecv": SklearnRidgeCV,
    "sklearn-ridgecv-svd": lambda: SklearnRidgeCV("svd"),
    "sparsereg-ridgecv": SparseregRidgeCV,
    "naive-ridge-fits": NaiveRidgeFits,
}
