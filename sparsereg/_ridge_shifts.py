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
free, and its iterate keeps improving at no cost in products while the slower shifts run.
Once every shift passes the test, all their iterates are certified from scratch together
(their duality gaps, as every solution is, from one pass over X for all of them); a shift
whose gap is not yet small enough goes on until its residual is ten times smaller. The iteration is not preconditioned (a diagonal preconditioner would
break the shift structure): on columns of very different scales it can be slower than the
per-alpha solver's Jacobi-preconditioned CG (100 iterations where that solver needs 8, on
power-law column norms). So for n >= p the largest alpha is solved first by that solver, and
the sequence must bring the next one's residual below its test within a few times as many
iterations (a race it loses at once on such columns) and all of them within a budget; the
alphas not certified are left to the per-alpha solver, warm-started from their iterates.
"""

import numpy as np

from ._problem import make_penalty
from ._ridge import solve_ridge
from ._solvers import _finish, certify_many, gap_tolerance, tighter_stop

BUDGET_PER_ALPHA = 10  # multi-shift iterations allowed per grid alpha (n >= p: see above)
RACE_FACTOR = 4  # the second alpha within this many times the first's preconditioned count
SAFE_RANGE = (1e-150, 1e150)  # rr and d^T A d are squares of these: no overflow below them


def _rows(mask):
    """The rows of ``mask``: a slice (views, no copies) when they are contiguous, as the
    shifts still moving are (the largest alphas converge first)."""
    idx = np.flatnonzero(mask)
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        return slice(idx[0], idx[-1] + 1)
    return idx


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
    check_at = np.full(m, tol * rhs_norm)  # residual norm at which a shift is certified
    moving = active.copy()  # still updated (a shift far past its test stops: no underflow)
    for n_iter in range(1, budget + 1):
        x_dir = design.centered_matvec(d)
        a_dir = design.centered_rmatvec(x_dir) / S + base * d
        curv = float(d @ a_dir)
        if not curv > 0.0:
            break
        step = rr / curv
        rows = _rows(moving)
        z, z_old = zeta[rows], zeta_old[rows]
        with np.errstate(all="ignore"):
            z_new = z * z_old * step_old / (step * beta * (z_old - z)
                                            + z_old * step_old * (1.0 + delta[rows] * step))
            W[rows] += (step * z_new / z)[:, None] * P[rows]
            r -= step * a_dir
            rr_new = float(r @ r)
            beta_new = rr_new / rr
            P[rows] *= (beta_new * (z_new / z) ** 2)[:, None]
            P[rows] += z_new[:, None] * r
        zeta_old[rows], zeta[rows] = z, z_new
        d = r + beta_new * d
        step_old, beta, rr = step, beta_new, rr_new
        res_norm = np.abs(zeta) * np.sqrt(rr)
        lost = moving & ~(np.isfinite(zeta) & (zeta != 0.0))
        active &= ~lost  # underflowed: the per-alpha solver takes it from here
        moving &= ~lost & ~(res_norm <= 1e-3 * check_at)
        if np.all(res_norm[active] <= check_at[active]):
            # every shift passes its residual test: certify them all from one pass over X
            todo = np.flatnonzero(active)
            gaps = certify_many(design, [penalties[j] for j in todo], W[todo])
            for j, gap in zip(todo, gaps):
                if gap <= tol_abs and tighter_stop(design, tol, W[j], gap, tol_abs) is None:
                    solutions[j] = _finish(design, W[j], gap, n_iter, tol, False,
                                           stop_abs=tol_abs)
                    active[j] = moving[j] = False
                else:  # certify again once the residual is ten times smaller
                    check_at[j] = 0.1 * res_norm[j]
                    moving[j] = True
        lost_race = n_iter >= race and active[1] and res_norm[1] > check_at[1]
        if not active.any() or not rr > 0.0 or lost_race:
            break
    if lost_race:  # its iterates are no better a start than the last alpha's solution
        return solutions, none
    starts = [None if solutions[k] is not None or not np.all(np.isfinite(W[k]))
              else design.coef_out(W[k]) for k in range(m)]
    return solutions, starts
