"""L2 (ridge) solvers: Cholesky (primal or dual), SVD/eigendecomposition, conjugate gradient
and accelerated gradient (weight decay).

All minimise ``1/(2S) ||y_c - X_c w||^2 + 1/2 sum_j b_j w_j^2`` with ``b = alpha * v`` and
report the duality gap of what they return.
"""

import functools

import numpy as np
import scipy.linalg as la
from scipy.linalg import blas
from scipy.sparse.linalg import LinearOperator, eigsh

from ._cv_summary import summarize
from ._kernels._prox import duality_gap
from ._problem import make_penalty, psd_pinv
from ._problem._units import power_of_two_scale
from ._ridge_dual import dual_spectrum, kernel_singular_values
from ._solvers import _finish, certify, certify_many, gap_tolerance, tighter_stop

RIDGE_SOLVERS = ("auto", "cholesky", "svd", "cg", "gradient")
DIRECT_MAX_SIZE = 12_000  # largest k x k system a direct solve forms (1.1 GiB in float64)
LOO_BLOCK = 1 << 18  # entries of the scores squared at a time for the leverages (2 MiB)


def choose_ridge_solver(design):
    """``"auto"``: Cholesky on the smaller of the p x p and n x n systems, conjugate gradient
    when X is sparse and wide or dense and much wider than tall."""
    return "cg" if design.prefers_matrix_free() else "cholesky"


def solve_ridge(design, alpha, *, penalty_factor=None, solver="auto", tol=1e-4,
                max_iter=1000, coef_init=None, warn=True):
    """Solve the L2-penalized problem; closed-form solvers report ``n_iter = 1``.

    ``coef_init`` and the returned :class:`~sparsereg._solvers.Solution` are in data units.
    Closed-form solutions are certified like iterative ones: a gap above ``tol * P(0)``
    (an ill-conditioned system) warns.
    """
    auto = solver == "auto"
    if auto:
        solver = choose_ridge_solver(design)
    penalty = make_penalty(design, alpha, 0.0, penalty_factor)
    tol_abs = gap_tolerance(design, tol)
    direct = _direct_form(design, penalty)
    if solver == "cholesky" and direct is None:
        size = min(design.n_samples, design.n_features)
        raise ValueError(f"solver='cholesky' would form a dense {size} x {size} system, too "
                         "large for memory; use solver='cg' (matrix free).")
    if solver in ("gradient", "cg"):
        iterate = functools.partial(_conjugate_gradient, res_tol=tol) if solver == "cg" \
            else _accelerated_gradient
        start = None if coef_init is None else design.coef_in(coef_init)
        w, gap, n_iter = iterate(design, penalty, tol_abs, max_iter, start)
        stop = tighter_stop(design, tol, w, gap, tol_abs)
        if stop is not None and n_iter < max_iter:
            w, gap, more = iterate(design, penalty, stop, max_iter - n_iter, w)
            n_iter += more
        # "auto" falls back on a direct solve rather than return an unconverged iterate, when
        # the direct system fits in memory (else the iterate comes with its warning).
        if not (auto and gap > tol_abs and direct is not None):
            return _finish(design, w, certify(design, penalty, w), n_iter, tol, warn,
                           stop_abs=tol_abs)
    if solver == "svd":
        spectrum = RidgeSpectrum.of(design, penalty_factor)
        if spectrum is None:
            raise ValueError("solver='svd' needs dense X (or sparse X with n >= p); use "
                             "'cholesky' or 'cg'.")
        if alpha == 0 and not np.all(spectrum.eigvals > 0):
            raise ValueError("solver='svd' with alpha=0 needs a full-rank design.")
        return spectrum.solve(alpha, tol=tol, warn=warn)
    w = _cholesky_dual(design, penalty.b) if direct == "dual" else \
        _cholesky_primal(design, penalty.b)
    return _finish(design, w, certify(design, penalty, w), 1, tol, warn, direct=True)


def _direct_form(design, penalty):
    """``"dual"`` (n x n) when p > n and every feature is penalized, else ``"primal"``
    (p x p); None when that system would not fit in memory."""
    n, p = design.n_samples, design.n_features
    if design.has_rows and p > n and penalty.unpen.size == 0 and np.all(penalty.b > 0):
        return "dual" if n <= DIRECT_MAX_SIZE else None
    return "primal" if p <= DIRECT_MAX_SIZE or not design.has_rows else None


def _cholesky_primal(design, b, rhs=None):
    """Solve ``(Q + diag(b)) w = g0`` on the p x p Gram matrix; ``rhs`` (p, k) in place of
    ``g0``: k targets' ``X_c^T y / S`` solved with one factorisation."""
    Q, g0, _ = design.gram()
    A = Q + np.diag(b)
    rhs = g0 if rhs is None else rhs
    try:
        return la.cho_solve(la.cho_factor(A, lower=True, check_finite=False), rhs,
                            check_finite=False)
    except la.LinAlgError:  # singular: unpenalized collinear features; minimum-norm solution
        return la.lstsq(A, rhs, check_finite=False)[0]


def _cholesky_dual(design, b, rhs=None):
    """For p > n: ``w = V X_c^T z`` with ``(X_c V X_c^T + beta S I) z = y_c``; ``rhs``
    (n, k) in place of ``y_c``: k targets solved with one factorisation.

    ``b = beta / V`` with ``beta`` the largest of ``b``, so V is of order one however small
    alpha is. As alpha -> 0 the system turns singular (``X_c`` has rank < n): the
    pseudo-inverse then gives the minimum-norm limit instead of a failed factorisation.
    """
    beta = float(b.max())
    inv_v = beta / b
    K = design.centered_kernel(inv_v)
    ridge = beta * design.S
    rhs = design.y if rhs is None else rhs
    try:
        K_reg = K.copy()
        K_reg[np.diag_indices_from(K_reg)] += ridge
        z = la.cho_solve(la.cho_factor(K_reg, lower=True, overwrite_a=True,
                                       check_finite=False), rhs, check_finite=False)
    except la.LinAlgError:
        lam, U = la.eigh(K, check_finite=False)
        total = np.maximum(lam, 0.0) + ridge
        keep = total > len(lam) * np.finfo(float).eps * max(float(lam.max()), 0.0)
        inv = np.divide(1.0, total, out=np.zeros_like(total), where=keep)
        z = U @ (inv.reshape((-1,) + (1,) * (rhs.ndim - 1)) * (U.T @ rhs))
    return inv_v.reshape((-1,) + (1,) * (rhs.ndim - 1)) * design.centered_rmatvec(z)


def _conjugate_gradient(design, penalty, tol_abs, max_iter, coef_init, res_tol=0.0):
    """Conjugate gradient on ``(X_c^T X_c / S + diag(b)) w = X_c^T y / S`` (Jacobi-preconditioned
    when n >= p), until the duality gap is at most ``tol_abs`` and the residual of the system
    at most ``res_tol`` times its right-hand side's norm (scikit-learn's ``sparse_cg`` test:
    with a small alpha, a small gap alone can leave the held-out predictions 1e-3 off).

    Matrix free (dense or sparse). The data residual ``r = y_c - X_c w`` is updated with the
    product ``X_c p`` that CG computes anyway, and ``X_c^T r / S`` is CG's residual plus
    ``b w``, so the duality gap costs O(n + p) (it is computed only once the residual test
    holds: it cost 30 % of a TF-IDF ridge path when computed at every iteration).
    """
    b, S = penalty.b, design.S
    pen, rnd = penalty.data(), design.roundoff_data()
    w = np.zeros(design.n_features) if coef_init is None else coef_init
    r = design.y - design.centered_matvec(w) if coef_init is not None else design.y.copy()
    res = design.centered_rmatvec(r) / S - b * w  # minus the gradient
    rhs_norm = np.linalg.norm(res if coef_init is None else
                              design.centered_rmatvec(design.y) / S)
    if design.n_features > design.n_samples:
        # Wide X: from w = 0, plain CG stays in the row space of X_c, where the spectrum is
        # one compact cluster; a diagonal (Jacobi) preconditioner leaks into the null space,
        # whose eigenvalue is the tiny b, and stalls CG for dozens of passes (measured on e2).
        # A scalar, a power of two near the mean curvature, changes no iterate but keeps
        # d^T A d in range when the columns' scale is far from y's (X at 1e125: 1e384).
        curvature = float(np.mean(design.lips + b))
        scalar = 1.0 / power_of_two_scale(curvature) ** 2 if curvature > 0 else 1.0
        precond = np.full(design.n_features, scalar)
    else:
        precond = 1.0 / np.maximum(design.lips + b, np.finfo(float).tiny)
    z = precond * res
    direction = z.copy()
    rz = res @ z
    def current_gap():
        return duality_gap(w, res + b * w, float(r @ r) / S, float(design.y @ r) / S, pen,
                           rnd)[0]

    gap = None  # of the current w, when computed
    for n_iter in range(1, max_iter + 1):
        x_dir = design.centered_matvec(direction)
        a_dir = design.centered_rmatvec(x_dir) / S + b * direction
        curvature = direction @ a_dir
        if curvature <= 0.0:
            break
        step = rz / curvature
        w += step * direction
        r -= step * x_dir
        res -= step * a_dir
        gap = None
        if np.linalg.norm(res) <= res_tol * rhs_norm:
            gap = current_gap()
            if gap <= tol_abs:
                break
        z = precond * res
        rz, rz_old = res @ z, rz
        direction = z + (rz / rz_old) * direction
    return w, current_gap() if gap is None else gap, n_iter


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
    pen, rnd = penalty.data(), design.roundoff_data()
    L = _lipschitz(design, b)
    mu = float(b.min())
    momentum = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu)) if mu > 0 else None
    w = np.zeros(design.n_features) if coef_init is None else coef_init
    v = w.copy()
    t = 1.0
    gap = np.inf
    for n_iter in range(1, max_iter + 1):
        r = design.y - design.matvec(v)
        if design.fit_intercept:
            r -= (design.c @ r / design.S) * design.c
        neg_grad = design.rmatvec(r) / design.S  # r is centred, so X^T r == X_c^T r
        gap, _, _ = duality_gap(v, neg_grad, float(r @ r) / design.S,
                                float(design.y @ r) / design.S, pen, rnd)
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




def thin_svd(A, null_dim=0):
    """``(U, sv, Vt)``, the thin SVD of ``A`` (n x p, p > n), through the n x n kernel
    ``A A^T`` when that resolves it: its eigendecomposition and ``V = A^T U / sv`` cost a
    third of a direct SVD (measured: 0.31 s against 1.14 s at 800 x 5000).

    The kernel squares the condition number (:func:`kernel_singular_values`): up to
    ``null_dim`` unresolved values are known zeros (A's rows were centred, or residualized on
    unpenalized columns) and are left out; any more, and the direct SVD is computed instead."""
    n, p = A.shape
    if p <= n:
        return la.svd(A, full_matrices=False, check_finite=False)
    # A A^T without copying A: a C-ordered A is the F-ordered A^T, for which trans=1 gives it
    kernel = blas.dsyrk(1.0, A.T, trans=1, lower=1) if A.flags.c_contiguous else \
        blas.dsyrk(1.0, np.asfortranarray(A, dtype=np.float64), trans=0, lower=1)
    resolved = kernel_singular_values(kernel, null_dim)
    if resolved is None:
        return la.svd(A, full_matrices=False, check_finite=False)
    U, sv = resolved
    return U, sv, (A.T @ U / sv).T


class RidgeSpectrum:
    """One decomposition serving every alpha of a ridge path or leave-one-out CV.

    With P the penalized and U the unpenalized features (``penalty_factor == 0``), the
    unpenalized ones are solved out exactly, leaving a ridge problem on the penalized block
    residualised on U (Schur complement), scaled by ``D^-1/2 = diag(v_P)^-1/2``. With
    ``lam, V`` the eigenpairs of that block's Gram matrix and ``proj`` the data's coordinates:

        w(alpha) = M diag(1 / (lam + alpha)) proj + w_fixed,   X_c w(alpha) = Z (...) + X_c w_fixed

    where ``M`` maps eigen-coordinates to coefficients and ``Z = X_c M`` (the scores). The
    decomposition is an eigendecomposition of the p x p Gram matrix when n >= p (or X is sparse
    and narrow), and a thin SVD of the residualised dense design when p > n.
    """

    def __init__(self, design, v, mapping, eigvals, proj, w_fixed, scores=None,
                 base_leverage=None, pinv_uu=None):
        self.design, self.v = design, v
        self.mapping, self.eigvals, self.proj, self.w_fixed = mapping, eigvals, proj, w_fixed
        self.scores, self.base_leverage = scores, base_leverage
        self.pinv_uu = pinv_uu  # Q_UU^+ (unpenalized features), for another target's w_fixed

    @classmethod
    def of(cls, design, penalty_factor, keep_scores=False):
        """The spectrum of ``design``, or None when no decomposition applies (sparse, p > n)."""
        p = design.n_features
        v = np.ones(p) if penalty_factor is None else penalty_factor
        pen, unpen = np.flatnonzero(v > 0), np.flatnonzero(v == 0)
        if pen.size == 0:
            return None
        scale = 1.0 / np.sqrt(v[pen])
        form = design.spectral_form()
        if form is None:
            return None
        use_gram = form == "gram"
        if use_gram:
            Q, g0, _ = design.gram()
        else:
            Q, g0 = None, None
        # Solve out the unpenalized features: w_U = Q_UU^+ (g_U - Q_UP w_P).
        if unpen.size:
            if Q is None:
                block_u = design.centered_columns(unpen)
                Q_uu = block_u.T @ block_u / design.S
                Q_up = block_u.T @ design.centered_columns(pen) / design.S
                g_u = block_u.T @ design.y / design.S
            else:
                Q_uu, Q_up, g_u = Q[np.ix_(unpen, unpen)], Q[np.ix_(unpen, pen)], g0[unpen]
            pinv_uu = psd_pinv(Q_uu)
            coupling = pinv_uu @ Q_up  # (|U|, |P|)
            fixed_u = pinv_uu @ g_u
        dual = None if use_gram or unpen.size else dual_spectrum(design, scale * scale)
        if use_gram:
            Q_pp, g_p = Q[np.ix_(pen, pen)], g0[pen]
            if unpen.size:
                Q_pp = Q_pp - Q_up.T @ coupling
                g_p = g_p - Q_up.T @ fixed_u
            lam, V = la.eigh(Q_pp * np.outer(scale, scale), check_finite=False)
            proj = V.T @ (scale * g_p)
            left = None
        elif dual is not None:  # the n x n kernel, and the mapping held as its factors
            lam, proj, left, mapping = dual
        else:
            Xd = design.centered_columns(pen)
            if unpen.size:
                Xd -= design.centered_columns(unpen) @ coupling
            if not np.all(scale == 1.0):
                Xd *= scale
            U, sv, Vt = thin_svd(Xd, null_dim=int(design.fit_intercept) + unpen.size)
            V, lam = Vt.T, sv * sv / design.S
            proj = sv * (U.T @ design.y) / design.S
            left = U * sv
        if dual is not None:
            pass
        elif pen.size == p and np.all(scale == 1.0):  # every feature penalized alike: V itself
            mapping = V
        else:
            mapping = np.zeros((p, V.shape[1]))
            mapping[pen] = V * scale[:, None]
        w_fixed = np.zeros(p)
        if unpen.size:
            mapping[unpen] = -coupling @ mapping[pen]
            w_fixed[unpen] = fixed_u
        spectrum = cls(design, v, mapping, np.maximum(lam, 0.0), proj, w_fixed,
                       pinv_uu=pinv_uu if unpen.size else None)
        if keep_scores:
            spectrum.scores = left if left is not None and not unpen.size else \
                design.centered_matvec(mapping)
            base = design.c * design.c / design.S if design.fit_intercept \
                else np.zeros(design.n_samples)
            if unpen.size:
                block_u = design.centered_columns(unpen)
                base = base + np.einsum("ij,ij->i", block_u @ pinv_uu, block_u) / design.S
            spectrum.base_leverage = base
        return spectrum

    def _shrink(self, alpha):
        total = self.eigvals + alpha
        return np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)

    def solve(self, alpha, tol=1e-4, warn=False):
        """Exact ridge solution at ``alpha`` with its certified duality gap (data units);
        ``converged`` says whether the gap is at most ``tol * P(0)``."""
        coef = self.mapping @ (self._shrink(alpha) * self.proj) + self.w_fixed
        penalty = make_penalty(self.design, alpha, 0.0, self.v)
        return _finish(self.design, coef, certify(self.design, penalty, coef), 1, tol, warn,
                       direct=True)

    def solve_path(self, alphas, tol=1e-4):
        """:meth:`solve` at every alpha, certified together (:func:`certify_many`: one pass
        over the data for the whole grid instead of one per alpha)."""
        shrink = np.stack([self._shrink(alpha) for alpha in alphas])
        coefs = (shrink * self.proj) @ self.mapping.T + self.w_fixed
        penalties = [make_penalty(self.design, alpha, 0.0, self.v) for alpha in alphas]
        gaps = certify_many(self.design, penalties, coefs)
        return [_finish(self.design, coef, gap, 1, tol, False, direct=True)
                for coef, gap in zip(coefs, gaps)]

    def loo_errors(self, alphas, per_sample=False):
        """Exact leave-one-out errors per alpha: their mean and standard error over the
        samples, and on request the errors themselves.

        For a linear smoother ``H`` the leave-one-out residual is ``r_i / (1 - H_ii)``; here
        ``H = H_0 + Z diag(1 / (S (lam + alpha))) Z^T`` with ``H_0`` the hat matrix of the
        unpenalized part (intercept and U) and ``Z`` the scores, so every alpha costs O(n k)
        after the one decomposition (the leverages from row blocks of the scores, so no
        second n x k array is made). Sample i's error is ``n s_i e_i^2 / S`` (``e_i`` its
        leave-one-out residual), so that the mean over samples is the weighted mean
        ``sum_i s_i e_i^2 / S``; the standard error is that of the mean of these n values,
        ``std(ddof=1) / sqrt(n)``. One alpha's n errors are held at a time: without
        ``per_sample`` the memory beyond the decomposition is O(n + n_alphas).

        Parameters
        ----------
        alphas : ndarray of shape (n_alphas,)
            Penalty strengths.
        per_sample : bool, default=False
            Also return every sample's error.

        Returns
        -------
        mean, se : ndarray of shape (n_alphas,)
            Mean error over the samples and its standard error.
        errors : ndarray of shape (n_alphas, n_samples) or None
            The per-sample errors when ``per_sample``, else None.
        """
        d = self.design
        fixed_fit = d.centered_matvec(self.w_fixed)
        mean, se = np.empty(len(alphas)), np.empty(len(alphas))
        out = np.empty((len(alphas), d.n_samples)) if per_sample else None
        rows = max(1, LOO_BLOCK // max(self.scores.shape[1], 1))
        for k, alpha in enumerate(alphas):
            shrink = self._shrink(alpha)
            residual = d.y - fixed_fit - self.scores @ (shrink * self.proj)
            leverage = np.empty(d.n_samples)
            for start in range(0, d.n_samples, rows):
                block = self.scores[start:start + rows]
                leverage[start:start + rows] = (block * block) @ shrink
            leverage = self.base_leverage + leverage / d.S
            errors = d.gap_out((residual / (1.0 - leverage)) ** 2 * (d.n_samples / d.S))
            # the summaries come from this vector in both cases: storing changes no selection
            mean[k], se[k] = summarize(errors)
            if out is not None:
                out[k] = errors
        return mean, se, out

