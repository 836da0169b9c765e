"""Per-feature statistics computed once per design matrix."""

import numpy as np

from ._columns import col_centered_sqnorm, col_moments, n_columns
from ._jit import kernel


@kernel
def centered_sqnorms(X, c, means, S):
    """``||x_j - mean_j c||^2`` for every column ``j``."""
    p = means.shape[0]
    out = np.empty(p)
    for j in range(p):
        out[j] = max(col_centered_sqnorm(X, j, c, means[j], S), 0.0)
    return out


@kernel
def column_moments(X, c):
    """Per column, in one pass: ``sum_i x_ij``, ``sum_i x_ij^2`` and ``sum_i c_i x_ij^2``
    (dense F-ordered or CSC)."""
    p = n_columns(X)
    total = np.zeros(p)
    sq = np.zeros(p)
    wsq = np.zeros(p)
    for j in range(p):
        total[j], sq[j], wsq[j] = col_moments(X, j, c)
    return total, sq, wsq
