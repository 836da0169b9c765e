"""Cross-validation benchmark with peak memory (issue 11 item 2).

    python -m benchmarks.bench_cv [--shapes tall wide tfidf vwide] [--estimators l1 enet l2]
                                  [--quick] [--cap SECONDS] [--cap-sparsereg SECONDS]
                                  [--ways sparsereg sklearn reference]
                                  [--out results/cv.json]
                                  [--md docs/benchmarks_cv.md] [--sparsereg DIR]
                                  [--snapshot [REV]] [--wait-load L]

(from the repository root). Each sparsereg CV estimator against the fastest scikit-learn way
to the same selection, on the data of ``problems_cv.py``, with the same folds (``KFold(5,
shuffle=True, random_state=0)``, built alike in every process: the same splits) and the same
grid (``problems_cv.grid``):

- ``l1``: ``L1RegressorCV(alphas=grid, cv=folds)`` vs ``LassoCV(alphas=grid, cv=folds)``;
- ``enet``: ``ElasticNetRegressorCV(l1_ratio=0.5, ...)`` vs ``ElasticNetCV(l1_ratio=0.5, ...)``;
- ``l2``: ``L2RegressorCV(alphas=grid, cv=folds)`` vs ``GridSearchCV(Ridge(solver=s), {"alpha":
  n_train * grid}, cv=folds, scoring="neg_mean_squared_error")`` for the solvers ``SK_RIDGE``.
  With ``s`` = "auto" (dense) or "sparse_cg" (sparse) this is what ``RidgeCV(alphas,
  cv=folds)`` runs. sparsereg's alpha ``a`` is ``Ridge(alpha=a * n_train)`` on a training fold
  of ``n_train = 0.8 n`` rows (the refits on all n rows differ; the selection does not).

Every other parameter is the library's default (tol 1e-4, max_iter 1000, n_jobs None).
Sparse X is CSC for everyone (scikit-learn's coordinate descent converts to CSC).

Protocol. Every (shape, estimator, way) runs in a fresh process. It builds the data; fits
the same estimator once on small data of the same format (``problems_cv.make(shape,
small=True)``), which compiles sparsereg's Numba kernels or loads them from the on-disk cache
("compile"); then ``gc.collect()``, resets the kernel's peak-RSS counter (writing 5 to
``/proc/self/clear_refs`` resets VmHWM; if that fails, a thread samples VmRSS every 5 ms),
reads VmRSS, fits, reads VmHWM: "peak extra" = VmHWM - VmRSS before the fit. A fit shorter
than 30 s is repeated (3 runs in all; ``--quick``: 1) and the best time is kept with the
largest peak. A process still fitting ``--cap`` seconds after its setup is killed ("> cap";
sparsereg: ``--cap-sparsereg``), and a scikit-learn way is stopped once it is slower than a
matching way already timed (it cannot be the fastest). Everything runs under
``threadpool_limits(1)``.

Matched accuracy (issue 11 item 2): first sparsereg at tol ``REFERENCE_TOL`` (relative
duality gap 1e-8, ``max_iter`` 100,000) gives the reference mean CV MSE curve (the mean over
folds of each fold's held-out MSE, per alpha). Every other way's curve is compared with it: it
matches when it selects the same alpha and differs nowhere by more than ``RTOL`` (relative).
Each library climbs a ladder of tolerances until a way matches (sparsereg: its default, then
``SR_TIGHTER``; LassoCV/ElasticNetCV: the default, then ``SK_TIGHTER``; ridge: every solver of
``SK_RIDGE`` at its default tol, then at ``SK_RIDGE_TIGHTER`` when none matched), and a row's
figure is each library's fastest matching way (else its fastest, marked "no match"). That the
reference is sparsereg's own fit is checked by scikit-learn's: wherever LassoCV at tol 1e-6
finishes, its curve's distance to the reference is in the table. Without ``reference`` in
``--ways``, the scikit-learn curves are matched against sparsereg's default instead.

``--sparsereg DIR`` measures the package ``DIR/sparsereg`` (``python -m`` puts the current
directory first on ``sys.path``, before ``PYTHONPATH``); ``--snapshot [REV]`` a frozen ``git
archive`` copy of REV (default HEAD), as ``run_all``. Writes ``results/cv.json`` and
``docs/benchmarks_cv.md`` (``--quick``: ``results/cv_quick.json``,
``results/benchmarks_cv_quick.md``); relative ``--out`` paths are under ``benchmarks/``,
relative ``--md`` paths under the repository root.
"""

import argparse
import gc
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.bench_cv")

import numpy as np

from benchmarks import problems_cv, report_cv

HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("SPARSEREG_BENCH_OUT", HERE.parent))  # set by --snapshot
ESTIMATORS = ("l1", "enet", "l2")
SK_RIDGE = {"dense": ("auto", "lsqr"), "sparse": ("sparse_cg", "lsqr", "sag")}
# LassoCV/ElasticNetCV at tighter tolerances, tried in order while the CV curve does not match
# the reference's (matched accuracy: the fastest matching way is the row's figure)
SK_TIGHTER = (1e-5, 1e-6)
SK_RIDGE_TIGHTER = (1e-6,)  # Ridge(tol=...) of the iterative solvers, when no default matches
SR_TIGHTER = (1e-5, 1e-6)  # sparsereg's ladder, likewise
RTOL = report_cv.RTOL
REFERENCE_TOL = 1e-8  # the "reference" way: sparsereg's fits to this relative duality gap
REPEAT_BELOW = 30.0  # seconds: faster fits are timed up to --repeats times


# ---------------------------------------------------------------------------------------------
# The child: one (shape, estimator, way) in a fresh process
# ---------------------------------------------------------------------------------------------

def _status_mb(key):
    """``VmRSS`` or ``VmHWM`` of this process, in MB (10^6 bytes)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    raise KeyError(key)


class PeakMemory:
    """Peak resident memory during a block, above the resident memory at its start.

    Uses the kernel's high-water mark (VmHWM, reset through ``/proc/self/clear_refs``) when
    the reset works, else samples VmRSS every 5 ms in a thread.
    """

    def __init__(self):
        self.method = "VmHWM" if self._reset() else "VmRSS sampled every 5 ms"

    @staticmethod
    def _reset():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            return False
        return _status_mb("VmHWM") <= _status_mb("VmRSS") + 1.0

    def __enter__(self):
        gc.collect()
        self._reset()
        self.baseline = self.peak = _status_mb("VmRSS")
        self._stop = threading.Event()
        if self.method != "VmHWM":
            def sample():
                while not self._stop.wait(0.005):
                    self.peak = max(self.peak, _status_mb("VmRSS"))
            self._thread = threading.Thread(target=sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.method == "VmHWM":
            self.peak = _status_mb("VmHWM")
        else:
            self._thread.join()
            self.peak = max(self.peak, _status_mb("VmRSS"))
        self.extra = self.peak - self.baseline


def make_model(estimator, way, alphas, n_train):
    """The unfitted estimator of ``way`` (``"sparsereg"``, ``"sklearn"`` or
    ``"sklearn-<Ridge solver>"``) on the decreasing grid ``alphas`` (sparsereg's scale)."""
    from sklearn.model_selection import KFold

    folds = KFold(5, shuffle=True, random_state=0)
    if way == "reference":
        return make_model(estimator, "sparsereg", alphas, n_train).set_params(
            tol=REFERENCE_TOL, max_iter=100_000)
    if way.startswith("sparsereg-tol"):  # the ladder of tighter tolerances
        return make_model(estimator, "sparsereg", alphas, n_train).set_params(
            tol=float(way.split("-tol", 1)[1]))
    if way == "sparsereg":
        import sparsereg

        if estimator == "enet":
            return sparsereg.ElasticNetRegressorCV(l1_ratio=0.5, alphas=alphas, cv=folds)
        cls = sparsereg.L1RegressorCV if estimator == "l1" else sparsereg.L2RegressorCV
        return cls(alphas=alphas, cv=folds)
    from sklearn import linear_model as lm
    from sklearn.model_selection import GridSearchCV

    tol = float(way.split("-tol", 1)[1]) if "-tol" in way else 1e-4  # 1e-4: the default
    if estimator == "l1":
        return lm.LassoCV(alphas=alphas, cv=folds, tol=tol)
    if estimator == "enet":
        return lm.ElasticNetCV(l1_ratio=0.5, alphas=alphas, cv=folds, tol=tol)
    return GridSearchCV(lm.Ridge(solver=way.split("-")[1], tol=tol),
                        {"alpha": list(alphas * n_train)}, cv=folds,
                        scoring="neg_mean_squared_error")


def cv_curve(model, alphas):
    """Mean CV MSE per alpha of ``alphas`` (decreasing), and the chosen alpha on sparsereg's
    scale."""
    if hasattr(model, "cv_results_"):  # GridSearchCV, alphas given in this order
        return -np.asarray(model.cv_results_["mean_test_score"]), \
            alphas[model.best_index_]
    if not np.allclose(model.alphas_, alphas, rtol=1e-12, atol=0):
        raise RuntimeError("the estimator reordered the grid")
    return np.asarray(model.mse_path_).mean(axis=1), float(model.alpha_)


def fit_once(model, X, y):
    """``(seconds, peak extra MB, MB resident before, warning messages)`` of ``model.fit(X,
    y)``."""
    with warnings.catch_warnings(record=True) as caught, PeakMemory() as memory:
        warnings.simplefilter("always")
        done = threading.Event()

        def report():  # the peak so far, for a fit killed at the cap (a lower bound)
            while not done.wait(2.0):
                peak = _status_mb("VmHWM") if memory.method == "VmHWM" else memory.peak
                print(json.dumps({"event": "peak", "mb": peak - memory.baseline}),
                      flush=True)
        threading.Thread(target=report, daemon=True).start()
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
        done.set()
    return seconds, memory.extra, memory.baseline, sorted(
        {f"{w.category.__name__}: {str(w.message)[:160]}" for w in caught})


def child(shape, estimator, way, repeats):
    """Measure one (shape, estimator, way); prints a JSON line before every fit, one at the
    end."""
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    X, y = problems_cv.make(shape)
    alphas = problems_cv.grid(shape, estimator, X, y)
    X_small, y_small = problems_cv.make(shape, small=True)
    data_seconds = time.perf_counter() - start
    with threadpool_limits(1):
        start = time.perf_counter()
        make_model(estimator, way, problems_cv.grid(shape, estimator, X_small, y_small),
                   0.8 * X_small.shape[0]).fit(X_small, y_small)
        warm_up = time.perf_counter() - start
        times, peaks, messages = [], [], set()
        while len(times) < repeats and (not times or times[-1] < REPEAT_BELOW):
            model = make_model(estimator, way, alphas, 0.8 * X.shape[0])
            print(json.dumps({"event": "fit"}), flush=True)
            seconds, extra, baseline, msgs = fit_once(model, X, y)
            times.append(seconds)
            peaks.append(extra)
            messages.update(msgs)
    curve, alpha = cv_curve(model, alphas)
    module = sys.modules["sklearn" if way.startswith("sklearn") else "sparsereg"]
    out = dict(event="result", times=times, peaks_mb=peaks, time=min(times),
               peak_mb=max(peaks), warm_up=warm_up, data_seconds=data_seconds,
               baseline_rss_mb=baseline, memory_method=PeakMemory().method,
               alphas=alphas.tolist(), curve=curve.tolist(), alpha=alpha,
               index=int(np.argmin(np.abs(np.log(alphas / alpha)))),
               warnings=sorted(messages), module_file=module.__file__)
    print(json.dumps(out), flush=True)


# ---------------------------------------------------------------------------------------------
# The parent: one child per measurement, the cap, the matching, the record
# ---------------------------------------------------------------------------------------------

def ways(estimator, sparse, quick, selected):
    """Of the ``selected`` kinds, in the order they run: the reference first (every curve is
    matched against it), then sparsereg's ladder (``--quick``: the default only), then
    scikit-learn's (coordinate descent: the default tol, then ``SK_TIGHTER``; ridge: each
    solver of ``SK_RIDGE`` at its default tol, then at ``SK_RIDGE_TIGHTER``)."""
    ladder = (lambda name, tols: [name] + [f"{name}-tol{t:g}" for t in tols])
    ours = ladder("sparsereg", () if quick else SR_TIGHTER)
    if estimator != "l2":
        theirs = ladder("sklearn", () if quick else SK_TIGHTER)
    else:
        solvers = SK_RIDGE["sparse" if sparse else "dense"][:1 if quick else None]
        theirs = [f"sklearn-{s}" for s in solvers] + \
            [f"sklearn-{s}-tol{t:g}" for t in (() if quick else SK_RIDGE_TIGHTER)
             for s in solvers]
    return [w for w in ["reference", *ours, *theirs] if w.split("-")[0] in selected]


def library(way):
    """``"sparsereg"`` or ``"sklearn"`` (None for the reference)."""
    return None if way == "reference" else way.split("-")[0]


def way_label(estimator, way, sparse):
    tol = way.split("-tol", 1)[1] if "-tol" in way else None
    if library(way) in ("sparsereg", None):
        name = {"l1": "L1RegressorCV", "enet": "ElasticNetRegressorCV(l1_ratio=0.5)",
                "l2": "L2RegressorCV"}[estimator]
        if way == "reference":
            return f"{name}, tol={REFERENCE_TOL:g} (reference)"
        return name if tol is None else f"{name}, tol={tol}"
    if estimator != "l2":
        name = "LassoCV" if estimator == "l1" else "ElasticNetCV(l1_ratio=0.5)"
        return name if tol is None else \
            name.replace("CV", f"CV(tol={tol})", 1).replace(")(", ", ")
    solver = way.split("-")[1]
    same = solver == ("sparse_cg" if sparse else "auto") and tol is None
    return f"GridSearchCV(Ridge(solver='{solver}'" + ("" if tol is None else f", tol={tol}") \
        + "))" + (" = RidgeCV(cv=folds)" if same else "")


def spawn(shape, estimator, way, repeats, cap, sparsereg_dir):
    """Run one child; kill it when it has fitted for more than ``cap`` seconds."""
    env = dict(os.environ)
    if sparsereg_dir:
        env["SPARSEREG_BENCH_CHECKOUT"] = str(sparsereg_dir)
    cmd = [sys.executable, "-m", "benchmarks.bench_cv", "--child", shape, estimator, way,
           "--repeats", str(repeats)]
    errors = tempfile.TemporaryFile("w+")  # a pipe could fill up and block the child
    proc = subprocess.Popen(cmd, cwd=HERE.parent, env=env, stdout=subprocess.PIPE,
                            stderr=errors, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(s) for s in proc.stdout] + [lines.put(None)],
                     daemon=True).start()
    started, ready, deadline, result, peak = time.perf_counter(), None, None, None, None
    while True:
        timeout = None if deadline is None else max(0.0, deadline - time.perf_counter())
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            proc.kill()
            proc.wait()
            return dict(status="capped", cap=cap, setup_seconds=ready - started,
                        peak_mb_at_kill=peak)
        if line is None:
            break
        message = json.loads(line) if line.startswith("{") else {"event": None}
        if message["event"] == "fit":  # the cap is per fit
            ready = ready or time.perf_counter()
            deadline = time.perf_counter() + cap
            peak = None
        elif message["event"] == "peak":
            peak = message["mb"]
        elif message["event"] == "result":
            result = message
    proc.wait()
    errors.seek(0)
    if result is None:
        return dict(status="failed", error=errors.read()[-2000:])
    return dict(status="ok", setup_seconds=ready - started, **result)


def environment(sparsereg_dir):
    """``harness.environment()`` with the git commit of the sparsereg actually measured."""
    from benchmarks import harness
    from benchmarks.run_all import cpu_model

    env = harness.environment()
    env.update(cpu=cpu_model(), sparsereg_file=sys.modules["sparsereg"].__file__)
    tree = Path(env["sparsereg_file"]).resolve().parents[1]
    if os.environ.get("SPARSEREG_BENCH_COMMIT"):  # --snapshot: a clean copy of that commit
        env.update(git_commit=os.environ["SPARSEREG_BENCH_COMMIT"], git_dirty="",
                   snapshot=str(HERE.parent))
    else:
        def git(*args):
            return subprocess.run(["git", "-C", str(tree), *args], text=True,
                                  capture_output=True).stdout.strip()
        env.update(git_commit=git("rev-parse", "HEAD"),
                   git_dirty=git("status", "--porcelain", "sparsereg"))
    return env


def snapshot(argv, rev):
    """Rerun on a frozen copy of ``rev`` (``run_all.run_on_snapshot``)."""
    from benchmarks.run_all import run_on_snapshot

    return run_on_snapshot(argv, module="benchmarks.bench_cv", rev=rev)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=list(problems_cv.SHAPES),
                        choices=list(problems_cv.SHAPES))
    parser.add_argument("--estimators", nargs="+", default=list(ESTIMATORS),
                        choices=ESTIMATORS)
    parser.add_argument("--quick", action="store_true",
                        help="one run per fit, the default scikit-learn way only, cap 120 s")
    parser.add_argument("--cap", type=float, help="seconds of fitting before a scikit-learn "
                        "process is killed (default 600; --quick 120)")
    parser.add_argument("--cap-sparsereg", type=float, help="the same for sparsereg "
                        "(default: the larger of --cap and 1800)")
    parser.add_argument("--ways", nargs="+", default=["reference", "sparsereg", "sklearn"],
                        choices=("sparsereg", "sklearn", "reference"), help="reference: "
                        f"sparsereg at tol {REFERENCE_TOL:g}, every curve's distance to it")
    parser.add_argument("--repeats", type=int, help="runs of a fit under 30 s (default 3)")
    parser.add_argument("--out", help="results JSON (relative: under benchmarks/)")
    parser.add_argument("--md", help="rendered table (relative: under the repository root)")
    parser.add_argument("--sparsereg", metavar="DIR", help="measure DIR/sparsereg")
    parser.add_argument("--snapshot", nargs="?", const="HEAD", metavar="REV",
                        help="measure a frozen git archive copy of REV (default HEAD)")
    parser.add_argument("--wait-load", type=float, metavar="L",
                        help="first wait (up to 1 h) until the 1-min load average is below L")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if os.environ.get("SPARSEREG_BENCH_CHECKOUT"):
        sys.path.insert(0, os.environ["SPARSEREG_BENCH_CHECKOUT"])
    if args.child:
        return child(*args.child, repeats=args.repeats or 1)
    if args.snapshot:
        raw = list(sys.argv[1:] if argv is None else argv)
        i = raw.index("--snapshot")
        del raw[i:i + (2 if i + 1 < len(raw) and raw[i + 1] == args.snapshot else 1)]
        return snapshot(raw, args.snapshot)
    if args.sparsereg:
        os.environ["SPARSEREG_BENCH_CHECKOUT"] = str(Path(args.sparsereg).resolve())
        sys.path.insert(0, os.environ["SPARSEREG_BENCH_CHECKOUT"])
    cap = args.cap or (120.0 if args.quick else 600.0)
    caps = dict(sklearn=cap, sparsereg=args.cap_sparsereg or max(cap, 1800.0))
    repeats = args.repeats or (1 if args.quick else 3)
    out = Path(args.out or ("results/cv_quick.json" if args.quick else "results/cv.json"))
    out = out if out.is_absolute() else OUT / "benchmarks" / out
    md = Path(args.md or ("benchmarks/results/benchmarks_cv_quick.md" if args.quick
                          else "docs/benchmarks_cv.md"))
    md = md if md.is_absolute() else OUT / md
    log = lambda s: print(s, flush=True)
    waited = time.perf_counter()
    while args.wait_load and os.getloadavg()[0] >= args.wait_load \
            and time.perf_counter() - waited < 3600:
        time.sleep(15)
    t_start = time.perf_counter()
    env = environment(os.environ.get("SPARSEREG_BENCH_CHECKOUT"))
    log(f"sparsereg {env['sparsereg_file']} (commit {env['git_commit'][:10]}, sources "
        f"{env['sparsereg_source_sha1']}); load {env['loadavg_start'][0]:.2f}")
    result = dict(environment=env, quick=args.quick, cap=cap, caps=caps, repeats=repeats,
                  rtol=RTOL, ways=args.ways,
                  reference_tol=REFERENCE_TOL if "reference" in args.ways else None,
                  shapes={s: problems_cv.SHAPES[s][2] for s in args.shapes}, rows=[])
    for shape in args.shapes:
        sparse = shape in ("tfidf", "vwide")
        for estimator in args.estimators:
            group, matched, capped = [], set(), set()
            for way in ways(estimator, sparse, args.quick, args.ways):
                lib = library(way)
                reference = next((r for r in group if r["way"] == "reference"), None)
                if lib in matched | capped and (lib == "sparsereg" or estimator != "l2"):
                    continue  # a ladder stops at its first match or cap: tighter is slower
                if lib == "sklearn" and estimator == "l2" and "-tol" in way \
                        and "sklearn" in matched:
                    continue  # the tighter ridge solvers only when no default matches
                row_cap = caps["sklearn" if lib == "sklearn" else "sparsereg"]
                done = [r["time"] for r in group if library(r["way"]) == lib
                        and r["status"] == "ok" and r["match"] and r["match"]["ok"]]
                if lib == "sklearn" and done and min(done) < row_cap:
                    row_cap = min(done)  # a slower way cannot be the fastest
                load = os.getloadavg()[0]
                row = spawn(shape, estimator, way, repeats, row_cap,
                            os.environ.get("SPARSEREG_BENCH_CHECKOUT"))
                row.update(shape=shape, estimator=estimator, way=way, load_start=load,
                           load_end=os.getloadavg()[0],
                           label=way_label(estimator, way, sparse))
                if lib == "sklearn" and row["status"] == "capped" and done \
                        and row_cap == min(done):
                    row["slower_than"] = min(done)
                if lib is not None:
                    # matched accuracy: against the reference when there is one, else
                    # against sparsereg's default (the scikit-learn ways only)
                    target = reference or next((r for r in group if r["way"] == "sparsereg"),
                                               None)
                    row["match"] = report_cv.match(row, target) if reference or \
                        lib == "sklearn" else None
                    if row["match"] and row["match"]["ok"]:
                        matched.add(lib)
                    if row["status"] == "capped" and "slower_than" not in row:
                        capped.add(lib)
                group.append(row)
                result["rows"].append(row)
                log(report_cv.row_line(row))
                result["elapsed_seconds"] = time.perf_counter() - t_start
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(json.dumps(result, indent=1))  # partial results survive
    from benchmarks import harness

    harness.save(result, t_start, out, log)
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(report_cv.render(result, out.name))
    log(f"wrote {md}")


if __name__ == "__main__":
    sys.exit(main())
