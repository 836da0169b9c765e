"""Dask arrays: one pass over the chunks for the sufficient statistics, then a local solve.

Each row chunk is reduced to its :class:`~._stats.SufficientStats` (float64,
``O(p^2)``) where it lives; the statistics are merged in a tree, so no worker ever holds more
than one chunk of X. Cross-validation folds are groups of whole chunks: one pass computes the
statistics of every group, and a training fold is the total minus its held-out group.

Dask is imported only when a dask array is actually passed in.
"""

import sys

import numpy as np

from ._datafit import SquaredError
from ._stats import GramDesign, SufficientStats
from .._validation import check_scalar_param


def is_dask_array(obj):
    """Whether ``obj`` is a dask collection (without importing dask)."""
    return "dask" in sys.modules and type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


ROW_SOLVERS = ("cd", "cg", "gradient")  # need X in memory: not for dask input


def check_dask_solver(solver):
    if solver in ROW_SOLVERS:
        raise ValueError(f"solver={solver!r} needs X in memory; dask input is solved on the "
                         "Gram matrix of its sufficient statistics (use solver='auto').")


def _chunk_stats(X, y, s):
    """Statistics of one row chunk; the only code that sees the rows."""
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("Input X or y contains NaN or infinity.")
    if s is not None:
        if not np.all(np.isfinite(s)):
            raise ValueError("sample_weight contains NaN or infinity.")
        if np.any(s < 0):
            raise ValueError("sample_weight must be non-negative; found negative values.")
    # the statistics of the datafit's weighted least-squares model (the squared loss's own)
    target, weights = SquaredError().quadratic_model(np.asarray(y, dtype=np.float64), s)
    return SufficientStats.of_rows(X, target, weights)


def _tree_sum(parts):
    """Pairwise merges in a balanced tree of delayed tasks (depth log2 of the chunk count)."""
    from dask import delayed

    add = delayed(SufficientStats.__add__, pure=True)
    while len(parts) > 1:
        merged = [add(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = merged + ([parts[-1]] if len(parts) % 2 else [])
    return parts[0]


def check_dask_data(X, y, sample_weight, labels=False, multi_output=False):
    """Validate dask inputs without computing them; returns aligned dask ``(X, y, s)``.

    ``labels``: y holds class labels (any type), not numbers. ``multi_output``: y may be 2-D
    (n_samples, n_targets), kept 2-D.

    ``y`` and ``sample_weight`` may be numpy arrays; they are chunked like X's rows. The
    values themselves (NaN, negative weights) are checked in the data pass.
    """
    import dask.array as da

    if not hasattr(X, "ndim") or not hasattr(X, "to_delayed"):
        raise TypeError(f"X must be a dask array (not {type(X).__name__}); for a dask "
                        "DataFrame pass X.to_dask_array(lengths=True).")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a dask array with shape {X.shape}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError("X has unknown chunk sizes: call X.compute_chunk_sizes() first.")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool) \
            or np.issubdtype(X.dtype, np.complexfloating):
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}.")
    n, p = X.shape
    if n < 1 or p < 1:
        raise ValueError(f"X must have at least one sample and one feature, got shape "
                         f"{X.shape}.")
    X = X.rechunk({1: -1})  # whole rows per chunk
    aligned = []
    for name, v in (("y", y), ("sample_weight", sample_weight)):
        if v is None or (name == "sample_weight" and np.isscalar(v)):
            if v is not None:
                check_scalar_param(v, "sample_weight", low=0.0, low_inclusive=False)
            aligned.append(None)
            continue
        if not is_dask_array(v):
            v = np.asarray(v)
        targets = multi_output and name == "y" and v.ndim == 2
        if v.ndim == 2 and v.shape[1] == 1 and not targets:
            v = v.reshape(-1)
        if v.ndim != 1 and not targets:
            raise ValueError(f"{name} must be 1-D, got shape {v.shape}.")
        if v.shape[0] != n:
            raise ValueError(f"{name} has {v.shape[0]} entries but X has {n} samples.")
        if not (np.issubdtype(v.dtype, np.number) or v.dtype == bool) \
                and not (labels and name == "y"):
            raise TypeError(f"{name} must hold real numbers, got dtype {v.dtype}.")
        columns = (v.shape[1],) if targets else ()
        aligned.append(da.asarray(v).rechunk((X.chunks[0],) + columns))
    if aligned[0] is None:
        raise ValueError("y must be given: it cannot be None.")
    return X, aligned[0], aligned[1]


def block_stats(X, y, sample_weight, n_groups=1):
    """Statistics of ``n_groups`` groups of consecutive whole chunks, in one data pass."""
    import dask

    n_chunks = len(X.chunks[0])
    if n_chunks < n_groups:  # split rows so that every group holds one chunk
        if X.shape[0] < n_groups:
            raise ValueError(f"Cannot make {n_groups} folds of {X.shape[0]} samples.")
        rows = tuple(len(a) for a in np.array_split(np.arange(X.shape[0]), n_groups))
        X, y = X.rechunk((rows, X.chunks[1])), y.rechunk((rows,))
        sample_weight = None if sample_weight is None else sample_weight.rechunk((rows,))
        n_chunks = n_groups
    xs, ys = X.to_delayed().ravel(), y.to_delayed().ravel()
    ss = [None] * n_chunks if sample_weight is None else sample_weight.to_delayed().ravel()
    chunk = dask.delayed(_chunk_stats, pure=True)
    parts = [chunk(x, t, s) for x, t, s in zip(xs, ys, ss)]
    groups = np.array_split(np.arange(n_chunks), n_groups)
    return list(dask.compute(*[_tree_sum([parts[i] for i in g]) for g in groups]))


def check_positive_weight(stats):
    if stats.S <= 0:
        raise ValueError("sample_weight must not be all zero: its sum must be positive.")
    return stats


def dask_design(X, y, sample_weight, fit_intercept):
    """``(GramDesign, dtype)`` from checked dask inputs, in one pass over the data."""
    stats = check_positive_weight(block_stats(X, y, sample_weight)[0])
    return GramDesign(stats, fit_intercept), output_dtype(X)


def fold_designs(X, y, sample_weight, fit_intercept, n_folds):
    """From checked dask inputs, in one data pass: the full design, ``(train design,
    held-out stats)`` per fold, and the output dtype."""
    blocks = block_stats(X, y, sample_weight, n_folds)
    total = blocks[0]
    for b in blocks[1:]:
        total = total + b
    check_positive_weight(total)
    folds = [(GramDesign(check_positive_weight(total - b), fit_intercept), b) for b in blocks]
    return GramDesign(total, fit_intercept), folds, output_dtype(X)


def output_dtype(X):
    return np.dtype(np.float32) if X.dtype == np.float32 else np.dtype(np.float64)


def lazy_predict(X, coef, intercept):
    """``X @ coef + intercept`` as a lazy dask array."""
    if X.ndim != 2 or X.shape[1] != coef.shape[0]:
        raise ValueError(f"X has {X.shape[1] if X.ndim == 2 else X.shape} features, but the "
                         f"model was fitted with {coef.shape[0]} features.")
    return X @ coef.astype(output_dtype(X), copy=False) + intercept
