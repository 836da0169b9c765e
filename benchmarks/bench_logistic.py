"""Logistic benchmark: L1 / elastic-net logistic and multinomial at matched accuracy.

    python -m benchmarks.bench_logistic [--quick] [--problems L1a L4 ...] [--no-verify]

Run it from the repository root. Problems L1a ... L6 (``problems_logistic.py``, after
shared/ANCHORS_LOGISTIC.md); adapters and the objective in ``adapters_logistic.py``. The
protocol is the harness's (``harness.py``): a reference P* (the smallest objective of tight
fits, certified by a library-free duality gap), then for each solver the loosest tolerance of
the half-decade grid with ``(P - P*) / P* <= 1e-6``, timed (median of >= 3 runs after a
warm-up, one BLAS thread), "passes" = time / one ``X.T @ v``. Differences from the Lasso
benchmark:

- every tuning fit runs in a forked child that is killed after its share of the solver's
  budget (``--cap`` seconds of tuning per solver, 30 by default; 4 with ``--quick``); a row
  whose search was stopped says so. Fits longer than ``long_fit`` seconds are not rerun:
  their tuning fit is the timing (one run);
- the Numba libraries (sparsereg, skglm) are called once before anything is timed, and
  again on each problem before its tuning; their first call in the process (compilation) is
  reported separately;
- ``--verify`` (on by default) first checks every parameter mapping on small problems at
  tight tolerances: each library's P against the best, and the certified gap.

Writes ``results/logistic.json`` and ``docs/benchmarks_logistic.md``; with ``--quick``
(known-hopeless solvers skipped: see ``QUICK_SKIP``; capped tuning, fewer timed runs)
``results/logistic_quick.json`` and ``results/benchmarks_logistic_quick.md``.
"""

import argparse
import os
import pickle
import select
import signal
import sys
import time
import traceback
import warnings
from pathlib import Path
from statistics import median

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.bench_logistic")

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import harness, report_logistic
from benchmarks.adapters import installed
from benchmarks.adapters_logistic import (ADAPTERS, PATH_ADAPTERS, logistic_gap,
                                          logistic_objective, make_adapter, make_path_adapter)
from benchmarks.problems import ar1_gaussian, rcv1_like
from benchmarks.problems_logistic import (BUILDERS, LogisticProblem, binary_labels,
                                          get_problem, multinomial_labels)

TARGET = harness.TARGET
BINARY = ["sklearn-saga", "sklearn-liblinear", "sparsereg", "skglm", "skglm-cd", "celer-pn",
          "celer", "glmnet", "glmnet-path", "glum"]
# problem -> adapter keys (a key a problem cannot run is listed as skipped, with the reason)
PLAN = {name: BINARY for name in BUILDERS}
PLAN["L6"] = ["sklearn-saga", "sklearn-liblinear", "sparsereg", "skglm", "glmnet", "glum"]
# reference P*: tight fits by these, the smallest objective wins (--quick: QUICK_REFERENCE
# first ones); glmnet's own stopping rule is loose in the gap but tight in P (on L5 the gap
# at its solution is 2.7e-6 relative while P agrees with saga's and sparsereg's to 1e-13)
# sparsereg's tol is its own gap relative to P(0), which stalls above a floor (L1a: 3.6e-12,
# L2a: 8.8e-11 while this benchmark's gap at the same point is 9.6e-12): its reference fits
# get at most REFERENCE_MAX_ITER Newton iterations, and stop at that floor (50 were too few on
# the multinomial L5: 2.3e-6 above glmnet's P*)
REFERENCE = {"binary": [("skglm", 1e-12), ("sparsereg", 1e-11), ("glmnet-path", 1e-13)],
             "noint": [("celer-pn", 1e-13), ("sparsereg", 1e-11), ("skglm", 1e-12)],
             "multinomial": [("glmnet-path", 1e-13), ("sparsereg", 1e-11),
                             ("sklearn-saga", 1e-10)],
             "path": [("skglm", 1e-10), ("sparsereg", 1e-11), ("glmnet", 1e-13)]}
QUICK_REFERENCE = {"binary": 1, "noint": 1, "multinomial": 2, "path": 1}
REFERENCE_MAX_ITER = {"multinomial": 500}  # default 50
ANCHOR_SLOW = "anchors: not reached within their 60 s cap"
QUICK_SKIP = {
    **{(p, "sklearn-saga"): ANCHOR_SLOW for p in ("L1a", "L1b", "L1a-noint", "L1b-noint", "L6")},
    ("L4", "sklearn-saga"): "anchors: 35.8 s",
    ("L1b", "skglm-cd"): ANCHOR_SLOW, ("L1b-noint", "skglm-cd"): "anchors: 8.2 s",
    ("L1a", "skglm-cd"): "anchors: 8.7 s", ("L4", "skglm-cd"): "anchors: 8.7 s",
    ("L3", "skglm-cd"): "anchors: 27 s",
    ("L1a", "glum"): "anchors: 3.6 s", ("L1b", "glum"): "anchors: 9.1 s",
    ("L1a-noint", "glum"): "anchors: 8.1 s", ("L1b-noint", "glum"): "anchors: 12.8 s",
    ("L4", "glum"): "anchors: 3.4 s", ("L6", "glum"): "anchors: 2.8 s",
    ("L1b", "glmnet"): "anchors: 5.0 s", ("L1b-noint", "glmnet"): "anchors: 4.8 s",
    ("L6", "sklearn-liblinear"): "anchors: 23.9 s",
    ("L5", "glmnet"): "anchors: killed after 90 s",
}
QUICK_CAP = {"L3": 12.0}  # every fit takes >= 1 s there
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
DOCS = HERE.parent / "docs"


# ---------------------------------------------------------------------------------------------
# Forked fits with a time limit
# ---------------------------------------------------------------------------------------------

def forked(fn, timeout):
    """``fn()`` in a forked child killed after ``timeout`` seconds.

    Returns ``("ok", value)``, ``("error", traceback text)`` or ``("timeout", None)``. The
    child inherits everything compiled so far; what it compiles is lost with it.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            payload = ("ok", fn())
        except BaseException:  # noqa: BLE001 -- reported to the parent
            payload = ("error", traceback.format_exc(limit=3))
        data = pickle.dumps(payload)
        with os.fdopen(write_fd, "wb") as f:
            f.write(data)
        os._exit(0)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read_fd, "rb", buffering=0) as f:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([f], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)  # our own child, by its pid
                os.waitpid(pid, 0)
                return "timeout", None
            chunk = f.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    if not chunks:
        return "error", "child died without an answer"
    return pickle.loads(b"".join(chunks))


def capped_matched_accuracy(fit, grid, start, cfg, log, name):
    """:func:`harness.matched_accuracy` with every tuning fit in a forked child.

    Tuning: the grid's loosest tolerance reaching the target, searched from ``grid[start]``
    (the adapter's ``tol_start``): looser while the target is reached, else tighter until it
    is (under the harness's assumption that accuracy grows as tol decreases, this finds the
    same tolerance as its loosest-first scan, in fewer fits). The search stops once the
    tuning fits took more than ``cfg["cap"]`` seconds; a fit is killed when the solver's
    tuning time would exceed 1.5 x cap. Timing (in this process): a warm-up and then
    :func:`harness.n_runs` runs, unless the chosen tuning fit took more than
    ``cfg["long_fit"]`` seconds: that fit is then the single timed run.

    Returns ``(tol, trials, runs, stopped)``; ``runs`` is empty when no tuning fit finished.
    """
    trials, stopped, cap = [], None, cfg["cap"]

    def trial(i):
        nonlocal stopped
        spent = sum(t["seconds"] for t in trials)
        if spent > cap:
            stopped = f"search stopped: tuning fits took {spent:.0f} s > {cap:g} s"
            return None
        tol, timeout = grid[i], 1.5 * cap - spent
        status, value = forked(lambda: fit(tol), timeout)
        if status == "timeout":
            trials.append(dict(tol=tol, seconds=timeout, subopt=float("inf"), killed=True,
                               warnings=0))
            stopped = f"tol {tol:.0e}: killed after {timeout:.1f} s (tuning budget)"
            log(f"    tune {name}: tol {tol:.0e} killed after {timeout:.1f} s")
            return None
        if status == "error":
            raise RuntimeError(value.strip().splitlines()[-1])
        trials.append({"tol": tol, **value, "warnings": len(value["warnings"])})
        log(f"    tune {name}: tol {tol:.0e} -> {harness.fmt_time(value['seconds'])}, subopt "
            f"{value['subopt']:.1e}")
        return trials[-1]

    first = trial(start)
    chosen = first
    if first is not None and first["subopt"] <= TARGET:
        for i in range(start - 1, -1, -1):  # looser while reached
            t = trial(i)
            if t is None or t["subopt"] > TARGET:
                break
            chosen = t
    elif first is not None:
        for i in range(start + 1, len(grid)):  # tighter until reached
            t = trial(i)
            if t is None:
                break
            chosen = t
            if t["subopt"] <= TARGET:
                break
    if chosen is None:
        return None, trials, [], stopped
    tol = chosen["tol"]
    if chosen["seconds"] > cfg["long_fit"]:
        runs = [dict(chosen, warnings=[], timed_in="tuning child")]
    else:
        fit(tol)  # warm-up in this process
        runs = [fit(tol) for _ in range(harness.n_runs(chosen["seconds"], cfg["budget"],
                                                        cfg["max_runs"]))]
    return tol, trials, runs, stopped


# ---------------------------------------------------------------------------------------------
# Fits and the reference
# ---------------------------------------------------------------------------------------------

def single_fit(adapter, problem, p_star):
    """``fit(tol)`` for the protocol: one fit, its relative suboptimality against ``p_star``."""
    X, y, alpha = problem.X, problem.y, problem.alpha

    def fit(tol):
        seconds, (coef, b), msgs = harness.timed(adapter.fit, X, y, alpha, tol)
        P = logistic_objective(X, y, alpha, coef, b, problem.l1_ratio)
        out = dict(seconds=seconds, subopt=(P - p_star) / p_star, n_iter=adapter.n_iter,
                   nnz=int(np.count_nonzero(coef)), warnings=msgs)
        gap = getattr(adapter, "dual_gap", None)
        if gap is not None:  # sparsereg's own certificate must bound P - P*
            out.update(reported_gap=float(gap),
                       gap_bounds_subopt=bool(float(gap) >= P - p_star - 1e-14 * p_star))
        return out

    return fit


def path_objectives(problem, coefs, intercepts):
    return np.array([logistic_objective(problem.X, problem.y, a, w, b, problem.l1_ratio)
                     for a, w, b in zip(problem.alphas, coefs, intercepts)])


def path_fit(adapter, problem, p_star):
    """``fit(tol)`` for a path: the suboptimality is the maximum over the alphas."""
    def fit(tol):
        seconds, (coefs, b), msgs = harness.timed(adapter.run, problem.X, problem.y,
                                                  problem.alphas, tol)
        sub = (path_objectives(problem, coefs, b) - p_star) / p_star
        return dict(seconds=seconds, subopt=float(sub.max()), worst_alpha=int(np.argmax(sub)),
                    n_iter=adapter.n_iter, nnz=int(np.count_nonzero(coefs[-1])), warnings=msgs)

    return fit


def reference_kind(problem):
    return ("path" if problem.is_path else "multinomial" if problem.multinomial else
            "binary" if problem.fit_intercept else "noint")


def reference(problem, cfg, log):
    """P* (per alpha for a path): the smallest objective over tight fits, with the solvers'
    disagreement and the certified relative gap of the best fit."""
    entries = REFERENCE[reference_kind(problem)]
    if cfg["quick"]:
        entries = entries[:QUICK_REFERENCE[reference_kind(problem)]]
    fits = {}
    for key, tol in entries:
        ad = (make_path_adapter if problem.is_path else make_adapter)(key, problem)
        if installed(ad.module) is not None or ad.supports(problem) is not True:
            continue
        if ad.module == "sparsereg":
            ad.max_iter = REFERENCE_MAX_ITER.get(reference_kind(problem), 50)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if problem.is_path:
                coefs, b = ad.run(problem.X, problem.y, problem.alphas, tol)
            else:
                coef, b0 = ad.fit(problem.X, problem.y, problem.alpha, tol)
                coefs, b = [coef], [b0]
        P = path_objectives(problem, coefs, b)
        fits[ad.name] = dict(P=P, coefs=coefs, b=b, tol=tol, seconds=time.perf_counter() - t0)
        log(f"  reference {ad.name} (tol {tol:.0e}): {fits[ad.name]['seconds']:.1f} s")
    names = list(fits)
    P_all = np.vstack([fits[k]["P"] for k in names])
    best = np.argmin(P_all, axis=0)
    p_star = P_all.min(axis=0)
    gaps = np.array([logistic_gap(problem.X, problem.y, a, fits[names[j]]["coefs"][i],
                                  fits[names[j]]["b"][i], problem.l1_ratio,
                                  problem.fit_intercept)
                     for i, (a, j) in enumerate(zip(problem.alphas, best))]) / p_star
    coef_end = fits[names[best[-1]]]["coefs"][-1]
    out = dict(P_star=p_star.tolist(), best=[names[j] for j in best],
               rel_disagreement=float(((P_all.max(axis=0) - p_star) / p_star).max()),
               rel_gap=float(gaps.max()), nnz=int(np.count_nonzero(coef_end)),
               solvers={k: dict(tol=f["tol"], seconds=f["seconds"]) for k, f in fits.items()})
    if not problem.is_path:
        out.update(P_star=float(p_star[0]), best=names[best[0]])
    return out, p_star if problem.is_path else float(p_star[0])


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------

def run_problem(name, cfg, log):
    if cfg["quick"] and name in QUICK_CAP and cfg.get("cap_given") is None:
        cfg = dict(cfg, cap=QUICK_CAP[name])
    problem = get_problem(name)
    unit = harness.pass_time(problem.X)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    alpha_s = (f"{len(problem.alphas)} alphas {problem.alphas[0]:.4g} -> {problem.alpha:.4g}"
               if problem.is_path else f"alpha = {problem.alpha:.4g}")
    log(f"\n### {name}: {problem.kind}, {problem.description}; {alpha_s} (alpha_max = "
        f"{problem.alpha_max:.4g}); one X^T v = {unit * 1e3:.3f} ms")
    ref, p_star = reference(problem, cfg, log)
    log(f"  P* = {ref['P_star'] if problem.is_path else format(ref['P_star'], '.10g')}"[:80]
        + f"; certified rel. gap {ref['rel_gap']:.1e}, disagreement "
        f"{ref['rel_disagreement']:.1e}, nnz {ref['nnz']}")
    rows, skipped = [], []
    for key in PLAN[name]:
        ad = (make_path_adapter if problem.is_path else make_adapter)(key, problem)
        error = installed(ad.module)
        reason = (f"not importable: {error}" if error is not None else
                  f"skipped in --quick ({QUICK_SKIP[name, key]})"
                  if cfg["quick"] and (name, key) in QUICK_SKIP else ad.supports(problem))
        if reason is not True:
            skipped.append(dict(solver=ad.name, key=key, reason=reason))
            log(f"  {ad.name}: {reason}")
            continue
        fit = (path_fit if problem.is_path else single_fit)(ad, problem, p_star)
        try:
            if ad.numba:  # compile this problem's signatures here, not in a tuning child
                fit(ad.tol_grid[0])
            start = ad.tol_grid.index(ad.tol_start)
            tol, trials, runs, stopped = capped_matched_accuracy(fit, ad.tol_grid, start, cfg,
                                                                 log, ad.name)
        except Exception as exc:  # noqa: BLE001 -- a failing library is reported, not dropped
            skipped.append(dict(solver=ad.name, key=key, reason=f"failed: {exc}"[:300]))
            log(f"  {ad.name}: failed: {exc}")
            continue
        if not runs:
            skipped.append(dict(solver=ad.name, key=key, trials=trials, killed=True,
                                reason=f"> {harness.fmt_time(trials[-1]['seconds'])}: "
                                       f"{stopped}"))
            log(f"  {ad.name}: no tuning fit finished ({stopped})")
            continue
        row = harness.summarize(ad.name, ad.tol_param, tol, ad.tol_grid, trials, runs, unit)
        row.update(key=key, stopped=stopped, nnz=runs[-1]["nnz"], n_iter=runs[-1]["n_iter"],
                   timed_in=runs[-1].get("timed_in", "this process"))
        if "reported_gap" in runs[-1]:
            row.update(reported_gap=runs[-1]["reported_gap"],
                       gap_bounds_subopt=all(r.get("gap_bounds_subopt", True) for r in runs))
        rows.append(row)
        log(f"  {row['solver']}: tol {harness.fmt_tol(row)}, {harness.fmt_time(row['time'])}, "
            f"{row['passes']:.0f} passes, subopt {row['subopt']:.1e}"
            + ("" if row["reached"] else " NOT REACHED") + (f" [{stopped}]" if stopped else ""))
    block = dict(problem=name, kind=problem.kind, description=problem.description,
                 n=problem.shape[0], p=problem.shape[1], n_classes=problem.n_classes,
                 fit_intercept=problem.fit_intercept, l1_ratio=problem.l1_ratio,
                 alpha=problem.alpha, alpha_max=problem.alpha_max,
                 fractions=problem.fractions.tolist(), nnz_X=int(getattr(problem.X, "nnz", 0)),
                 pass_seconds=unit, pass_drift=harness.pass_time(problem.X) / unit,
                 load_start=load0, load_end=os.getloadavg()[0],
                 seconds=time.perf_counter() - t0, reference=ref, rows=rows, skipped=skipped)
    block["summary"] = report_logistic.problem_summary(block)
    return block


# ---------------------------------------------------------------------------------------------
# First calls (compilation) and the mapping checks
# ---------------------------------------------------------------------------------------------

def small_problems():
    """The verification problems: small, with every feature the benchmark uses."""
    rng = np.random.default_rng(0)
    X = ar1_gaussian(200, 60, rng)
    y = binary_labels(X, rng, 10)[0]
    Xm = ar1_gaussian(300, 30, rng)
    ym = multinomial_labels(Xm, rng, 4, 10)[0]
    Xs = rcv1_like(400, 200, rng, nnz=8000)
    ys = binary_labels(Xs, rng, 10)[0]
    return [LogisticProblem("binary, intercept", X, y, 1 / 8, "dense 200 x 60"),
            LogisticProblem("binary, no intercept", X, y, 1 / 8, "dense 200 x 60",
                            fit_intercept=False),
            LogisticProblem("binary, l1_ratio=0.5, intercept", X, y, 1 / 8, "dense 200 x 60",
                            l1_ratio=0.5),
            LogisticProblem("binary sparse, intercept", Xs, ys, 1 / 8,
                            "rcv1-like CSC 400 x 200"),
            LogisticProblem("multinomial K=4, intercepts", Xm, ym, 1 / 8, "dense 300 x 30")]


def numba_cache_files(module):
    """Number of Numba cache index files of ``module``'s package (0: it compiles)."""
    import importlib

    try:
        root = Path(importlib.import_module(module).__file__).parent
    except Exception:  # noqa: BLE001 -- not installed
        return None
    return sum(1 for _ in root.rglob("*.nbi"))


def first_calls(log):
    """First call in this process (compilation, or loading Numba's on-disk cache) and steady
    time of the Numba libraries."""
    out = []
    probs = small_problems()
    cache = {m: numba_cache_files(m) for m in ("sparsereg", "skglm")}
    for key in ("sparsereg", "skglm"):
        for problem in (probs[0], probs[3], probs[4]):
            ad = make_adapter(key, problem)
            if installed(ad.module) is not None or ad.supports(problem) is not True:
                continue
            times = []
            for _ in range(4):
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ad.fit(problem.X, problem.y, problem.alpha, 1e-8)
                times.append(time.perf_counter() - t0)
            out.append(dict(solver=ad.name, problem=f"{problem.name} ({problem.description})",
                            first=times[0], steady=median(times[1:]),
                            numba_cache_files=cache[ad.module]))
            log(f"first call {ad.name} on {problem.name}: {times[0]:.2f} s "
                f"(steady {times[-1] * 1e3:.1f} ms)")
    return out


VERIFY_TOL = {"sklearn-liblinear": 1e-10, "glmnet": 1e-14, "glmnet-path": 1e-14}


def verify(log):
    """Every adapter at a tight tolerance on the small problems: P vs the best, certified gap,
    and how much a deliberate 1 % error in alpha costs (the scale of a mapping error)."""
    tables = []
    for problem in small_problems():
        alpha, rows = problem.alpha, []
        for key in ADAPTERS:
            ad = make_adapter(key, problem)
            if installed(ad.module) is not None or ad.supports(problem) is not True:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                status, value = forked(lambda: ad.fit(problem.X, problem.y, alpha,
                                                      VERIFY_TOL.get(key, 1e-12)), 60)
            if status != "ok":
                rows.append(dict(solver=ad.name, error=str(value)[-200:]))
                continue
            coef, b = value
            P = logistic_objective(problem.X, problem.y, alpha, coef, b, problem.l1_ratio)
            gap = logistic_gap(problem.X, problem.y, alpha, coef, b, problem.l1_ratio,
                               problem.fit_intercept)
            rows.append(dict(solver=ad.name, P=P, gap=gap / P, nnz=int(np.count_nonzero(coef))))
        p_best = min(r["P"] for r in rows if "P" in r)
        for r in rows:
            if "P" in r:
                r["rel"] = (r["P"] - p_best) / p_best
        with warnings.catch_warnings():  # what a 1 % error in alpha would cost
            warnings.simplefilter("ignore")
            coef, b = make_adapter("sklearn-saga", problem).fit(problem.X, problem.y,
                                                                1.01 * alpha, 1e-12)
        wrong = logistic_objective(problem.X, problem.y, alpha, coef, b, problem.l1_ratio)
        tables.append(dict(problem=problem.name, description=problem.description, alpha=alpha,
                           l1_ratio=problem.l1_ratio, fit_intercept=problem.fit_intercept,
                           alpha_error_effect=(wrong - p_best) / p_best, rows=rows))
        worst = max((r for r in rows if "rel" in r), key=lambda r: r["rel"])
        log(f"verify {problem.name}: {len(rows)} solvers, worst (P - P_best)/P_best "
            f"{worst['rel']:.1e} ({worst['solver']}); 1 % alpha error: "
            f"{tables[-1]['alpha_error_effect']:.1e}")
    return tables


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes; see the docstring")
    parser.add_argument("--problems", nargs="+", default=list(BUILDERS), choices=list(BUILDERS))
    parser.add_argument("--cap", type=float, help="tuning seconds per solver (30; quick 4)")
    parser.add_argument("--no-verify", action="store_true", help="skip the mapping checks")
    parser.add_argument("--wait-load", type=float, metavar="L",
                        help="first wait (up to 1 h) until the 1-min load average is below L")
    args = parser.parse_args(argv)
    log = lambda s: print(s, flush=True)  # noqa: E731
    waited = time.perf_counter()
    while args.wait_load and os.getloadavg()[0] >= args.wait_load \
            and time.perf_counter() - waited < 3600:
        time.sleep(15)
    harness.warn_if_busy(0.7, log)
    cfg = dict(quick=args.quick, budget=2.0, max_runs=10, cap=30.0, long_fit=5.0)
    if args.quick:
        cfg.update(budget=0.3, max_runs=3, cap=4.0, long_fit=1.0)
    if args.cap is not None:
        cfg.update(cap=args.cap, cap_given=True)
    t_start = time.perf_counter()
    env = harness.environment()
    env.update(cpus_allowed=len(os.sched_getaffinity(0)),
               libraries={m: installed(m) for m in ("sparsereg", "sklearn", "skglm", "celer",
                                                     "glum", "glmnet")})
    env["versions"] = report_logistic.versions()
    result = dict(environment=env, target=TARGET, quick=args.quick, config=cfg, problems={})
    with threadpool_limits(1):
        result["first_calls"] = first_calls(log)
        t0 = time.perf_counter()
        result["verification"] = None if args.no_verify else verify(log)
        log(f"first calls and verification: {time.perf_counter() - t_start:.0f} s "
            f"(verification {time.perf_counter() - t0:.0f} s)")
        for name in args.problems:
            result["problems"][name] = run_problem(name, cfg, log)
    suffix = "_quick" if args.quick else ""
    harness.save(result, t_start, RESULTS / f"logistic{suffix}.json", log)
    md = RESULTS / "benchmarks_logistic_quick.md" if args.quick else \
        DOCS / "benchmarks_logistic.md"
    md.write_text(report_logistic.render(result, None if args.quick else
                                         report_logistic.load_race()))
    log(f"wrote {md}")


if __name__ == "__main__":
    sys.exit(main())
