"""Anderson extrapolation of coordinate-descent iterates (shared by the CD kernels)."""

import numpy as np
from numba import njit

from ._linalg import psd_solve

ANDERSON_K = 5  # extrapolate from the last K + 1 iterates


@njit(cache=True, nogil=True)
def anderson_point(buffer, positive):
    """Extrapolated point from the rows of ``buffer`` (consecutive iterates), or an empty array.

    The weights ``c`` (summing to 1) minimise ``||sum_k c_k (w_{k+1} - w_k)||``; callers keep
    the point only if it lowers the objective.
    """
    diffs = buffer[1:] - buffer[:-1]
    gram = diffs @ diffs.T
    z = psd_solve(gram, np.ones(gram.shape[0]))
    if z.shape[0] == 0:  # the iterates have stalled: nothing to extrapolate
        return np.empty(0)
    total = z.sum()
    if total == 0.0 or not np.isfinite(total):
        return np.empty(0)
    point = (z / total) @ buffer[1:]
    if positive:
        point = np.maximum(point, 0.0)
    return point
