"""Path benchmark: a 100-alpha lasso path at matched accuracy (ANCHORS.md, problems d and d').

    python -m benchmarks.bench_path [--quick]      (from the repository root)

Problem (a) of ANCHORS.md (n=500, p=5000, AR(1) 0.6 Gaussian X, 50 +-1 entries in w*, SNR 3),
100 alphas geometric from alpha_max to alpha_max * 1e-2 ("d") and to alpha_max * 1e-3 ("d'",
skipped with --quick). Solvers:

- sklearn ``lasso_path`` on X and y centred inside the timing (the intercepts are then
  ``ybar - xbar @ w``; also inside the timing) -- the baseline of the speedup column;
- sparsereg ``regularization_path`` (warm starts, screening, working sets);
- 100 cold ``sparsereg.L1Regressor`` fits, one per alpha, each from zero.

Accuracy: P* per alpha is the smaller objective of two independent tight solves (sklearn
``lasso_path`` with tol=1e-12 and sparsereg ``regularization_path`` with tol=1e-12); the
objective is sklearn's Lasso objective evaluated with each solver's own intercept. Each
solver's tol is searched on the half-decade grid 1e-1, 3e-2, ..., 1e-14 (loosest first) and
the loosest value with max over the 100 alphas of (P - P*) / P* <= 1e-6 is kept. That run is
the warm-up; then max(3, budget / t) runs (at most 10; --quick: 5) are timed, the median is
reported and the accuracy re-checked on every timed run. One BLAS thread; "passes" = time /
one ``X.T @ v``. Writes ``benchmarks/results/path.json`` (``path_quick.json`` with --quick)
and prints markdown tables.
"""

import argparse
import sys
import time
from pathlib import Path

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.bench_path")

import numpy as np
from threadpoolctl import threadpool_limits

from benchmarks import harness
from benchmarks.adapters import HALF_DECADE, MAX_ITER
from benchmarks.problems import get_problem

N_ALPHAS = 100
PATHS = {"d": 1e-2, "d'": 1e-3}  # label -> alpha_min / alpha_max
REFERENCE_TOL = 1e-12
TARGET = harness.TARGET
RESULTS = Path(__file__).resolve().parent / "results"


# ---------------------------------------------------------------------------------------------
# Solvers: run(X, y, alphas, tol) -> (coefs (n_alphas, p), intercepts (n_alphas,), epochs)
# ---------------------------------------------------------------------------------------------

class SklearnLassoPath:
    name = "sklearn lasso_path (X, y centred inside the timing)"
    key = "sklearn_lasso_path"
    tol_param = "tol"

    def run(self, X, y, alphas, tol):
        from sklearn.linear_model import lasso_path

        x_mean = X.mean(axis=0)
        y_mean = y.mean()
        Xc = X - x_mean  # keeps X's Fortran order
        _, coefs, _, n_iter = lasso_path(Xc, y - y_mean, alphas=alphas, tol=tol,
                                         max_iter=MAX_ITER, return_n_iter=True)
        coefs = coefs.T
        return coefs, y_mean - coefs @ x_mean, int(np.sum(n_iter))


class SparseregPath:
    name = "sparsereg regularization_path"
    key = "sparsereg_path"
    tol_param = "tol"

    def run(self, X, y, alphas, tol):
        import sparsereg

        path = sparsereg.regularization_path(X, y, alphas=alphas, tol=tol, max_iter=MAX_ITER)
        return path.coefs, path.intercepts, int(path.n_iter.sum())


class SparseregCold:
    name = "sparsereg L1Regressor, 100 cold fits"
    key = "sparsereg_cold"
    tol_param = "tol"

    def run(self, X, y, alphas, tol):
        import sparsereg

        coefs = np.empty((len(alphas), X.shape[1]))
        intercepts = np.empty(len(alphas))
        epochs = 0
        for k, alpha in enumerate(alphas):
            model = sparsereg.L1Regressor(alpha, tol=tol, max_iter=MAX_ITER).fit(X, y)
            coefs[k], intercepts[k] = model.coef_, model.intercept_
            epochs += int(model.n_iter_)
        return coefs, intercepts, epochs


SOLVERS = [SklearnLassoPath, SparseregPath, SparseregCold]  # the first is the baseline


# ---------------------------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------------------------

def objectives(X, y, alphas, coefs, intercepts):
    return np.array([harness.lasso_objective(X, y, a, w, b)
                     for a, w, b in zip(alphas, coefs, intercepts)])


def timed_run(solver, X, y, alphas, tol):
    """``(seconds, coefs, intercepts, epochs, ConvergenceWarning messages)``."""
    seconds, (coefs, intercepts, epochs), msgs = harness.timed(solver.run, X, y, alphas, tol)
    return seconds, np.asarray(coefs, dtype=np.float64), np.asarray(intercepts, float), \
        epochs, sorted(set(msgs))


def reference(X, y, alphas, log):
    """P* per alpha: the smaller objective of two independent tight solves."""
    fits = {}
    for cls in (SklearnLassoPath, SparseregPath):
        solver = cls()
        seconds, coefs, intercepts, epochs, msgs = timed_run(solver, X, y, alphas,
                                                             REFERENCE_TOL)
        P = objectives(X, y, alphas, coefs, intercepts)
        fits[solver.key] = dict(P=P, coefs=coefs, seconds=seconds, epochs=epochs,
                                warnings=msgs)
        log(f"reference {solver.name}, tol {REFERENCE_TOL:.0e}: {seconds:.1f} s, "
            f"{epochs} epochs" + (f", WARNED: {msgs[0]}" if msgs else ""))
    P_all = np.vstack([f["P"] for f in fits.values()])
    best = np.argmin(P_all, axis=0)
    keys = list(fits)
    p_star = P_all.min(axis=0)
    disagreement = (P_all.max(axis=0) - p_star) / p_star
    gaps = np.array([harness.lasso_gap(X, y, a, fits[keys[b]]["coefs"][k]) / p_star[k]
                     for k, (a, b) in enumerate(zip(alphas, best))])
    nnz_end = int(np.count_nonzero(fits[keys[best[-1]]]["coefs"][-1]))
    log(f"reference: max relative disagreement {disagreement.max():.1e} (at alpha index "
        f"{int(np.argmax(disagreement))}); max certified relative gap {gaps.max():.1e}; "
        f"P* from sklearn at {int(np.sum(best == 0))} alphas, sparsereg at "
        f"{int(np.sum(best == 1))}; nnz at the last alpha {nnz_end}")
    return dict(P_star=p_star, rel_disagreement=disagreement, rel_gap=gaps, nnz_end=nnz_end,
                solvers={k: dict(seconds=f["seconds"], epochs=f["epochs"],
                                 warnings=f["warnings"], tol=REFERENCE_TOL)
                         for k, f in fits.items()})


def measure(solver, X, y, alphas, p_star, unit, budget, max_runs, log):
    """One row: :func:`harness.matched_accuracy`, the suboptimality being the max over alphas."""
    def fit(tol):
        seconds, coefs, intercepts, epochs, msgs = timed_run(solver, X, y, alphas, tol)
        sub = (objectives(X, y, alphas, coefs, intercepts) - p_star) / p_star
        return dict(seconds=seconds, subopt=float(sub.max()),
                    worst_alpha_index=int(np.argmax(sub)), epochs=epochs,
                    nnz_end=int(np.count_nonzero(coefs[-1])), warnings=msgs)

    def on_trial(t):
        log(f"  tune {solver.name}: tol {t['tol']:.0e} -> {t['seconds']:.2f} s, max subopt "
            f"{t['subopt']:.1e} (alpha index {t['worst_alpha_index']})")

    tol, trials, runs = harness.matched_accuracy(fit, HALF_DECADE, budget, max_runs,
                                                 on_trial=on_trial)
    row = harness.summarize(solver.name, solver.tol_param, tol, HALF_DECADE, trials, runs,
                            unit)
    for record in [row, *trials]:  # the max over the alphas, named as in the earlier files
        record["max_subopt"] = record.pop("subopt")
    row.update(key=solver.key, passes_per_alpha=row["passes"] / len(alphas),
               epochs=runs[-1]["epochs"], nnz_end=runs[-1]["nnz_end"])
    return row


def markdown_table(rows):
    return harness.markdown_table(
        rows, extra=(("passes/alpha", "{passes_per_alpha:.1f}"), ("epochs", "{epochs}")),
        subopt_key="max_subopt", subopt_title="max rel. subopt",
        speedup_title="speedup vs lasso_path")


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------

def run_path(label, eps, budget, max_runs, log):
    problem = get_problem("a")
    X, y = problem.X, problem.y
    alphas = np.geomspace(problem.alpha_max, problem.alpha_max * eps, N_ALPHAS)
    unit = harness.pass_time(X)
    title = (f"{label}: Lasso path, {N_ALPHAS} alphas geometric alpha_max -> alpha_max * "
             f"{eps:g} on problem (a) ({problem.description}), one X^T v = "
             f"{unit * 1e3:.3f} ms")
    log(f"\n### {title}\n")
    ref = reference(X, y, alphas, log)
    rows = [measure(cls(), X, y, alphas, ref["P_star"], unit, budget, max_runs, log)
            for cls in SOLVERS]
    log("")
    log(markdown_table(rows))
    by_key = {r["key"]: r for r in rows}
    ratios = dict(
        sparsereg_path_vs_lasso_path=by_key["sklearn_lasso_path"]["time"]
        / by_key["sparsereg_path"]["time"],
        cold_fits_vs_sparsereg_path=by_key["sparsereg_cold"]["time"]
        / by_key["sparsereg_path"]["time"],
        cold_fits_vs_lasso_path=by_key["sklearn_lasso_path"]["time"]
        / by_key["sparsereg_cold"]["time"])
    log(f"\nsparsereg path: {ratios['sparsereg_path_vs_lasso_path']:.2f}x faster than sklearn "
        f"lasso_path; 100 cold L1Regressor fits take "
        f"{ratios['cold_fits_vs_sparsereg_path']:.2f}x the sparsereg path's time. "
        f"nnz at the last alpha: {ref['nnz_end']} (n = {X.shape[0]}).")
    for r in rows:
        if r["warnings"]:
            log(f"{r['solver']}: ConvergenceWarning in the timed runs: {r['warnings'][0]!r}")
    ref_out = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in ref.items()}
    return dict(title=title, n=X.shape[0], p=X.shape[1], eps=eps, n_alphas=N_ALPHAS,
                alpha_max=problem.alpha_max, pass_seconds=unit, reference=ref_out, rows=rows,
                ratios=ratios)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="only the path to alpha_max * 1e-2, fewer timed runs")
    args = parser.parse_args(argv)
    budget, max_runs = (0.5, 5) if args.quick else (2.0, 10)
    labels = ["d"] if args.quick else list(PATHS)
    log = lambda s: print(s, flush=True)  # noqa: E731
    harness.warn_if_busy(0.5, log)
    t_start = time.perf_counter()
    result = dict(environment=harness.environment(), target=TARGET, quick=args.quick, paths={})
    with threadpool_limits(1):
        for label in labels:
            result["paths"][label] = run_path(label, PATHS[label], budget, max_runs, log)
    harness.save(result, t_start, RESULTS / ("path_quick.json" if args.quick else "path.json"),
                 log)


if __name__ == "__main__":
    main()
