"""Shared problem definitions (ANCHORS.md, section 2 "Protocol", "Data" and "Sizes").

A problem is a design ``(X, y)`` plus the alphas to fit, as fractions of
``alpha_max = ||X^T (y - ybar)||_inf / n``. Builders are registered in ``BUILDERS`` by name,
so sparse problems (``c``, ``c2``) are one more function each.
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
    fractions: dict  # label -> alpha / alpha_max
    description: str
    alpha_max: float = field(init=False)

    def __post_init__(self):
        self.alpha_max = lasso_alpha_max(self.X, self.y)

    @property
    def alphas(self):
        """``{label: alpha}`` for every alpha this problem is run at."""
        return {label: f * self.alpha_max for label, f in self.fractions.items()}

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
    """Sparse uniform CSC, density 1e-3, N(0, 1) entries, 500-nonzero w* (not run yet)."""
    rng = np.random.default_rng(seed)
    X = sp.random(20_000, 50_000, density=1e-3, format="csc", random_state=rng,
                  data_rvs=rng.standard_normal)
    y = planted_response(X, rng, n_signal=500)
    return Problem("c", X, y, {"c": 1 / 20}, "sparse CSC uniform, density 1e-3, n=20000, "
                   "p=50000")


BUILDERS = {"a": make_a, "b": make_b, "c": make_c}


@lru_cache(maxsize=None)
def get_problem(name):
    """The problem ``name`` (built once per process; data generation is never timed)."""
    return BUILDERS[name]()
