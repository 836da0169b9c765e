"""Lasso benchmark: sparsereg vs scikit-learn at matched accuracy, warm and cold.

    python -m benchmarks.bench_lasso [--quick] [--problems a b] [--no-cold]

Run it from the repository root. Prints markdown tables and writes ``benchmarks/results/lasso[_quick].json``.
"""

import argparse
import sys
import time
from pathlib import Path

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.bench_lasso")

from threadpoolctl import threadpool_limits

from benchmarks import cold, harness
from benchmarks.adapters import make_adapter
from benchmarks.problems import get_problem

# problem -> adapter keys; the first row is the baseline of the "speedup" column
SOLVERS = {
    "a": ["sklearn", "sparsereg"],
    "b": ["sklearn", "sklearn-gram", "sparsereg", "sparsereg-cd"],
}
REFERENCE = ["sklearn", "sparsereg"]  # adapters whose reference_tol fits define P*
COLD = [("sparsereg", "a", "a1"), ("sparsereg", "b", "b"), ("sklearn", "a", "a1")]
QUICK_LABELS = {"a1", "a2", "b"}  # --quick skips a/20
RESULTS = Path(__file__).resolve().parent / "results"


def run_problem(name, labels, budget, max_runs, log):
    problem = get_problem(name)
    unit = harness.pass_time(problem.X)
    n, p = problem.shape
    out = {}
    for label, alpha in problem.alphas.items():
        if label not in labels:
            continue
        ref = harness.reference(problem, alpha, [make_adapter(k) for k in REFERENCE])
        title = (f"{label}: Lasso, {problem.description}, alpha = alpha_max * "
                 f"{problem.fractions[label]:g} = {alpha:.4g}; nnz(w) = {ref['nnz']}, "
                 f"ref. rel. gap {ref['rel_gap']:.1e}, one X^T v = {unit * 1e3:.3f} ms")
        log(f"\n### {title}\n")
        log("reference: " + "; ".join(
            f"{k} (tol {s['tol']:.0e}, {s['n_iter']} iter, {s['seconds']:.2f} s): "
            f"P = {s['P']:.15g}" for k, s in ref["solvers"].items())
            + f"; rel. difference {ref['rel_disagreement']:.1e}\n")
        for k, s in ref["solvers"].items():
            if s["warnings"]:
                log(f"reference {k} warned: {s['warnings'][0]}\n")
        rows = []
        for key in SOLVERS[name]:
            rows.append(harness.benchmark(make_adapter(key), problem, alpha, ref["P_star"],
                                          unit, budget, max_runs))
        log(harness.markdown_table(rows))
        drift = harness.pass_time(problem.X) / unit  # same X^T v, after the rows: contention?
        if not 0.87 < drift < 1.15:
            log(f"\nwarning: one X^T v took {drift:.2f}x as long after these rows as before; "
                "the machine was probably busy")
        for r in rows:
            if r["warnings"]:
                log(f"\n{r['solver']}: {len(r['warnings'])} distinct ConvergenceWarning(s) "
                    f"in the timed runs, e.g. {r['warnings'][0]!r}")
        out[label] = dict(problem=name, n=n, p=p, alpha=alpha, alpha_max=problem.alpha_max,
                          fraction=problem.fractions[label], pass_seconds=unit,
                          pass_drift=drift, reference=ref, rows=rows, title=title)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="skip a/20, fewer timed runs, one cold repeat")
    parser.add_argument("--problems", nargs="+", default=list(SOLVERS), choices=list(SOLVERS))
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-start probes")
    args = parser.parse_args(argv)
    budget, max_runs, cold_repeats = (0.5, 5, 1) if args.quick else (2.0, 10, 3)
    labels = QUICK_LABELS if args.quick else {lab for p in args.problems
                                              for lab in get_problem(p).fractions}
    log = lambda s: print(s, flush=True)  # noqa: E731
    harness.warn_if_busy(0.5, log)
    t_start = time.perf_counter()
    result = dict(environment=harness.environment(), target=harness.TARGET, quick=args.quick,
                  problems={}, cold=[])
    with threadpool_limits(1):
        for name in args.problems:
            result["problems"].update(run_problem(name, labels, budget, max_runs, log))

    if not args.no_cold:
        names = {}
        for key, pname, label in COLD:
            if pname not in args.problems or label not in labels:
                continue
            # cold runs use the tolerance matched in the warm benchmark
            row = next(r for r in result["problems"][label]["rows"]
                       if r["solver"] == make_adapter(key).name)
            names[key] = row["solver"]
            result["cold"].append(cold.cold_start(key, pname, label, row["tol"],
                                                  repeats=cold_repeats))
        log(f"\n### Cold start (fresh process, median of {cold_repeats})\n")
        log(cold.markdown_table(result["cold"], names))

    harness.save(result, t_start, RESULTS / ("lasso_quick.json" if args.quick else "lasso.json"),
                 log)


if __name__ == "__main__":
    main()
