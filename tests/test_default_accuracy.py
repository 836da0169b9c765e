"""Defaults that agree with scikit-learn's (issue 12 item 4): at default settings (tol 1e-4,
max_iter 1000), on diabetes and ISLP's Hitters and Credit, every regressor's coefficients are
at least as close to the exact solution as scikit-learn's defaults are.

The exact solution is scikit-learn's coordinate descent run to ``tol=1e-14`` (an
independent implementation); for ridge, the normal equations of the centred data. A duality
gap below ``1e-4 * P(0)`` alone can leave coefficients of a poorly conditioned problem far
off (ElasticNetRegressor(alpha=0.01, l1_ratio=0.5) on diabetes stopped after 3 epochs, 2.6
away), so the solvers also wait until the coefficients have settled.
"""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Ridge

from sparsereg import ElasticNetRegressor, L1Regressor, L2Regressor
from tests.test_ridge_grid import DATASETS


def _alpha_max(X, y, l1_ratio):
    return np.max(np.abs((X - X.mean(axis=0)).T @ (y - y.mean()))) / (len(y) * l1_ratio)


def _cases():
    for name, (X, y) in DATASETS.items():
        for l1_ratio in (1.0, 0.5):
            alphas = {"default 1.0": 1.0, "0.01": 0.01}
            alphas.update({f"{f} alpha_max": f * _alpha_max(X, y, l1_ratio)
                           for f in (0.3, 0.03, 0.003)})
            for label, alpha in alphas.items():
                yield pytest.param(name, l1_ratio, alpha, id=f"{name}-l1r{l1_ratio}-{label}")


def _relative_error(coef, exact):
    return np.max(np.abs(coef - exact)) / np.max(np.abs(exact))


@pytest.mark.parametrize("name, l1_ratio, alpha", list(_cases()))
def test_default_coefficients_as_close_as_scikit_learns(name, l1_ratio, alpha):
    X, y = DATASETS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        exact = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14,
                           max_iter=10 ** 7).fit(X, y).coef_
        theirs = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(X, y).coef_
        ours = (L1Regressor(alpha=alpha) if l1_ratio == 1.0 else
                ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio)).fit(X, y).coef_
    if not np.any(exact):  # alpha >= alpha_max: zero is exact for both
        assert not np.any(ours)
        return
    # Slack for round-off only: where both run the same epochs they stop at the same iterate
    # up to the last bits; 1e-12: both at round-off (the exact fit is a float64 computation).
    assert _relative_error(ours, exact) <= max(_relative_error(theirs, exact) * (1 + 1e-6),
                                               1e-12)


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("alpha", [1.0, 0.01, 100.0])
def test_default_ridge_is_the_normal_equations_solution(name, alpha):
    X, y = DATASETS[name]
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    n = len(y)
    # sparsereg's alpha multiplies (1/2)||w||^2 beside the mean squared error / 2
    exact = np.linalg.solve(Xc.T @ Xc + n * alpha * np.eye(X.shape[1]), Xc.T @ yc)
    theirs = Ridge(alpha=n * alpha).fit(X, y).coef_
    ours = L2Regressor(alpha=alpha).fit(X, y).coef_
    assert _relative_error(ours, exact) <= max(_relative_error(theirs, exact), 1e-10)


@pytest.mark.parametrize("alpha", [1e-2, 1e-4, 1e-6])
def test_default_conjugate_gradient_as_close_as_sparse_cg(alpha):
    # sparse X with column scales from 1 to 30 (CG is the default ridge solver for sparse X;
    # a gap below tol * P(0) alone left alpha = 1e-2 at 5.3e-3 where sparse_cg is at 4.0e-3)
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    n, p = 600, 300
    X = sp.csc_matrix(sp.random(n, p, density=0.05, random_state=1, format="csc")
                      @ sp.diags(np.geomspace(1.0, 30.0, p)))
    y = X @ rng.standard_normal(p) * 0.1 + rng.standard_normal(n)
    Xd = X.toarray()
    Xc, yc = Xd - Xd.mean(axis=0), y - y.mean()
    exact = np.linalg.solve(Xc.T @ Xc + n * alpha * np.eye(p), Xc.T @ yc)
    theirs = Ridge(alpha=n * alpha, solver="sparse_cg").fit(X, y).coef_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = L2Regressor(alpha=alpha, solver="cg").fit(X, y).coef_
    assert _relative_error(ours, exact) <= _relative_error(theirs, exact)
