"""Per-feature statistics computed once per design matrix."""

import numpy as np

from ._columns import col_centered_sqnorm
from ._jit import kernel


@kernel
def centered_sqnorms(X, c, means, S):
    """``||x_j - mean_j c||^2`` for every column ``j``."""
    p = means.shape[0]
    out = np.empty(p)
    for j in range(p):
        out[j] = max(col_centered_sqnorm(X, j, c, means[j], S), 0.0)
    return out
