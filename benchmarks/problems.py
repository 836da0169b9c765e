"""Shared problem definitions (ANCHORS.md, section 2 "Protocol", "Data" and "Sizes").

A problem is a design ``(X, y)`` plus the alphas to fit, as fractions of the smallest alpha
giving w = 0, ``alpha_max = ||X^T (y - ybar)||_inf / (n l1_ratio)`` (for the Lasso,
``l1_ratio = 1``). Ridge problems (``penalty="l2"``) give their alphas directly, on
scikit-learn's ``Ridge`` scale. Builders are registered in ``BUILDERS`` by name.

Labels: (a) a1, a/20, a2; (b); (c); (c2); (e) elastic net; (f) ridge e1, e2,
e3 (ANCHORS.md calls the elastic net "f" and the ridge problems "e1"-"e3").
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

RHO = 0.6        # corr(x_i, x_j) = RHO ** |i - j|
N_SIGNAL = 50    # nonzeros of w*, each +-1
SNR = 3.0        # ||X w*|| / ||eps||
OFFSET = 1.0     # y = X w* + eps + OFFSET


@dataclass
class Problem:
    """A regression problem: data, the alphas to fit (with labels) and a description."""

    name: str
    X: object  # Fortran-ordered ndarray or scipy.sparse CSC
    y: np.ndarray
    fractions: dict  # label -> alpha / alpha_max (ridge: label -> alpha)
    description: str
    penalty: str = "l1"  # "l1" (Lasso and elastic net) or "l2" (Ridge, sklearn's scale)
    l1_ratio: float = 1.0
    alpha_max: float = field(init=False)

    def __post_init__(self):
        self.alpha_max = (lasso_alpha_max(self.X, self.y) / self.l1_ratio
                          if self.penalty == "l1" else 1.0)

    @property
    def alphas(self):
        """``{label: alpha}`` for every alpha this problem is run at."""
        return {label: f * self.alpha_max for label, f in self.fractions.items()}

    @property
    def kind(self):
        return ("ridge" if self.penalty == "l2" else
                "lasso" if self.l1_ratio == 1.0 else f"enet(l1_ratio={self.l1_ratio:g})")

    @property
    def shape(self):
        return self.X.shape


def lasso_alpha_max(X, y):
    """``||X^T (y - ybar)||_inf / n``, computed independently of the solvers."""
    y_c = y - y.mean()
    return float(np.max(np.abs(X.T @ y_c))) / X.shape[0]


def ar1_gaussian(n, p, rng, rho=RHO):
    """Gaussian X (Fortran-ordered) whose columns are an AR(1) process with unit variance.

    ``x_0 = z_0``, ``x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j``, so ``corr(x_i, x_j) =
    rho^|i-j|`` (Toeplitz) without forming a p x p covariance.
    """
    X = rng.standard_normal((p, n)).T  # (n, p), Fortran-ordered
    scale = np.sqrt(1.0 - rho ** 2)
    for j in range(1, p):
        X[:, j] *= scale
        X[:, j] += rho * X[:, j - 1]
    return X


def planted_response(X, rng, n_signal=N_SIGNAL, snr=SNR, offset=OFFSET):
    """``y = X w* + eps + offset`` with ``n_signal`` entries of w* set to +-1, SNR ``snr``."""
    n, p = X.shape
    w_star = np.zeros(p)
    support = rng.choice(p, size=n_signal, replace=False)
    w_star[support] = rng.choice([-1.0, 1.0], size=n_signal)
    signal = np.asarray(X @ w_star).ravel()
    noise = rng.standard_normal(n)
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return signal + noise + offset


def make_a(seed=0):
    rng = np.random.default_rng(seed)
    X = ar1_gaussian(500, 5000, rng)
    y = planted_response(X, rng)
    return Problem("a", X, y, {"a1": 1 / 10, "a/20": 1 / 20, "a2": 1 / 100},
                   "dense p>>n, AR(1) 0.6, n=500, p=5000")


def make_b(seed=1):
    rng = np.random.default_rng(seed)
    X = ar1_gaussian(100_000, 200, rng)
    y = planted_response(X, rng)
    return Problem("b", X, y, {"b": 1 / 100}, "dense n>>p, AR(1) 0.6, n=100000, p=200")


def make_c(seed=2):
    """Sparse uniform CSC, density 1e-3, N(0, 1) entries, 500-nonzero w*."""
    rng = np.random.default_rng(seed)
    X = sp.random(20_000, 50_000, density=1e-3, format="csc", random_state=rng,
                  data_rvs=rng.standard_normal)
    y = planted_response(X, rng, n_signal=500)
    return Problem("c", X, y, {"c": 1 / 20}, "sparse CSC uniform, density 1e-3, n=20000, "
                   "p=50000")


def rcv1_like(n, p, rng, nnz=1_000_000, top=0.39):
    """CSC with power-law column popularity, positive values and unit-norm rows.

    Column ``k`` of popularity rank ``k`` (1-based, columns shuffled) has about
    ``top * n * k ** -s`` nonzeros at uniformly random rows, with ``s`` chosen so that the total
    is about ``nnz`` (largest column ``top`` dense, median column ~11 nonzeros, as in rcv1).
    Values are Exponential(1), then every row is scaled to unit Euclidean norm.
    """
    ranks = np.arange(1, p + 1, dtype=float)
    lo, hi = 0.0, 2.0  # bisection on the power-law exponent s
    for _ in range(60):
        s = 0.5 * (lo + hi)
        total = np.maximum(1, np.round(top * n * ranks ** -s)).sum()
        lo, hi = (s, hi) if total > nnz else (lo, s)
    counts = np.maximum(1, np.round(top * n * ranks ** -s)).astype(np.int64)
    counts = counts[rng.permutation(p)]
    indptr = np.concatenate([[0], np.cumsum(counts)])
    indices = np.concatenate([np.sort(rng.choice(n, size=k, replace=False)) for k in counts])
    data = rng.exponential(size=indptr[-1])
    X = sp.csc_matrix((data, indices, indptr), shape=(n, p))
    row_norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    row_norms[row_norms == 0] = 1.0
    return sp.csc_matrix(sp.diags(1.0 / row_norms) @ X)


def make_c2(seed=9):
    """rcv1-like sparse CSC (c2; the anchors file does not give its generator).

    The solution's size at alpha_max/20 varies a lot with the seed (18 to 277 nonzeros for
    seeds 3-10: a few very popular columns can dominate the signal). Seed 9 (117 nonzeros)
    was picked as the closest to ANCHORS.md's c2 (114 nonzeros), so that the two are of
    similar difficulty.
    """
    rng = np.random.default_rng(seed)
    X = rcv1_like(20_000, 50_000, rng)
    y = planted_response(X, rng, n_signal=500)
    return Problem("c2", X, y, {"c2": 1 / 20}, "rcv1-like sparse CSC (power-law columns, "
                   "positive values, unit-norm rows), density 1e-3, n=20000, p=50000")


def make_e():
    """Elastic net, l1_ratio 0.5, on problem (a)'s data at alpha_max,enet / 10."""
    a = get_problem("a")
    return Problem("e", a.X, a.y, {"e": 1 / 10}, "elastic net l1_ratio=0.5 on (a), "
                   "n=500, p=5000", l1_ratio=0.5)


def _ridge(name, n, p, seed):
    rng = np.random.default_rng(seed)
    X = ar1_gaussian(n, p, rng)
    y = planted_response(X, rng)
    return Problem(name, X, y, {name: 1.0}, f"ridge, AR(1) 0.6, n={n}, p={p}", penalty="l2")


BUILDERS = {"a": make_a, "b": make_b, "c": make_c, "c2": make_c2, "e": make_e,
            "e1": lambda: _ridge("e1", 100_000, 500, 4),
            "e2": lambda: _ridge("e2", 2000, 20_000, 5),
            "e3": lambda: _ridge("e3", 2000, 500, 6)}


@lru_cache(maxsize=None)
def get_problem(name):
    """The problem ``name`` (built once per process; data generation is never timed)."""
    return BUILDERS[name]()
