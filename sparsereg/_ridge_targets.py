"""Ridge for the k targets of one X (a 2-D y): one decomposition serves them all.

The ridge system ``(X_c^T X_c / S + diag(b)) w = X_c^T y / S`` depends on the target only
through its right-hand side. So the direct solvers factor it once and solve every target's
right-hand side with that factor (Cholesky with a matrix right-hand side, primal p x p or
dual n x n), and a :class:`~sparsereg._ridge.RidgeSpectrum` (the decomposition behind the
``"svd"`` solver, the L2 grid, a ridge path and exact leave-one-out) is X's alone: another
target needs only its coordinates ``proj`` and the fit of its unpenalized features
(:func:`spectrum_for_target`). The targets' designs are one design re-aimed
(:meth:`RowDesign.with_target <sparsereg._problem._rows.RowDesign.with_target>`), and each
target's solution is certified on its own design, as a single-target fit is.
"""

import numpy as np

from ._problem import make_penalty
from ._ridge import (
    RidgeSpectrum,
    _cholesky_dual,
    _cholesky_primal,
    _direct_form,
    choose_ridge_solver,
    solve_ridge,
)
from ._solvers import _finish, certify

__all__ = ["solve_ridge_targets", "spectrum_for_target"]


def spectrum_for_target(spectrum, design):
    """``spectrum``, a decomposition of X made with one target, for ``design``: the same X
    with another target. X's parts (coefficient mapping, eigenvalues, scores, leverages) are
    shared; ``proj`` and ``w_fixed`` are the new target's.

    With a coefficient mapping ``M`` (see :meth:`RidgeSpectrum.of`), ``proj`` is
    ``M^T X_c^T y / S``: ``M``'s penalized rows are ``D^-1/2 V`` and its unpenalized rows
    ``-Q_UU^+ Q_UP`` times those, so this is ``V^T D^-1/2 (g_P - Q_PU Q_UU^+ g_U)``, the
    coordinates ``of`` computes. The n x n kernel's spectrum (no mapping, leave-one-out only)
    projects the residual of the unpenalized fit on its scores, as
    :func:`~sparsereg._loo.kernel_spectrum` does.
    """
    if spectrum is None or design is spectrum.design:
        return spectrum
    w_fixed = np.zeros(design.n_features)
    unpen = np.flatnonzero(spectrum.v == 0)
    if spectrum.mapping is not None:
        xty = design.xty
        proj = spectrum.mapping.T @ xty
        if unpen.size:
            w_fixed[unpen] = spectrum.pinv_uu @ xty[unpen]
    else:
        if unpen.size:
            w_fixed[unpen] = design.least_squares(unpen)[0]
        residual = design.y - design.centered_matvec(w_fixed)
        proj = spectrum.scores.T @ residual / design.S
    return RidgeSpectrum(design, spectrum.v, spectrum.mapping, spectrum.eigvals, proj, w_fixed,
                         spectrum.scores, spectrum.base_leverage, spectrum.pinv_uu)


def solve_ridge_targets(designs, alpha, *, penalty_factor=None, solver="auto", tol=1e-4,
                        max_iter=1000, coef_inits=None, warn=True):
    """:func:`~sparsereg._ridge.solve_ridge` for each of ``designs`` (one X, one target
    each), yielding one :class:`~sparsereg._solvers.Solution` per target in turn, so that a
    caller can tell which target a warning is about.

    The solver is chosen on the first design as for one target (``"auto"``: Cholesky, or
    conjugate gradient for wide or sparse X). Cholesky factors once for every target,
    ``"svd"`` decomposes once; the matrix-free solvers (``"cg"``, ``"gradient"``, which
    share nothing) and any case ``solve_ridge`` refuses run target by target.
    """
    designs = list(designs)
    coef_inits = [None] * len(designs) if coef_inits is None else coef_inits
    base = designs[0]
    method = choose_ridge_solver(base) if solver == "auto" else solver
    penalty = make_penalty(base, alpha, 0.0, penalty_factor)
    direct = _direct_form(base, penalty)
    if method == "svd":
        spectrum = RidgeSpectrum.of(base, penalty_factor)
        if spectrum is not None and (alpha > 0 or np.all(spectrum.eigvals > 0)):
            for design in designs:
                yield spectrum_for_target(spectrum, design).solve(alpha, tol=tol, warn=warn)
            return
    elif method == "cholesky" and direct is not None:
        if direct == "dual":
            W = _cholesky_dual(base, penalty.b, np.column_stack([d.y for d in designs]))
        else:  # the first target's right-hand side as one target's solve forms it
            rhs = [base.gram()[1]] + [d.xty for d in designs[1:]]
            W = _cholesky_primal(base, penalty.b, np.column_stack(rhs))
        for j, design in enumerate(designs):
            w = np.ascontiguousarray(W[:, j])
            gap = certify(design, make_penalty(design, alpha, 0.0, penalty_factor), w)
            yield _finish(design, w, gap, 1, tol, warn, direct=True)
        return
    for design, coef_init in zip(designs, coef_inits):
        yield solve_ridge(design, alpha, penalty_factor=penalty_factor, solver=solver, tol=tol,
                          max_iter=max_iter, coef_init=coef_init, warn=warn)
