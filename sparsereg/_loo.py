"""Exact leave-one-out for ridge when :class:`~sparsereg._ridge.RidgeSpectrum` has no
decomposition to offer: sparse X with more features than samples (and more than
``SPARSE_GRAM_MAX_FEATURES`` of them, see ``RowDesign.spectral_form``), where the thin SVD
would densify X.

With ``Pi`` the projection on the unpenalized part of the model (the intercept column ``c``
and the centred unpenalized columns ``X_c,U``) and ``M = I - Pi``, ridge on the penalized
features P is the smoother ``K (K + alpha S I)^-1`` applied to ``M y~``, with the n x n kernel

    K = M X_c,P D^-1 X_c,P^T M,   D = diag(v_P).

``X_c,P D^-1 X_c,P^T`` is the dual ridge solver's kernel (``1 / v_j = 0`` drops U), formed
from sparse products: X is never densified. From ``K = U diag(mu) U^T`` the scores
``U sqrt(mu)`` and eigenvalues ``mu / S`` are those of the dense p > n SVD path, so
:meth:`RidgeSpectrum.loo_errors` applies unchanged, with ``diag(Pi)`` as the leverage of the
unpenalized part.
"""

import numpy as np
import scipy.linalg as la

from ._ridge import RidgeSpectrum

KERNEL_MAX_SAMPLES = 2000  # n x n kernel: O(n^3) eigendecomposition, 8 n^2 bytes per copy


def leave_one_out_spectrum(design, penalty_factor):
    """``(spectrum, None)`` scoring exact leave-one-out, or ``(None, reason)``.

    Parameters
    ----------
    design : Design
        In-memory design (rows available).
    penalty_factor : ndarray of shape (n_features,) or None
        Checked per-feature penalty multipliers.

    Returns
    -------
    spectrum : RidgeSpectrum or None
        With ``scores`` and ``base_leverage`` set, for :meth:`RidgeSpectrum.loo_errors`.
    reason : str or None
        Why leave-one-out is not available, for the caller's warning.
    """
    v = np.ones(design.n_features) if penalty_factor is None else penalty_factor
    if not np.any(v > 0):
        return None, "every feature is unpenalized (penalty_factor is 0), so alpha has no effect"
    spectrum = RidgeSpectrum.of(design, penalty_factor, keep_scores=True)
    if spectrum is not None:
        return spectrum, None
    if design.spectral_form() is not None:  # then RidgeSpectrum would have decomposed it
        return None, "no decomposition applies to this design"
    if design.n_samples > KERNEL_MAX_SAMPLES:
        return None, ("sparse X with more features than samples needs the n x n kernel "
                      f"X_c D^-1 X_c^T, formed only for n_samples <= {KERNEL_MAX_SAMPLES} "
                      f"(got {design.n_samples})")
    return kernel_spectrum(design, v), None


def _unpenalized_basis(design, unpen):
    """Orthonormal basis (n, k) of the span of ``c`` (with an intercept) and ``X_c,U``."""
    columns = [design.c[:, None]] if design.fit_intercept else []
    if unpen.size:
        columns.append(design.centered_columns(unpen))
    if not columns:
        return np.zeros((design.n_samples, 0))
    left, sv, _ = la.svd(np.hstack(columns), full_matrices=False, check_finite=False)
    keep = sv > sv[0] * max(left.shape) * np.finfo(float).eps  # drop collinear directions
    return left[:, keep]


def kernel_spectrum(design, v):
    """:class:`RidgeSpectrum` (scores only, no coefficient mapping) from the n x n kernel.

    Parameters
    ----------
    design : Design
        Sparse in-memory design.
    v : ndarray of shape (n_features,)
        Penalty factors, some positive.

    Returns
    -------
    RidgeSpectrum
        Usable for :meth:`RidgeSpectrum.loo_errors` only (``mapping`` is None).
    """
    unpen = np.flatnonzero(v == 0)
    inv_v = np.divide(1.0, v, out=np.zeros_like(v, dtype=np.float64), where=v > 0)
    kernel = design.centered_kernel(inv_v)  # X_c,P D^-1 X_c,P^T
    basis = _unpenalized_basis(design, unpen)
    if basis.shape[1]:  # K <- M K M with M = I - basis basis^T
        kb = kernel @ basis
        kernel -= kb @ basis.T + basis @ kb.T - basis @ (basis.T @ kb) @ basis.T
    mu, vecs = la.eigh(kernel, overwrite_a=True, check_finite=False)
    root = np.sqrt(np.maximum(mu, 0.0))
    w_fixed = np.zeros(design.n_features)
    if unpen.size:
        w_fixed[unpen] = design.least_squares(unpen)[0]
    residual = design.y - design.centered_matvec(w_fixed)  # M y~
    return RidgeSpectrum(design=design, v=v, mapping=None, eigvals=root * root / design.S,
                         proj=root * (vecs.T @ residual) / design.S, w_fixed=w_fixed,
                         scores=vecs * root,
                         base_leverage=np.einsum("ij,ij->i", basis, basis))
