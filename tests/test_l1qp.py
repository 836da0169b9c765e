"""The exact L1-penalized quadratic of the classifiers' joint steps (``_l1qp.l1_qp``) against
its optimality conditions, checked in NumPy: with ``r = g + H (x - w)``, ``r_i = -a_i
sign(x_i)`` where ``x_i != 0`` and ``|r_i| <= a_i`` where ``x_i = 0`` (the problem is
convex, so these characterise its minimisers), on well- and ill-conditioned ``H``
(columns with a large common offset, where coordinate descent crawls) and singular ones."""

import numpy as np
import pytest
from numba import njit

from sparsereg._kernels._l1qp import l1_qp


@njit
def _solve(g, H, w, a):  # an internal kernel: called from a kernel
    x = np.empty(w.shape[0])
    moves = l1_qp(g, H, w, a, x)
    return x, moves


def _q(g, H, w, a, x):
    d = x - w
    return g @ d + 0.5 * d @ H @ d + a @ np.abs(x)


def _problem(seed, m, offset=0.0, rank=None):
    rng = np.random.default_rng(seed)
    n = 3 * m
    A = rng.standard_normal((n, rank or m)) @ (rng.standard_normal((rank or m, m))
                                             if rank else np.eye(m))
    A += offset
    H = A.T @ A / n
    w = rng.standard_normal(m) * (rng.random(m) < 0.5)
    x_true = rng.standard_normal(m) * (rng.random(m) < 0.4)
    a = rng.uniform(0.05, 0.3, m)
    # g such that the smooth part's minimiser is near x_true: various signs and zeros
    g = H @ (w - x_true) + 0.1 * rng.standard_normal(m)
    if rank:  # keep g in H's range: the quadratic is bounded below
        vals, vecs = np.linalg.eigh(H)
        keep = vals > 1e-10 * vals.max()
        g = vecs[:, keep] @ (vecs[:, keep].T @ g)
    return g, H, w, a


def _assert_optimal(g, H, w, a, x, rel):
    """The optimality conditions of the module docstring, within ``rel`` of ``|g| + a``."""
    r = g + H @ (x - w)
    on = x != 0.0
    scale = np.abs(g).max() + a.max()
    assert np.all(np.abs(r[on] + a[on] * np.sign(x[on])) <= rel * scale)
    assert np.all(np.abs(r[~on]) <= a[~on] + rel * scale)


@pytest.mark.parametrize("offset", [0.0, 100.0], ids=["plain", "offset-100"])
@pytest.mark.parametrize("seed", range(6))
def test_meets_the_optimality_conditions(seed, offset):
    g, H, w, a = _problem(seed, m=12 + 4 * (seed % 3), offset=offset)
    x, moves = _solve(g, H, w, a)
    _assert_optimal(g, H, w, a, x, 1e-9)
    assert _q(g, H, w, a, x) <= _q(g, H, w, a, w)  # and it lowered q from the start


@pytest.mark.parametrize("seed", range(4))
def test_singular_curvature(seed):
    g, H, w, a = _problem(seed, m=10, rank=6)
    x, _ = _solve(g, H, w, a)
    # the conditions hold up to the flat directions' round-off
    _assert_optimal(g, H, w, a, x, 1e-6)


def test_already_optimal_point_is_kept():
    g, H, w, a = _problem(0, m=8)
    x, _ = _solve(g, H, w, a)
    again, moves = _solve(g + H @ (x - w), H, x, a)  # the same problem, started at x
    assert moves == 0
    np.testing.assert_array_equal(again, x)
