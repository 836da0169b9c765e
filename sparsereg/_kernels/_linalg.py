"""Tiny dense solvers for the kernels' small symmetric systems.

The unpenalized-feature projection and the classifiers' dual point need ``G x = g`` with G
positive semi-definite and possibly singular (:func:`psd_solve`, pivoted Cholesky); Anderson
extrapolation's shifted 5 x 5 Gram matrix is definite (:func:`pd_solve`, plain Cholesky,
which compiles in about half the time: 0.4 s of the demo's 4.5 s). Numba's ``np.linalg``
would work but costs seconds of compilation per process-free cache fill.
"""

import numpy as np

from ._jit import kernel


@kernel(inline="always")
def _triangular_solves(L, b):
    """``L L^T z = b`` (``L``: the lower triangle of the leading ``len(b)`` rows and
    columns), ``b`` overwritten by ``z``."""
    r = b.shape[0]
    for i in range(r):  # forward: L y = b
        for m in range(i):
            b[i] -= L[i, m] * b[m]
        b[i] /= L[i, i]
    for i in range(r - 1, -1, -1):  # backward: L^T z = y
        for m in range(i + 1, r):
            b[i] -= L[m, i] * b[m]
        b[i] /= L[i, i]
    return b


@kernel(internal=True)
def pd_solve(G, g):
    """The solution of ``G x = g`` for symmetric positive definite ``G``, overwritten by its
    Cholesky factor (lower triangle); an empty array when a pivot is not positive (``G``
    numerically singular)."""
    n = G.shape[0]
    for k in range(n):
        pivot = G[k, k]
        for m in range(k):
            pivot -= G[k, m] * G[k, m]
        if not pivot > 0.0:
            return np.empty(0)
        G[k, k] = np.sqrt(pivot)
        for i in range(k + 1, n):
            total = G[i, k]
            for m in range(k):
                total -= G[i, m] * G[k, m]
            G[i, k] = total / G[k, k]
    x = np.empty(n)
    for i in range(n):
        x[i] = g[i]
    return _triangular_solves(G, x)


@kernel(internal=True)
def psd_solve(G, g, rel_tol=1e-13):
    """A solution of ``G x = g`` for symmetric PSD ``G`` and ``g`` in its range.

    Pivoted Cholesky: directions whose pivot falls below ``rel_tol * max(diag(G))`` are
    dropped (their ``x`` entries are 0), so singular systems are handled. Returns an empty
    array when ``G`` is zero.
    """
    n = G.shape[0]
    # Jacobi scaling to a unit diagonal: the pivot threshold is then relative per column,
    # and columns of very different scales keep their digits.
    # Loops rather than np.ones, np.arange, np.zeros and array expressions: each NumPy
    # function or expression compiles a helper of its own.
    scale = np.empty(n)
    for i in range(n):
        scale[i] = 1.0 / np.sqrt(G[i, i]) if G[i, i] > 0.0 else 1.0
    L = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            L[i, j] = G[i, j] * scale[i] * scale[j]
    gs = np.empty(n)
    perm = np.empty(n, dtype=np.int64)
    for i in range(n):
        gs[i] = g[i] * scale[i]
        perm[i] = i
    top = 0.0
    for i in range(n):
        top = max(top, L[i, i])
    if top <= 0.0:
        return np.empty(0)
    rank = 0
    for k in range(n):
        piv = k
        for i in range(k + 1, n):
            if L[i, i] > L[piv, piv]:
                piv = i
        if L[piv, piv] <= rel_tol * top:
            break
        if piv != k:
            for i in range(n):  # swap rows, then columns
                L[k, i], L[piv, i] = L[piv, i], L[k, i]
            for i in range(n):
                L[i, k], L[i, piv] = L[i, piv], L[i, k]
            perm[k], perm[piv] = perm[piv], perm[k]
        L[k, k] = np.sqrt(L[k, k])
        for i in range(k + 1, n):
            L[i, k] /= L[k, k]
        for j in range(k + 1, n):
            for i in range(j, n):
                L[i, j] -= L[i, k] * L[j, k]
                L[j, i] = L[i, j]
        rank += 1
    z = np.empty(rank)
    for i in range(rank):
        z[i] = gs[perm[i]]
    z = _triangular_solves(L, z)
    x = np.empty(n)
    for i in range(n):
        x[i] = 0.0
    for i in range(rank):
        x[perm[i]] = z[i] * scale[perm[i]]
    return x
