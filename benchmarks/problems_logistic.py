"""Logistic problems L1a ... L6 (shared/ANCHORS_LOGISTIC.md, generators in its "Notes").

A problem is a design ``X``, integer labels ``y`` (0/1, or 0..K-1 for the multinomial L5),
whether an intercept is fitted, the elastic-net mixing and the alphas to fit, as fractions
of ``alpha_max``, the smallest alpha giving W = 0:

- with an intercept: ``||X^T (Y - Ybar)||_inf / (n l1_ratio)``,
- without one: ``||X^T (Y - 1/K)||_inf / (n l1_ratio)`` (binary: ``y - 1/2``),

where ``Y`` is the one-hot label matrix (binary: the 0/1 vector itself) and the maximum is
also taken over the classes. The objective every library is mapped onto is

    P(W, b) = 1/n sum_i logloss(y_i, W x_i + b)
              + alpha sum_jk (l1_ratio |W_kj| + (1 - l1_ratio)/2 W_kj^2)

(``adapters_logistic.logistic_objective``). Data (the anchors' generators as far as their
text gives them; the seeds are this file's):

- dense: Gaussian X with Toeplitz correlation ``rho^|i-j|``, rho = 0.6 (Fortran-ordered);
- sparse: rcv1-like CSC (``problems.rcv1_like``: power-law column popularity, positive
  values, unit-norm rows), density 1e-3;
- binary labels: Bernoulli(sigmoid(x.w_true + 0.5)), 50 nonzeros +-1 in w_true, scaled so
  that std(x.w_true) = 3;
- on sparse X the 50 features of w_true are drawn with probability proportional to their
  column's number of nonzeros (words that occur). Uniform draws (the dense problems' rule)
  put the signal on columns with ~10 nonzeros: alpha_max came out 10x below the anchors'
  (8.7e-4 vs 8.6e-3) and nnz(w*) ~ 1e4 at alpha_max/100 (anchors: 128). With the weighted
  draw (label seed 5): alpha_max 7.1e-3, nnz(w*) 7 at alpha_max/10 and 138 at /100
  (anchors: 23 and 128);
- multinomial labels (K = 10): softmax sampling from logits ``x W_true^T`` (no true
  intercept), W_true with 50 nonzero features (N(0, 1) entries for every class), scaled so
  that the logits have standard deviation 3.

Problems with the same data share it (L1a, L1b, L1*-noint, L4, L6; L2a, L2b, L2a-noint).
"""

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from benchmarks.problems import ar1_gaussian, rcv1_like

N_SIGNAL = 50      # nonzeros of w_true
LOGIT_STD = 3.0    # std(x . w_true)
OFFSET = 0.5       # true intercept of the binary problems
N_PATH = 100       # L6: alphas from alpha_max to alpha_max / 100


@dataclass
class LogisticProblem:
    """A classification problem: data, labels, penalty, alphas (fractions of alpha_max)."""

    name: str
    X: object  # Fortran-ordered ndarray or scipy.sparse CSC
    y: np.ndarray  # int labels 0..K-1
    fractions: np.ndarray  # alpha / alpha_max: one value, or the path's grid (L6)
    description: str
    fit_intercept: bool = True
    l1_ratio: float = 1.0
    alpha_max: float = field(init=False)

    def __post_init__(self):
        self.fractions = np.atleast_1d(np.asarray(self.fractions, dtype=float))
        self.alpha_max = logistic_alpha_max(self.X, self.y, self.fit_intercept) / self.l1_ratio

    @property
    def alphas(self):
        """Every alpha of the problem (one, or the path's grid, decreasing)."""
        return self.fractions * self.alpha_max

    @property
    def alpha(self):
        """The single alpha of a one-alpha problem (the smallest alpha of a path)."""
        return float(self.alphas[-1])

    @property
    def is_path(self):
        return len(self.fractions) > 1

    @property
    def n_classes(self):
        return int(self.y.max()) + 1

    @property
    def multinomial(self):
        return self.n_classes > 2

    @property
    def sparse(self):
        return sp.issparse(self.X)

    @property
    def shape(self):
        return self.X.shape

    @property
    def kind(self):
        pen = ("L1" if self.l1_ratio == 1.0 else "L2" if self.l1_ratio == 0.0 else
               f"elastic net (l1_ratio={self.l1_ratio:g})")
        return (f"{pen} {'multinomial' if self.multinomial else 'logistic'}"
                + ("" if self.fit_intercept else ", no intercept"))


def one_hot(y, n_classes=None):
    """``(n, K)`` one-hot matrix of the labels ``y``."""
    k = int(y.max()) + 1 if n_classes is None else n_classes
    Y = np.zeros((y.shape[0], k))
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def logistic_alpha_max(X, y, fit_intercept=True):
    """The smallest L1 alpha giving W = 0 (see the module docstring), independent of the
    solvers. Binary: ``||X^T (y - ybar)||_inf / n`` (``y - 1/2`` without an intercept)."""
    n = X.shape[0]
    Y = y.astype(float)[:, None] if y.max() <= 1 else one_hot(y)
    if fit_intercept:
        R = Y - Y.mean(axis=0)
    else:  # at W = 0, b = 0: the predicted probability is 1/2 (binary) or 1/K
        R = Y - (0.5 if Y.shape[1] == 1 else 1.0 / Y.shape[1])
    return float(np.max(np.abs(np.asarray(X.T @ R)))) / n


def _scale_logits(X, W):
    """Scale ``W`` (p,) or (K, p) so that the logits ``X W^T`` have standard deviation 3."""
    Z = np.asarray(X @ W.T)
    return W * (LOGIT_STD / Z.std()), Z * (LOGIT_STD / Z.std())


def signal_support(X, rng, n_signal=N_SIGNAL):
    """The features of w_true: uniform for dense X; for sparse X drawn with probability
    proportional to the column's number of nonzeros (see the module docstring)."""
    p = X.shape[1]
    weights = None
    if sp.issparse(X):
        counts = np.diff(sp.csc_matrix(X).indptr).astype(float)
        weights = counts / counts.sum()
    return rng.choice(p, size=n_signal, replace=False, p=weights)


def binary_labels(X, rng, n_signal=N_SIGNAL):
    """Bernoulli(sigmoid(x.w_true + 0.5)) labels; ``n_signal`` entries +-1 in w_true, scaled so
    that std(x.w_true) = 3. Returns ``(y, w_true)``."""
    p = X.shape[1]
    w = np.zeros(p)
    support = signal_support(X, rng, n_signal)
    w[support] = rng.choice([-1.0, 1.0], size=n_signal)
    w, z = _scale_logits(X, w)
    prob = 1.0 / (1.0 + np.exp(-(np.ravel(z) + OFFSET)))
    return (rng.random(X.shape[0]) < prob).astype(np.int64), w


def multinomial_labels(X, rng, n_classes=10, n_signal=N_SIGNAL):
    """Labels sampled from softmax(x W_true^T) (no intercept); W_true has ``n_signal``
    nonzero features with N(0, 1) entries for every class, scaled to logit std 3."""
    p = X.shape[1]
    W = np.zeros((n_classes, p))
    support = signal_support(X, rng, n_signal)
    W[:, support] = rng.standard_normal((n_classes, n_signal))
    W, Z = _scale_logits(X, W)
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random(X.shape[0])[:, None]
    y = np.minimum((np.cumsum(P, axis=1) < u).sum(axis=1), n_classes - 1)
    return y.astype(np.int64), W


@lru_cache(maxsize=None)
def dense_wide():
    """L1 data: n=500, p=5000, Toeplitz 0.6."""
    rng = np.random.default_rng(100)
    X = ar1_gaussian(500, 5000, rng)
    return X, binary_labels(X, rng)[0]


@lru_cache(maxsize=None)
def dense_tall():
    """L3 data: n=100000, p=200, Toeplitz 0.6."""
    rng = np.random.default_rng(101)
    X = ar1_gaussian(100_000, 200, rng)
    return X, binary_labels(X, rng)[0]


@lru_cache(maxsize=None)
def sparse_binary():
    """L2 data: rcv1-like CSC 20000 x 50000, density 1e-3."""
    X = rcv1_like(20_000, 50_000, np.random.default_rng(102))
    return X, binary_labels(X, np.random.default_rng(5))[0]


@lru_cache(maxsize=None)
def sparse_multinomial():
    """L5 data: rcv1-like CSC 10000 x 20000, density 1e-3, K = 10."""
    rng = np.random.default_rng(103)
    X = rcv1_like(10_000, 20_000, rng, nnz=200_000)
    return X, multinomial_labels(X, rng)[0]


DENSE_WIDE = "dense p>>n (Toeplitz 0.6, 50 true nnz), n=500, p=5000"
SPARSE = "sparse rcv1-like (power-law columns, unit rows, density 1e-3), n=20000, p=50000"


def _make(name, data, fraction, description, **kw):
    X, y = data()
    return LogisticProblem(name, X, y, fraction, description, **kw)


BUILDERS = {
    "L1a": lambda: _make("L1a", dense_wide, 1 / 10, DENSE_WIDE),
    "L1b": lambda: _make("L1b", dense_wide, 1 / 100, DENSE_WIDE),
    "L1a-noint": lambda: _make("L1a-noint", dense_wide, 1 / 10, DENSE_WIDE,
                               fit_intercept=False),
    "L1b-noint": lambda: _make("L1b-noint", dense_wide, 1 / 100, DENSE_WIDE,
                               fit_intercept=False),
    "L2a": lambda: _make("L2a", sparse_binary, 1 / 10, SPARSE),
    "L2b": lambda: _make("L2b", sparse_binary, 1 / 100, SPARSE),
    "L2a-noint": lambda: _make("L2a-noint", sparse_binary, 1 / 10, SPARSE,
                               fit_intercept=False),
    "L3": lambda: _make("L3", dense_tall, 1 / 100,
                        "dense n>>p (Toeplitz 0.6, 50 true nnz), n=100000, p=200"),
    # alpha = (alpha_max / 0.5) / 10: its L1 part is the L1 problem's alpha_max / 10
    "L4": lambda: _make("L4", dense_wide, 1 / 10, DENSE_WIDE, l1_ratio=0.5),
    "L5": lambda: _make("L5", sparse_multinomial, 1 / 100,
                        "multinomial K=10, sparse rcv1-like, density 1e-3, n=10000, p=20000"),
    "L6": lambda: _make("L6", dense_wide, np.geomspace(1.0, 1e-2, N_PATH),
                        f"{N_PATH}-alpha path alpha_max -> alpha_max/100 on the L1 data, "
                        + DENSE_WIDE),
}


@lru_cache(maxsize=None)
def get_problem(name):
    """The problem ``name`` (built once per process; data generation is never timed)."""
    return BUILDERS[name]()
