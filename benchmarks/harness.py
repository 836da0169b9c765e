"""Matched-accuracy timing (ANCHORS.md, section 2 "Protocol").

For each (problem, alpha): a reference optimum P*, then for each solver the loosest tolerance
of its grid reaching ``(P - P*) / P* <= TARGET``, timed (median of >= 3 runs after a warm-up)
and re-checked. Times are also given in passes: multiples of one ``X.T @ v``.
Call everything inside ``threadpool_limits(1)``.
"""

import math
import time
import warnings
from statistics import median

import numpy as np
from scipy.linalg import cho_factor, cho_solve

TARGET = 1e-6


def lasso_objective(X, y, alpha, coef, intercept, l1_ratio=1.0):
    """sklearn's Lasso / ElasticNet objective, evaluated with the solver's own intercept."""
    r = y - np.asarray(X @ coef).ravel() - intercept
    penalty = l1_ratio * float(np.abs(coef).sum())
    if l1_ratio != 1.0:
        penalty += 0.5 * (1.0 - l1_ratio) * float(coef @ coef)
    return 0.5 * float(r @ r) / X.shape[0] + alpha * penalty


def ridge_objective(X, y, alpha, coef, intercept):
    """sklearn's Ridge objective ``||y - Xw - b||^2 + alpha ||w||^2``."""
    r = y - np.asarray(X @ coef).ravel() - intercept
    return float(r @ r) + alpha * float(coef @ coef)


def objective(problem, alpha, coef, intercept):
    """The objective of ``problem`` (Lasso, elastic net or Ridge) at ``(coef, intercept)``."""
    if problem.penalty == "l2":
        return ridge_objective(problem.X, problem.y, alpha, coef, intercept)
    return lasso_objective(problem.X, problem.y, alpha, coef, intercept, problem.l1_ratio)


def lasso_gap(X, y, alpha, coef, l1_ratio=1.0):
    """Duality gap of ``coef`` (sklearn's enet formula on centred data, optimal intercept).

    Independent of every solver: with ``a = n alpha l1_ratio``, ``c = n alpha (1 - l1_ratio)``,
    residual ``r`` of the centred problem and ``g = X_c^T r - c w``, the dual point is
    ``theta = r * min(1, a / ||g||_inf)`` (as in ``sklearn/linear_model/_cd_fast.pyx``).
    Returned on the ``1/(2n)`` scale of the objective.
    """
    n = X.shape[0]
    a, c = n * alpha * l1_ratio, n * alpha * (1.0 - l1_ratio)
    y_c = y - y.mean()
    means = np.asarray(X.mean(axis=0)).ravel()
    r = y_c - (np.asarray(X @ coef).ravel() - means @ coef)
    g = np.asarray(X.T @ r).ravel() - means * r.sum() - c * coef
    g_inf = np.max(np.abs(g))
    scale = a / g_inf if g_inf > a else 1.0
    r2, w2 = float(r @ r), float(coef @ coef)
    gap = 0.5 * r2 * (1.0 + scale ** 2) + a * float(np.abs(coef).sum()) \
        - scale * float(r @ y_c) + 0.5 * c * (1.0 + scale ** 2) * w2
    return gap / n


def pass_time(X, min_runs=20, budget=0.5):
    """Median time of one ``X.T @ v`` (the unit of "passes")."""
    v = np.random.default_rng(0).standard_normal(X.shape[0])
    X.T @ v
    times = []
    while len(times) < min_runs or sum(times) < budget:
        t0 = time.perf_counter()
        X.T @ v
        times.append(time.perf_counter() - t0)
    return median(times)


def timed_fit(adapter, X, y, alpha, tol):
    """One fit: ``(seconds, coef, intercept, ConvergenceWarning messages)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        coef, intercept = adapter.fit(X, y, alpha, tol)
        elapsed = time.perf_counter() - t0
    msgs = [str(w.message) for w in caught if "onverge" in w.category.__name__]
    return elapsed, np.asarray(coef, dtype=np.float64), float(intercept), msgs


def reference(problem, alpha, adapters):
    """P* = min over ``adapters`` (each at its ``reference_tol``), with their disagreement."""
    if problem.penalty == "l2":
        return ridge_reference(problem, alpha)
    X, y = problem.X, problem.y
    fits = {}
    for ad in adapters:
        seconds, coef, b, msgs = timed_fit(ad, X, y, alpha, ad.reference_tol)
        fits[ad.name] = dict(P=objective(problem, alpha, coef, b), coef=coef,
                             tol=ad.reference_tol, seconds=seconds, n_iter=ad.n_iter,
                             warnings=msgs)
    best = min(fits, key=lambda k: fits[k]["P"])
    p_star = fits[best]["P"]
    values = [f["P"] for f in fits.values()]
    coef = fits[best]["coef"]
    gap = lasso_gap(X, y, alpha, coef, problem.l1_ratio)
    return dict(P_star=p_star, best=best, rel_disagreement=(max(values) - min(values)) / p_star,
                rel_gap=gap / p_star, nnz=int(np.sum(coef != 0)),
                solvers={k: {kk: v for kk, v in f.items() if kk != "coef"}
                         for k, f in fits.items()})


def ridge_reference(problem, alpha):
    """Exact Ridge optimum: Cholesky in the smaller dimension plus one refinement step."""
    X, y = problem.X, problem.y
    t0 = time.perf_counter()
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    n, p = X.shape
    # primal (Xc^T Xc + alpha I) w = Xc^T yc, or dual w = Xc^T (Xc Xc^T + alpha I)^-1 yc
    K = Xc.T @ Xc if n >= p else Xc @ Xc.T
    K[np.diag_indices_from(K)] += alpha
    factor = cho_factor(K)
    rhs = Xc.T @ yc if n >= p else yc
    z = cho_solve(factor, rhs)
    z += cho_solve(factor, rhs - (K @ z))  # one step of iterative refinement
    coef = z if n >= p else Xc.T @ z
    intercept = y_mean - x_mean @ coef
    P = ridge_objective(X, y, alpha, coef, intercept)
    grad = -2.0 * (Xc.T @ (yc - Xc @ coef)) + 2.0 * alpha * coef  # should be ~0
    return dict(P_star=P, best="exact Cholesky + refinement", rel_disagreement=0.0,
                rel_grad=float(np.max(np.abs(grad))) / P, nnz=int(np.sum(coef != 0)),
                seconds=time.perf_counter() - t0, solvers={})


def _subopt(problem, alpha, p_star, coef, b):
    return (objective(problem, alpha, coef, b) - p_star) / p_star


def tune(adapter, problem, alpha, p_star, target=TARGET, cap=None):
    """Loosest tol of ``adapter.tol_grid`` reaching ``target``; the tightest if none does.

    The search also stops once its fits took more than ``cap`` seconds in total.
    Returns ``(tol, last_fit_seconds, trials)``; the last trial is the warm-up of the timing.
    """
    trials = []
    for tol in adapter.tol_grid:
        if cap is not None and sum(t["seconds"] for t in trials) > cap:
            break
        seconds, coef, b, msgs = timed_fit(adapter, problem.X, problem.y, alpha, tol)
        sub = _subopt(problem, alpha, p_star, coef, b)
        trials.append(dict(tol=tol, seconds=seconds, subopt=sub, n_iter=adapter.n_iter,
                           warnings=len(msgs)))
        if sub <= target:
            break
    return tol, seconds, trials


def time_at(adapter, problem, alpha, tol, p_star, warm_seconds, budget=2.0, max_runs=10):
    """Median of ``max(3, budget / warm_seconds)`` (at most ``max_runs``) runs at ``tol``."""
    runs = int(min(max_runs, max(3, math.ceil(budget / max(warm_seconds, 1e-9)))))
    times, subs, msgs = [], [], []
    for _ in range(runs):
        seconds, coef, b, m = timed_fit(adapter, problem.X, problem.y, alpha, tol)
        times.append(seconds)
        subs.append(_subopt(problem, alpha, p_star, coef, b))
        msgs += m
    return dict(time=median(times), times=times, subopt=max(subs), runs=runs,
                nnz=int(np.sum(coef != 0)), n_iter=adapter.n_iter, warnings=sorted(set(msgs)))


def benchmark(adapter, problem, alpha, p_star, unit, budget=2.0, max_runs=10, cap=None):
    """One table row: tune the tolerance, time it, re-check the accuracy."""
    tol, warm, trials = tune(adapter, problem, alpha, p_star, cap=cap)
    row = dict(solver=adapter.name, tol_param=adapter.tol_param, tol=tol, trials=trials)
    row.update(time_at(adapter, problem, alpha, tol, p_star, warm, budget, max_runs))
    row["passes"] = row["time"] / unit
    row["reached"] = bool(row["subopt"] <= TARGET)
    grid = adapter.tol_grid
    row["tol_note"] = ("" if len(grid) == 1 else "grid's loosest" if tol == grid[0] else
                       "grid's tightest" if tol == grid[-1] else
                       f"search stopped by the {cap:g} s cap" if not row["reached"] else "")
    return row


def fmt_tol(row):
    """``3e-04``, ``1e-01 (grid's loosest)`` or ``-`` for direct solvers (no tolerance)."""
    if row["tol"] is None:
        return "–"
    return f"{row['tol']:.0e}" + (f" ({row['tol_note']})" if row["tol_note"] else "")


def fmt_time(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def markdown_table(rows):
    """Markdown table; the first row is the baseline of the speedup column."""
    head = ("| solver | tol param | tol | time (median) | speedup | passes | n_iter | "
            "rel. subopt | reached 1e-6 |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    base = rows[0]["time"]
    for r in rows:
        tol = fmt_tol(r)
        lines.append(f"| {r['solver']} | {r['tol_param']} | {tol} | {fmt_time(r['time'])} | "
                     f"{base / r['time']:.2f}x | {r['passes']:.0f} | {r['n_iter']} | "
                     f"{r['subopt']:.1e} | {'yes' if r['reached'] else '**no**'} |")
    return "\n".join(lines)
