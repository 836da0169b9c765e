"""Model-selection statistics along a path: training error, degrees of freedom, the noise
variance for AIC/BIC, and the relaxed lasso's least-squares refits on each support."""

import numpy as np
import scipy.linalg as la
from scipy.optimize import lsq_linear

MAX_EXACT_DF_SUPPORT = 2000  # trace formula cost grows as |A|^3


def degrees_of_freedom(design, coefs, alphas, l1_ratio, penalty_factor):
    """Effective degrees of freedom of each fit (the intercept not counted).

    Lasso: the number of nonzeros (Zou, Hastie and Tibshirani 2007). Ridge and elastic net:
    ``trace(Q_A (Q_A + diag(b_A))^-1)`` on the active set A, with ``b = alpha (1 - l1_ratio) v``
    (for ridge with unit penalty factors, ``sum_k lam_k / (lam_k + alpha)``).
    """
    n_nonzero = np.count_nonzero(coefs, axis=1).astype(np.float64)
    if l1_ratio == 1.0:
        return n_nonzero
    v = np.ones(design.n_features) if penalty_factor is None else penalty_factor
    df = np.full(len(alphas), np.nan)
    cache = {}
    for k, (alpha, coef) in enumerate(zip(alphas, coefs)):
        support = np.flatnonzero(coef)
        if support.size == 0:
            df[k] = 0.0
            continue
        if support.size > MAX_EXACT_DF_SUPPORT:
            continue
        key = support.tobytes()
        if key not in cache:
            cache = {key: la.eigh(design.gram_block(support), check_finite=False)}
        lam, vecs = cache[key]
        ridge = alpha * (1.0 - l1_ratio) * v[support]
        if np.allclose(ridge, ridge[0]):
            lam = np.maximum(lam, 0.0)
            df[k] = float(np.sum(lam / (lam + ridge[0]))) if ridge[0] > 0 else \
                float(np.count_nonzero(lam > lam.max() * 1e-12))
        else:
            Q = (vecs * lam) @ vecs.T
            df[k] = float(np.trace(la.solve(Q + np.diag(ridge), Q, assume_a="sym")))
    return df


NOISE_VARIANCE_NEEDED = ("noise_variance must be given when n_samples <= n_features + 1 (it "
                         "cannot be estimated from a least-squares fit).")


def noise_dof(S, n_features, fit_intercept):
    """Residual degrees of freedom of the least-squares fit that estimates sigma^2, or None
    when there are none (n <= p + 1) or the fit is not attempted (too many features)."""
    dof = S - n_features - int(fit_intercept)
    return dof if dof > 0 and n_features <= MAX_EXACT_DF_SUPPORT else None


def noise_variance(design):
    """Residual variance of the unpenalized least-squares fit, or None when n <= p + 1."""
    dof = noise_dof(design.S, design.n_features, design.fit_intercept)
    if dof is None:
        return None
    mse = design.gap_out(design.least_squares(np.arange(design.n_features))[1])
    return mse * design.S / dof


def information_criterion(mse, df, n_samples, noise_var, penalty_per_df):
    """``n log(2 pi sigma^2) + RSS / sigma^2 + penalty_per_df * df`` (sklearn's LassoLarsIC)."""
    rss = mse * n_samples
    return n_samples * np.log(2 * np.pi * noise_var) + rss / noise_var + penalty_per_df * df


def relaxed_path(design, coefs, gamma, bounds=None):
    """glmnet's relaxed lasso: ``gamma * coef + (1 - gamma) * OLS refit on coef's support``
    (within ``bounds``, a :class:`~._problem.Bounds` or None, as glmnet's relaxed fit keeps
    its limits: the blend of two points of the box stays in it).

    Returns the blended coefficients and their intercepts. Supports repeat along a path, so each
    distinct support is refitted once.
    """
    relaxed = np.array(coefs, dtype=np.float64)
    refits = refits_by_support(coefs, lambda support: design.coef_out(
        _least_squares(design, support, bounds)))
    for k, (support, refit) in enumerate(refits):
        if support.size:
            relaxed[k, support] = gamma * coefs[k][support] + (1.0 - gamma) * refit
    return relaxed, design.intercepts(relaxed)


def _least_squares(design, support, bounds):
    """The least-squares coefficients on ``support`` (solver units), within ``bounds``: when
    the free fit leaves the box, scipy's bounded least squares (BVLS) on the support's Gram
    block (``||A w - b||^2 = w^T Q w - 2 g^T w + const`` with ``A^T A = Q``)."""
    coef = design.least_squares(support)[0]
    if bounds is None:
        return coef
    box = bounds.scaled(design.y_scale).take(support)
    if np.all((coef >= box.lower) & (coef <= box.upper)):
        return coef
    lam, vecs = la.eigh(design.gram_block(support), check_finite=False)
    keep = lam > 1e-12 * max(float(lam.max(initial=0.0)), 0.0)
    root = np.sqrt(lam[keep])
    A = (vecs[:, keep] * root).T
    b = (vecs[:, keep].T @ design.xty[support]) / root
    return lsq_linear(A, b, bounds=(box.lower, box.upper), method="bvls").x


def refits_by_support(coefs, refit):
    """``(support, refit(support))`` for each row of ``coefs`` (None for an empty support),
    each distinct support refitted once: supports repeat along a path."""
    done = {}
    for coef in coefs:
        support = np.flatnonzero(coef)
        key = support.tobytes()
        if key not in done:
            done[key] = refit(support) if support.size else None
        yield support, done[key]
