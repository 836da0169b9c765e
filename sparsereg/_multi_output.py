"""Multi-output y of shape (n_samples, n_targets): k independent models, one per column.

Every regressor, CV regressor and :func:`~sparsereg.regularization_path` fits column j
exactly as it would fit ``y[:, j]`` alone, with the same solvers; what the columns share is
the preparation of X: one design re-aimed at each target
(:meth:`RowDesign.with_target <sparsereg._problem._rows.RowDesign.with_target>`: X's copy,
offset shifts, column statistics and Gram matrix made once) and, for ridge, one
decomposition (:mod:`sparsereg._ridge_targets`). Dask input is read once per target (its
design is statistics of X and y together).

Shapes follow scikit-learn's Lasso, ElasticNet and Ridge: ``coef_`` (k, p),
``intercept_`` (k,), ``predict`` (n, k), ``dual_gap_`` (k,), ``n_iter_`` a list of k; a y of
shape (n, 1) is one target (``coef_`` of shape (p,)) with ``intercept_`` of shape (1,).
"""

import sys
import warnings
from contextlib import contextmanager

import numpy as np
from sklearn.base import clone

from ._path import build_path, least_squares_grid, ridge_spectrum
from ._regpath import MultiOutputPath
from ._ridge import RidgeSpectrum
from ._ridge_targets import spectrum_for_target

__all__ = ["SharedX", "TargetWarnings", "column_intercept", "fit_cv_targets", "fit_targets",
           "path_targets", "set_sparsity", "single_target", "target_designs"]


def set_sparsity(estimator):
    """``support_``, ``n_nonzero_`` and ``sparsity_`` from ``coef_``: scalars for one target,
    arrays of shape (k,) for ``coef_`` of shape (k, p)."""
    coef = estimator.coef_
    estimator.support_ = coef != 0
    counts = estimator.support_.sum(axis=-1)
    estimator.n_nonzero_ = int(counts) if coef.ndim == 1 else counts.astype(np.int64)
    estimator.sparsity_ = 1.0 - estimator.n_nonzero_ / max(coef.shape[-1], 1)


def single_target(inputs):
    """``(inputs, one_column)``: a y of shape (n, 1) fitted as its column (then
    :func:`column_intercept` gives ``intercept_`` scikit-learn's shape (1,))."""
    if inputs.y.ndim == 2 and inputs.y.shape[1] == 1:
        return inputs.target(0), True
    return inputs, False


def column_intercept(estimator):
    """``intercept_`` of shape (1,) after fitting a y of shape (n, 1), as scikit-learn's
    Lasso, ElasticNet, Ridge and RidgeCV store it (0.0 without an intercept, as theirs)."""
    if estimator.fit_intercept:
        estimator.intercept_ = np.atleast_1d(estimator.intercept_)


def target_designs(inputs, fit_intercept, solver):
    """``[(design, dtype)]``, one per column of the 2-D ``inputs.y``: in memory the first
    column's design re-aimed at the others (X prepared once), for dask one pass each."""
    k = inputs.y.shape[1]
    if inputs.dask:
        return [inputs.target(j).design(fit_intercept, solver) for j in range(k)]
    base, dtype = inputs.target(0).design(fit_intercept, solver)
    return [(base, dtype)] + [(base.with_target(inputs.y[:, j]), dtype) for j in range(1, k)]


class TargetWarnings:
    """Warnings raised while fitting each target, re-emitted after the last one: once per
    distinct message, with the targets it concerns appended (``"(targets 0, 2 of y)"``), in
    its own category (so filters by category still apply)."""

    def __init__(self):
        self._seen = {}  # (category, message) -> [targets], in first-seen order

    @contextmanager
    def target(self, j):
        """Collect the warnings raised in the block as target ``j``'s."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            self._seen.setdefault((w.category, str(w.message)), []).append(j)

    def emit(self, stacklevel=2):
        """Warn each collected message; ``stacklevel`` counts from the caller of ``emit``."""
        for (category, message), targets in self._seen.items():
            which = (f"target {targets[0]}" if len(targets) == 1 else
                     "targets " + ", ".join(str(j) for j in targets))
            warnings.warn(f"{message} ({which} of y)", category, stacklevel=stacklevel + 1)
        self._seen = {}


def fit_targets(estimator, inputs, penalty_factor):
    """Fit a penalized regressor to each column of the 2-D ``inputs.y``; sets the fitted
    attributes with a leading target axis. The estimator provides ``_solve_targets(designs,
    penalty_factor, coef_inits)`` (an iterator of solutions, one per design) and
    ``_stored(design, dtype, solution, penalty_factor)`` (coef, intercept, gap as stored)."""
    k, p = inputs.y.shape[1], inputs.n_features
    designs = target_designs(inputs, estimator.fit_intercept, estimator.solver)
    inits = [None] * k
    previous = getattr(estimator, "coef_", None)
    if estimator.warm_start and previous is not None and previous.shape == (k, p):
        inits = list(previous)
    solutions = estimator._solve_targets([d for d, _ in designs], penalty_factor, inits)
    caught, fits = TargetWarnings(), []
    for j, (design, dtype) in enumerate(designs):
        with caught.target(j):
            solution = next(solutions)
            fits.append(estimator._stored(design, dtype, solution, penalty_factor)
                        + (solution.n_iter,))
    caught.emit(stacklevel=3)
    coef, intercept, gap, n_iter = zip(*fits)
    estimator.coef_, estimator.intercept_ = np.array(coef), np.array(intercept)
    estimator.dual_gap_ = np.array(gap, dtype=np.float64)
    estimator.n_iter_ = [int(n) for n in n_iter]
    set_sparsity(estimator)
    return estimator


class SharedX:
    """What the targets of one CV fit share: the full-data design (built for the first
    target, re-aimed at the others) and the ridge decompositions of X (made for the first
    target, :func:`spectrum_for_target` for the others). Fold designs are each target's own.
    """

    def __init__(self):
        self._design = None
        self._made = {}

    def design(self, inputs, fit_intercept, solver):
        """``(design, dtype)`` of ``inputs`` (1-D y): dask input is read again per target."""
        if inputs.dask:
            return inputs.design(fit_intercept, solver)
        if self._design is None:
            self._design = inputs.design(fit_intercept, solver)
            return self._design
        base, dtype = self._design
        return base.with_target(inputs.y), dtype

    def spectrum(self, key, design, make):
        """``make()``'s spectrum (or ``(spectrum, reason)``) under ``key``, made for the
        first target and re-aimed at ``design`` for the others."""
        if key not in self._made:
            self._made[key] = make()
            return self._made[key]
        made = self._made[key]
        if isinstance(made, tuple):
            return spectrum_for_target(made[0], design), made[1]
        return spectrum_for_target(made, design)


# The CV attributes that gain a leading target axis (arrays), or become lists of k.
CV_STACKED = ("alpha_", "alpha_min_", "alpha_1se_", "l1_ratio_", "relax_", "alphas_",
              "mse_mean_", "mse_se_", "coef_", "intercept_", "dual_gap_")
CV_LISTED = ("n_iter_", "path_")


def fit_cv_targets(estimator, inputs, penalty_factor, groups):
    """Fit a CV regressor to each column of the 2-D ``inputs.y``: target j's alpha (and
    l1_ratio, relax) chosen by its own cross-validation, exactly as ``y[:, j]`` alone would
    choose it (the same folds), and every fitted attribute stacked on a leading target
    axis. The estimator provides ``_check_params(n_features)`` (each target's clone checks
    them again: a clone has only the parameters) and ``_fit_target(inputs, penalty_factor,
    groups, shared)``."""
    k = inputs.y.shape[1]
    shared, caught, fits = SharedX(), TargetWarnings(), []
    for j in range(k):
        if estimator.verbose:  # the per-fold lines that follow are this target's
            sys.stderr.write(f"[{type(estimator).__name__}] target {j} of y's {k} columns\n")
        fit = clone(estimator)
        fit._check_params(inputs.n_features)
        if hasattr(estimator, "feature_names_in_"):
            fit.feature_names_in_ = estimator.feature_names_in_
        with caught.target(j):
            fit._fit_target(inputs.target(j), penalty_factor, groups, shared)
        fits.append(fit)
    caught.emit(stacklevel=3)
    for name in CV_STACKED:
        setattr(estimator, name, np.array([getattr(fit, name) for fit in fits]))
    for name in CV_LISTED:
        setattr(estimator, name, [getattr(fit, name) for fit in fits])
    paths = [fit.mse_path_ for fit in fits]
    estimator.mse_path_ = None if any(p is None for p in paths) else np.array(paths)
    set_sparsity(estimator)
    return estimator


def path_targets(inputs, l1_ratio, penalty, *, alphas, n_alphas, eps, fit_intercept, solver,
                 penalty_factor, feature_names, **params):
    """:func:`~sparsereg.regularization_path` for each column of the 2-D ``inputs.y``, on
    one grid: the given ``alphas``, else for L1 and elastic net the automatic grid of the
    target with the largest ``alpha_max`` (so every target's path starts at zero), for L2
    the spectrum's grid (X's alone). ``params``: ``relax``, ``positive``, ``tol``,
    ``max_iter``."""
    designs = target_designs(inputs, fit_intercept, solver)
    base = designs[0][0]
    spectrum = None
    if alphas is None:
        if l1_ratio == 0.0:
            spectrum = ridge_spectrum(base, penalty_factor)
            alphas = least_squares_grid(base, 0.0, penalty_factor, n_alphas, eps, spectrum)
        else:
            grids = [least_squares_grid(d, l1_ratio, penalty_factor, n_alphas, eps)
                     for d, _ in designs]
            alphas = max(grids, key=lambda grid: grid[0])
    if l1_ratio == 0.0 and (spectrum is None or spectrum.mapping is None) \
            and solver in ("auto", "svd", "cholesky") \
            and (solver != "auto" or base.decomposition_pays(len(alphas))):
        # the decomposition each target's path would make (see path_on_design), made once
        spectrum = RidgeSpectrum.of(base, penalty_factor)
    caught, paths = TargetWarnings(), []
    for j, (design, dtype) in enumerate(designs):
        with caught.target(j):
            paths.append(build_path(design, alphas, l1_ratio, penalty,
                                    feature_names=feature_names, dtype=dtype,
                                    spectrum=spectrum_for_target(spectrum, design),
                                    penalty_factor=penalty_factor, solver=solver, **params))
    caught.emit(stacklevel=3)
    return MultiOutputPath(paths)
