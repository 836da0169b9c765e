"""All benchmarks in one command, and the table ``docs/benchmarks.md``.

    python -m benchmarks.run_all [--quick] [--problems a b c ...] [--no-cold] [--with-path]

Run it from the repository root (run as a script, ``benchmarks/run_all.py`` only prints
this command). Problems (``problems.py``): a1, a/20, a2, b, c, c2 (Lasso), e (elastic net), e1, e2 (Ridge),
e3 (leave-one-out over 100 alphas). Each library's tolerance is tuned to a relative
suboptimality <= 1e-6 (``harness.py``); one BLAS thread; times also in passes (one X^T v).
The paths (d, d') are read from ``results/path.json`` (``bench_path.py``), not rerun, unless
``--with-path``. Writes ``results/all.json`` and ``docs/benchmarks.md``; with ``--quick``
(a/20 only for problem a, no glum on p = 5000, fewer timed runs, capped tuning, one cold
repeat; a few minutes) ``results/all_quick.json`` and ``results/benchmarks_quick.md``.
"""

import argparse
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from statistics import median

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.run_all")

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import cold, harness, report
from benchmarks.adapters import installed, make_adapter
from benchmarks.adapters_ridge import CV_ADAPTERS
from benchmarks.problems import get_problem

LASSO = ["sklearn", "sparsereg", "skglm", "celer", "glmnet", "glmnet-path", "glum"]
# problem -> adapter keys; the first row is the baseline of the "speedup" column
PLAN = {
    "a": LASSO,
    "b": ["sklearn", "sklearn-gram", "sparsereg", "sparsereg-cd", "skglm-gram", *LASSO[2:]],
    "c": LASSO,
    "c2": LASSO,
    "e": LASSO,
    "e1": ["sklearn-ridge", "sklearn-ridge-cholesky", "sklearn-ridge-lsqr", "sparsereg-ridge",
           "sparsereg-ridge-cholesky", "sparsereg-ridge-svd", "sparsereg-ridge-cg",
           "glum-ridge"],
    "e2": ["sklearn-ridge", "sklearn-ridge-cholesky", "sklearn-ridge-lsqr", "sparsereg-ridge",
           "sparsereg-ridge-cholesky", "sparsereg-ridge-cg", "glum-ridge-lbfgs"],
    "e3": list(CV_ADAPTERS),
}
QUICK_SKIP = {("a", "glum"), ("e", "glum"), ("e1", "sparsereg-ridge-svd"),
              ("e3", "naive-ridge-fits")}
QUICK_LABELS = {"a/20", "b", "c", "c2", "e", "e1", "e2", "e3"}
REFERENCE = ["sparsereg", "skglm", "sklearn"]  # their tight fits define P* (min objective)
E3_ALPHAS = np.logspace(-2, 4, 100)
COLD = [("sparsereg", "a", "a/20"), ("sparsereg", "c", "c"), ("skglm", "a", "a/20"),
        ("sklearn", "a", "a/20")]
LIBRARIES = {"sparsereg": "sparsereg", "scikit-learn": "sklearn", "skglm": "skglm",
             "celer": "celer", "glum": "glum", "glmnet (python-glmnet)": "glmnet",
             "adelie": "adelie"}
HERE = Path(__file__).resolve().parent
OUT = Path(os.environ.get("SPARSEREG_BENCH_OUT", HERE.parent))  # set by --snapshot
RESULTS = OUT / "benchmarks" / "results"
DOCS = OUT / "docs"


def run_on_snapshot(argv, module="benchmarks.run_all", rev="HEAD"):
    """Rerun ``module`` (this one by default) on a frozen copy: ``sparsereg/`` at git ``rev``
    + the current ``benchmarks/``, in a temporary directory, so that edits made to the working
    tree while the benchmark runs (and uncommitted ones) are not measured. Output goes to this
    tree (or to ``SPARSEREG_BENCH_OUT``)."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=HERE.parent, capture_output=True,
                              check=True).stdout

    commit = git("rev-parse", rev).decode().strip()
    with tempfile.TemporaryDirectory(prefix="sparsereg-bench-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(git("archive", commit, "sparsereg"))) as tar:
            tar.extractall(tmp, filter="data")
        shutil.copytree(HERE, Path(tmp) / "benchmarks",
                        ignore=shutil.ignore_patterns("__pycache__"))
        # the copy comes first on sys.path, before any PYTHONPATH entry for this tree
        pythonpath = os.pathsep.join(filter(None, [tmp, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": pythonpath, "SPARSEREG_BENCH_OUT": str(OUT),
               "SPARSEREG_BENCH_COMMIT": commit}
        cmd = [sys.executable, "-m", module, *[a for a in argv if a != "--snapshot"]]
        return subprocess.run(cmd, cwd=tmp, env=env, check=False).returncode


def libraries():
    """``{label: {"version": ..., "error": ...}}``; a library that fails to import is kept."""
    import importlib.metadata as md

    out = {}
    for label, module in LIBRARIES.items():
        error = installed(module)
        dist = {"sklearn": "scikit-learn"}.get(module, module)
        try:
            version = md.version(dist)
        except md.PackageNotFoundError:
            version = None
        out[label] = dict(module=module, version=version, error=error)
    return out


def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def run_lasso_like(problem, label, keys, cfg, log):
    """Rows of one (problem, alpha): reference, then every adapter at matched accuracy."""
    alpha = problem.alphas[label]
    unit = harness.pass_time(problem.X)
    load0 = os.getloadavg()[0]
    kw = {} if problem.penalty == "l2" else dict(l1_ratio=problem.l1_ratio)
    refs = [make_adapter(k, **kw) for k in cfg["reference"]]
    ref = harness.reference(problem, alpha, refs)
    log(f"\n### {label}: {problem.kind}, {problem.description}, alpha = {alpha:.4g}; "
        f"P* = {ref['P_star']:.12g} ({ref['best']}), nnz {ref['nnz']}, one X^T v = "
        f"{unit * 1e3:.3f} ms")
    rows, skipped = [], []
    for key in keys:
        adapter = make_adapter(key, **kw)
        error = installed(adapter.module)
        reason = adapter.supports(problem) if error is None else f"not importable: {error}"
        if reason is not True:
            skipped.append(dict(solver=adapter.name, reason=reason))
            log(f"  {adapter.name}: {reason}")
            continue
        try:
            row = harness.benchmark(adapter, problem, alpha, ref["P_star"], unit,
                                    cfg["budget"], cfg["max_runs"], cap=cfg["cap"])
        except Exception as exc:  # noqa: BLE001 -- a failing library is reported, not dropped
            skipped.append(dict(solver=adapter.name, reason=f"failed: {exc!r}"[:300]))
            log(f"  {adapter.name}: failed: {exc!r}")
            continue
        row["key"] = key
        rows.append(row)
        log(f"  {row['solver']}: tol {harness.fmt_tol(row)}, {harness.fmt_time(row['time'])}, "
            f"{row['passes']:.0f} passes, subopt {row['subopt']:.1e}")
    drift = harness.pass_time(problem.X) / unit
    return dict(problem=problem.name, kind=problem.kind, description=problem.description,
                n=problem.shape[0], p=problem.shape[1], alpha=alpha,
                alpha_max=problem.alpha_max, fraction=problem.fractions[label],
                l1_ratio=problem.l1_ratio, nnz_X=int(getattr(problem.X, "nnz", 0)),
                pass_seconds=unit, pass_drift=drift, load_start=load0,
                load_end=os.getloadavg()[0], reference=ref, rows=rows, skipped=skipped)


def run_ridgecv(problem, keys, cfg, log):
    """e3: leave-one-out over ``E3_ALPHAS``; accuracy = chosen alpha and refit subopt."""
    X, y = problem.X, problem.y
    unit = harness.pass_time(X)
    load0 = os.getloadavg()[0]
    log(f"\n### e3: RidgeCV, {len(E3_ALPHAS)} alphas logspace(-2, 4), {problem.description}")
    rows = []
    for key in keys:
        ad = CV_ADAPTERS[key]()
        t0 = time.perf_counter()
        ad.fit_cv(X, y, E3_ALPHAS)  # warm-up
        warm = time.perf_counter() - t0
        runs = harness.n_runs(warm, cfg["budget"], cfg["max_runs"])
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            alpha, coef, b = ad.fit_cv(X, y, E3_ALPHAS)
            times.append(time.perf_counter() - t0)
        subopt = None
        if np.isfinite(alpha):  # exact optimum at the chosen alpha
            p_star = harness.ridge_reference(problem, alpha)["P_star"]
            subopt = (harness.ridge_objective(X, y, alpha, coef, b) - p_star) / p_star
        t = median(times)
        rows.append(dict(solver=ad.name, key=key, time=t, times=times, runs=runs,
                         passes=t / unit, alpha=alpha, subopt=subopt,
                         reached=subopt is None or subopt <= harness.TARGET,
                         tol=None, tol_param="exact", tol_note=""))
        log(f"  {ad.name}: {harness.fmt_time(t)}, alpha {alpha:.4g}, subopt {subopt}")
    return dict(problem="e3", kind="ridge LOO", description=problem.description,
                n=X.shape[0], p=X.shape[1], n_alphas=len(E3_ALPHAS), pass_seconds=unit,
                load_start=load0, load_end=os.getloadavg()[0], rows=rows, skipped=[])


def run_cold(result, cfg, log):
    entries = []
    for key, pname, label in cfg["cold"]:
        block = result["problems"].get(label)
        if block is None or installed(make_adapter(key).module) is not None:
            continue
        row = next((r for r in block["rows"] if r.get("key") == key), None)
        if row is None:
            continue
        log(f"cold start: {row['solver']} on {label}")
        try:
            entry = cold.cold_start(key, pname, label, row["tol"], repeats=cfg["cold_repeats"])
        except Exception as exc:  # noqa: BLE001 -- keep the rest of the run
            log(f"  failed: {exc!r}")
            continue
        entry["solver"] = row["solver"]
        entries.append(entry)
    log("cold start: python -m sparsereg demo")
    return dict(entries=entries, demo=cold.demo_start(repeats=cfg["cold_repeats"]))


def load_path(with_path, quick, log):
    path = HERE / "results" / ("path_quick.json" if quick and with_path else "path.json")
    if with_path:
        from benchmarks import bench_path

        bench_path.main(["--quick"] if quick else [])
    if not path.exists():
        log(f"no {path.name}: paths (d) are left out of the table")
        return None
    data = json.loads(path.read_text())
    for block in data["paths"].values():
        block.pop("reference", None)
        for row in block["rows"]:
            row.pop("trials", None)
    return dict(file=str(path.relative_to(HERE.parent)), **data)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes; see the docstring")
    parser.add_argument("--problems", nargs="+", default=list(PLAN), choices=list(PLAN))
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start probes")
    parser.add_argument("--with-path", action="store_true", help="rerun bench_path too")
    parser.add_argument("--wait-load", type=float, metavar="L",
                        help="first wait (up to 1 h) until the 1-min load average is below L")
    parser.add_argument("--snapshot", action="store_true",
                        help="measure sparsereg as committed (git HEAD), in a frozen copy")
    args = parser.parse_args(argv)
    if args.snapshot:
        return run_on_snapshot(sys.argv[1:] if argv is None else argv)
    log = lambda s: print(s, flush=True)
    waited = time.perf_counter()
    while args.wait_load and os.getloadavg()[0] >= args.wait_load \
            and time.perf_counter() - waited < 3600:
        time.sleep(15)
    harness.warn_if_busy(0.7, log)
    cfg = dict(budget=2.0, max_runs=10, cap=None, cold_repeats=3, cold=COLD,
               reference=REFERENCE)
    if args.quick:
        cfg.update(budget=0.3, max_runs=3, cap=5.0, cold_repeats=1, cold=COLD[:1],
                   reference=REFERENCE[:2])
    cfg["reference"] = [k for k in cfg["reference"]
                        if installed(make_adapter(k).module) is None]
    t_start = time.perf_counter()
    env = harness.environment()
    env.update(cpu=cpu_model(), cpus=os.cpu_count(), libraries=libraries())
    if os.environ.get("SPARSEREG_BENCH_COMMIT"):  # run_on_snapshot: git HEAD, clean
        env.update(git_commit=os.environ["SPARSEREG_BENCH_COMMIT"], git_dirty="",
                   snapshot=str(HERE.parent))
    result = dict(environment=env, target=harness.TARGET, quick=args.quick, config=cfg,
                  problems={})
    with threadpool_limits(1):
        for name in args.problems:
            problem = get_problem(name)
            keys = [k for k in PLAN[name] if not (args.quick and (name, k) in QUICK_SKIP)]
            if name == "e3":
                result["problems"]["e3"] = run_ridgecv(problem, keys, cfg, log)
                continue
            for label in problem.fractions:
                if not args.quick or label in QUICK_LABELS:
                    result["problems"][label] = run_lasso_like(problem, label, keys, cfg, log)
    if not args.no_cold:
        result["cold"] = run_cold(result, cfg, log)
    result["path"] = load_path(args.with_path, args.quick, log)
    harness.save(result, t_start, RESULTS / ("all_quick.json" if args.quick else "all.json"), log)
    md = DOCS / "benchmarks.md" if not args.quick else RESULTS / "benchmarks_quick.md"
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text(report.render(result))
    log(f"wrote {md}")


if __name__ == "__main__":
    sys.exit(main())
