"""Exact leave-one-out for ridge when :class:`~sparsereg._ridge.RidgeSpectrum` has no
decomposition to offer: sparse X with more features than samples (and more than
``SPARSE_GRAM_MAX_FEATURES`` of them), where the thin SVD would densify X.

With ``c`` the intercept column, ``Pi`` the projection on ``[c, X~_U]`` (the unpenalized part
of the model) and ``M = I - Pi``, ridge on the penalized features ``P`` is the smoother
``K (K + alpha S I)^-1`` applied to ``M y~``, with the n x n kernel

    K = M X~_P D^-1 X~_P^T M,   D = diag(v_P).

``X~_P D^-1 X~_P^T`` is a sparse product, so X is never densified. From ``K = U diag(mu) U^T``
the scores ``U sqrt(mu)`` and eigenvalues ``mu / S`` are those of the dense p > n SVD path,
and :meth:`RidgeSpectrum.loo_errors` applies unchanged, with the leverage of the unpenalized
part ``diag(Pi)``. Centring by projection (not column by column) costs digits when column
means are large against their spread, as in scikit-learn's sparse ``RidgeCV``.
"""

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

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
    if not design.sparse:  # RidgeSpectrum decomposes every dense design
        return None, "no decomposition applies to this design"
    if design.n_samples > KERNEL_MAX_SAMPLES:
        return None, ("sparse X with more features than samples needs the n x n kernel "
                      f"X_c D^-1 X_c^T, formed only for n_samples <= {KERNEL_MAX_SAMPLES} "
                      f"(got {design.n_samples})")
    return kernel_spectrum(design, v), None


def _unpenalized_basis(design, Xs, unpen):
    """Orthonormal basis (n, k) of the span of ``c`` (with an intercept) and ``X~_U``."""
    columns = [design.c[:, None]] if design.fit_intercept else []
    if unpen.size:
        columns.append(Xs[:, unpen].toarray())
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
    pen, unpen = np.flatnonzero(v > 0), np.flatnonzero(v == 0)
    Xs = design.csc_matrix()
    scaled = Xs[:, pen] @ sp.diags(1.0 / np.sqrt(v[pen]))
    kernel = np.asarray((scaled @ scaled.T).toarray(), dtype=np.float64)
    basis = _unpenalized_basis(design, Xs, unpen)
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
