"""Row chunks of a classification problem reduced to sums: what one proximal-Newton step and
its certificate need, computed block by block (in memory, or where a dask chunk lives).

Per Newton step, one pass gives, at ``(W, B)``: the loss, for each class the weighted
least-squares statistics of its quadratic model (:class:`~._stats.SufficientStats` of the
working response with the IRLS weights: the same statistics the Gram solvers take), the
gradient ``X^T g`` and the dual point's equations. The certificate takes two more passes: the
correlations of the corrected dual point, then its entropy at the chosen scaling. Every
quantity is a sum over rows, so chunks are merged by addition. Weights are the raw sample
weights ``s``; the solver divides by their total.
"""

from dataclasses import dataclass, fields

import numpy as np
import scipy.sparse as sp

from .._kernels._logistic import (
    WEIGHT_FLOOR,
    constraint_residual,
    constraint_system,
    corrected_probabilities,
    dual_entropy,
    class_flag,
    loss_and_probabilities,
)
from ._stats import SufficientStats


def _add(a, b):
    """Field-wise sum of two dataclass instances (lists element-wise, None kept)."""
    out = {}
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x is None:
            out[f.name] = None
        elif isinstance(x, list):
            out[f.name] = [u + v for u, v in zip(x, y)]
        elif isinstance(x, bool):
            out[f.name] = x and y
        else:
            out[f.name] = x + y
    return type(a)(**out)


@dataclass
class ModelSums:
    """Sums at ``(W, B)`` over a block of rows (see the module docstring)."""

    loss: float
    stats: list  # one SufficientStats per class (None when not asked for)
    xg: np.ndarray  # X^T g, (p, K)
    gsum: np.ndarray  # sum g, (K,)
    viol: np.ndarray
    M: np.ndarray
    __add__ = _add


@dataclass
class DualSums:
    """Sums of the corrected dual point over a block of rows."""

    G: np.ndarray  # X^T theta', (K, p)
    theta_sq: np.ndarray  # ||theta'_k||^2, (K,)
    inside: bool
    residual: np.ndarray
    scale: np.ndarray
    size: float  # sum_i s_i sum_{j,k} |x_ij w_jk| + |b_k|
    __add__ = _add


@dataclass
class EntropySums:
    entropy: float
    __add__ = _add


def labels_matrix(codes, K):
    """``Y`` (K, n): 0/1 labels for ``K = 1``, one-hot rows otherwise."""
    if K == 1:
        return (codes == 1).astype(np.float64)[None, :]
    Y = np.zeros((K, codes.shape[0]))
    Y[codes, np.arange(codes.shape[0])] = 1.0
    return Y


def _predictor(X, W, B):
    return np.ascontiguousarray(np.asarray(X @ W.T, dtype=np.float64).T) + B[:, None]


def constraint_block(X, unpen, fit_intercept):
    """The columns of the dual equations for a block: ones (intercept), unpenalized
    features."""
    cols = [np.ones((X.shape[0], 1))] if fit_intercept else []
    if len(unpen):
        block = X[:, unpen]
        cols.append(block.toarray() if sp.issparse(block) else np.asarray(block))
    if not cols:
        return np.zeros((X.shape[0], 0))
    return np.ascontiguousarray(np.hstack(cols), dtype=np.float64)


def model_sums(X, codes, s, W, B, unpen, fit_intercept, with_stats=True):
    """:class:`ModelSums` of one block at ``(W, B)``."""
    K = W.shape[0]
    Y = labels_matrix(codes, K)
    ETA = _predictor(X, W, B)
    T = np.empty_like(ETA)
    loss = loss_and_probabilities(ETA, Y, s, T, class_flag(K))
    g = s * (T - Y)
    stats = None
    if with_stats:
        h = np.maximum(s * T * (1.0 - T), s * WEIGHT_FLOOR)
        Xd = X.toarray() if sp.issparse(X) else X
        z = ETA - np.divide(g, h, out=np.zeros_like(g), where=h > 0)  # s_i = 0: no term
        stats = [SufficientStats.of_rows(Xd, z[k], h[k]) for k in range(K)]
    A = constraint_block(X, unpen, fit_intercept)
    viol, M = constraint_system(Y, T, s, A, np.ones((A.shape[1], K), dtype=np.bool_),
                                class_flag(K))
    return ModelSums(float(loss), stats, np.asarray(X.T @ g.T), g.sum(axis=1), viol, M)


def dual_sums(X, codes, s, W, B, unpen, fit_intercept, delta):
    """:class:`DualSums` of one block: the dual point corrected by ``delta``."""
    K = W.shape[0]
    Y = labels_matrix(codes, K)
    ETA = _predictor(X, W, B)
    T = np.empty_like(ETA)
    loss_and_probabilities(ETA, Y, s, T, class_flag(K))
    A = constraint_block(X, unpen, fit_intercept)
    Tp, inside = corrected_probabilities(T, A, delta, class_flag(K))
    theta = s * (Y - Tp)
    residual, scale = constraint_residual(Y, Tp, s, A)
    absX = abs(X) if sp.issparse(X) else np.abs(X)
    size = float(s @ (np.asarray(absX @ np.abs(W).T).sum(axis=1) + np.abs(B).sum()))
    return DualSums(np.asarray(X.T @ theta.T).T, (theta * theta).sum(axis=1), bool(inside),
                    residual, scale, size)


def entropy_sums(X, codes, s, W, B, unpen, fit_intercept, delta, kappa):
    """:class:`EntropySums`: ``sum_i s_i H((1 - kappa) y_i + kappa t'_i)`` of one block."""
    K = W.shape[0]
    Y = labels_matrix(codes, K)
    ETA = _predictor(X, W, B)
    T = np.empty_like(ETA)
    loss_and_probabilities(ETA, Y, s, T, class_flag(K))
    Tp, _ = corrected_probabilities(T, constraint_block(X, unpen, fit_intercept), delta,
                                    class_flag(K))
    return EntropySums(float(dual_entropy(Y, Tp, s, kappa, class_flag(K))))


class RowChunks:
    """In-memory rows in blocks: ``reduce(f, *args)`` is the sum of ``f`` over the blocks."""

    BLOCK_ROWS = 8192

    def __init__(self, X, codes, s):
        self.X = X.tocsr() if sp.issparse(X) else X
        self.codes, self.s = codes, s

    def reduce(self, func, *args):
        n = self.X.shape[0]
        total = None
        for start in range(0, n, self.BLOCK_ROWS):
            rows = slice(start, min(start + self.BLOCK_ROWS, n))
            part = func(self.X[rows], self.codes[rows], self.s[rows], *args)
            total = part if total is None else total + part
        return total


class DaskChunks:
    """Dask row chunks: ``reduce(f, *args)`` runs ``f`` where each chunk lives and merges
    the sums in a tree; one pass over the data per call."""

    def __init__(self, X, codes, s):
        self.parts = list(zip(X.to_delayed().ravel(), codes.to_delayed().ravel(),
                              s.to_delayed().ravel()))

    def reduce(self, func, *args):
        import dask
        from dask import delayed

        call = delayed(func, pure=True)
        parts = [call(x, c, w, *args) for x, c, w in self.parts]
        add = delayed(lambda a, b: a + b, pure=True)
        while len(parts) > 1:
            merged = [add(a, b) for a, b in zip(parts[::2], parts[1::2])]
            parts = merged + ([parts[-1]] if len(parts) % 2 else [])
        return dask.compute(parts[0])[0]


@dataclass
class ClassInfo:
    """What the statistics solver needs besides the chunks."""

    n_samples: int
    n_features: int
    n_rows: int  # K: 1 for two classes
    total_weight: float
    class_mass: np.ndarray  # weighted class frequencies (K,)
    norms: np.ndarray  # column norms of X
    fit_intercept: bool


def row_problem(X, codes, n_classes, s, fit_intercept):
    """``(RowChunks, ClassInfo)`` for in-memory rows (``s``: weights, all positive)."""
    K = 1 if n_classes == 2 else n_classes
    keep = s > 0
    if not np.all(keep):
        X, codes, s = X[keep], codes[keep], s[keep]
    sq = np.asarray(X.multiply(X).sum(axis=0)).ravel() if sp.issparse(X) \
        else np.einsum("ij,ij->j", X, X, dtype=np.float64)
    Y = labels_matrix(codes, K)
    info = ClassInfo(X.shape[0], X.shape[1], K, float(s.sum()), Y @ s / float(s.sum()),
                     np.sqrt(sq), bool(fit_intercept))
    return RowChunks(X, codes, s), info


def _label_block(y, s):
    """Per chunk: its labels, their counts and their summed sample weights (the weights'
    values are checked here, where they live)."""
    labels, inverse = np.unique(np.asarray(y), return_inverse=True)
    w = np.ones(len(y)) if s is None else np.asarray(s, dtype=np.float64)
    if not np.all(np.isfinite(w)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(w < 0):
        raise ValueError("sample_weight must be non-negative; found negative values.")
    return labels, np.bincount(inverse, minlength=len(labels)), \
        np.bincount(inverse, weights=w, minlength=len(labels))


def dask_problem(X, y, sample_weight, class_weight, fit_intercept):
    """``(DaskChunks, ClassInfo, classes)`` from checked dask inputs: one pass for the
    classes, their counts and weights, and the column norms (which also finds NaN or
    infinity in X); the chunks carry integer codes and the sample weights with the class
    weights folded in."""
    import dask
    import dask.array as da
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.multiclass import check_classification_targets

    ys = y.to_delayed().ravel()
    ss = [None] * len(ys) if sample_weight is None else sample_weight.to_delayed().ravel()
    blocks = [dask.delayed(_label_block, pure=True)(a, b) for a, b in zip(ys, ss)]
    blocks, sq = dask.compute(blocks, (X.astype(np.float64) ** 2).sum(axis=0))
    if not np.all(np.isfinite(sq)):
        raise ValueError("Input X contains NaN or infinity (or values too large for "
                         "float64).")
    classes = np.unique(np.concatenate([b[0] for b in blocks]))
    check_classification_targets(classes)
    if classes.shape[0] < 2:
        raise ValueError("This solver needs samples of at least 2 classes in the data, but "
                         f"the data contain only one class: {classes[0]!r}.")
    counts, mass = np.zeros(len(classes)), np.zeros(len(classes))
    for labels, count, weight in blocks:
        where = np.searchsorted(classes, labels)
        counts[where] += count
        mass[where] += weight
    cw = np.ones(len(classes))
    if isinstance(class_weight, str) and class_weight == "balanced":
        cw = counts.sum() / (len(classes) * counts)  # scikit-learn's rule
    elif class_weight is not None:
        cw = compute_class_weight(class_weight, classes=classes, y=classes)
    codes = y.map_blocks(lambda b: np.searchsorted(classes, b), dtype=np.int64)
    s = da.ones(y.shape, chunks=y.chunks) if sample_weight is None else sample_weight
    s = s * codes.map_blocks(lambda c: cw[c], dtype=np.float64)
    mass = mass * cw
    K = 1 if len(classes) == 2 else len(classes)
    total = float(mass.sum())
    if not total > 0:
        raise ValueError("sample_weight must not be all zero: its sum must be positive.")
    if np.count_nonzero(mass > 0) < 2:
        raise ValueError("The sample weights (times class_weight) leave only one class with "
                         "positive weight: a classifier needs at least 2 classes.")
    class_mass = (mass[1:2] if K == 1 else mass) / total
    info = ClassInfo(X.shape[0], X.shape[1], K, total, class_mass, np.sqrt(sq),
                     bool(fit_intercept))
    return DaskChunks(X, codes, s), info, classes
