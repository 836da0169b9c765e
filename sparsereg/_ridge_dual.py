"""The dual form of wide dense ridge without copies of X: the n x n kernel formed by blocks
of columns and the p x r coefficient mapping held as its factors (:class:`DualMapping`), for
:meth:`~sparsereg._ridge.RidgeSpectrum.of`."""

import numpy as np
import scipy.linalg as la

KERNEL_SVD_MIN_RATIO = 1e-8  # smallest sv^2 / largest that the n x n kernel resolves well


def kernel_singular_values(kernel, null_dim):
    """``(U, sv)``: the left singular vectors and singular values (decreasing) of a matrix
    ``A`` from its kernel ``A A^T`` (the lower triangle is read), or None when the kernel does
    not resolve them: it squares the condition number, so values below
    ``sqrt(KERNEL_SVD_MIN_RATIO)`` times the largest are lost; up to ``null_dim`` of them are
    known zeros and are left out (they contribute nothing), any more and A needs an SVD."""
    mu, U = la.eigh(kernel, lower=True, overwrite_a=True, check_finite=False)
    mu, U = mu[::-1], U[:, ::-1]  # decreasing, as an SVD's
    keep = mu > KERNEL_SVD_MIN_RATIO * mu[0]
    if mu[0] <= 0 or len(mu) - np.count_nonzero(keep) > null_dim:
        return None
    return U[:, keep], np.sqrt(mu[keep])


def dual_spectrum(design, inv_v):
    """``(eigvals, proj, left, mapping)`` of a wide dense design with every feature penalized
    (``inv_v = 1 / penalty_factor``) from its n x n kernel ``K = X_c D^-1 X_c^T``, formed by
    blocks of columns: no copy of X and no p x n factor (:class:`DualMapping`). None when
    the kernel does not resolve the spectrum (:func:`kernel_singular_values`): then the
    thin SVD."""
    resolved = kernel_singular_values(design.centered_kernel(inv_v), int(design.fit_intercept))
    if resolved is None:
        return None
    U, sv = resolved
    return (sv * sv / design.S, sv * (U.T @ design.y) / design.S, U * sv,
            DualMapping(design, U / sv, inv_v))


class DualMapping:
    """The p x r mapping ``M = D^-1 X_c^T U_s`` (from eigen-coordinates to coefficients) of
    the dual form, held as its factors: ``M @ e``, ``M.T @ x`` and ``E @ M.T`` each cost one
    pass over X, and no p x r array is formed (it would be as large as X)."""

    __array_ufunc__ = None  # ndarray @ DualMapping defers to __rmatmul__

    def __init__(self, design, U_s, inv_v):
        self.design, self.U_s, self.inv_v = design, U_s, inv_v
        self.shape = (design.n_features, U_s.shape[1])

    def __matmul__(self, e):
        coef = self.design.centered_rmatvec(self.U_s @ e)
        return coef * (self.inv_v if coef.ndim == 1 else self.inv_v[:, None])

    @property
    def T(self):
        return _DualMappingT(self)


class _DualMappingT:
    """``M.T`` of a :class:`DualMapping`."""

    __array_ufunc__ = None

    def __init__(self, mapping):
        self.m = mapping

    def __matmul__(self, x):
        m = self.m
        x = x * (m.inv_v if np.ndim(x) == 1 else m.inv_v[:, None])
        return m.U_s.T @ m.design.centered_matvec(x)

    def __rmatmul__(self, E):  # (k, r) @ M.T -> (k, p)
        return (self.m @ np.asarray(E).T).T
