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

TARGET = 1e-6


def lasso_objective(X, y, alpha, coef, intercept):
    """sklearn's Lasso objective, evaluated with the solver's own intercept."""
    r = y - np.asarray(X @ coef).ravel() - intercept
    return 0.5 * float(r @ r) / X.shape[0] + alpha * float(np.abs(coef).sum())


def lasso_gap(X, y, alpha, coef):
    """Duality gap of ``coef`` (sklearn's formula on centred data, optimal intercept).

    Independent of every solver: residual ``r`` of the centred problem, dual point
    ``theta = r / max(1, ||X_c^T r||_inf / (n alpha))``, ``D = (theta.y_c - ||theta||^2/2)/n``.
    """
    n = X.shape[0]
    y_c = y - y.mean()
    means = np.asarray(X.mean(axis=0)).ravel()
    r = y_c - (np.asarray(X @ coef).ravel() - means @ coef)
    grad = np.asarray(X.T @ r).ravel() - means * r.sum()
    theta = r / max(1.0, np.max(np.abs(grad)) / (n * alpha))
    primal = 0.5 * float(r @ r) / n + alpha * float(np.abs(coef).sum())
    dual = (float(theta @ y_c) - 0.5 * float(theta @ theta)) / n
    return primal - dual


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
    X, y = problem.X, problem.y
    fits = {}
    for ad in adapters:
        seconds, coef, b, msgs = timed_fit(ad, X, y, alpha, ad.reference_tol)
        fits[ad.name] = dict(P=lasso_objective(X, y, alpha, coef, b), coef=coef,
                             tol=ad.reference_tol, seconds=seconds, n_iter=ad.n_iter,
                             warnings=msgs)
    best = min(fits, key=lambda k: fits[k]["P"])
    p_star = fits[best]["P"]
    values = [f["P"] for f in fits.values()]
    coef = fits[best]["coef"]
    return dict(P_star=p_star, best=best, rel_disagreement=(max(values) - min(values)) / p_star,
                rel_gap=lasso_gap(X, y, alpha, coef) / p_star, nnz=int(np.sum(coef != 0)),
                solvers={k: {kk: v for kk, v in f.items() if kk != "coef"}
                         for k, f in fits.items()})


def _subopt(problem, alpha, p_star, coef, b):
    return (lasso_objective(problem.X, problem.y, alpha, coef, b) - p_star) / p_star


def tune(adapter, problem, alpha, p_star, target=TARGET):
    """Loosest tol of ``adapter.tol_grid`` reaching ``target``; the tightest if none does.

    Returns ``(tol, last_fit_seconds, trials)``; the last trial is the warm-up of the timing.
    """
    trials = []
    for tol in adapter.tol_grid:
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


def benchmark(adapter, problem, alpha, p_star, unit, budget=2.0, max_runs=10):
    """One table row: tune the tolerance, time it, re-check the accuracy."""
    tol, warm, trials = tune(adapter, problem, alpha, p_star)
    row = dict(solver=adapter.name, tol_param=adapter.tol_param, tol=tol, trials=trials)
    row.update(time_at(adapter, problem, alpha, tol, p_star, warm, budget, max_runs))
    row["passes"] = row["time"] / unit
    row["reached"] = bool(row["subopt"] <= TARGET)
    row["tol_note"] = ("grid's loosest" if tol == adapter.tol_grid[0] else
                       "grid's tightest" if tol == adapter.tol_grid[-1] else "")
    return row


def fmt_time(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def markdown_table(rows):
    """Markdown table; the first row is the baseline of the speedup column."""
    head = ("| solver | tol param | tol | time (median) | speedup | passes | n_iter | "
            "rel. subopt | reached 1e-6 |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    base = rows[0]["time"]
    for r in rows:
        tol = f"{r['tol']:.0e}" + (f" ({r['tol_note']})" if r["tol_note"] else "")
        lines.append(f"| {r['solver']} | {r['tol_param']} | {tol} | {fmt_time(r['time'])} | "
                     f"{base / r['time']:.2f}x | {r['passes']:.0f} | {r['n_iter']} | "
                     f"{r['subopt']:.1e} | {'yes' if r['reached'] else '**no**'} |")
    return "\n".join(lines)
