"""Record which kernels each kind of first fit compiles: ``sparsereg/_kernels/compile_plans.pkl``.

A first fit's helper process (:mod:`sparsereg._kernels._parallel`) compiles a solver's
callees from the end of their list while the fit compiles them from the start; the lists,
with each callee's argument types, are recorded here. Each case runs in a new interpreter
with a new empty ``NUMBA_CACHE_DIR`` and with the helper off, so that it compiles everything
it needs in the order it needs it; a listener on Numba's ``numba:compile`` event notes, for
every outermost compilation of a sparsereg kernel, the sparsereg kernels compiled within it
(those importable by name: the cached ones), each with its depth below the solver, in the
order their compilations ended (a callee before its caller). Plans of fewer than
:data:`MIN_CALLEES` callees are left out (nothing to share); a key met in several cases keeps
its longest list.

    python -m benchmarks.compile_plans            # every case, two at a time; writes the file
    python -m benchmarks.compile_plans --cases l1_classifier --out /tmp/plans.pkl

Run it again after changing a kernel (tests/test_compile_plans.py checks that the file was
recorded from the current kernels' source).
"""

import argparse
import base64
import importlib
import io
import os
import pickle
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.compile_time import CASES, ONE_THREAD, _case, _diabetes, _wide, run_demo

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "sparsereg" / "_kernels" / "compile_plans.pkl"
MIN_CALLEES = 4


def _offsets():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return X + 100.0, y


def _extra_cases():
    """Kinds of fit beyond the compile-time benchmark's (``(make_data, fit)``)."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer, load_iris

    import sparsereg as sr

    def iris():
        return load_iris(return_X_y=True)

    def cancer():
        return load_breast_cancer(return_X_y=True)

    def three_targets():
        X, y = _wide()
        return X, np.column_stack([y, 2 * y, -y])

    def weighted():
        X, y = _wide()
        return X, y, np.linspace(0.5, 2.0, len(y))

    return {
        "enet_cd": (_wide, lambda d: sr.ElasticNetRegressor(alpha=0.05, l1_ratio=0.5).fit(*d)),
        "l1_no_intercept": (_wide, lambda d: sr.L1Regressor(alpha=0.05,
                                                            fit_intercept=False).fit(*d)),
        "l1_positive": (_wide, lambda d: sr.L1Regressor(alpha=0.05, positive=True).fit(*d)),
        "l1_unpenalized": (_wide, lambda d: sr.L1Regressor(
            alpha=0.05, penalty_factor=[0.0] + [1.0] * 999).fit(*d)),
        "l1_weighted": (weighted, lambda d: sr.L1Regressor(alpha=0.05).fit(
            d[0], d[1], sample_weight=d[2])),
        "l1_gram_positive": (_diabetes, lambda d: sr.L1Regressor(alpha=1.0,
                                                                positive=True).fit(*d)),
        "multi_output": (three_targets, lambda d: sr.L1Regressor(alpha=0.05).fit(*d)),
        "enet_cv": (_wide, lambda d: sr.ElasticNetRegressorCV(alphas=20).fit(*d)),
        "gamma": (lambda: _positive_target(), lambda d: sr.L1Regressor(
            alpha=0.05, loss="gamma").fit(*d)),
        "tweedie": (lambda: _positive_target(), lambda d: sr.L1Regressor(
            alpha=0.05, loss="tweedie", power=1.5).fit(*d)),
        "poisson_csc": (lambda: _counts_csc(), lambda d: sr.L1Regressor(
            alpha=0.01, loss="poisson").fit(*d)),
        "l2_classifier": (cancer, lambda d: sr.L2Classifier(alpha=0.01).fit(*d)),
        "enet_classifier": (cancer, lambda d: sr.ElasticNetClassifier(alpha=0.01).fit(*d)),
        "grouped": (iris, lambda d: sr.L1Classifier(alpha=0.01, grouped=True).fit(*d)),
        "classifier_box": (cancer, lambda d: sr.L1Classifier(alpha=0.01,
                                                             positive=True).fit(*d)),
        "classifier_no_intercept": (_offsets, lambda d: sr.L1Classifier(
            alpha=0.01, fit_intercept=False).fit(*d)),
        "classifier_float32": (lambda: (cancer()[0].astype(np.float32), cancer()[1]),
                               lambda d: sr.L1Classifier(alpha=0.01).fit(*d)),
        "multinomial_csc": (lambda: _labels3(sparse=True), lambda d: sr.L1Classifier(
            alpha=0.005).fit(*d)),
        "multinomial_cv": (iris, lambda d: sr.L1ClassifierCV().fit(*d)),
        "classifier_path": (cancer, lambda d: sr.regularization_path(
            *d, loss="logistic", n_alphas=20)),
    }


def _positive_target():
    import numpy as np

    X, _ = _wide()
    rng = np.random.default_rng(2)
    return X, rng.gamma(2.0, np.exp(0.2 * X[:, :5].sum(axis=1)) / 2.0)


def _counts_csc():
    import numpy as np

    X, _ = _wide(sparse=True)
    rng = np.random.default_rng(1)
    return X, rng.poisson(np.exp(X[:, :5].toarray().sum(axis=1)))


def _labels3(sparse=False):
    import numpy as np

    X, y = _wide(sparse=sparse)
    return X, np.digitize(y, np.quantile(y, [1 / 3, 2 / 3]))


def all_cases():
    """Every case's name."""
    return [*CASES, *_EXTRA]


_EXTRA = ["enet_cd", "l1_no_intercept", "l1_positive", "l1_unpenalized", "l1_weighted",
          "l1_gram_positive", "multi_output", "enet_cv", "gamma", "tweedie", "poisson_csc",
          "l2_classifier", "enet_classifier", "grouped", "classifier_box",
          "classifier_no_intercept", "classifier_float32", "multinomial_csc", "multinomial_cv",
          "classifier_path"]


def _record(fit):
    """``{key: callees}`` of the outermost sparsereg compilations during ``fit()``."""
    from numba.core import event

    from sparsereg._kernels._parallel import current_scope

    stack, plans = [], {}

    def entry(ev):
        func = getattr(ev.data["dispatcher"], "py_func", None)
        module, qualname = getattr(func, "__module__", ""), getattr(func, "__qualname__", "")
        if not module.startswith("sparsereg.") or "<locals>" in qualname:
            return None
        try:
            target = importlib.import_module(module)
            for name in qualname.split("."):
                target = getattr(target, name)
        except AttributeError:
            return None
        if target is not ev.data["dispatcher"]:
            return None
        return module, qualname, tuple(ev.data["args"])

    class Recorder(event.Listener):
        def on_start(self, ev):
            stack.append([])

        def on_end(self, ev):
            inner = stack.pop()
            key = entry(ev)
            scope = current_scope()  # a Python solver's kernels make one plan (one_plan)
            if stack:
                stack[-1].extend(inner)
                if key is not None:  # depth 1: called by the solver
                    stack[-1].append((*key, len(stack) + (scope is not None)))
            elif scope is not None:
                plans.setdefault(scope, []).extend(inner + ([(*key, 1)] if key else []))
            elif key is not None and len(inner) >= MIN_CALLEES:
                plans[key] = inner

    event.register("numba:compile", Recorder())
    fit()
    return {key: callees for key, callees in plans.items() if len(callees) >= MIN_CALLEES}


def _child(name):
    if name == "demo":
        make, fit = (lambda: None), (lambda _: run_demo(io.StringIO()))
    else:
        make, fit = _extra_cases()[name] if name in _EXTRA else _case(name)
    data = make()
    plans = _record(lambda: fit(data))
    sys.stdout.write(base64.b64encode(pickle.dumps(plans)).decode() + "\n")


def _run(name):
    with tempfile.TemporaryDirectory(prefix="numba-plan-") as cache:
        env = {**os.environ, **ONE_THREAD, "NUMBA_CACHE_DIR": cache,
               "SPARSEREG_PARALLEL_COMPILE": "0", "SPARSEREG_NO_COMPILE_NOTICE": "1"}
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "benchmarks.compile_plans", "--child", name],
                             cwd=REPO, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"case {name} failed:\n{out.stderr}")
    plans = pickle.loads(base64.b64decode(out.stdout.strip().splitlines()[-1]))
    print(f"{name}: {len(plans)} plans, {time.perf_counter() - t0:.1f} s", flush=True)
    return plans


def main(argv=None):
    """Record the cases' plans and write them with the Numba version and kernels' digest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=None, choices=all_cases())
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return
    import numba

    from sparsereg._kernels._jit import kernels_digest

    merged = {}
    with ThreadPoolExecutor(args.jobs) as pool:
        for plans in pool.map(_run, args.cases or all_cases()):
            for key, callees in plans.items():
                if len(callees) > len(merged.get(key, ())):
                    merged[key] = callees
    record = {"numba": numba.__version__, "digest": kernels_digest(),
              "plans": sorted(merged.items(), key=lambda kv: (kv[0][0], kv[0][1], str(kv[0][2])))}
    with open(args.out, "wb") as file:
        pickle.dump(record, file, protocol=4)
    print(f"{len(merged)} plans written to {args.out}")


if __name__ == "__main__":
    main()
