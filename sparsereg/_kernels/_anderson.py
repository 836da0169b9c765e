"""Anderson extrapolation of coordinate-descent iterates (shared by the CD kernels)."""

import numpy as np

from ._jit import kernel
from ._linalg import pd_solve

ANDERSON_K = 5  # extrapolate from the last K + 1 iterates
TIKHONOV = 1e-10


# inlined: compiled apart, it would be optimized again in its caller (see _jit)
@kernel(inline="always")
def anderson_point(buffer):
    """Extrapolated point from the rows of ``buffer`` (consecutive iterates), or an empty array.

    The weights ``c`` (summing to 1) minimise ``||sum_k c_k (w_{k+1} - w_k)||``; callers keep
    the point only if it lowers the objective.
    """
    # Loops rather than array expressions and np.dot (each compiles helpers of its own), the
    # same arithmetic.
    n_diffs, p = buffer.shape[0] - 1, buffer.shape[1]
    gram = np.empty((n_diffs, n_diffs))
    for k in range(n_diffs):
        for m in range(k + 1):
            total = 0.0
            for j in range(p):
                total += (buffer[k + 1, j] - buffer[k, j]) * (buffer[m + 1, j] - buffer[m, j])
            gram[k, m] = total
            gram[m, k] = total
    # Late in a run the differences are nearly parallel (one slow linear mode) and ``gram`` is
    # singular; its null space holds the extrapolating combinations, which a small Tikhonov
    # term keeps instead of discarding.
    trace = 0.0
    for k in range(gram.shape[0]):
        trace += gram[k, k]
    shift = TIKHONOV * trace
    for k in range(gram.shape[0]):
        gram[k, k] += shift
    ones = np.empty(n_diffs)
    for k in range(n_diffs):
        ones[k] = 1.0
    z = pd_solve(gram, ones)  # definite: the shift (pivoted psd_solve compiles twice as long)
    if z.shape[0] == 0:  # the iterates have stalled: nothing to extrapolate
        return np.empty(0)
    total = 0.0
    for k in range(z.shape[0]):
        total += z[k]
    if total == 0.0 or not np.isfinite(total):
        return np.empty(0)
    for k in range(z.shape[0]):
        z[k] = z[k] / total
    point = np.empty(p)
    for j in range(p):
        point[j] = 0.0
    for k in range(n_diffs):
        for j in range(p):
            point[j] += z[k] * buffer[k + 1, j]
    # Stop where the first nonzero coefficient reaches zero instead of overshooting past it:
    # the slow mode is often one coefficient on its way out of the support, and the L1
    # kink would make the overshoot rejected.
    current = buffer[-1]
    step, blocking = 1.0, -1
    for j in range(point.shape[0]):
        if current[j] != 0.0 and point[j] * current[j] < 0.0:
            t = current[j] / (current[j] - point[j])
            if t < step:
                step, blocking = t, j
    if blocking >= 0:
        for j in range(point.shape[0]):
            point[j] = current[j] + step * (point[j] - current[j])
        point[blocking] = 0.0
    return point  # callers clip it to the box
