"""Compile time: the first fit of each kind of model in a fresh process, Numba cache empty and warm.

Each case runs in a new interpreter (``python -m benchmarks.compile_time --child CASE``) with
``NUMBA_CACHE_DIR`` set to a new empty directory, so that every kernel is compiled (the
variable takes precedence over the package's ``__pycache__``); then once more in another new
interpreter on the same, now warm, directory, so that every kernel is loaded from the cache.
The child times the first fit (data made beforehand, not timed), then the same fit again
(nothing left to compile or load: what the first fit costs beyond it is the cache), and,
through Numba's
``numba:compile`` event (fired by a real compile, not by a cache load), the seconds spent
compiling: the sum of the outermost compiles, with each kernel's share; "plans to a helper":
how many recorded plans the first fit handed to its compile helper in each repeat
(``sparsereg/_kernels/_parallel.py``; 0: the plan was missing or no helper started, ``-``: a
checkout without the helper).

    python -m benchmarks.compile_time                      # every case, 3 repeats
    python -m benchmarks.compile_time --cases demo l1_csc --repeats 5
    python -m benchmarks.compile_time --checkout before=/tmp/main after=. --out results.json

``--checkout LABEL=DIR ...`` measures the sparsereg of other checkouts (each one's
``sparsereg/`` first on ``PYTHONPATH``; the default is this one), the checkouts taking turns
within each repeat of each case, so that a change of the machine's load falls on all alike.
The machine may be shared: each figure is the median over the repeats with its range.
"""

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parents[1]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _wide(dtype="float64", sparse=False, n=200, p=1000, seed=0):
    """A dense p > n problem (coordinate descent on rows), or a CSC one."""
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    if sparse:
        X = sp.random(n, p, density=0.02, format="csc", random_state=seed)
    else:
        X = rng.standard_normal((n, p)).astype(dtype)
    w = np.zeros(p)
    w[:10] = rng.standard_normal(10)
    y = (X @ w + 0.1 * rng.standard_normal(n)).astype(dtype)
    return X, y


def _diabetes():
    from sklearn.datasets import load_diabetes

    return load_diabetes(return_X_y=True)


def _labels(sparse=False):
    """The wide problem's design with binary labels (the sign of its response)."""
    X, y = _wide(sparse=sparse)
    return X, (y > 0).astype(int)


def _counts():
    """The wide problem's design with Poisson counts of a sparse log-linear mean."""
    import numpy as np

    X, _ = _wide()
    rng = np.random.default_rng(1)
    return X, rng.poisson(np.exp(0.3 * X[:, :5].sum(axis=1)))


def run_demo(out):
    """``python -m sparsereg demo`` in this process, its output written to ``out``."""
    import runpy

    argv, sys.argv = sys.argv, ["sparsereg", "demo"]
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            runpy.run_module("sparsereg", run_name="__main__")
    finally:
        sys.argv = argv


def _case(name):
    """``(make_data, fit)`` of a case: ``fit(data)`` is what is timed."""
    import sparsereg as sr

    if name in ("l1_classifier", "classifier_cv", "multinomial"):
        from sklearn.datasets import load_breast_cancer, load_iris

        load = load_iris if name == "multinomial" else load_breast_cancer
        model = sr.L1ClassifierCV() if name == "classifier_cv" else sr.L1Classifier(alpha=0.01)
        return lambda: load(return_X_y=True), lambda d: model.fit(*d)
    cases = {
        "l1_dense_gram": (_diabetes, lambda d: sr.L1Regressor(alpha=1.0).fit(*d)),
        "l2_dense": (_diabetes, lambda d: sr.L2Regressor(alpha=0.01).fit(*d)),
        "l1_dense_cd": (_wide, lambda d: sr.L1Regressor(alpha=0.05).fit(*d)),
        "l1_csc": (lambda: _wide(sparse=True), lambda d: sr.L1Regressor(alpha=0.005).fit(*d)),
        "l1_float32": (lambda: _wide("float32"), lambda d: sr.L1Regressor(alpha=0.05).fit(*d)),
        "path_l1": (_wide, lambda d: sr.regularization_path(*d, penalty="l1", n_alphas=30)),
        "l1_cv": (_wide, lambda d: sr.L1RegressorCV(alphas=30).fit(*d)),
        "l2_cv": (_diabetes, lambda d: sr.L2RegressorCV().fit(*d)),
        "classifier_csc": (lambda: _labels(sparse=True),
                           lambda d: sr.L1Classifier(alpha=0.005).fit(*d)),
        "poisson": (_counts, lambda d: sr.L1Regressor(alpha=0.05, loss="poisson").fit(*d)),
    }
    return cases[name]


CASES = ["demo", "l1_dense_gram", "l2_dense", "l1_dense_cd", "l1_csc", "l1_float32", "path_l1",
         "l1_cv", "l2_cv", "poisson", "l1_classifier", "multinomial", "classifier_csc",
         "classifier_cv"]


class _CompileClock:
    """Seconds of the outermost ``numba:compile`` events, per kernel and in all."""

    def __init__(self):
        from numba.core import event

        self.depth, self.start, self.total, self.count, self.kernels = 0, 0.0, 0.0, 0, {}
        clock = self

        class Listener(event.Listener):
            def on_start(self, ev):
                if clock.depth == 0:
                    clock.start = time.perf_counter()
                clock.depth += 1

            def on_end(self, ev):
                clock.depth -= 1
                clock.count += 1
                if clock.depth == 0:
                    seconds = time.perf_counter() - clock.start
                    func = ev.data["dispatcher"].py_func
                    key = f"{func.__module__}.{func.__qualname__}"
                    clock.total += seconds
                    clock.kernels[key] = clock.kernels.get(key, 0.0) + seconds

        event.register("numba:compile", Listener())


def _child(name):
    import importlib

    t0 = time.perf_counter()
    importlib.import_module("sparsereg")  # timed: nothing is compiled at import
    import_s = time.perf_counter() - t0
    clock = _CompileClock()
    if name == "demo":
        out = io.StringIO()

        def fit(_):
            run_demo(out)
        data = None
    else:
        make, fit = _case(name)
        data = make()
    seconds = []
    for _ in range(2):  # the first fit, then the same again in this process (nothing to load)
        t0 = time.perf_counter()
        fit(data)
        seconds.append(time.perf_counter() - t0)
    extra = {}
    try:  # checkouts from before the compile helper have no such module
        from sparsereg._kernels._parallel import LISTENER
        extra["helper_plans"] = len(LISTENER.sent)
    except ImportError:
        pass
    if name == "demo":
        took = re.search(r"Both fits took ([\d.]+) ms", out.getvalue())
        extra["demo_reports_s"] = float(took.group(1)) / 1e3
    print(json.dumps(dict(import_s=import_s, first_fit_s=seconds[0], second_fit_s=seconds[1],
                          compile_s=clock.total, n_compiles=clock.count, kernels=clock.kernels,
                          **extra)))


def _run(name, cache_dir, checkout):
    # Run as a script from the checkout's directory, its sparsereg first on the path.
    env = {**os.environ, **ONE_THREAD, "NUMBA_CACHE_DIR": cache_dir,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(checkout),
                                                       os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", name],
                         cwd=checkout, env=env, capture_output=True, text=True)
    if out.returncode or not out.stdout.strip():
        raise RuntimeError(f"case {name} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(name, repeats, checkouts):
    """``{label: {"empty": [...], "warm": [...]}}``: per checkout, one child result per
    repeat with a new empty cache directory, then the same directory warm."""
    runs = {label: {"empty": [], "warm": []} for label in checkouts}
    for _ in range(repeats):
        for label, checkout in checkouts.items():
            with tempfile.TemporaryDirectory(prefix="numba-cache-") as d:
                runs[label]["empty"].append(_run(name, d, checkout))
                runs[label]["warm"].append(_run(name, d, checkout))
    return runs


def _spread(values):
    return f"{median(values):6.2f} [{min(values):.2f}-{max(values):.2f}]"


def table(results):
    """Markdown table: per case and checkout, median [min-max] seconds over the repeats."""
    lines = ["| case | checkout | empty cache: first fit s | of it compiling s | compiles "
             "| plans to a helper | warm cache: first fit s | second fit s |",
             "|---|---|---|---|---|---|---|---|"]
    for name, by_checkout in results.items():
        for label, runs in by_checkout.items():
            empty, warm = runs["empty"], runs["warm"]
            lines.append(f"| {name} | {label} | {_spread([r['first_fit_s'] for r in empty])} "
                         f"| {_spread([r['compile_s'] for r in empty])} "
                         f"| {empty[0]['n_compiles']} "
                         f"| {'/'.join(str(r.get('helper_plans', '-')) for r in empty)} "
                         f"| {_spread([r['first_fit_s'] for r in warm])} "
                         f"| {_spread([r.get('second_fit_s', float('nan')) for r in warm])} |")
    return "\n".join(lines)


def main(argv=None):
    """Run the cases; print the table, optionally store every run as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cases", nargs="+", default=CASES, choices=CASES)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--checkout", nargs="+", metavar="LABEL=DIR",
                        help="checkouts to measure (default: this one)")
    parser.add_argument("--out", help="JSON file to write every run to")
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    checkouts = dict(c.split("=", 1) for c in args.checkout) if args.checkout \
        else {"current": str(REPO)}
    results = {}
    for name in args.cases:
        results[name] = measure(name, args.repeats, checkouts)
        for label, runs in results[name].items():
            print(f"{name} {label}: empty {_spread([r['first_fit_s'] for r in runs['empty']])}"
                  f" s, warm {_spread([r['first_fit_s'] for r in runs['warm']])} s",
                  file=sys.stderr, flush=True)
    print(table(results))
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
