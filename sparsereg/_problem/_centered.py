"""Centred cross-products ``X_c^T X_c[:, cols] / S`` and ``X_c[:, cols]^T y / S``: the one
routine behind the Gram matrix and the unpenalized features' statistics, dense and CSC alike.

``X_c = X - c mu^T`` is never stored for sparse X. Forming ``X^T X - S mu mu^T`` directly
cancels digits when a column's mean is large against its spread (``S mu_j^2`` against
``||x_j - mu_j c||^2``); the routine measures that ratio per column and, for the columns
where it exceeds :data:`MAX_CANCELLATION`, computes the products on the explicitly centred
columns instead. Dense X is read once in blocks of rows that stay in cache, each block
centred as it is copied, so its products never cancel.
"""

import numpy as np
from scipy.linalg import blas

GRAM_BLOCK_VALUES = 2**18  # rows per block * p: a float64 block of 2 MiB stays in cache
MAX_CANCELLATION = 1e4  # S mean_j^2 / ||x_j - mean_j c||^2 above this: centre before the product


def finite(products):
    """``products`` (squares and cross-products of columns), or a ValueError if they
    overflowed: values above ~1e154 cannot be squared in float64."""
    if not np.all(np.isfinite(products)):
        raise ValueError("X has values so large that their squares overflow float64 (above "
                         "~1e154): rescale X (e.g. StandardScaler) before fitting.")
    return products


def centered_products(X, c, y, S, means, columns=None):
    """``(X_c^T X_c[:, columns] / S, X_c[:, columns]^T y / S)`` with ``X_c = X - c means^T``.

    Parameters
    ----------
    X : F-ordered ndarray (n, p) or CSC triple ``(data, indices, indptr)``
        Rows already scaled by ``c``.
    c, y : ndarray (n,)
        Intercept column and target (``y`` centred when ``means`` are nonzero).
    S : float
        ``c^T c``.
    means : ndarray (p,)
        Column means to centre by (zeros without an intercept).
    columns : ndarray of int, optional
        Which columns of the product to form (all when omitted: the Gram matrix, symmetric).

    Returns
    -------
    Q : ndarray (p, len(columns)), C-ordered
    g : ndarray (len(columns),)
    """
    if isinstance(X, tuple):
        Q, g = _sparse_products(X, c, y, S, means, columns)
    else:
        Q, g = _dense_products(X, c, y, means, columns)
    return np.ascontiguousarray(finite(Q) / S), g / S


def block_rows(p):
    """Rows per block: a float64 block of ``block_rows(p) x p`` stays in cache."""
    return max(128, GRAM_BLOCK_VALUES // max(p, 1))


def block_products(X, c, y, shift, rows_scaled=True):
    """``B^T B`` (upper triangle, F-ordered) and ``B^T [y, c]`` for ``B = X - c shift^T``
    (``X`` itself when ``shift`` is None), accumulated over cache-sized blocks of rows: each
    block is copied (in float64) into a buffer where the rank-k update and the products
    with ``[y, c]`` both read it, so X is read once. ``rows_scaled=False``: X holds the
    rows unscaled, and ``B = diag(c) (X - 1 shift^T)`` is formed block by block (no scaled
    copy of X)."""
    n, p = X.shape
    weighted = not np.all(c == 1.0)
    Q = np.zeros((p, p), order="F")
    rhs = np.column_stack([y, c])
    cross = np.zeros((p, 2))
    rows = block_rows(p)
    block = np.empty((min(rows, n), p), order="F")
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        blk = block[: stop - start]
        if not rows_scaled:
            if shift is None:
                np.copyto(blk, X[start:stop])
            else:
                np.subtract(X[start:stop], shift, out=blk)
            blk *= c[start:stop, None]
        elif shift is None:
            np.copyto(blk, X[start:stop])
        elif weighted:
            np.multiply(c[start:stop, None], shift, out=blk)
            np.subtract(X[start:stop], blk, out=blk)
        else:
            np.subtract(X[start:stop], shift, out=blk)
        Q = blas.dsyrk(1.0, blk, beta=1.0, c=Q, trans=1, overwrite_c=1)
        cross += blk.T @ rhs[start:stop]
    return Q, cross


def symmetric(Q):
    """The full matrix from the upper triangle a rank-k update fills."""
    return np.triu(Q) + np.triu(Q, 1).T


def _dense_products(X, c, y, means, columns):
    if columns is None:
        Q, cross = block_products(X, c, y, means)
        return symmetric(Q), cross[:, 0]
    # Some columns (the unpenalized ones): the same blocks of rows, every column centred as
    # it is copied, multiplied with the chosen ones.
    n, p = X.shape
    Q = np.zeros((p, len(columns)))
    g = np.zeros(len(columns))
    rows = block_rows(p)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        blk = X[start:stop] - np.outer(c[start:stop], means)
        Q += blk.T @ blk[:, columns]
        g += blk[:, columns].T @ y[start:stop]
    return Q, g


def _sparse_products(X, c, y, S, means, columns):
    from ._storage import scipy_csc  # (a function-level import: _storage imports this module)

    n, p = len(c), len(X[2]) - 1
    Xs = scipy_csc(X, (n, p)).astype(np.float64, copy=False)
    cols = np.arange(p) if columns is None else np.asarray(columns)
    sub = Xs if columns is None else Xs[:, cols]
    Q = (Xs.T @ sub).toarray() - S * np.outer(means, means[cols])
    g = np.asarray(sub.T @ y).ravel() - means[cols] * float(c @ y)
    # Columns whose centring cancels digits: their products on the centred columns.
    sq = np.asarray(Xs.multiply(Xs).sum(axis=0)).ravel()
    spread = np.maximum(sq - S * means * means, 0.0)
    with np.errstate(over="ignore"):
        bad = np.flatnonzero(S * means * means > MAX_CANCELLATION * spread)
    if bad.size:
        centred = Xs[:, bad].toarray() - np.outer(c, means[bad])
        exact = np.asarray(Xs.T @ centred) - np.outer(means, c @ centred)  # X_c^T x_c,bad
        exact[bad] = centred.T @ centred  # both sides offset: centred on both sides
        where = {j: k for k, j in enumerate(cols)}
        for k, j in enumerate(bad):
            Q[j, :] = exact[cols, k]
            if j in where:
                Q[:, where[j]] = exact[:, k]
                g[where[j]] = float(centred[:, k] @ y)
    return Q, g
