"""Data of the cross-validation benchmark (``bench_cv.py``), issue 11 item 2.

Four shapes, each built from a fixed seed (the same arrays in every process):

``tall``
    dense 1,000,000 x 20, Fortran-ordered. Gaussian columns forming an AR(1) process
    (``corr(x_i, x_j) = 0.6 ** |i - j|``, ``problems.ar1_gaussian``); every fourth column
    (0, 4, 8, ...) is shifted by +5, so centring matters. 10 nonzeros (+-1) in w*.
``wide``
    dense 1000 x 5000, the same AR(1) columns (no shifts), 20 nonzeros in w*.
``tfidf``
    sparse CSC 5000 x 3000, density 1 % (150,000 nonzeros), TF-IDF-like (:func:`tfidf_like`):
    power-law column popularity (the most frequent term in 39 % of the rows), positive
    values, unit-norm rows. 30 nonzeros in w*, drawn with probability proportional to their
    column's number of nonzeros.
``vwide``
    sparse CSC 1000 x 1,000,000 with 10,000 nonzeros (10 a row), the same generator with a
    vocabulary of 2,000 terms hashed to random columns: 1,817 columns have a nonzero, the
    most frequent term is in 39 % of the rows. 20 nonzeros in w*, drawn as for ``tfidf``.
    (With every one of the 1,000,000 columns a possible term, most columns would have a
    single nonzero; such columns let ridge interpolate the training noise harmlessly, and
    its cross-validated optimum would be the limit alpha -> 0, outside any grid.)

The response is ``y = X w* + eps + 1`` with w*'s nonzeros +-1 and Gaussian noise scaled so
that ``||X w*|| / ||eps|| = 3`` (``problems.planted_response``). Every n is divisible by 5, so
``KFold(5)`` makes equal folds (training folds of exactly 0.8 n rows).
"""

import numpy as np
import scipy.sparse as sp

from benchmarks.problems import SNR, ar1_gaussian

SHAPES = {  # name: (n, p, description)
    "tall": (1_000_000, 20, "dense 1,000,000 x 20, AR(1) 0.6, columns 0, 4, ... shifted +5; "
             "10 nonzeros in w*, SNR 3"),
    "wide": (1000, 5000, "dense 1000 x 5000, AR(1) 0.6; 20 nonzeros in w*, SNR 3"),
    "tfidf": (5000, 3000, "sparse CSC 5000 x 3000, TF-IDF-like (power-law term frequencies, "
              "unit-norm rows), density 1 %; 30 nonzeros in w*, SNR 3"),
    "vwide": (1000, 1_000_000, "sparse CSC 1000 x 1,000,000, 10,000 nonzeros, TF-IDF-like with a "
              "2,000-term vocabulary (1,817 nonempty columns); 20 nonzeros in w*, SNR 3"),
}
SMALL = {"tall": (500, 20), "wide": (100, 500), "tfidf": (500, 300), "vwide": (100, 10_000)}
SEEDS = {"tall": 11, "wide": 12, "tfidf": 13, "vwide": 14}
# The ridge grids, (largest, smallest) alpha on sparsereg's scale: 20 alphas geometric. Chosen
# so that the exact 5-fold CV optimum (eigendecompositions of every training fold) is several
# grid points from either end: tall 5.6e-6 (a flat curve: least squares is as good to 1e-9
# relative), wide 0.03, tfidf 3e-5, vwide 1e-4.
RIDGE_GRID = {"tall": (1e-2, 1e-9), "wide": (1e2, 1e-4), "tfidf": (1e-1, 1e-8),
              "vwide": (1e-1, 1e-7)}


def tfidf_like(n, p, nnz, rng, top=0.39, vocabulary=None):
    """A TF-IDF-like CSC matrix with about ``nnz`` nonzeros.

    Parameters
    ----------
    n, p : int
        Shape.
    nnz : int
        Number of (row, term) occurrences drawn; a column is capped at n nonzeros, so the
        matrix has at most ``nnz``.
    rng : numpy.random.Generator
        Random stream.
    top : float, default=0.39
        Expected fraction of the rows in which the most frequent term occurs.
    vocabulary : int, default=None
        Number of distinct terms (None: p), placed at random columns; the others are empty.

    Returns
    -------
    X : scipy.sparse.csc_matrix of shape (n, p)
        Term ``k`` by popularity rank has probability proportional to ``k ** -s`` (``s`` is
        set by bisection so that the top term has ``top * n`` expected nonzeros); the
        occurrence counts are multinomial, the terms placed at random columns and each
        column's rows drawn uniformly without replacement. A value is ``(1 + log tf) *
        idf`` with ``tf`` a geometric(0.6) term frequency and scikit-learn's smooth ``idf =
        log((1 + n) / (1 + df)) + 1``; then every row is scaled to unit Euclidean norm.
    """
    vocabulary = p if vocabulary is None else vocabulary
    ranks = np.arange(1, vocabulary + 1, dtype=float)
    lo, hi = 0.0, 3.0
    for _ in range(60):  # the top term's expected share, nnz / sum_k k^-s, grows with s
        s = 0.5 * (lo + hi)
        lo, hi = (lo, s) if nnz / np.sum(ranks ** -s) > top * n else (s, hi)
    probs = ranks ** -s
    counts = np.zeros(p, dtype=np.int64)
    counts[rng.choice(p, size=vocabulary, replace=False)] = np.minimum(
        rng.multinomial(nnz, probs / probs.sum()), n)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    indices = np.empty(indptr[-1], dtype=np.int32)
    for j in np.flatnonzero(counts):
        indices[indptr[j]:indptr[j + 1]] = np.sort(rng.choice(n, size=counts[j],
                                                              replace=False))
    idf = np.log((1.0 + n) / (1.0 + counts)) + 1.0
    tf = rng.geometric(0.6, size=indptr[-1])
    data = (1.0 + np.log(tf)) * np.repeat(idf, counts)
    X = sp.csc_matrix((data, indices, indptr), shape=(n, p))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csc_matrix(sp.diags(1.0 / norms) @ X)


def planted(X, rng, support):
    """``y = X w* + eps + 1``: w* is +-1 on ``support``, ``||X w*|| / ||eps|| = SNR`` (3)."""
    w_star = np.zeros(X.shape[1])
    w_star[support] = rng.choice([-1.0, 1.0], size=len(support))
    signal = np.asarray(X @ w_star).ravel()
    noise = rng.standard_normal(X.shape[0])
    noise *= np.linalg.norm(signal) / (SNR * np.linalg.norm(noise))
    return signal + noise + 1.0


def make(shape, small=False):
    """``(X, y)`` of ``shape`` (see the module docstring).

    Parameters
    ----------
    shape : {"tall", "wide", "tfidf", "vwide"}
        Which data.
    small : bool, default=False
        A small version of the same kind, format and aspect (``SMALL``): the warm-up data
        that compiles sparsereg's kernels for this input before anything is timed.

    Returns
    -------
    X : ndarray (Fortran-ordered) or scipy.sparse.csc_matrix
    y : ndarray of shape (n,)
    """
    n, p = SMALL[shape] if small else SHAPES[shape][:2]
    rng = np.random.default_rng(SEEDS[shape] + (1000 if small else 0))
    if shape in ("tall", "wide"):
        X = ar1_gaussian(n, p, rng)
        if shape == "tall":
            X[:, ::4] += 5.0
        n_signal = min(p // 2, 10 if shape == "tall" else 20)
        return X, planted(X, rng, rng.choice(p, size=n_signal, replace=False))
    if shape == "vwide":
        X = tfidf_like(n, p, 10 * n, rng, vocabulary=min(p, 2000))
    else:
        X = tfidf_like(n, p, int(0.01 * n * p), rng)
    df = np.diff(X.indptr).astype(float)
    n_signal = min(np.count_nonzero(df), 30 if shape == "tfidf" else 20)
    return X, planted(X, rng, rng.choice(p, size=n_signal, replace=False, p=df / df.sum()))


def grid(shape, estimator, X, y):
    """The decreasing grid of alphas on sparsereg's scale for ``estimator`` on ``(X, y)``.

    Parameters
    ----------
    shape : str
        Key of ``RIDGE_GRID`` (used by ``"l2"`` only).
    estimator : {"l1", "enet", "l2"}
        ``"l1"`` and ``"enet"``: 100 alphas geometric from ``alpha_max`` down to ``1e-3
        alpha_max`` (scikit-learn's default grid), with ``alpha_max = max_j |x_j,c^T y_c| / n``
        (centred data), divided by ``l1_ratio`` = 0.5 for ``"enet"``. ``"l2"``: 20 alphas
        spanning ``RIDGE_GRID[shape]``.
    X, y : array-like
        The data (only for ``alpha_max``).

    Returns
    -------
    alphas : ndarray
    """
    if estimator == "l2":
        return np.geomspace(*RIDGE_GRID[shape], 20)
    y_c = y - y.mean()  # X_c^T y_c = X^T y_c: no need to centre X
    top = float(np.max(np.abs(np.asarray(X.T @ y_c).ravel()))) / X.shape[0]
    return np.geomspace(top, 1e-3 * top, 100) / (0.5 if estimator == "enet" else 1.0)
