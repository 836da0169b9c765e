"""One Krylov space for a whole ridge grid: multi-shift conjugate gradient.

With every feature penalized alike (weights ``b = alpha c``), ridge's systems along a grid,
``(A + alpha_k c I) w = g`` with ``A = X_c^T X_c / S`` and ``g = X_c^T y / S``, are shifts of
one matrix. From ``w = 0`` their Krylov spaces ``K_m(A, g)`` coincide, so one conjugate
gradient sequence, run on the smallest shift (the slowest to converge), gives every other
shift's CG iterate at O(p) per iteration and shift instead of two products with X
(Jegerlehner 1996, "Krylov space solvers for shifted linear systems"; Frommer 2003). A warm-
started path pays the sum of its alphas' iterations (201 on a fold of the TF-IDF benchmark,
20 alphas); this pays the smallest alpha's alone (about 60).

A shift's residual is a known multiple ``zeta`` of the base residual, so its stopping test is
free; once it holds, the shift's iterate is certified from scratch (its duality gap, as every
solution is) and frozen. The iteration is not preconditioned (a diagonal preconditioner would
break the shift structure): on columns of very different scales it can be slower than the
per-alpha solver's Jacobi-preconditioned CG (100 iterations where that solver needs 8, on
power-law column norms). So for n >= p the largest alpha is solved first by that solver, and
the sequence must certify the next one within a few times as many iterations (a race it
loses at once on such columns) and all of them within a budget; the alphas not certified
are left to the per-alpha solver, warm-started from their iterates.
"""

import numpy as np

from ._problem import make_penalty
from ._ridge import solve_ridge
from ._solvers import _finish, certify, gap_tolerance, tighter_stop

BUDGET_PER_ALPHA = 10  # multi-shift iterations allowed per grid alpha (n >= p: see above)
RACE_FACTOR = 4  # the second alpha within this many times the first's preconditioned count
SAFE_RANGE = (1e-150, 1e150)  # rr and d^T A d are squares of these: no overflow below them


def uniform_ridge_weights(design, alphas, penalty_factor):
    """The ridge penalties along ``alphas`` and their scalar weights ``b_k``, or None when the
    weights are not one scalar per alpha (unequal or zero penalty factors)."""
    if len(alphas) < 2 or design.n_features == 0:
        return None
    if penalty_factor is not None:
        v = np.asarray(penalty_factor, dtype=np.float64)
        if not (np.all(v == v[0]) and v[0] > 0):
            return None
    penalties = [make_penalty(design, float(a), 0.0, penalty_factor) for a in alphas]
    shifts = np.array([pen.b[0] for pen in penalties])
    if not np.all(shifts > 0):
        return None
    return penalties, shifts


def ridge_grid_cg(design, alphas, penalty_factor, tol, max_iter):
    """Ridge along ``alphas`` by one multi-shift CG sequence.

    Returns
    -------
    solutions : list
        A certified :class:`~sparsereg._solvers.Solution` (data units) per alpha, or None
        for an alpha the sequence did not certify within its budget (or where the shifted
        recurrences would leave floating-point range).
    starts : list
        Per alpha, the iterate reached (data units) for the per-alpha solver to go on from,
        or None.
    """
    m = len(alphas)
    none = [None] * m
    weights = uniform_ridge_weights(design, alphas, penalty_factor)
    if weights is None:
        return none, none
    penalties, shifts = weights
    S = design.S
    g = design.centered_rmatvec(design.y) / S
    rhs_norm = float(np.linalg.norm(g))
    low, high = SAFE_RANGE
    curvature = float(np.mean(design.lips)) + float(shifts.max())
    if not (low < rhs_norm < high and low < curvature < high):
        return none, none
    tol_abs = gap_tolerance(design, tol)
    solutions = list(none)
    active = np.ones(m, dtype=bool)
    if design.n_features > design.n_samples:  # the per-alpha CG is not preconditioned either
        budget, race = max_iter, max_iter
    else:
        solutions[0] = solve_ridge(design, float(alphas[0]), penalty_factor=penalty_factor,
                                   solver="cg", tol=tol, max_iter=max_iter, warn=False)
        active[0] = False
        budget = min(max_iter, BUDGET_PER_ALPHA * m)
        race = max(RACE_FACTOR * (solutions[0].n_iter + 1), 10)
    base = float(shifts.min())
    delta = shifts - base
    W = np.zeros((m, design.n_features))
    P = np.tile(g, (m, 1))  # each shift's search direction
    r, d = g.copy(), g.copy()  # the base system's residual and direction
    rr = float(r @ r)
    zeta, zeta_old = np.ones(m), np.ones(m)
    step_old, beta = 1.0, 0.0
    check_at = np.full(m, tol * rhs_norm)  # next residual norm at which to certify
    for n_iter in range(1, budget + 1):
        x_dir = design.centered_matvec(d)
        a_dir = design.centered_rmatvec(x_dir) / S + base * d
        curv = float(d @ a_dir)
        if not curv > 0.0:
            break
        step = rr / curv
        idx = np.flatnonzero(active)
        z, z_old = zeta[idx], zeta_old[idx]
        with np.errstate(all="ignore"):
            z_new = z * z_old * step_old / (step * beta * (z_old - z)
                                            + z_old * step_old * (1.0 + delta[idx] * step))
            W[idx] += (step * z_new / z)[:, None] * P[idx]
            r -= step * a_dir
            rr_new = float(r @ r)
            beta_new = rr_new / rr
            P[idx] = z_new[:, None] * r + (beta_new * (z_new / z) ** 2)[:, None] * P[idx]
        zeta_old[idx], zeta[idx] = z, z_new
        d = r + beta_new * d
        step_old, beta, rr = step, beta_new, rr_new
        res_norm = np.abs(z_new) * np.sqrt(rr)
        lost = ~(np.isfinite(z_new) & (z_new != 0.0))
        active[idx[lost]] = False  # underflowed: the per-alpha solver takes it from here
        for j, res in zip(idx[~lost], res_norm[~lost]):
            if res > check_at[j]:
                continue
            gap = certify(design, penalties[j], W[j])
            if gap <= tol_abs and tighter_stop(design, tol, W[j], gap, tol_abs) is None:
                solutions[j] = _finish(design, W[j], gap, n_iter, tol, False,
                                       stop_abs=tol_abs)
                active[j] = False
            else:  # certify again once the residual is ten times smaller
                check_at[j] = 0.1 * res
        if not active.any() or not rr > 0.0 or (n_iter >= race and active[1]):
            break
    if n_iter >= race and active[1]:  # lost the race: its iterates are no better a start
        return solutions, none
    starts = [None if solutions[k] is not None or not np.all(np.isfinite(W[k]))
              else design.coef_out(W[k]) for k in range(m)]
    return solutions, starts
