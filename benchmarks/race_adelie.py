"""Race adelie's ``grpnet`` against sparsereg's logistic solvers, side by side in one process.

    PYTHONPATH=/work/main /tmp/adelie-venv/bin/python -m benchmarks.race_adelie \
        [--problems L1a L3 L6] [--runs 3] [--load-limit 1.3] [--out /tmp/race_adelie.json]

Run it from the repository root. adelie cannot be installed next to sparsereg's own
environment (adelie 1.1.52 requires numpy<2), so this runs in a separate venv, with sparsereg
taken from the source tree (``PYTHONPATH``, never ``pip install``)::

    python -m venv /tmp/adelie-venv
    /tmp/adelie-venv/bin/pip install "numpy<2" "pandas<3" adelie==1.1.52 scipy scikit-learn \
        numba threadpoolctl
    PYTHONPATH=/work/main /tmp/adelie-venv/bin/python -c "import sparsereg, adelie"

(tested with numpy 1.26.4, scipy 1.17.1, scikit-learn 1.9.1, numba 0.68.1, Python 3.11).

Importing adelie pins the process to CPU 0 (``os.sched_setaffinity``, see
shared/ANCHORS_LOGISTIC.md): the affinity is restored right after the import. Everything runs
with one BLAS thread (threadpoolctl) and adelie's ``n_threads=1``.

Protocol (as ``bench_logistic`` / the anchors): the objective is
``adapters_logistic.logistic_objective`` (numpy only), P(W, b) = mean logloss + alpha ||w||_1.
P* is the smaller objective of a tight sparsereg fit and a tight adelie fit (per alpha on a
path), certified by ``logistic_gap``. Each solver gets the loosest tolerance of the half-decade
grid 1e-1, 3e-2, ... giving (P - P*) / P* <= 1e-6 (paths: the maximum over the alphas),
scanned loosest first; then one warm-up per solver and ``--runs`` timed runs, the solvers
alternating (round-robin, the order reversed every other round); the table shows the median
wall time, the CPU time, "passes" = time / one ``X.T @ v`` measured in this process, and the
worst relative suboptimality of the timed runs. The Numba compilation of sparsereg happens in
the mapping check and the warm-ups, never in a timed run.

adelie mapping (verified at start on a small problem, see :func:`mapping_check`):
``grpnet(X, glm.binomial(y), lmda_path=..., alpha=1, groups=None (size 1), intercept=True,
early_exit=False)``: adelie's binomial loss has weights 1/n by default, i.e. the mean
logloss, and the default penalty factor sqrt(group size) = 1, so lmda = alpha. adelie 1.1.52's
grpnet has no ``standardize`` argument (the ndarray is wrapped by ``adelie.matrix.dense`` as
is: no standardization). ``early_exit=False``: otherwise grpnet stops the path once 90 % of the
deviance is explained (``adev_tol``), before the target alpha. Tolerance: ``tol`` and
``irls_tol`` both set to the grid value (the anchors' "tol=irls_tol"). Variants as in the
anchors: "single lambda" = ``lmda_path=[alpha]``, "20-lambda path to alpha" = geometric from
alpha_max (computed inside the timing) to alpha, the last fit returned; L6 = the problem's 100
alphas as ``lmda_path``.
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from statistics import median

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.race_adelie")

import numpy as np

import adelie  # noqa: E402  (pins the process to CPU 0 ...)

os.sched_setaffinity(0, range(os.cpu_count()))  # ... undo it at once
AFFINITY = sorted(os.sched_getaffinity(0))

from threadpoolctl import threadpool_limits  # noqa: E402

import sparsereg  # noqa: E402

from benchmarks import harness  # noqa: E402
from benchmarks.adapters import HALF_DECADE  # noqa: E402
from benchmarks.adapters_logistic import (Sparsereg, SparseregPath, logistic_gap,  # noqa: E402
                                          logistic_objective)
from benchmarks.problems import ar1_gaussian  # noqa: E402
from benchmarks.problems_logistic import (binary_labels, get_problem,  # noqa: E402
                                          logistic_alpha_max)

TARGET = harness.TARGET
GRID = tuple(t for t in HALF_DECADE if t <= 1e-1)  # 1e-1, 3e-2, ..., 1e-14
REF_TOL = {"sparsereg": 1e-11, "adelie": 1e-12}
# sparsereg's Newton iterations for the reference: at tol 1e-11 it stops at its round-off floor
# only through max_iter on L3 (1000 iterations: 181 s; 100: 15 s, same P to 4e-14 of adelie's)
REF_MAX_ITER = 100


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# adelie adapters
# ---------------------------------------------------------------------------------------------

def adelie_path(X, y, lmdas, tol):
    """``(coefs (L, p), intercepts (L,))`` of grpnet along ``lmdas`` (decreasing)."""
    state = adelie.grpnet(X, adelie.glm.binomial(y=y.astype(np.float64)),
                          lmda_path=np.asarray(lmdas, dtype=np.float64), alpha=1.0,
                          intercept=True, early_exit=False, tol=tol, irls_tol=tol,
                          n_threads=1, progress_bar=False)
    coefs = state.betas.toarray()
    if coefs.shape[0] != len(lmdas):
        raise RuntimeError(f"adelie returned {coefs.shape[0]} of {len(lmdas)} lambdas")
    return coefs, np.asarray(state.intercepts, dtype=np.float64)


class AdelieSingle:
    """grpnet at one alpha: ``lmda_path=[alpha]`` or an ``n_lambda``-point path to it."""

    tol_param = "tol=irls_tol"

    def __init__(self, n_lambda=1):
        self.n_lambda = n_lambda
        self.name = ("adelie grpnet, single lambda" if n_lambda == 1 else
                     f"adelie grpnet, {n_lambda}-lambda path to alpha")
        self.n_iter = None

    def fit(self, X, y, alpha, tol):
        if self.n_lambda == 1:
            lmdas = np.array([alpha])
        else:
            lmdas = np.geomspace(logistic_alpha_max(X, y, True), alpha, self.n_lambda)
        coefs, b = adelie_path(X, y, lmdas, tol)
        return coefs[-1], float(b[-1])


class AdeliePath:
    name = "adelie grpnet path"
    tol_param = "tol=irls_tol"
    n_iter = None

    def run(self, X, y, alphas, tol):
        return adelie_path(X, y, alphas, tol)


# ---------------------------------------------------------------------------------------------
# The protocol
# ---------------------------------------------------------------------------------------------

def timed(fn, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn(*args)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cpu, out, [str(w.message) for w in caught if "onverge" in
                               w.category.__name__]


def objectives(problem, coefs, intercepts):
    return np.array([logistic_objective(problem.X, problem.y, a, w, b)
                     for a, w, b in zip(problem.alphas, np.atleast_2d(coefs),
                                        np.atleast_1d(intercepts))])


def make_fit(solver, problem, p_star):
    """``fit(tol) -> dict(seconds, cpu, subopt, nnz, warnings)``."""
    X, y = problem.X, problem.y

    def fit(tol):
        if problem.is_path:
            seconds, cpu, (coefs, b), msgs = timed(solver.run, X, y, problem.alphas, tol)
        else:
            seconds, cpu, (coefs, b), msgs = timed(solver.fit, X, y, problem.alpha, tol)
        sub = (objectives(problem, coefs, b) - p_star) / p_star
        return dict(seconds=seconds, cpu=cpu, subopt=float(sub.max()),
                    worst=int(np.argmax(sub)), nnz=int(np.count_nonzero(np.atleast_2d(coefs)[-1])),
                    n_iter=getattr(solver, "n_iter", None), warnings=msgs)

    return fit


def reference(problem, cfg):
    """P* (per alpha): the smaller objective of tight sparsereg and adelie fits."""
    X, y = problem.X, problem.y
    out = {}
    sr = SparseregPath() if problem.is_path else Sparsereg()
    sr.max_iter = cfg["ref_max_iter"]
    for key, solver in (("sparsereg", sr),
                        ("adelie", AdeliePath() if problem.is_path else AdelieSingle())):
        t0 = time.perf_counter()
        if problem.is_path:
            _, _, (coefs, b), msgs = timed(solver.run, X, y, problem.alphas, REF_TOL[key])
        else:
            _, _, (w, b0), msgs = timed(solver.fit, X, y, problem.alpha, REF_TOL[key])
            coefs, b = np.atleast_2d(w), np.atleast_1d(b0)
        P = objectives(problem, coefs, b)
        gaps = np.array([logistic_gap(X, y, a, w_, b_) for a, w_, b_ in
                         zip(problem.alphas, coefs, b)])
        out[key] = dict(P=P, gap=gaps, seconds=time.perf_counter() - t0, warnings=len(msgs),
                        nnz=int(np.count_nonzero(coefs[-1])))
        log(f"  reference {key} tol {REF_TOL[key]:g}: {time.perf_counter() - t0:.1f} s, "
            f"max rel. certified gap {np.max(gaps / P):.1e}, nnz(last) "
            f"{out[key]['nnz']}, {len(msgs)} convergence warnings")
    p_star = np.minimum(out["sparsereg"]["P"], out["adelie"]["P"])
    best = np.where(out["sparsereg"]["P"] <= out["adelie"]["P"], out["sparsereg"]["gap"],
                    out["adelie"]["gap"])
    spread = np.max(np.abs(out["sparsereg"]["P"] - out["adelie"]["P"]) / p_star)
    info = dict(P_star=p_star.tolist(), spread=float(spread),
                certified_rel_gap=float(np.max(best / p_star)),
                ref_seconds={k: v["seconds"] for k, v in out.items()},
                ref_subopt={k: float(np.max((v["P"] - p_star) / p_star)) for k, v in out.items()})
    log(f"  P* = {p_star[-1]:.12g} (last alpha); two-solver spread {spread:.1e}; certified "
        f"rel. gap of the best {info['certified_rel_gap']:.1e}")
    return p_star, info


def tune(fit, name, cap):
    """Loosest grid tolerance reaching TARGET, scanning from the loosest; ``(tol, trials)``."""
    trials = []
    for tol in GRID:
        t = fit(tol)
        trials.append(dict(tol=tol, seconds=t["seconds"], subopt=t["subopt"]))
        log(f"    tune {name}: tol {tol:.0e} -> {harness.fmt_time(t['seconds'])}, subopt "
            f"{t['subopt']:.1e}")
        if t["subopt"] <= TARGET:
            return tol, trials
        if sum(x["seconds"] for x in trials) > cap:
            log(f"    tune {name}: stopped, tuning fits took > {cap:g} s")
            break
    return None, trials


def busy_seconds():
    """CPU seconds used by the whole machine (``/proc/stat``) and by this process."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK"), time.process_time()


def wait_for_quiet(limit, max_others, max_wait, window=10.0):
    """Wait (up to ``max_wait`` s) until, over a ``window``-second sleep of this process,
    other processes used at most ``max_others`` cores and the 1-minute load average is at
    most ``limit``. Returns whether it got there."""
    t0 = time.time()
    while True:
        (b0, _), w0 = busy_seconds(), time.perf_counter()
        time.sleep(window)
        (b1, _), w1 = busy_seconds(), time.perf_counter()
        others, load = (b1 - b0) / (w1 - w0), os.getloadavg()[0]
        if others <= max_others and load <= limit:
            return True
        if time.time() - t0 > max_wait:
            log(f"  still busy after {max_wait:.0f} s (others {others:.2f} cores, load "
                f"{load:.2f}): going on anyway (timings suspect)")
            return False
        log(f"  busy: other processes {others:.2f} cores, load average {load:.2f}: waiting")


def run_problem(name, solvers, cfg):
    problem = get_problem(name)
    X, y = problem.X, problem.y
    log(f"\n== {name}: n={X.shape[0]}, p={X.shape[1]}, "
        + (f"{len(problem.alphas)} alphas {problem.alphas[0]:.4g} -> {problem.alphas[-1]:.4g}"
           if problem.is_path else f"alpha={problem.alpha:.4g} (alpha_max={problem.alpha_max:.4g})"))
    # the Numba warm-up of sparsereg on this problem (shapes / code paths) before anything
    for s in solvers:
        if s.name.startswith("sparsereg"):
            (s.run(X, y, problem.alphas, 1e-3) if problem.is_path else
             s.fit(X, y, problem.alpha, 1e-3))
    p_star, ref = reference(problem, cfg)
    tuned = []
    for s in solvers:
        fit = make_fit(s, problem, p_star)
        tol, trials = tune(fit, s.name, cfg["cap"])
        tuned.append((s, fit, tol, trials))
    active = [(s, fit, tol) for s, fit, tol, _ in tuned if tol is not None]
    for attempt in range(1, cfg["attempts"] + 1):
        quiet = wait_for_quiet(cfg["load_limit"], cfg["max_others"], cfg["max_wait"])
        load_start = os.getloadavg()
        (busy0, own0), wall0 = busy_seconds(), time.perf_counter()
        unit_before = harness.pass_time(X)
        runs = {s.name: [] for s, *_ in tuned}
        for s, fit, tol in active:
            fit(tol)  # warm-up
        for r in range(cfg["runs"]):
            order = active if r % 2 == 0 else active[::-1]
            for s, fit, tol in order:
                runs[s.name].append(fit(tol))
        unit_after = harness.pass_time(X)
        load_end = os.getloadavg()
        (busy1, own1), wall1 = busy_seconds(), time.perf_counter()
        others = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0)
        unit = median([unit_before, unit_after])
        log(f"  timing attempt {attempt}: one X^T v {unit * 1e3:.3f} ms (before "
            f"{unit_before * 1e3:.3f}, after {unit_after * 1e3:.3f}); load avg start "
            f"{tuple(round(x, 2) for x in load_start)}, end "
            f"{tuple(round(x, 2) for x in load_end)}; other processes used {others:.2f} "
            f"cores over the {wall1 - wall0:.1f} s timing phase")
        if others <= cfg["max_others"]:
            break
        log(f"  other processes above {cfg['max_others']} cores: timing again")
    rows = []
    for s, fit, tol, trials in tuned:
        rr = runs[s.name]
        row = dict(problem=name, solver=s.name, tol_param=getattr(s, "tol_param", "tol"),
                   tol=tol, trials=trials)
        if rr:
            t = median(r["seconds"] for r in rr)
            row.update(seconds=t, cpu=median(r["cpu"] for r in rr),
                       all_seconds=[r["seconds"] for r in rr], passes=t / unit,
                       subopt=max(r["subopt"] for r in rr), nnz=rr[-1]["nnz"],
                       n_iter=rr[-1]["n_iter"], warnings=sum(len(r["warnings"]) for r in rr))
        rows.append(row)
    log(markdown([dict(rows=rows)]))
    return dict(problem=name, n=X.shape[0], p=X.shape[1], unit=unit,
                unit_before=unit_before, unit_after=unit_after, load_start=load_start,
                load_end=load_end, quiet=quiet, attempts=attempt,
                other_cores=others, timing_seconds=wall1 - wall0, reference=ref, rows=rows)


def mapping_check():
    """adelie vs a tight sparsereg fit on a small problem (binary, intercept, alpha_max/8);
    a deliberate 1 % error in lambda shows the sensitivity."""
    rng = np.random.default_rng(0)
    X = ar1_gaussian(200, 60, rng)
    y, _ = binary_labels(X, rng, n_signal=10)
    alpha = logistic_alpha_max(X, y, True) / 8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sr = Sparsereg()
        sr.max_iter = 200
        w, b = sr.fit(X, y, alpha, 1e-12)
    p_sr = logistic_objective(X, y, alpha, w, b)
    out = dict(alpha=alpha, P_sparsereg=p_sr, gap_sparsereg=logistic_gap(X, y, alpha, w, b))
    for key, scale in (("adelie", 1.0), ("adelie_lambda_x1.01", 1.01)):
        coefs, bs = adelie_path(X, y, [alpha * scale], 1e-14)
        P = logistic_objective(X, y, alpha, coefs[-1], bs[-1])
        out[key] = dict(P=P, rel_diff=(P - p_sr) / p_sr, nnz=int(np.count_nonzero(coefs[-1])),
                        max_coef_diff=float(np.max(np.abs(coefs[-1] - w))))
    out["nnz_sparsereg"] = int(np.count_nonzero(w))
    lam_max = adelie.grpnet(X, adelie.glm.binomial(y=y.astype(float)), lmda_path_size=2,
                            early_exit=False, n_threads=1, progress_bar=False).lmda_max
    out["adelie_lmda_max"], out["alpha_max"] = float(lam_max), logistic_alpha_max(X, y, True)
    log(f"mapping check (n=200, p=60, alpha_max/8): P sparsereg {p_sr:.14f} (certified gap "
        f"{out['gap_sparsereg']:.1e}), adelie {out['adelie']['P']:.14f}, rel. diff "
        f"{out['adelie']['rel_diff']:.1e}, max |coef diff| {out['adelie']['max_coef_diff']:.1e}; "
        f"with lambda x 1.01: {out['adelie_lambda_x1.01']['rel_diff']:.1e}; adelie lmda_max "
        f"{lam_max:.10g} vs alpha_max {out['alpha_max']:.10g}")
    return out


def markdown(results):
    lines = ["| problem | solver | tol param | tol | time (median wall) | CPU | passes | "
             "rel. subopt | runs (s) |", "|---|---|---|---|---|---|---|---|---|"]
    for res in results:
        for r in res["rows"]:
            if r.get("seconds") is None:
                lines.append(f"| {r['problem']} | {r['solver']} | {r['tol_param']} | - | "
                             "not reached | - | - | - | - |")
                continue
            lines.append(
                f"| {r['problem']} | {r['solver']} | {r['tol_param']} | {r['tol']:.0e} | "
                f"{harness.fmt_time(r['seconds'])} | {harness.fmt_time(r['cpu'])} | "
                f"{r['passes']:.0f} | {r['subopt']:.1e} | "
                + ", ".join(f"{s:.3f}" for s in r["all_seconds"]) + " |")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problems", nargs="+", default=["L1a", "L3", "L6"])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cap", type=float, default=60.0, help="tuning seconds per solver")
    ap.add_argument("--load-limit", type=float, default=1.3)
    ap.add_argument("--max-wait", type=float, default=1200.0)
    ap.add_argument("--max-others", type=float, default=0.3,
                    help="time again when other processes used more cores than this")
    ap.add_argument("--attempts", type=int, default=3)
    ap.add_argument("--ref-max-iter", type=int, default=REF_MAX_ITER,
                    help="sparsereg's Newton iterations for the reference fits")
    ap.add_argument("--out", default="/tmp/race_adelie.json")
    args = ap.parse_args(argv)
    cfg = dict(runs=args.runs, cap=args.cap, load_limit=args.load_limit,
               max_wait=args.max_wait, max_others=args.max_others, attempts=args.attempts,
               ref_max_iter=args.ref_max_iter)
    log(f"affinity after importing adelie and restoring: {AFFINITY}; adelie "
        f"{adelie.__version__}, numpy {np.__version__}; load average {os.getloadavg()}")
    results = []
    with threadpool_limits(1):
        mapping = mapping_check()
        for name in args.problems:
            problem = get_problem(name)
            if problem.is_path:
                solvers = [SparseregPath(), AdeliePath()]
            else:
                solvers = [Sparsereg(), AdelieSingle(1), AdelieSingle(20)]
            results.append(run_problem(name, solvers, cfg))
    log("\n" + markdown(results))
    for res in results:
        log(f"{res['problem']}: one X^T v {res['unit'] * 1e3:.3f} ms; load avg start "
            f"{tuple(round(x, 2) for x in res['load_start'])}, end "
            f"{tuple(round(x, 2) for x in res['load_end'])}, other processes "
            f"{res['other_cores']:.2f} cores; reference spread "
            f"{res['reference']['spread']:.1e}, certified rel. gap "
            f"{res['reference']['certified_rel_gap']:.1e}")
    with open(args.out, "w") as f:
        json.dump(dict(mapping=mapping, results=results, affinity=AFFINITY,
                       adelie=adelie.__version__, numpy=np.__version__,
                       date=time.strftime("%Y-%m-%dT%H:%M"),
                       sparsereg_source_sha1=harness.source_hash(Path(sparsereg.__file__).parent)),
                  f, indent=1,
                  default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
