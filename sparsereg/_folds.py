"""Cross-validation folds: each fold fits a warm-started path on its training part and scores
it on its held-out part. A fold is either rows in memory or, for dask input, statistics (the
training part as a design, the held-out part as its sufficient statistics)."""

import sys
import threading
import time
import warnings

import numpy as np
import scipy.sparse as sp

from ._problem import GramDesign, SufficientStats, make_design
from ._problem._rows import GRAM_MAX_FEATURES, solves_on_gram
from ._path import compact_path
from ._selection import relaxed_path


def select_alpha(alphas, mean, se):
    """Indices of the minimum mean CV error and of glmnet's one-standard-error rule.

    ``mean`` and ``se`` have shape (n_alphas,) (:func:`~sparsereg._cv_summary.summarize`:
    glmnet's ``cvm`` and ``cvsd``, the standard deviation over folds (ddof=1) /
    sqrt(n_folds)) and ``alphas`` decrease. The 1-SE choice is the largest alpha whose mean
    error is at most the minimum plus the standard error at the minimum.
    """
    best = int(np.argmin(mean))
    within = np.flatnonzero(mean <= mean[best] + se[best])
    return best, int(within.min())  # alphas decrease: the smallest index is the largest alpha


class GridEdgeWarning(UserWarning):
    """Warned by every CV estimator when the cross-validated optimum may lie outside the
    grid of alphas: the best mean error is at the grid's smallest (or largest) alpha and
    still falling there (over the last decade of alphas, by more than one standard error or
    0.1 % of the error). The message names the end
    and the fix (``eps`` or ``alphas``). A ``UserWarning``: filter it by this class.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sparsereg import GridEdgeWarning, L2RegressorCV
    >>> X, y = load_diabetes(return_X_y=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model = L2RegressorCV(alphas=np.geomspace(10, 0.01, 20)).fit(X, y)
    >>> [w.category.__name__ for w in caught]
    ['GridEdgeWarning']
    >>> bool(model.alpha_ == model.alphas_[-1])
    True
    """


def grid_edge(alphas, mean, se):
    """The end of the decreasing grid ``alphas`` that the CV optimum presses against:
    ``"smallest"``, ``"largest"`` or None.

    ``mean`` and ``se`` are the CV errors' mean and standard error per alpha, shape
    (n_alphas,) (lower is better). An end is pressed when its mean error is the minimum and
    lies below the mean a decade of alphas inward by more than its standard error or 0.1 % of
    the error, whichever is smaller: a flat end (near least squares, or the null model) is
    not.
    """
    mean = np.asarray(mean, dtype=np.float64)
    n_alphas = mean.shape[0]
    if n_alphas < 2 or not np.all(np.isfinite(mean)):
        return None
    best = int(np.argmin(mean))
    if best not in (0, n_alphas - 1):
        return None
    log = np.log10(alphas)
    inward = log[best] + (1.0 if best == n_alphas - 1 else -1.0)  # a decade inward
    ref = int(np.argmin(np.abs(log - inward)))
    if ref == best:
        ref = best - 1 if best else 1
    if mean[ref] - mean[best] > min(float(se[best]), 1e-3 * abs(mean[best])):
        return "smallest" if best == n_alphas - 1 else "largest"
    return None


def warn_at_grid_edge(estimator, alphas, mean, se, null_at_top, wide, stacklevel=3):
    """A :class:`GridEdgeWarning` when the CV optimum presses against an end of the grid
    (:func:`grid_edge` of the CV errors' ``mean`` and ``se`` per alpha). The top is exempt
    when its model is the null model (an automatic L1 grid starts at ``alpha_max``: larger
    alphas give the same fit); ``wide`` (no fewer features than samples) adds that the limit
    alpha -> 0 may be the optimum."""
    edge = grid_edge(alphas, mean, se)
    name = type(estimator).__name__
    if edge == "smallest":
        hint = (" With more features than samples the best alpha can be the limit alpha -> 0 "
                "(the minimum-norm interpolating fit); then no grid contains it."
                if wide else "")
        warnings.warn(f"{name}: the selected alpha {alphas[-1]:.4g} is the smallest of the "
                      "grid and the cross-validated error is still falling there, so the best "
                      "alpha may be smaller. Pass a smaller eps (the grid's smallest alpha is "
                      "eps times its largest) or alphas reaching further down." + hint,
                      GridEdgeWarning, stacklevel=stacklevel)
    elif edge == "largest" and not null_at_top:
        warnings.warn(f"{name}: the selected alpha {alphas[0]:.4g} is the largest of the grid "
                      "and the cross-validated error is still falling there, so the best "
                      "alpha may be larger. Pass alphas reaching further up.", GridEdgeWarning,
                      stacklevel=stacklevel)


def fold_mse(fold, alphas, l1_ratio, relaxes, solver_params):
    """Validation errors along the path fitted on one fold: shape (n_relax, n_alphas).

    ``fold()`` returns the training design and a function giving the held-out mean squared
    error of ``(coefs, intercepts, columns)`` (coefficients on ``columns``; None: all).
    """
    design, held_out_mse = fold()
    design, columns, coefs, intercepts, _, _ = compact_path(design, alphas, l1_ratio,
                                                            **solver_params)
    errors = []
    for gamma in relaxes:
        c, b = (coefs, intercepts) if gamma is None else \
            relaxed_path(design, coefs, gamma, solver_params.get("bounds"))
        errors.append(held_out_mse(c, b, columns))
    return np.array(errors)


def row_fold(X, y, sample_weight, train, test, fit_intercept, solver="auto"):
    """A fold of in-memory rows; its training design is built in the worker that fits it."""
    def build():
        sw_train = None if sample_weight is None else sample_weight[train]
        design = make_design(X[train], y[train], sw_train, fit_intercept, solver=solver)
        weights = np.ones(len(test)) if sample_weight is None else sample_weight[test]
        total = weights.sum()

        def held_out_mse(coefs, intercepts, columns=None):
            rows = X[test] if columns is None else X[test][:, columns]
            residual = y[test][:, None] - (np.asarray(rows @ coefs.T) + intercepts)
            return (weights @ residual ** 2) / (total if total > 0 else 1.0)
        return design, held_out_mse
    return build


def statistics_suffice(X, n_train, l1_ratio, solver):
    """Whether in-memory folds of ``X`` may be known by their statistics: dense X whose
    training folds (``n_train`` rows, the fewest of any fold) would be solved on their p x p
    Gram matrix anyway (L1 and elastic net: :func:`solves_on_gram`; ridge: a direct solver
    with n >= p, whose decomposition is of the Gram matrix). Then a fold's statistics cost
    one pass over its held-out rows, where a refit would copy its training rows and form
    their Gram matrix again."""
    if sp.issparse(X):
        return False
    p = X.shape[1]
    if l1_ratio > 0:
        return solves_on_gram(n_train, p, False, solver)
    return solver in ("auto", "cholesky", "svd") and n_train >= p and p <= GRAM_MAX_FEATURES


def statistics_folds(X, y, sample_weight, splits, fit_intercept):
    """Folds of in-memory dense rows known by their statistics, as dask folds are.

    Every held-out part's :class:`SufficientStats` is gathered from its rows (one pass over
    X when the test parts partition the rows, as k-fold's do); a training part that is the
    complement of its test part is the total minus it, any other is gathered from its rows.
    Memory: ``O(k p^2)`` for the statistics, never a copy of a fold's rows.
    """
    n = X.shape[0]
    held = [SufficientStats.of_row_subset(X, y, sample_weight, test) for _, test in splits]
    complements = [len(train) + len(test) == n and _covers(n, train, test)
                   for train, test in splits]
    total = None
    covered = np.concatenate([test for _, test in splits])
    if all(complements) and len(covered) == n and _covers(n, covered):
        total = held[0]  # a partition: the total is the sum of its parts
        for h in held[1:]:
            total = total + h
    elif any(complements):
        total = SufficientStats.of_row_subset(X, y, sample_weight, np.arange(n))
    folds = []
    for (train, _), h, complement in zip(splits, held, complements):
        train_stats = total - h if complement else \
            SufficientStats.of_row_subset(X, y, sample_weight, train)
        if train_stats.S <= 0:
            raise ValueError("A training fold has zero total sample weight.")
        folds.append(stats_fold(GramDesign(train_stats, fit_intercept), h))
    return folds


def _covers(n, *parts):
    """Whether the index arrays ``parts`` together hold every row of ``range(n)``."""
    seen = np.zeros(n, dtype=bool)
    for part in parts:
        seen[part] = True
    return bool(seen.all())


def stats_fold(train_design, held_out):
    """A fold known by its statistics: the training part and the held-out block's."""
    def build():
        return train_design, lambda coefs, intercepts, columns=None: held_out.squared_errors(
            coefs, intercepts) / (held_out.S if held_out.S > 0 else 1.0)  # columns: all
    return build


def fold_reporter(estimator, l1_ratio, n_folds):
    """A callable printing one stderr line per completed fold, or None when not verbose.

    Folds finish in any order in the thread pool, so completions are counted under a lock and
    each line is written with a single call (``print`` writes the newline separately, which
    interleaves between threads).
    """
    if not estimator.verbose:
        return None
    lock, done = threading.Lock(), [0]
    name = type(estimator).__name__

    def report(fold, seconds):
        with lock:
            done[0] += 1
            sys.stderr.write(f"[{name}] l1_ratio={l1_ratio:g}: fold {fold + 1} done in "
                             f"{seconds:.2f} s ({done[0]}/{n_folds} folds)\n")
            sys.stderr.flush()
    return report


def reported_fold_mse(report, fold, *args):
    """``fold_mse(*args)``, then ``report(fold, seconds)`` when reporting."""
    start = time.perf_counter()
    errors = fold_mse(*args)
    if report is not None:
        report(fold, time.perf_counter() - start)
    return errors
