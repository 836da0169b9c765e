"""Poisson / Gamma / Tweedie paths and cross-validation: sparsereg's entry points against
glum's, the fastest way a scikit-learn user computes them (one BLAS thread).

What is timed (each after an untimed run that pays any compilation):

``path``
    ``regularization_path(X, y, loss=..., alphas=grid)`` (coefficients, and for Poisson and
    Gamma the statistics behind ``aic()``/``bic()``) against glum's
    ``GeneralizedLinearRegressor(alpha_search=True, alphas=grid)``, on the same 20-alpha
    grid (from sparsereg's alpha_max down to 1e-3 of it). Matched accuracy: at every alpha
    the objective is within ``RTOL * P(0)`` of the reference, sparsereg's path at tol
    1e-10 (each solution certified within 1e-10 P(0) of the optimum by its duality gap, so
    no fit can be better by more than that); each library climbs its tolerance ladder
    until it matches.
``cv``
    ``L1RegressorCV``/``ElasticNetRegressorCV(loss=..., alphas=grid, cv=folds)`` against
    ``glum.GeneralizedLinearRegressorCV(alphas=grid, cv=folds)``, the same 5 folds, each
    library at the tolerance its path matched with; the alphas they choose are reported.

Problems: ``insurance``, ``insurance-csc`` and ``wide`` of :mod:`benchmarks.bench_glm`.

Run: ``python -m benchmarks.bench_glm_path [--problems insurance] [--skip-cv]``; writes
``benchmarks/results/glm_path.json`` and ``docs/benchmarks_glm_path.md``.
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from benchmarks.bench_glm import POWER, ROOT, half_deviance, make, objective

RTOL = 1e-6
N_ALPHAS = 20
LADDER = [1e-4, 1e-6, 1e-8]
CASES = {  # problem: [(loss, l1_ratio)]
    "insurance": [("poisson", 1.0), ("gamma", 1.0), ("tweedie", 0.5)],
    "insurance-csc": [("poisson", 1.0), ("gamma", 1.0), ("tweedie", 0.5)],
    "wide": [("poisson", 1.0)],
}
GLUM_CV_SKIPPED = {"wide"}  # glum's path alone takes about 30 s there (p > n, IRLS on p x p)


def _family(loss):
    return {"poisson": "poisson", "gamma": "gamma"}.get(loss, f"tweedie({POWER[loss]})")


def sparsereg_path(X, y, loss, l1_ratio, grid, tol):
    from sparsereg import regularization_path
    path = regularization_path(X, y, loss=loss, power=POWER[loss], alphas=grid,
                               penalty="l1" if l1_ratio == 1.0 else "elasticnet",
                               l1_ratio=l1_ratio, tol=tol)
    return path.coefs, path.intercepts


def glum_path(X, y, loss, l1_ratio, grid, tol):
    import glum
    m = glum.GeneralizedLinearRegressor(family=_family(loss), link="log", alphas=grid,
                                        alpha_search=True, l1_ratio=l1_ratio,
                                        gradient_tol=tol, max_iter=1000).fit(X, y)
    return np.asarray(m.coef_path_), np.asarray(m.intercept_path_)


def sparsereg_cv(X, y, loss, l1_ratio, grid, tol, folds):
    from sparsereg import ElasticNetRegressorCV, L1RegressorCV
    kw = dict(loss=loss, power=POWER[loss], alphas=grid, cv=folds, tol=tol)
    m = L1RegressorCV(**kw) if l1_ratio == 1.0 else ElasticNetRegressorCV(l1_ratio=l1_ratio,
                                                                          **kw)
    return float(m.fit(X, y).alpha_)


def glum_cv(X, y, loss, l1_ratio, grid, tol, folds):
    import glum
    m = glum.GeneralizedLinearRegressorCV(family=_family(loss), link="log", alphas=grid,
                                          l1_ratio=[l1_ratio], cv=folds, gradient_tol=tol,
                                          max_iter=1000).fit(X, y)
    return float(m.alpha_)


def _timed(run, repeats):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()  # compile / warm
        best, result = np.inf, None
        for _ in range(repeats):
            t = time.perf_counter()
            result = run()
            best = min(best, time.perf_counter() - t)
    return best, result


def _objectives(X, y, coefs, intercepts, grid, l1_ratio, power):
    return np.array([objective(X, y, np.asarray(coefs[k]), float(intercepts[k]), a,
                               l1_ratio, power) for k, a in enumerate(grid)])


def run_case(name, X, y, loss, l1_ratio, repeats, skip_cv):
    """The rows of one (problem, loss): both paths on their ladders, then both CVs."""
    from sparsereg import regularization_path
    power = POWER[loss]
    p0 = float(np.mean(half_deviance(y, np.full(len(y), y.mean()), power)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = regularization_path(X, y, loss=loss, power=power, n_alphas=N_ALPHAS,
                                   penalty="l1" if l1_ratio == 1.0 else "elasticnet",
                                   l1_ratio=l1_ratio, eps=1e-3, tol=1e-3).alphas
        # the reference: certified within 1e-10 P(0) of the optimum at every alpha
        best = _objectives(X, y, *sparsereg_path(X, y, loss, l1_ratio, grid, 1e-10), grid,
                           l1_ratio, power)
    rows, matched_tol = [], {}
    base = dict(problem=name, loss=loss, l1_ratio=l1_ratio, shape=list(X.shape))
    for label, way in (("sparsereg", sparsereg_path), ("glum", glum_path)):
        row = dict(base, entry="path", library=label)
        for tol in LADDER:
            seconds, (coefs, intercepts) = _timed(
                lambda: way(X, y, loss, l1_ratio, grid, tol), repeats)
            excess = float(np.max(_objectives(X, y, coefs, intercepts, grid, l1_ratio, power)
                                  - best) / p0)
            row.update(tol=tol, seconds=seconds, excess=excess, matched=excess <= RTOL)
            if excess <= RTOL:
                matched_tol[label] = tol
                break
        rows.append(row)
        print(json.dumps(row), flush=True)
    if skip_cv:
        return rows
    folds = KFold(5, shuffle=True, random_state=0)
    for label, way in (("sparsereg", sparsereg_cv), ("glum", glum_cv)):
        if label == "glum" and name in GLUM_CV_SKIPPED:
            continue
        tol = matched_tol.get(label, LADDER[-1])
        seconds, alpha = _timed(lambda: way(X, y, loss, l1_ratio, grid, tol, folds),
                                max(1, repeats - 1))
        row = dict(base, entry="cv", library=label, tol=tol, seconds=seconds,
                   alpha=alpha, alpha_index=int(np.argmin(np.abs(np.log(grid / alpha)))))
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--losses", nargs="+", default=list(POWER), choices=list(POWER))
    parser.add_argument("--append", action="store_true",
                        help="keep the stored rows of the (problem, loss) pairs not run now")
    args = parser.parse_args(argv)
    store = ROOT / "benchmarks" / "results" / "glm_path.json"
    run = {(name, loss) for name in args.problems for loss, _ in CASES[name]
           if loss in args.losses}
    kept = [r for r in json.loads(store.read_text())["rows"]
            if (r["problem"], r["loss"]) not in run] if args.append and store.exists() else []
    rows = []
    with threadpool_limits(1):
        for name in args.problems:
            X, ys = make(name)
            for loss, l1_ratio in CASES[name]:
                if loss not in args.losses:
                    continue
                y = ys[loss]
                Xl, yl = (X, y) if loss != "gamma" else (X[y > 0], y[y > 0])
                rows += run_case(name, Xl, yl, loss, l1_ratio, args.repeats, args.skip_cv)
                # written after every case: a long run stopped midway keeps what it measured
                out = dict(date=time.strftime("%Y-%m-%dT%H:%M:%S"), machine=platform.machine(),
                           cpus=os.cpu_count(), rtol=RTOL, n_alphas=N_ALPHAS,
                           rows=kept + rows, load=os.getloadavg())
                store.write_text(json.dumps(out, indent=1))
                write_markdown(out, ROOT / "docs" / "benchmarks_glm_path.md")


def write_markdown(out, path):
    lines = ["# GLM paths and cross-validation against glum", "",
             "Generated by `python -m benchmarks.bench_glm_path` (protocol in its docstring). "
             f"Date {out['date']}, {out['cpus']} CPUs (shared; load at the end "
             f"{out['load'][0]:.2f}), one BLAS thread, {out['n_alphas']} alphas. Paths matched "
             f"at every alpha within {out['rtol']:g} P(0) of the reference (sparsereg's path "
             "at tol 1e-10, certified by its duality gaps); the CVs run at the tolerance "
             "their library's path matched with, on the same folds. \"speedup\" = glum's "
             "time / sparsereg's. The date is the last case's (`--append` keeps earlier "
             "rows).", "",
             "| problem | loss | l1_ratio | entry | library | tol | time | worst excess / P(0) "
             "| chosen alpha (grid index) | speedup |", "|---|---|---|---|---|---|---|---|---|---|"]
    mine = {(r["problem"], r["loss"], r["entry"]): r["seconds"] for r in out["rows"]
            if r["library"] == "sparsereg"}
    for r in out["rows"]:
        key = (r["problem"], r["loss"], r["entry"])
        ratio = f"**{r['seconds'] / mine[key]:.2f}x**" if r["library"] != "sparsereg" \
            and key in mine else "–"
        excess = f"{r['excess']:.1e}{'' if r['matched'] else ' (**not matched**)'}" \
            if "excess" in r else "–"
        chosen = f"{r['alpha']:.4g} ({r['alpha_index']})" if "alpha" in r else "–"
        lines.append(f"| {r['problem']} | {r['loss']} | {r['l1_ratio']:g} | {r['entry']} | "
                     f"{r['library']} | {r['tol']:g} | {r['seconds']:.2f} s | {excess} | "
                     f"{chosen} | {ratio} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
