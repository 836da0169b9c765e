"""L2 (ridge) solvers: Cholesky (primal or dual), SVD, and accelerated gradient (weight decay).

All minimise ``1/(2S) ||y_c - X_c w||^2 + 1/2 sum_j b_j w_j^2`` with ``b = alpha * v`` and
report the duality gap of what they return.
"""

import numpy as np
import scipy.linalg as la
from scipy.linalg import blas
from scipy.sparse.linalg import LinearOperator, eigsh

from ._kernels._prox import duality_gap
from ._penalty import make_penalty
from ._solvers import _finish, certify, gap_tolerance

RIDGE_SOLVERS = ("auto", "cholesky", "svd", "gradient")
SPARSE_GRAM_MAX_FEATURES = 2000


def choose_ridge_solver(design, penalty_factor):
    """``"auto"``: Cholesky unless X is sparse and too wide for a dense p x p matrix."""
    if design.sparse and design.n_features > SPARSE_GRAM_MAX_FEATURES:
        return "gradient"
    return "cholesky"


def solve_ridge(design, alpha, *, penalty_factor=None, solver="auto", tol=1e-4,
                max_iter=1000, coef_init=None, warn=True):
    """Solve the L2-penalized problem; closed-form solvers report ``n_iter = 1``."""
    if solver == "auto":
        solver = choose_ridge_solver(design, penalty_factor)
    penalty = make_penalty(design, alpha, 0.0, penalty_factor)
    tol_abs = gap_tolerance(design, tol)
    all_penalized = penalty.unpen.size == 0 and np.all(penalty.b > 0)
    if solver == "gradient":
        w, gap, n_iter = _accelerated_gradient(design, penalty, tol_abs, max_iter, coef_init)
        return _finish(design, w, gap, n_iter, tol_abs, warn)
    if solver == "svd":
        if design.sparse:
            raise ValueError("solver='svd' needs dense X; use 'cholesky' or 'gradient'.")
        if not all_penalized:
            raise ValueError("solver='svd' needs alpha > 0 and every penalty_factor > 0; "
                             "use 'cholesky'.")
        w = _svd(design, penalty.b)
    elif not design.sparse and design.n_features > design.n_samples and all_penalized:
        w = _cholesky_dual(design, penalty.b)
    else:
        w = _cholesky_primal(design, penalty.b)
    return _finish(design, w, certify(design, penalty, w), 1, tol_abs, warn, exact=True)


def _cholesky_primal(design, b):
    """Solve ``(Q + diag(b)) w = g0`` on the p x p Gram matrix."""
    Q, g0, _ = design.gram()
    A = Q + np.diag(b)
    try:
        return la.cho_solve(la.cho_factor(A, lower=True, check_finite=False), g0,
                            check_finite=False)
    except la.LinAlgError:  # singular: unpenalized collinear features; minimum-norm solution
        return la.lstsq(A, g0, check_finite=False)[0]


def _scaled_centered_dense(design, b):
    """``X_c diag(b)^-1/2`` as a new array (the input is never modified)."""
    return (design.X - np.outer(design.c, design.means)) / np.sqrt(b)


def _cholesky_dual(design, b):
    """For p > n: ``w = D^-1 X_c^T z`` with ``(X_c D^-1 X_c^T + S I) z = y_c``."""
    Xd = _scaled_centered_dense(design, b)
    K = blas.dsyrk(1.0, np.asfortranarray(Xd, dtype=np.float64), trans=0, lower=1)
    K[np.diag_indices_from(K)] += design.S
    y_c = design.y
    z = la.cho_solve(la.cho_factor(K, lower=True, overwrite_a=True, check_finite=False), y_c,
                     check_finite=False)
    return (Xd.T @ z) / np.sqrt(b)


def _svd(design, b):
    """``u = V diag(s / (s^2 + S)) U^T y_c`` on the rescaled design, ``w = u / sqrt(b)``."""
    Xd = _scaled_centered_dense(design, b)
    U, s, Vt = la.svd(Xd, full_matrices=False, check_finite=False)
    y_c = design.y
    u = Vt.T @ (s / (s * s + design.S) * (U.T @ y_c))
    return u / np.sqrt(b)


def _lipschitz(design, b):
    """Largest eigenvalue of ``X_c^T X_c / S + diag(b)``, from above (Lanczos + margin)."""
    p = design.n_features
    if p == 1:
        return float(design.lips[0] + b[0])
    op = LinearOperator((p, p), dtype=np.float64,
                        matvec=lambda v: design.centered_rmatvec(design.centered_matvec(v)))
    top = eigsh(op, k=1, which="LA", tol=1e-3, return_eigenvectors=False,
                v0=np.ones(p))[0]
    return 1.01 * float(top) / design.S + float(b.max())


def _accelerated_gradient(design, penalty, tol_abs, max_iter, coef_init):
    """Nesterov-accelerated gradient with adaptive restart; matrix-free (dense or sparse).

    Each step is a weight-decay update ``w <- (1 - b/L) v + X_c^T r / (S L)``. The duality gap
    of the extrapolated point is checked every iteration from the residual already computed.
    """
    b = penalty.b
    L = _lipschitz(design, b)
    mu = float(b.min())
    momentum = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu)) if mu > 0 else None
    w = np.zeros(design.n_features) if coef_init is None else np.array(coef_init, float)
    v = w.copy()
    t = 1.0
    gap = np.inf
    for n_iter in range(1, max_iter + 1):
        r = design.y - design.matvec(v)
        if design.fit_intercept:
            r -= (design.c @ r / design.S) * design.c
        neg_grad = design.rmatvec(r) / design.S  # r is centred, so X^T r == X_c^T r
        gap, _, _ = duality_gap(v, neg_grad, float(r @ r) / design.S,
                                float(design.y @ r) / design.S, penalty.a, b, False,
                                *penalty.kernel_args())
        if gap <= tol_abs:
            return v, gap, n_iter
        grad_f = b * v - neg_grad
        w_new = v - grad_f / L
        if momentum is None:
            t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            beta, t = (t - 1.0) / t_new, t_new
        else:
            beta = momentum
        if grad_f @ (w_new - w) > 0.0:  # restart: the momentum points uphill
            beta, t = 0.0, 1.0
        v = w_new + beta * (w_new - w)
        w = w_new
    return v, gap, max_iter


class RidgeSpectrum:
    """One decomposition serving every alpha: ``w(alpha) = D^-1/2 V diag(1/(lam+alpha)) V^T h``.

    ``lam`` are the eigenvalues of ``D^-1/2 Q D^-1/2`` (``D = diag(penalty_factor)``) and
    ``proj = V^T D^-1/2 g0``. They come from an eigendecomposition of the p x p Gram matrix
    when n >= p, and from a thin SVD of the centred design when p > n.
    """

    def __init__(self, design, scale, eigvecs, eigvals, proj, scores):
        self.design, self.scale = design, scale
        self.eigvecs, self.eigvals, self.proj = eigvecs, eigvals, proj
        self.scores = scores  # X_c D^-1/2 V: the data in the eigenbasis, (n, k)

    @classmethod
    def of(cls, design, penalty_factor, keep_scores=False):
        """The spectrum of ``design``, or None when it does not apply (sparse, v_j == 0)."""
        v = np.ones(design.n_features) if penalty_factor is None else penalty_factor
        if design.sparse or np.any(v <= 0):
            return None
        scale = 1.0 / np.sqrt(v)
        if design.n_samples >= design.n_features:
            Q, g0, _ = design.gram()
            lam, V = la.eigh(Q * np.outer(scale, scale), check_finite=False)
            scores = design.centered_matvec(V * scale[:, None]) if keep_scores else None
            return cls(design, scale, V, np.maximum(lam, 0.0), V.T @ (scale * g0), scores)
        Xd = _scaled_centered_dense(design, v)
        U, s, Vt = la.svd(Xd, full_matrices=False, check_finite=False)
        y_c = design.y
        return cls(design, scale, Vt.T, s * s / design.S, s * (U.T @ y_c) / design.S, U * s)

    def solve(self, alpha):
        """Exact ridge solution at ``alpha`` with its certified duality gap."""
        coef = self.scale * (self.eigvecs @ (self.proj / (self.eigvals + alpha)))
        penalty = make_penalty(self.design, alpha, 0.0, 1.0 / self.scale ** 2)
        return _finish(self.design, coef, certify(self.design, penalty, coef), 1, 0.0, False,
                       exact=True)

    def loo_errors(self, alphas):
        """Exact leave-one-out squared errors, shape (n_alphas, n_samples), weighted by s_i.

        For a linear smoother ``H`` the leave-one-out residual is ``r_i / (1 - H_ii)``; here
        ``H = c c^T / S + Z diag(1 / (S (lam + alpha))) Z^T`` with ``Z`` the scores, so every
        alpha costs O(n k) after the one decomposition.
        """
        d = self.design
        y_c = d.y
        base = d.c * d.c / d.S if d.fit_intercept else np.zeros(d.n_samples)
        sq_scores = self.scores * self.scores
        out = np.empty((len(alphas), d.n_samples))
        for k, alpha in enumerate(alphas):
            shrink = 1.0 / (self.eigvals + alpha)
            residual = y_c - self.scores @ (shrink * self.proj)
            leverage = base + sq_scores @ shrink / d.S
            out[k] = (residual / (1.0 - leverage)) ** 2 * (d.n_samples / d.S)
        return out
