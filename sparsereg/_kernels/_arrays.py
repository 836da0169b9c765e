"""Plain loops in place of NumPy array idioms inside the kernels.

Each NumPy idiom costs compile time out of proportion to its work, and every kernel that
calls it (directly or not) pays it again when Numba links and optimizes its callees:
assigning an array to a slice (``R[:] = R_acc``) compiles the formatting of its error
message, about 2 s per process; ``np.partition`` compiles a quicksort. The loops below do
the same arithmetic (copies, a selection) and compile in a fraction of that.
"""

import numpy as np

from ._jit import kernel


@kernel(internal=True)
def copy_into(src, dst):
    """``dst[:] = src`` for 1-D arrays of the same length."""
    for i in range(src.shape[0]):
        dst[i] = src[i]


@kernel(internal=True)
def copy_rows(src, dst):
    """``dst[:m] = src[:m]`` for 2-D arrays, ``m`` the smaller row count (a plain loop:
    slice assignment costs seconds of compilation per signature)."""
    for r in range(min(src.shape[0], dst.shape[0])):
        for j in range(src.shape[1]):
            dst[r, j] = src[r, j]



@kernel(internal=True)
def scatter(values, index, dst):
    """``dst[index] = values``."""
    for t in range(index.shape[0]):
        dst[index[t]] = values[t]


@kernel(internal=True)
def flatnonzero(flags):
    """``np.flatnonzero(flags)`` of a 1-D boolean array (int64 indices, increasing)."""
    count = 0
    for i in range(flags.shape[0]):
        if flags[i]:
            count += 1
    out = np.empty(count, dtype=np.int64)
    count = 0
    for i in range(flags.shape[0]):
        if flags[i]:
            out[count] = i
            count += 1
    return out


@kernel(internal=True)
def kth_smallest(a, k):
    """``np.partition(a, k)[k]``: the value of rank ``k`` (0-based) of ``a``, which is
    reordered. Quickselect with three-way partitions, so that ties cost nothing."""
    lo, hi = 0, a.shape[0] - 1
    while lo < hi:
        pivot = a[(lo + hi) // 2]
        lt, i, gt = lo, lo, hi  # a[lo:lt] < pivot, a[lt:i] == pivot, a[gt+1:hi+1] > pivot
        while i <= gt:
            if a[i] < pivot:
                a[lt], a[i] = a[i], a[lt]
                lt += 1
                i += 1
            elif a[i] > pivot:
                a[gt], a[i] = a[i], a[gt]
                gt -= 1
            else:
                i += 1
        if k < lt:
            hi = lt - 1
        elif k > gt:
            lo = gt + 1
        else:
            return pivot
    return a[k]
