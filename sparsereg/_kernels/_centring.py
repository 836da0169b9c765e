"""The centring of the classes' coefficients of a multinomial fit (:func:`center_classes`).

The multinomial loss is unchanged when the same number is subtracted from every class's
coefficient of a feature; the penalty is not, and is smallest at one shift, which is taken
after each Newton step. Only fits of three classes or more compile it (see
``newton_solve``'s ``classes``).
"""

import numpy as np

from ._jit import kernel


@kernel(internal=True)
def _shift_objective(col, d, a_j, b_j):
    total = 0.0
    for k in range(col.shape[0]):
        v = col[k] - d
        total += a_j * abs(v) + 0.5 * b_j * v * v
    return total


@kernel(internal=True)
def _sorted(v):
    """``np.sort(v)`` for the few coefficients of a feature (insertion sort: np.sort
    compiles a quicksort, about 1 s)."""
    out = v.copy()
    for i in range(1, out.shape[0]):
        x = out[i]
        k = i
        while k > 0 and out[k - 1] > x:
            out[k] = out[k - 1]
            k -= 1
        out[k] = x
    return out


@kernel
def center_classes(W, pen, grouped):
    """Move each feature's K coefficients by the common shift that minimises its penalty.

    The softmax is unchanged when the same value is added to every class's coefficient of a
    feature, so the loss is too; only the penalty decides, and class-by-class Newton steps
    hardly move in that direction. The best shift lies at a kink (a coefficient: the median
    for pure L1) or where the derivative of the L2 part cancels the L1 part's in a segment
    (the mean for pure L2). Unpenalized features are left alone. Returns whether ``W``
    changed (each class's predictor then moves too, though not the probabilities).
    """
    K, p = W.shape
    a, b = pen.a, pen.b
    moved = False
    for j in range(p):
        if a[j] == 0.0 and b[j] == 0.0:
            continue
        col = W[:, j].copy()
        nonzero = False
        for k in range(K):
            nonzero = nonzero or col[k] != 0.0
        if not nonzero:
            continue
        total = 0.0
        for k in range(K):
            total += col[k]
        if grouped:  # ||W_j - d 1|| and ||W_j - d 1||^2 are both smallest at the mean
            for k in range(K):
                W[k, j] = col[k] - total / K
            moved = moved or total != 0.0
            continue
        ordered = _sorted(col)
        best, best_value = 0.0, _shift_objective(col, 0.0, a[j], b[j])
        for m in range(K + 1):
            candidates = np.empty(2)
            candidates[0] = ordered[min(m, K - 1)]
            candidates[1] = np.nan
            if b[j] > 0.0:  # stationary point with m coefficients below it
                d = (total - a[j] * (2 * m - K) / b[j]) / K
                if (m == 0 or d > ordered[m - 1]) and (m == K or d < ordered[m]):
                    candidates[1] = d
            for d in candidates:
                if d == d:
                    value = _shift_objective(col, d, a[j], b[j])
                    if value < best_value:
                        best, best_value = d, value
        if best != 0.0:
            moved = True
            for k in range(K):
                W[k, j] = col[k] - best
    return moved

