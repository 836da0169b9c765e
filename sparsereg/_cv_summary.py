"""Cross-validation errors as selection uses them: per alpha, the mean over folds and its
standard error (glmnet's ``cvm`` and ``cvsd``).

Selection (:func:`~sparsereg._folds.select_alpha`, the grid-edge check, the choice of
l1_ratio) reads only these two numbers per alpha, so k-fold CV and exact leave-one-out are
selected alike, and leave-one-out need not keep its ``(n_alphas, n_samples)`` errors: a fitted
estimator's size does not grow with n. This module imports nothing from sparsereg.
"""

import numpy as np

__all__ = ["set_cv_errors", "summarize"]


def summarize(errors):
    """Mean and standard error over the last axis (the folds, or the samples for
    leave-one-out).

    Parameters
    ----------
    errors : ndarray of shape (..., n_folds)
        Validation errors.

    Returns
    -------
    mean : ndarray of shape (...)
        ``errors.mean(axis=-1)``.
    se : ndarray of shape (...)
        ``errors.std(axis=-1, ddof=1) / sqrt(n_folds)`` (glmnet's ``cvsd``); 0 for one fold.
    """
    n_folds = errors.shape[-1]
    mean = errors.mean(axis=-1)
    if n_folds < 2:
        return mean, np.zeros_like(mean)
    return mean, errors.std(axis=-1, ddof=1) / np.sqrt(n_folds)


def set_cv_errors(estimator, results, multiple, prefix="mse"):
    """Set ``{prefix}_mean_``, ``{prefix}_se_`` and ``{prefix}_path_`` on ``estimator``.

    Parameters
    ----------
    estimator : object
        The CV estimator being fitted.
    results : list of tuple
        ``(mean, se, errors)`` per l1_ratio (of the chosen relaxation), in the order of the
        estimator's l1_ratio list; ``errors`` is the ``(n_alphas, n_folds)`` array, or None
        when only the summaries were kept (leave-one-out without ``store_cv_results``).
    multiple : bool
        Whether the estimator was given a list of l1_ratio: the attributes then get a leading
        axis of that length.

    Notes
    -----
    ``{prefix}_path_`` is None when any entry has no per-fold errors (the shapes of the
    others cannot stack with it anyway: n_samples columns against n_folds).
    """
    means, ses, paths = zip(*results)
    pick = (lambda values: np.array(values)) if multiple else (lambda values: values[0])
    setattr(estimator, f"{prefix}_mean_", pick(means))
    setattr(estimator, f"{prefix}_se_", pick(ses))
    complete = all(p is not None for p in paths) and len({p.shape for p in paths}) == 1
    setattr(estimator, f"{prefix}_path_", pick(paths) if complete else None)
