"""Cross-validation folds: each fold fits a warm-started path on its training part and scores
it on its held-out part. A fold is either rows in memory or, for dask input, statistics (the
training part as a design, the held-out part as its sufficient statistics)."""

import sys
import threading
import time

import numpy as np

from ._problem import make_design
from ._path import path_on_design
from ._selection import relaxed_path


def select_alpha(alphas, mse_path):
    """Indices of the minimum mean CV error and of glmnet's one-standard-error rule.

    ``mse_path`` has shape (n_alphas, n_folds) and ``alphas`` decrease. The 1-SE choice is the
    largest alpha whose mean error is at most the minimum plus its standard error, computed as
    glmnet's ``cvsd``: the sample standard deviation over folds (ddof=1) / sqrt(n_folds).
    """
    mean = mse_path.mean(axis=1)
    best = int(np.argmin(mean))
    n_folds = mse_path.shape[1]
    se = mse_path[best].std(ddof=1) / np.sqrt(n_folds) if n_folds > 1 else 0.0
    within = np.flatnonzero(mean <= mean[best] + se)
    return best, int(within.min())  # alphas decrease: the smallest index is the largest alpha


def fold_mse(fold, alphas, l1_ratio, relaxes, solver_params):
    """Validation errors along the path fitted on one fold: shape (n_relax, n_alphas).

    ``fold()`` returns the training design and a function giving the held-out mean squared
    error of ``(coefs, intercepts)``.
    """
    design, held_out_mse = fold()
    coefs, intercepts, _, _ = path_on_design(design, alphas, l1_ratio, **solver_params)
    errors = []
    for gamma in relaxes:
        c, b = (coefs, intercepts) if gamma is None else relaxed_path(design, coefs, gamma)
        errors.append(held_out_mse(c, b))
    return np.array(errors)


def row_fold(X, y, sample_weight, train, test, fit_intercept, solver="auto"):
    """A fold of in-memory rows; its training design is built in the worker that fits it."""
    def build():
        sw_train = None if sample_weight is None else sample_weight[train]
        design = make_design(X[train], y[train], sw_train, fit_intercept, solver=solver)
        weights = np.ones(len(test)) if sample_weight is None else sample_weight[test]
        total = weights.sum()

        def held_out_mse(coefs, intercepts):
            residual = y[test][:, None] - (np.asarray(X[test] @ coefs.T) + intercepts)
            return (weights @ residual ** 2) / (total if total > 0 else 1.0)
        return design, held_out_mse
    return build


def stats_fold(train_design, held_out):
    """A fold known by its statistics: the training part and the held-out block's."""
    def build():
        return train_design, lambda coefs, intercepts: held_out.squared_errors(
            coefs, intercepts) / (held_out.S if held_out.S > 0 else 1.0)
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
