"""Matched-accuracy timing (ANCHORS.md, section 2 "Protocol").

For each (problem, alpha): a reference optimum P*, then for each solver the loosest tolerance
of its grid reaching ``(P - P*) / P* <= TARGET``, timed (median of >= 3 runs after a warm-up)
and re-checked. Times are also given in passes: multiples of one ``X.T @ v``.
Call everything inside ``threadpool_limits(1)``.

The one harness of every benchmark: :func:`matched_accuracy` runs the protocol for any solver
(:func:`benchmark` for the single-alpha adapters, ``bench_path`` for the 100-alpha paths);
:func:`environment` and :func:`save` record a run.
"""

import datetime
import hashlib
import json
import math
import os
import platform
import subprocess
import time
import warnings
from pathlib import Path
from statistics import median

import numpy as np
from scipy.linalg import cho_factor, cho_solve

TARGET = 1e-6
REPO = Path(__file__).resolve().parents[1]


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


def timed(fn, *args):
    """``(seconds, fn(*args), ConvergenceWarning messages)``; every warning is caught."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        out = fn(*args)
        seconds = time.perf_counter() - t0
    return seconds, out, [str(w.message) for w in caught if "onverge" in w.category.__name__]


def timed_fit(adapter, X, y, alpha, tol):
    """One fit: ``(seconds, coef, intercept, ConvergenceWarning messages)``."""
    seconds, (coef, intercept), msgs = timed(adapter.fit, X, y, alpha, tol)
    return seconds, np.asarray(coef, dtype=np.float64), float(intercept), msgs


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


def n_runs(warm_seconds, budget=2.0, max_runs=10):
    """How many runs to time: ``max(3, budget / warm_seconds)``, at most ``max_runs``."""
    return int(min(max_runs, max(3, math.ceil(budget / max(warm_seconds, 1e-9)))))


def matched_accuracy(fit, grid, budget=2.0, max_runs=10, cap=None, target=TARGET,
                     on_trial=None):
    """The protocol for any solver: tune the tolerance, then time it.

    ``fit(tol)`` runs the solver once and returns a dict with at least ``seconds``,
    ``subopt`` (its relative suboptimality) and ``warnings`` (ConvergenceWarning messages);
    any other entries are kept. Tuning tries ``grid`` loosest first and keeps the first
    tolerance reaching ``target`` (the tightest if none does); it also stops once its fits
    took more than ``cap`` seconds in total. Its last fit is the warm-up of the timing: then
    :func:`n_runs` runs are timed. ``on_trial(trial)`` is called after every tuning fit.

    Returns ``(tol, trials, runs)``: the tuning fits (``tol`` added, ``warnings`` counted)
    and the timed ones.
    """
    trials = []
    for tol in grid:
        if cap is not None and sum(t["seconds"] for t in trials) > cap:
            break
        result = fit(tol)
        trials.append({"tol": tol, **result, "warnings": len(result["warnings"])})
        if on_trial is not None:
            on_trial(trials[-1])
        if result["subopt"] <= target:
            break
    runs = [fit(tol) for _ in range(n_runs(trials[-1]["seconds"], budget, max_runs))]
    return tol, trials, runs


def summarize(name, tol_param, tol, grid, trials, runs, unit, cap=None, target=TARGET):
    """A table row from :func:`matched_accuracy`: the median time, the worst suboptimality of
    the timed runs, passes, whether the target was reached and a note on the tolerance."""
    t = median(r["seconds"] for r in runs)
    worst = max(r["subopt"] for r in runs)
    reached = bool(worst <= target)
    note = ("" if len(grid) == 1 else "grid's loosest" if tol == grid[0] else
            "grid's tightest" if tol == grid[-1] else
            f"search stopped by the {cap:g} s cap" if not reached and cap is not None else "")
    return dict(solver=name, tol_param=tol_param, tol=tol, trials=trials, time=t,
                times=[r["seconds"] for r in runs], subopt=worst, runs=len(runs),
                warnings=sorted({m for r in runs for m in r["warnings"]}), passes=t / unit,
                reached=reached, tol_note=note)


def benchmark(adapter, problem, alpha, p_star, unit, budget=2.0, max_runs=10, cap=None):
    """One table row: tune the tolerance, time it, re-check the accuracy."""
    def fit(tol):
        seconds, coef, b, msgs = timed_fit(adapter, problem.X, problem.y, alpha, tol)
        return dict(seconds=seconds, subopt=_subopt(problem, alpha, p_star, coef, b),
                    n_iter=adapter.n_iter, nnz=int(np.sum(coef != 0)), warnings=msgs)

    tol, trials, runs = matched_accuracy(fit, adapter.tol_grid, budget, max_runs, cap)
    row = summarize(adapter.name, adapter.tol_param, tol, adapter.tol_grid, trials, runs, unit,
                    cap)
    row.update(nnz=runs[-1]["nnz"], n_iter=runs[-1]["n_iter"])
    return row


def fmt_tol(row):
    """``3e-04``, ``1e-01 (grid's loosest)`` or ``-`` for direct solvers (no tolerance)."""
    if row["tol"] is None:
        return "–"
    return f"{row['tol']:.0e}" + (f" ({row['tol_note']})" if row["tol_note"] else "")


def fmt_time(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def markdown_table(rows, extra=(("n_iter", "{n_iter}"),), subopt_key="subopt",
                   subopt_title="rel. subopt", speedup_title="speedup"):
    """Markdown table; the first row is the baseline of the speedup column.

    ``extra``: ``(title, format)`` columns after "passes", each format filled from the row.
    """
    titles = ["solver", "tol param", "tol", "time (median)", speedup_title, "passes",
              *(title for title, _ in extra), subopt_title, "reached 1e-6"]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(titles)]
    base = rows[0]["time"]
    for r in rows:
        cells = [r["solver"], r["tol_param"], fmt_tol(r), fmt_time(r["time"]),
                 f"{base / r['time']:.2f}x", f"{r['passes']:.0f}",
                 *(fmt.format(**r) for _, fmt in extra), f"{r[subopt_key]:.1e}",
                 "yes" if r["reached"] else "**no**"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The record of a run: environment, results file
# ---------------------------------------------------------------------------------------------

def source_hash(package_dir):
    """SHA-1 of the package's .py sources: identifies the code under test, edits included."""
    digest = hashlib.sha1()
    for path in sorted(package_dir.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def environment():
    """Date, machine, versions, git commit and BLAS of this run, and the load at its start."""
    import numba
    import scipy
    import sklearn
    from threadpoolctl import threadpool_info

    import sparsereg

    def git(*args):
        return subprocess.run(["git", *args], cwd=REPO, text=True,
                              capture_output=True).stdout.strip()

    return dict(date=datetime.datetime.now().isoformat(timespec="seconds"),
                python=platform.python_version(), machine=platform.processor() or
                platform.machine(), cpus=os.cpu_count(), numpy=np.__version__,
                scipy=scipy.__version__, sklearn=sklearn.__version__, numba=numba.__version__,
                sparsereg=sparsereg.__version__, git_commit=git("rev-parse", "HEAD"),
                git_dirty=git("status", "--porcelain", "sparsereg"),
                sparsereg_source_sha1=source_hash(Path(sparsereg.__file__).parent),
                loadavg_start=os.getloadavg(),
                blas=[{k: i.get(k) for k in ("internal_api", "version", "num_threads")}
                      for i in threadpool_info()])


def warn_if_busy(limit, log):
    """Log a warning when the 1-minute load average is above ``limit``."""
    if os.getloadavg()[0] > limit:
        log(f"warning: load average {os.getloadavg()[0]:.2f} at the start; other processes "
            "may distort the timings")


def _jsonable(obj):
    """numpy scalars and arrays (e.g. ``n_iter_`` of some libraries) for ``json.dumps``."""
    return obj.tolist() if hasattr(obj, "tolist") else float(obj)


def save(result, t_start, path, log):
    """Record the total time and the final load in ``result`` and write it to ``path``."""
    result["total_seconds"] = time.perf_counter() - t_start
    result["loadavg_end"] = os.getloadavg()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1, default=_jsonable))
    log(f"\ntotal {result['total_seconds']:.0f} s; load average at the end "
        f"{result['loadavg_end'][0]:.2f}; wrote {path}")
