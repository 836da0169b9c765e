"""Poisson / Gamma / Tweedie benchmark (issue 15 item 6): sparsereg against glum, skglm
(Poisson) and scikit-learn (L2), at matched accuracy, one BLAS thread.

Problems (fixed seeds, ``make``):

``insurance``
    n = 200,000 policies, 8 categorical rating factors one-hot encoded (4-25 levels, 92
    columns, drop-first) and 4 numeric ones: 96 columns, dense, n >> p. Claim counts are
    Poisson with a log-linear mean (intercept log 0.1); amounts (Gamma) for the policies
    with claims; pure premiums (Tweedie 1.5) for all.
``insurance-csc``
    the same, as a scipy.sparse CSC matrix (what a one-hot encoder returns): 8 % nonzero.
``wide``
    n = 500, p = 5,000 Gaussian (AR(1) 0.5) features, 20 active, Poisson counts: p > n,
    which glum's default solver handles only with a penalty (its IRLS needs p x p).

Each library's fit is timed (best of ``--repeats`` after an untimed first fit, which pays
any compilation); it climbs a tolerance ladder until its objective (computed here from the
half deviance and the penalty) is within ``RTOL * P(0)`` of the reference (sparsereg at tol
1e-10); the row reports its fastest matching run, or "no match" with the closest.

Run: ``python -m benchmarks.bench_glm [--problems insurance wide] [--repeats 3]``; writes
``benchmarks/results/glm.json`` and ``docs/benchmarks_glm.md``.
"""

import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.special import xlogy
from threadpoolctl import threadpool_limits

RTOL = 1e-6
ROOT = Path(__file__).resolve().parent.parent
POWER = {"poisson": 1.0, "gamma": 2.0, "tweedie": 1.5}


def make(name, seed=0):
    """``(X, y_by_loss)`` for ``name`` (see the module docstring)."""
    if name == "insurance-csc":
        X, ys = make("insurance", seed)
        return sp.csc_matrix(X), ys
    rng = np.random.default_rng(seed)
    if name == "insurance":
        n = 200_000
        levels = [4, 6, 8, 10, 12, 15, 20, 25]
        blocks, effects = [], []
        for k in levels:
            codes = rng.integers(0, k, n)
            onehot = np.zeros((n, k - 1))
            rows = codes > 0
            onehot[np.flatnonzero(rows), codes[rows] - 1] = 1.0
            blocks.append(onehot)
            effects.append(rng.normal(0, 0.3, k - 1) * (rng.random(k - 1) < 0.5))
        numeric = rng.standard_normal((n, 4))
        X = np.asfortranarray(np.hstack(blocks + [numeric]))
        w = np.concatenate(effects + [np.array([0.2, -0.1, 0.0, 0.05])])
        mu = np.exp(X @ w + np.log(0.1))
        counts = rng.poisson(mu).astype(float)
        amounts = rng.gamma(2.0, 1000.0 * np.exp(0.5 * X @ w) / 2.0)
        pure = np.array([rng.gamma(2.0, 500.0, k).sum() for k in counts.astype(int)])
        return X, {"poisson": counts, "gamma": amounts, "tweedie": pure}
    n, p = 500, 5000
    X = rng.standard_normal((n, p))
    for j in range(1, p):
        X[:, j] = 0.5 * X[:, j - 1] + np.sqrt(0.75) * X[:, j]
    w = np.zeros(p)
    w[rng.choice(p, 20, replace=False)] = rng.choice([-0.3, 0.3], 20)
    return np.asfortranarray(X), {"poisson": rng.poisson(np.exp(X @ w)).astype(float)}


def half_deviance(y, mu, power):
    if power == 1.0:
        return xlogy(y, y / mu) - y + mu
    if power == 2.0:
        return np.log(mu / y) + y / mu - 1.0
    return (y ** (2 - power) / ((1 - power) * (2 - power))
            - y * mu ** (1 - power) / (1 - power) + mu ** (2 - power) / (2 - power))


def objective(X, y, coef, intercept, alpha, l1_ratio, power):
    mu = np.exp(np.asarray(X @ coef).ravel() + intercept)
    return float(np.mean(half_deviance(y, mu, power))) + alpha * (
        l1_ratio * np.abs(coef).sum() + 0.5 * (1 - l1_ratio) * coef @ coef)


def ways(loss, l1_ratio):
    """``[(label, library, tols, fit(X, y, alpha, tol) -> (coef, intercept))]``."""
    power = POWER[loss]
    out = []

    def sparsereg_fit(X, y, alpha, tol):
        from sparsereg import ElasticNetRegressor
        m = ElasticNetRegressor(alpha=alpha, l1_ratio=l1_ratio, loss=loss, power=power,
                                tol=tol).fit(X, y)
        return m.coef_, m.intercept_
    out.append(("sparsereg", "sparsereg", [1e-4, 1e-6, 1e-8], sparsereg_fit))

    def glum_fit(X, y, alpha, tol):
        import glum
        family = {"poisson": "poisson", "gamma": "gamma"}.get(loss, f"tweedie({power})")
        m = glum.GeneralizedLinearRegressor(family=family, link="log", alpha=alpha,
                                            l1_ratio=l1_ratio, gradient_tol=tol,
                                            max_iter=1000).fit(X, y)
        return m.coef_, m.intercept_
    out.append(("glum", "glum", [1e-4, 1e-6, 1e-8, 1e-10], glum_fit))

    if loss == "poisson" and l1_ratio == 1.0:
        def skglm_fit(X, y, alpha, tol):
            from skglm import GeneralizedLinearEstimator
            from skglm.datafits import Poisson
            from skglm.penalties import L1
            from skglm.solvers import ProxNewton
            m = GeneralizedLinearEstimator(Poisson(), L1(alpha),
                                           ProxNewton(tol=tol, fit_intercept=True,
                                                      max_iter=50)).fit(X, y)
            return m.coef_, m.intercept_
        out.append(("skglm ProxNewton", "skglm", [1e-4, 1e-6, 1e-8, 1e-10], skglm_fit))
    if l1_ratio == 0.0:
        def sklearn_fit(X, y, alpha, tol):
            from sklearn.linear_model import TweedieRegressor
            m = TweedieRegressor(power=power, link="log", alpha=alpha, tol=tol,
                                 max_iter=10_000).fit(X, y)
            return m.coef_, m.intercept_
        out.append(("scikit-learn lbfgs", "sklearn", [1e-4, 1e-6, 1e-8, 1e-10], sklearn_fit))
    return out


CASES = {  # problem: [(loss, l1_ratio, alpha as a fraction of alpha_max (L2: absolute))]
    "insurance": [("poisson", 1.0, 0.01), ("poisson", 0.0, 1e-4), ("gamma", 1.0, 0.01),
                  ("tweedie", 0.5, 0.01)],
    "insurance-csc": [("poisson", 1.0, 0.01), ("gamma", 1.0, 0.01), ("tweedie", 0.5, 0.01)],
    "wide": [("poisson", 1.0, 0.05)],
}


def alpha_for(X, y, loss, l1_ratio, fraction):
    if l1_ratio == 0.0:
        return fraction
    power = POWER[loss]
    mu0 = y.mean()
    top = np.abs(np.asarray(X.T @ (mu0 ** (1 - power) * (mu0 - y)))).max() / len(y) / l1_ratio
    return fraction * top


def timed(fit, X, y, alpha, tol, repeats):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit(X, y, alpha, tol)  # compile / warm
        best, result = np.inf, None
        for _ in range(repeats):
            t = time.perf_counter()
            result = fit(X, y, alpha, tol)
            best = min(best, time.perf_counter() - t)
    return best, result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    with threadpool_limits(1):
        for name in args.problems:
            X, ys = make(name)
            for loss, l1_ratio, fraction in CASES[name]:
                y = ys[loss]
                power = POWER[loss]
                alpha = alpha_for(X, y, loss, l1_ratio, fraction)
                mu0 = y.mean()
                p0 = float(np.mean(half_deviance(y, np.full(len(y), mu0), power)))
                ref_way = ways(loss, l1_ratio)[0][3]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    coef, b = ref_way(X, y, alpha, 1e-10)
                ref = objective(X, y, coef, b, alpha, l1_ratio, power)
                for label, lib, tols, fit in ways(loss, l1_ratio):
                    row = dict(problem=name, loss=loss, l1_ratio=l1_ratio, alpha=alpha,
                               way=label, library=lib, shape=list(X.shape))
                    for tol in tols:
                        try:
                            seconds, (coef, b) = timed(fit, X, y, alpha, tol, args.repeats)
                        except Exception as exc:  # a library that cannot fit this problem
                            row.update(error=f"{type(exc).__name__}: {exc}"[:200])
                            break
                        excess = (objective(X, y, np.asarray(coef), float(b), alpha,
                                            l1_ratio, power) - ref) / p0
                        row.update(tol=tol, seconds=seconds, excess=excess,
                                   nnz=int(np.count_nonzero(coef)),
                                   matched=bool(excess <= RTOL))
                        if excess <= RTOL:
                            break
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    out = dict(date=time.strftime("%Y-%m-%dT%H:%M:%S"), machine=platform.machine(),
               cpus=os.cpu_count(), rtol=RTOL, rows=rows)
    (ROOT / "benchmarks" / "results" / "glm.json").write_text(json.dumps(out, indent=1))
    write_markdown(out, ROOT / "docs" / "benchmarks_glm.md")


def write_markdown(out, path):
    lines = ["# GLM benchmarks (Poisson, Gamma, Tweedie)", "",
             "Generated by `python -m benchmarks.bench_glm` (protocol in its docstring). "
             f"Date {out['date']}, {out['cpus']} CPUs (shared), one BLAS thread. Matched "
             f"accuracy: objective within {out['rtol']:g} P(0) of sparsereg's at tol 1e-10. "
             "\"speedup\" = the library's time / sparsereg's.", "",
             "| problem | loss | l1_ratio | way | tol | time | objective excess / P(0) | "
             "nonzeros | matched | speedup |", "|---|---|---|---|---|---|---|---|---|---|"]
    base = {}
    for r in out["rows"]:
        if r["library"] == "sparsereg" and r.get("matched"):
            base[(r["problem"], r["loss"], r["l1_ratio"])] = r["seconds"]
    for r in out["rows"]:
        key = (r["problem"], r["loss"], r["l1_ratio"])
        if "error" in r:
            lines.append(f"| {key[0]} | {key[1]} | {key[2]:g} | {r['way']} | – | – | – | – | "
                         f"error: {r['error'][:80]} | – |")
            continue
        ratio = (f"{r['seconds'] / base[key]:.2f}x" if key in base and r["library"] !=
                 "sparsereg" else "–")
        lines.append(f"| {key[0]} | {key[1]} | {key[2]:g} | {r['way']} | {r['tol']:g} | "
                     f"{r['seconds']:.3f} s | {r['excess']:.1e} | {r['nnz']} | "
                     f"{'yes' if r['matched'] else '**no**'} | {ratio} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
