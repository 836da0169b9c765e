"""Cold-start probe: import and first fit in a fresh interpreter.

The parent (:func:`cold_start`) runs ``python -m benchmarks.cold ADAPTER PROBLEM LABEL TOL``
in a subprocess, either with the library's Numba on-disk cache as it is (primed by one
unrecorded run first) or with ``NUMBA_CACHE_DIR`` pointing at a fresh empty directory, so
every kernel is compiled. The child times ``import <module>`` first (nothing else imported
yet, so this is what a user's import costs), then builds the data (not timed), fits once
(first fit) and then ``WARM_FITS`` more times (warm, same process).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
WARM_FITS = 3
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _child(adapter_key, problem_name, label, tol):
    import importlib

    from benchmarks.adapters import make_adapter  # cheap: libraries load lazily

    adapter = make_adapter(adapter_key)
    t0 = time.perf_counter()
    importlib.import_module(adapter.module)
    import_s = time.perf_counter() - t0

    from threadpoolctl import threadpool_limits

    from benchmarks.problems import get_problem

    problem = get_problem(problem_name)
    alpha = problem.alphas[label]
    with threadpool_limits(1):
        fits = []
        for _ in range(1 + WARM_FITS):
            t0 = time.perf_counter()
            adapter.fit(problem.X, problem.y, alpha, tol)
            fits.append(time.perf_counter() - t0)
    print(json.dumps(dict(import_s=import_s, first_fit_s=fits[0],
                          warm_fit_s=median(fits[1:]))))


def _run(args, env_extra):
    env = {**os.environ, **ONE_THREAD, **env_extra}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "benchmarks.cold", *args], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    return result


def _warm_and_empty(probe, repeats):
    """``{"cache_warm": ..., "cache_empty": ...}``: per entry, the median over ``repeats``
    fresh processes ``probe(env_extra)``, first with the Numba cache as it is (primed by one
    unrecorded process: kernels may have changed since the last run), then with
    ``NUMBA_CACHE_DIR`` a new empty directory."""
    probe({})
    out = {}
    for mode in ("cache_warm", "cache_empty"):
        results = []
        for _ in range(repeats):
            if mode == "cache_warm":
                results.append(probe({}))
            else:
                with tempfile.TemporaryDirectory(prefix="numba-cache-") as d:
                    results.append(probe({"NUMBA_CACHE_DIR": d}))
        out[mode] = {k: median(r[k] for r in results) for k in results[0]}
    return out


def cold_start(adapter_key, problem_name, label, tol, repeats=3):
    """Medians over ``repeats`` fresh processes, with the Numba cache warm and empty."""
    args = [adapter_key, problem_name, label, repr(tol)]
    out = _warm_and_empty(lambda extra: _run(args, extra), repeats)
    warm = out["cache_warm"]["warm_fit_s"]
    out.update(adapter=adapter_key, problem=problem_name, label=label, tol=tol,
               repeats=repeats, warm_fit_s=warm,
               compile_s=out["cache_empty"]["first_fit_s"] - warm,
               cache_load_s=out["cache_warm"]["first_fit_s"] - warm)
    return out


def demo_start(repeats=3):
    """``python -m sparsereg demo`` in fresh processes: the README demo's cold first fit.

    The demo prints the time of its two fits (L1 and L2 on the diabetes data, the first fits
    of the process); medians over ``repeats`` processes, Numba cache warm and empty.
    """
    cmd = [sys.executable, "-m", "sparsereg", "demo"]
    env = {**os.environ, **ONE_THREAD}

    def once(extra):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, cwd=REPO, env={**env, **extra}, capture_output=True,
                             text=True, check=True).stdout
        wall = time.perf_counter() - t0
        line = next(s for s in out.splitlines() if s.startswith("Both fits took"))
        return dict(first_fits_s=float(line.split()[3]) / 1e3, process_wall_s=wall)

    out = _warm_and_empty(once, repeats)
    out["repeats"] = repeats
    return out


def markdown_table(entries, names):
    """Markdown table of :func:`cold_start` results; ``names`` maps adapter keys to labels."""
    lines = ["| solver | problem | tol | import | first fit, cache warm | first fit, cache "
             "empty | warm fit | compile (empty - warm fit) | process wall (warm / empty) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for e in entries:
        w, c = e["cache_warm"], e["cache_empty"]
        lines.append(
            f"| {names[e['adapter']]} | {e['label']} | {e['tol']:.0e} | {w['import_s']:.2f} s "
            f"| {w['first_fit_s']:.3f} s | {c['first_fit_s']:.2f} s | {e['warm_fit_s']:.3f} s "
            f"| {e['compile_s']:.2f} s | {w['process_wall_s']:.2f} s / "
            f"{c['process_wall_s']:.2f} s |")
    return "\n".join(lines)


if __name__ == "__main__":
    if not __package__:
        sys.exit("the child of benchmarks.cold.cold_start: python -m benchmarks.cold ...")
    _child(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
