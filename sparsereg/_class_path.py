"""Regularization paths of the logistic classifiers: the single-alpha solver with warm starts,
along a decreasing grid, with counts, deviance and information criteria per alpha."""

import warnings

import numpy as np
from scipy.special import log_expit, log_softmax
from sklearn.exceptions import ConvergenceWarning

from ._classifiers import read_labels
from ._newton import logistic_alpha_max, solve_logistic
from ._params import check_params
from ._path import L1_EPS, RegularizationPath, alpha_grid, check_alphas, resolve_l1_ratio
from ._problem._classes import HUGE_PENALTY, ClassDesign


def logistic_grid(design, l1_ratio, penalty_factor, n_alphas, eps, bounds=None):
    """:func:`~sparsereg._path.alpha_grid` with the logistic ``alpha_max`` (``eps`` None:
    1e-3)."""
    def top(design, l1_ratio, penalty_factor):
        return logistic_alpha_max(design, l1_ratio, penalty_factor, bounds)
    return alpha_grid(design, l1_ratio, penalty_factor, n_alphas, L1_EPS if eps is None else eps,
                      alpha_max=top)


def logistic_path_on_design(design, alphas, l1_ratio, *, penalty_factor=None, bounds=None,
                            tol=1e-4, max_iter=100, with_losses=False):
    """Solve along ``alphas`` (decreasing) with warm starts.

    Returns
    -------
    coefs : ndarray (n_alphas, K, p)
    intercepts : ndarray (n_alphas, K)
    gaps, n_iter : ndarray (n_alphas,)
    losses : ndarray (n_alphas,)
        The weighted mean training log-loss of each solution (``with_losses`` only).
    """
    K = design.Y.shape[0]
    coefs = np.zeros((len(alphas), K, design.n_features))
    intercepts = np.zeros((len(alphas), K))
    gaps = np.zeros(len(alphas))
    n_iter = np.zeros(len(alphas), dtype=np.int64)
    losses = np.zeros(len(alphas))
    state = None  # each alpha starts from the previous solution and its correlations
    unconverged = 0
    for k, alpha in enumerate(alphas):
        sol = solve_logistic(design, float(alpha), l1_ratio, penalty_factor=penalty_factor,
                             bounds=bounds, tol=tol, max_iter=max_iter, state=state,
                             warn=False, keep_state=True)
        coef, intercept, state = sol.coef, sol.intercept, sol.state
        coefs[k], intercepts[k], gaps[k], n_iter[k] = coef, intercept, sol.dual_gap, sol.n_iter
        losses[k] = sol.loss
        unconverged += not sol.converged
    if unconverged:
        warnings.warn(f"The path did not converge at {unconverged} of {len(alphas)} alphas "
                      f"(largest duality gap {gaps.max():.3e}, tol * P(0) = "
                      f"{tol * design.null_objective:.3e}); increase max_iter, or the "
                      "smallest alpha (separable data need a penalty).", ConvergenceWarning,
                      stacklevel=3)
    if with_losses:
        return coefs, intercepts, gaps, n_iter, losses
    return coefs, intercepts, gaps, n_iter


def log_loss_of(scores, codes, binary):
    """Per-sample log-loss of decision scores (n, K or n) for the integer labels ``codes``."""
    if binary:
        return -np.where(codes == 1, log_expit(scores), log_expit(-scores))
    return -np.take_along_axis(log_softmax(scores, axis=-1), codes[..., None], axis=-1)[..., 0]


class ClassificationPath(RegularizationPath):
    """Coefficients of a logistic model along a decreasing grid of alphas.

    As :class:`RegularizationPath`, with, for two classes, ``coefs`` of shape
    (n_alphas, n_features) and ``intercepts`` (n_alphas,) (the log-odds of ``classes[1]``);
    for K classes ``coefs`` (n_alphas, K, n_features) and ``intercepts`` (n_alphas, K).
    ``n_nonzero`` counts the features with a nonzero coefficient in any class; ``deviance``
    holds ``2 S`` times the weighted training log-loss, and :meth:`aic` / :meth:`bic` are
    ``deviance + 2 df`` and ``deviance + log(S) df`` with ``df`` the number of nonzero
    coefficients (the L1 fit's degrees of freedom; for ridge an upper bound).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sparsereg import regularization_path
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> path = regularization_path(StandardScaler().fit_transform(X), y, loss="logistic",
    ...                            n_alphas=20)
    >>> int(path.n_nonzero[0]), path.coefs.shape
    (0, (20, 30))
    """

    def __init__(self, alphas, coefs, intercepts, dual_gaps, n_iter, feature_names, penalty,
                 l1_ratio, *, classes, deviance, n_samples):
        super().__init__(alphas, coefs, intercepts, dual_gaps, n_iter, feature_names, penalty,
                         l1_ratio, n_samples=n_samples)
        self.classes = classes
        self.deviance = np.asarray(deviance, dtype=np.float64)
        nz = self.coefs != 0
        self.n_nonzero = (nz.any(axis=1) if nz.ndim == 3 else nz).sum(axis=-1)
        self.df = nz.reshape(len(self.alphas), -1).sum(axis=1).astype(np.float64)

    def _criterion(self, penalty_per_df, noise_variance):
        return self.deviance + penalty_per_df * self.df

    def aic(self, noise_variance=None):
        """``deviance + 2 df`` at each alpha (``noise_variance`` is ignored)."""
        return self._criterion(2.0, None)

    def bic(self, noise_variance=None):
        """``deviance + log(S) df`` at each alpha (``noise_variance`` is ignored)."""
        return self._criterion(np.log(self.n_samples), None)

    def decision_function(self, X):
        """Scores along the path: (n_samples, n_alphas) for two classes, else
        (n_samples, n_alphas, K)."""
        if self.coefs.ndim == 2:
            return np.asarray(X @ self.coefs.T) + self.intercepts
        return np.stack([np.asarray(X @ c.T) for c in self.coefs], axis=1) + self.intercepts

    def predict(self, X, alpha=None):
        """Predicted labels along the path (n_samples, n_alphas), or at one ``alpha``."""
        if alpha is not None:
            coef, intercept = self.coef_at(alpha)
            scores = np.asarray(X @ np.atleast_2d(coef).T) + intercept
            index = (scores[:, 0] > 0).astype(int) if scores.shape[1] == 1 \
                else scores.argmax(axis=1)
            return self.classes[index]
        scores = self.decision_function(X)
        index = (scores > 0).astype(int) if scores.ndim == 2 else scores.argmax(axis=2)
        return self.classes[index]

    def to_frame(self):
        """The coefficients as a DataFrame indexed by alpha (classes as an outer column
        level for more than two classes)."""
        import pandas as pd

        if self.coefs.ndim == 2:
            return super().to_frame()
        names = (list(self.feature_names) if self.feature_names is not None
                 else [f"x{j}" for j in range(self.coefs.shape[2])])
        columns = pd.MultiIndex.from_product([list(self.classes), names],
                                             names=["class", "feature"])
        return pd.DataFrame(self.coefs.reshape(len(self.alphas), -1),
                            index=pd.Index(self.alphas, name="alpha"), columns=columns)

    def plot(self, ax=None, **kwargs):
        """Coefficient trajectories (every class's for the multinomial model); see
        :meth:`RegularizationPath.plot`."""
        if self.coefs.ndim == 2:
            return super().plot(ax, **kwargs)
        flat = RegularizationPath(self.alphas, self.coefs.reshape(len(self.alphas), -1),
                                  self.intercepts[:, 0], self.dual_gaps, self.n_iter, None,
                                  self.penalty, self.l1_ratio)
        flat.n_nonzero = self.n_nonzero
        return flat.plot(ax, **kwargs)

    def __repr__(self):
        return (f"ClassificationPath(penalty={self.penalty!r}, n_classes={len(self.classes)}, "
                f"n_alphas={len(self)}, alpha={self.alphas[0]:.3g}..{self.alphas[-1]:.3g}, "
                f"n_nonzero={self.n_nonzero[0]}..{self.n_nonzero[-1]})")


def build_classification_path(design, classes, alphas, l1_ratio, penalty_name, *,
                              feature_names=None, **solver_params):
    """Solve along ``alphas`` and package the result with its deviance per alpha."""
    coefs, intercepts, gaps, n_iter, losses = logistic_path_on_design(
        design, alphas, l1_ratio, with_losses=True, **solver_params)
    binary = coefs.shape[1] == 1
    # the loss part of each solution's objective, which the solver reports
    deviance = 2.0 * design.total_weight * losses
    if binary:
        coefs, intercepts = coefs[:, 0], intercepts[:, 0]
    return ClassificationPath(alphas, coefs, intercepts, gaps, n_iter, feature_names,
                              penalty_name, l1_ratio, classes=classes, deviance=deviance,
                              n_samples=design.total_weight)


def logistic_path(X, y, *, penalty, l1_ratio, alphas, n_alphas, eps, fit_intercept,
                  sample_weight, class_weight, penalty_factor, positive, lower_bounds,
                  upper_bounds, tol, max_iter, solver, relax, feature_names):
    """:func:`~sparsereg.regularization_path` for ``loss="logistic"``."""
    X, codes, classes, s = read_labels(X, y, sample_weight, class_weight)
    l1_ratio = resolve_l1_ratio(penalty, l1_ratio)
    checked = check_params(
        dict(solver=solver, fit_intercept=fit_intercept, positive=positive,
             lower_bounds=lower_bounds, upper_bounds=upper_bounds, tol=tol,
             max_iter=max_iter, eps=eps, penalty_factor=penalty_factor),
        n_features=X.shape[1], solvers=("auto",), solver_context=" with loss='logistic'")
    if relax is not None:
        raise ValueError("relax is not available with loss='logistic'.")
    if alphas is None:
        check_params(dict(n_alphas=n_alphas))
    else:
        alphas = check_alphas(alphas)
    pf = checked["penalty_factor"]
    design = ClassDesign(X, codes, len(classes), s, checked["fit_intercept"])
    if alphas is None:
        alphas = logistic_grid(design, l1_ratio, pf, n_alphas, eps, checked["bounds"])
    return build_classification_path(design, classes, alphas, l1_ratio, penalty,
                                     feature_names=feature_names, penalty_factor=pf,
                                     bounds=checked["bounds"], tol=checked["tol"],
                                     max_iter=checked["max_iter"])


REFIT_MAX_ITER = 25  # Newton steps of a relaxed refit (separable supports diverge slowly)


def relaxed_refits(design, coefs, intercepts, bounds=None, max_iter=REFIT_MAX_ITER):
    """The unpenalized logistic refit on each solution's support (glmnet's ``relax``):
    ``(coefs, intercepts)`` of the same shapes as the path's ``(n_alphas, K, p)`` arrays.

    The refit is the same solver with the support unpenalized and every other feature held
    at zero (a huge L1 weight); consecutive alphas with the same support share one refit,
    and each refit starts from the previous one. An unpenalized fit on separable data has
    no finite solution: it stops at ``max_iter`` (warning once).
    """
    p = design.n_features
    refit_c, refit_b = np.zeros_like(coefs), np.zeros_like(intercepts)
    cache = {}
    start = None
    failed = 0
    for k in range(len(coefs)):
        support = np.flatnonzero(np.any(coefs[k] != 0, axis=0))
        key = support.tobytes()
        if key not in cache:
            v = np.full(p, HUGE_PENALTY)
            v[support] = 0.0
            sol = solve_logistic(design, 1.0, 1.0, penalty_factor=v, bounds=bounds,
                                 tol=1e-6, max_iter=min(max_iter, REFIT_MAX_ITER),
                                 coef_init=None if start is None else start[0],
                                 intercept_init=None if start is None else start[1],
                                 warn=False)
            failed += not sol.converged
            cache[key] = (sol.coef, sol.intercept)
            start = cache[key]
        refit_c[k], refit_b[k] = cache[key]
    if failed:
        warnings.warn(f"{failed} relaxed refits did not converge (an unpenalized logistic fit "
                      "on separable data has no finite solution); their coefficients are those "
                      "reached after max_iter.", ConvergenceWarning, stacklevel=3)
    return refit_c, refit_b


def relaxed(coefs, intercepts, refits, gamma):
    """``gamma * penalized + (1 - gamma) * refit``, coefficients and intercepts."""
    return (gamma * coefs + (1.0 - gamma) * refits[0],
            gamma * intercepts + (1.0 - gamma) * refits[1])
