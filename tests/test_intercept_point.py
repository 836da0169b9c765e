"""The intercept-only dual point of the classifiers' certificate
(``_logistic.intercept_point``, compiled instead of the general constraint system when no
feature is unpenalized) against its definition: probabilities ``T' = T + J delta`` (``J`` the
softmax Jacobian) whose dual point ``c (Y - T')`` satisfies the intercepts' equations, found
here by solving the ``K`` x ``K`` system with NumPy's least squares."""

import numpy as np
import pytest
from numba import njit

from sparsereg._kernels._logistic import class_flag, intercept_point


@njit
def _call(Y, T, c, fit_intercept, classes):  # an internal kernel: called from a kernel
    return intercept_point(Y, T, c, fit_intercept, classes)


def _problem(K, n, seed, scale=1.0, drawn=False):
    """Probabilities of random logits (of ``scale``) and labels drawn uniformly or, if
    ``drawn``, from those probabilities (a fitted model's situation: small corrections)."""
    rng = np.random.default_rng(seed)
    rows = max(K, 2)
    eta = scale * rng.standard_normal((rows, n))
    T = np.exp(eta - eta.max(axis=0))
    T /= T.sum(axis=0)
    labels = rng.integers(0, rows, n)
    if drawn:
        labels = (rng.random(n)[None, :] > np.cumsum(T, axis=0)).sum(axis=0).clip(0, rows - 1)
    Y = (labels[None, :] == np.arange(rows)[:, None]).astype(float)
    c = rng.random(n)
    c /= c.sum()
    if K == 1:  # two classes: the second class's row only
        return np.ascontiguousarray(Y[1:]), np.ascontiguousarray(T[1:]), c
    return Y, T, c


def _reference(Y, T, c):
    """``T + J delta`` with ``delta`` from NumPy's least squares on the intercepts'
    equations (the minimum-norm solution: the multinomial system is singular)."""
    K, n = T.shape
    if K == 1:
        J = [np.diag(T[0] * (1 - T[0]))]
        M = np.array([[np.sum(c * T[0] * (1 - T[0]))]])
    else:
        M = np.zeros((K, K))
        for i in range(n):
            M += c[i] * (np.diag(T[:, i]) - np.outer(T[:, i], T[:, i]))
    viol = (c * (Y - T)).sum(axis=1)
    delta = np.linalg.lstsq(M, viol, rcond=None)[0]
    if K == 1:
        return T + (J[0] @ np.full(n, delta[0]))[None, :]
    return T + T * (delta[:, None] - (T * delta[:, None]).sum(axis=0))


@pytest.mark.parametrize("K", [1, 3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_least_squares_correction_and_solves_the_equations(K, seed):
    Y, T, c = _problem(K, 300, seed)
    Tp, ok = _call(Y, T, c, True, class_flag(K))
    assert ok
    np.testing.assert_allclose(Tp, _reference(Y, T, c), rtol=0, atol=1e-12)
    scale = (c * (np.abs(Y) + np.abs(Tp))).sum(axis=1)
    assert np.all(np.abs((c * (Y - Tp)).sum(axis=1)) <= 1e-13 * scale)
    if K > 1:  # the correction keeps every sample's probabilities summing to 1
        np.testing.assert_allclose(Tp.sum(axis=0), 1.0, rtol=0, atol=1e-13)


@pytest.mark.parametrize("K, scale", [(3, 10.0), (3, 40.0), (5, 40.0), (10, 10.0)])
def test_extreme_probabilities_are_corrected_or_rejected_as_the_reference(K, scale):
    # Logits of scale 40 put probabilities near e^-80: the system is nearly singular beyond
    # its null space (the pivoted solver handled that by dropping directions; the shifted
    # plain Cholesky must not accept a wrong point). The point is accepted exactly when the reference correction is inside
    # [0, 1] and satisfies the equations to round-off, and then it is the reference's.
    accepted = 0
    for seed in range(10):
        Y, T, c = _problem(K, 1000, seed, scale=scale, drawn=True)
        Tp, ok = _call(Y, T, c, True, class_flag(K))
        accepted += ok
        ref = _reference(Y, T, c)
        size = (c * (np.abs(Y) + np.abs(ref))).sum(axis=1)
        ref_ok = bool(np.all((ref >= 0) & (ref <= 1))) and bool(
            np.all(np.abs((c * (Y - ref)).sum(axis=1)) <= 4 * 1002 * np.finfo(float).eps * size))
        assert ok == ref_ok
        if ok:
            np.testing.assert_allclose(Tp, ref, rtol=0, atol=1e-10)
    assert accepted >= 3  # not only rejections


@pytest.mark.parametrize("K", [1, 3])
def test_without_intercept_the_probabilities_are_kept(K):
    Y, T, c = _problem(K, 50, 3)
    Tp, ok = _call(Y, T, c, False, class_flag(K))
    assert ok
    np.testing.assert_array_equal(Tp, T)
    assert Tp is not T


@pytest.mark.parametrize("K", [1, 3])
def test_a_correction_leaving_the_simplex_is_rejected(K):
    # Every label the same class while the fitted probabilities say the opposite: the
    # first-order correction overshoots [0, 1], and the point must not be used.
    n = 40
    Y, T, c = _problem(K, n, 4, scale=6.0)
    Y[:] = 0.0
    Y[0] = 1.0
    Tp, ok = _call(Y, T, c, True, class_flag(K))
    inside = bool(np.all((Tp >= 0) & (Tp <= 1)))
    assert ok == inside
    assert not ok
