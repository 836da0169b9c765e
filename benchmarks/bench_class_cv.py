"""Cross-validated classifiers: sparsereg's L1ClassifierCV / L2ClassifierCV against the fastest
ways a scikit-learn user gets the same cross-validated choice of alpha (one BLAS thread).

Every way fits the same grid on the same folds and scores the held-out mean log-loss:

- folds ``KFold(5, shuffle=True, random_state=0)`` (n a multiple of 5: every training fold has
  ``n_train = 0.8 n`` rows), passed as ``cv=`` to sparsereg, LogisticRegressionCV and glum;
  python-glmnet's LogitNet builds its own StratifiedKFold, so it gets the same folds as
  ``groups=fold_id`` (then it splits with ``GroupKFold(5)``: one fold per group);
- grid: 20 alphas log-spaced from ``sparsereg.alpha_max(X, y, loss="logistic")`` down to
  ``eps`` times it (``CASES``: 1e-2, or 1e-3 where the choice would sit at 1e-2's edge);
  L2: the top at ``l1_ratio=1e-3`` (glmnet's and L2ClassifierCV's convention: 1000 times
  the L1 one) down to ``EPS_L2`` = 1e-6 of it (L2ClassifierCV's default eps);
- mappings (those of ``adapters_logistic``): LogisticRegressionCV ``Cs = 1 / (n_train *
  alphas)``, ``l1_ratios=[1.0]`` (L1) or ``[0.0]`` (L2), ``scoring="neg_log_loss"``,
  liblinear with ``intercept_scaling=1000``; LogitNet ``alpha=l1_ratio,
  lambda_path=alphas, standardize=False, scoring="log_loss"``; glum
  ``GeneralizedLinearRegressorCV(family="binomial", alphas, l1_ratio=[l1_ratio])``. The
  C mapping is checked on every case: one ``LogisticRegression(C)`` fit (tol 1e-8; lbfgs
  1e-10) against ``L1Classifier`` / ``L2Classifier(alpha)`` (tol 1e-10) on the first
  training fold: their coefficients, and their objectives P (``logistic_objective``);
- criterion: sparsereg's default ``scoring="deviance"`` is twice the held-out mean log-loss
  (same argmin; its curve is halved here), LogisticRegressionCV's ``-scores_``, LogitNet's
  ``-cv_mean_score_`` and glum's ``deviance_path_ / 2`` are the same per-fold mean log-loss.

Matched accuracy: the reference curve (mean over folds of the held-out log-loss, per alpha)
is L*ClassifierCV at tol 1e-8 (max_iter 1000). Each way climbs its ladder ``LADDERS`` (its
default tol first) until its curve is within ``RTOL`` (relative) of the reference at every
alpha and it selects the reference's alpha (its own ``alpha_`` / ``C_`` /
``lambda_max_inx_``); the table shows its first matching rung, else its closest (not
matched). Each rung runs in a forked child killed after ``--cap`` seconds (which ends the
ladder): one untimed check fit, then, if it matched or is the last rung, ``--repeats`` timed
fits (best kept; a check fit longer than ``LONG`` s is itself the timing). sparsereg is
fitted once in the parent first, so that the children inherit its compiled Numba kernels.
Other parameters are defaults except ``max_iter`` (``MAX_ITER``: the tolerance decides).

Cases (``CASES``; ``--quick``: smaller data): ``l1-wide`` dense 500 x 5000 (the logistic
problems L1a/L1b/L6's data); ``l1-sparse`` rcv1-like CSC 5000 x 10000, density 1e-3 (the
L2 problems' maker, subsampled: saga needs minutes there already); ``l2-tall`` dense
20000 x 100; ``l1-multinomial`` dense 1000 x 200, K=3 (odd K: a unique L1 solution).

Run: ``python -m benchmarks.bench_class_cv [--quick] [--cases l1-wide l2-tall]`` from the
repository root; writes ``benchmarks/results/class_cv.json`` and
``docs/benchmarks_class_cv.md`` (``--quick``: ``class_cv_quick.*`` under results/).
"""

import argparse
import json
import os
import platform
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.special import log_softmax
from sklearn.model_selection import KFold
from threadpoolctl import threadpool_limits

from benchmarks.adapters_logistic import LIBLINEAR_SCALING
from benchmarks.bench_logistic import forked
from benchmarks.problems import ar1_gaussian, rcv1_like
from benchmarks.problems_logistic import binary_labels, dense_wide, multinomial_labels

ROOT = Path(__file__).resolve().parents[1]
N_ALPHAS, EPS_L2, RTOL, REFERENCE_TOL = 20, 1e-6, 1e-3, 1e-8
MAX_ITER, LONG = 100_000, 20.0
FOLDS = KFold(5, shuffle=True, random_state=0)
LADDERS = {"sparsereg": [1e-4, 1e-5, 1e-6, 1e-7], "liblinear": [1e-4, 1e-5, 1e-6, 1e-7],
           "saga": [1e-4, 1e-5, 1e-6], "lbfgs": [1e-4, 1e-6, 1e-8],
           "newton-cholesky": [1e-4, 1e-6, 1e-8], "glmnet": [1e-7, 1e-9, 1e-11],
           "glum": [1e-4, 1e-6, 1e-8]}
CASES = {  # name: (penalty, eps of the grid, ways, description)
    "l1-wide": ("l1", 1e-2, ["sparsereg", "liblinear", "saga", "glmnet", "glum"],
                "binary L1, dense p>>n (problems_logistic.dense_wide, Toeplitz 0.6)"),
    "l1-sparse": ("l1", 1e-3, ["sparsereg", "liblinear", "saga", "glmnet"],
                  "binary L1, sparse CSC rcv1-like (problems.rcv1_like, density 1e-3)"),
    "l2-tall": ("l2", EPS_L2, ["sparsereg", "lbfgs", "newton-cholesky", "glmnet", "glum"],
                "binary L2, dense n>>p (Toeplitz 0.6, 50 true nonzeros)"),
    "l1-multinomial": ("l1", 1e-2, ["sparsereg", "saga", "glmnet"],
                       "multinomial L1, K=3, dense (Toeplitz 0.6, 50 true nonzero features)"),
}


def make_data(case, quick):
    """The design and labels of ``case`` (``quick``: a small version), fixed seeds."""
    if case == "l1-wide":
        if not quick:
            return dense_wide()
        X = ar1_gaussian(200, 1000, np.random.default_rng(100))
        return X, binary_labels(X, np.random.default_rng(100))[0]
    if case == "l1-sparse":
        n, p, nnz = (2000, 5000, 10_000) if quick else (5000, 10_000, 50_000)
        X = rcv1_like(n, p, np.random.default_rng(102), nnz=nnz)
        return X, binary_labels(X, np.random.default_rng(5))[0]
    rng = np.random.default_rng(104 if case == "l2-tall" else 105)
    if case == "l2-tall":
        X = ar1_gaussian(2000 if quick else 20_000, 100, rng)
        return X, binary_labels(X, rng)[0]
    X = ar1_gaussian(500 if quick else 1000, 100 if quick else 200, rng)
    return X, multinomial_labels(X, rng, n_classes=3)[0]


def softmax_log_loss(est, X, y, lamb):
    """Negative held-out mean log-loss of a multinomial LogitNet at each of ``lamb``: its own
    "log_loss" scorer uses ``predict_proba``, which normalizes ``expit(z)`` over the classes
    instead of taking ``softmax(z)`` (python-glmnet 2.2.1), a different criterion."""
    z = est.decision_function(X, lamb=lamb).reshape(X.shape[0], -1, len(lamb))
    return np.take_along_axis(log_softmax(z, axis=1), y[:, None, None], axis=1)[:, 0].mean(0)


def fit_way(way, penalty, X, y, grid, tol, fold_id, n_train):
    """Fit one CV way at ``tol``; returns ``(curve, selected)``: the mean held-out log-loss per
    alpha of ``grid`` and the index of the alpha the library selects."""
    l1 = 1.0 if penalty == "l1" else 0.0
    if way == "sparsereg":
        import sparsereg
        cls = sparsereg.L1ClassifierCV if penalty == "l1" else sparsereg.L2ClassifierCV
        m = cls(alphas=grid, cv=FOLDS, tol=tol, max_iter=1000 if tol < 1e-7 else 100).fit(X, y)
        return m.score_path_.mean(axis=1) / 2.0, int(np.argmin(np.abs(grid - m.alpha_)))
    if way == "glmnet":
        from glmnet import LogitNet
        scoring = "log_loss" if y.max() == 1 else softmax_log_loss
        m = LogitNet(alpha=l1, lambda_path=grid, standardize=False, n_splits=5, tol=tol,
                     scoring=scoring, max_iter=MAX_ITER).fit(X, y, groups=fold_id)
        curve = np.full(len(grid), np.nan)  # glmnet may stop its path early (dev. ratio)
        curve[:len(m.cv_mean_score_)] = -np.asarray(m.cv_mean_score_)
        return curve, int(m.lambda_max_inx_)
    if way == "glum":
        from glum import GeneralizedLinearRegressorCV
        m = GeneralizedLinearRegressorCV(family="binomial", alphas=grid, l1_ratio=[l1],
                                         cv=FOLDS, gradient_tol=tol, max_iter=1000).fit(
            X, y.astype(np.float64))
        return m.deviance_path_[:, 0, :].mean(axis=0) / 2.0, \
            int(np.argmin(np.abs(grid - m.alpha_)))
    from sklearn.linear_model import LogisticRegressionCV
    Cs = 1.0 / (n_train * grid)
    kw = dict(intercept_scaling=LIBLINEAR_SCALING) if way == "liblinear" else {}
    m = LogisticRegressionCV(Cs=Cs, l1_ratios=[l1], cv=FOLDS, scoring="neg_log_loss",
                             solver=way, tol=tol, max_iter=MAX_ITER, random_state=0,
                             use_legacy_attributes=False, **kw).fit(X, y)
    return -m.scores_.mean(axis=0)[0], int(np.argmin(np.abs(Cs - float(np.ravel(m.C_)[0]))))


def attempt(way, args, ref, ref_sel, last, repeats):
    """One rung: a check fit, then (matched or ``last``) the timed fits. Returns a dict."""
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        curve, sel = fit_way(way, *args)
    check = time.perf_counter() - t
    fitted = int(np.sum(~np.isnan(curve)))  # alphas with a score (glmnet may stop early)
    gaps = np.abs(curve - ref)[:fitted] / np.abs(ref[:fitted])
    distance, worst = float(np.max(gaps)), int(np.argmax(gaps))
    row = dict(distance=distance, worst_index=worst, n_scored=fitted, selected=sel,
               curve=curve.tolist(), curve_argmin=int(np.nanargmin(curve)),
               matched=bool(distance <= RTOL and sel == ref_sel), seconds=check, runs=1,
               timed=False, warnings=sorted({w.category.__name__ for w in caught}))
    if (row["matched"] or last) and check <= LONG:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            times = []
            for _ in range(repeats):
                t = time.perf_counter()
                fit_way(way, *args)
                times.append(time.perf_counter() - t)
        row.update(seconds=min(times), runs=repeats, timed=True)
    elif row["matched"] or last:
        row.update(timed=True)  # the check fit was long: it is the timing (after no warm-up)
    return row


def run_ladder(way, args, ref, ref_sel, cap, repeats):
    """Climb ``LADDERS[way]``; returns ``(shown row, every rung)``."""
    rungs, ladder = [], LADDERS[way]
    for k, tol in enumerate(ladder):
        status, out = forked(lambda: attempt(way, (*args[:4], tol, *args[4:]), ref, ref_sel,
                                             k == len(ladder) - 1, repeats), cap)
        rung = dict(tol=tol, status=status)
        rung.update(out if status == "ok" else {"error": out, "seconds": cap})
        if status == "error":
            print(out, flush=True)
        rungs.append(rung)
        print(json.dumps(dict(way=way, **{key: v for key, v in rung.items()
                                          if key not in ("error", "curve")})), flush=True)
        if status != "ok" or rung["matched"]:
            break
    done = [r for r in rungs if r["status"] == "ok"]
    shown = next((r for r in done if r["matched"]), None) or \
        (min(done, key=lambda r: r["distance"]) if done else rungs[-1])
    return dict(shown, way=way), rungs


def mapping_check(penalty, X, y, alpha, multinomial):
    """``LogisticRegression(C=1/(n_train alpha))`` against sparsereg's classifier on the first
    training fold (sklearn at tol 1e-8, lbfgs 1e-10; sparsereg 1e-10): max |coef difference|
    / max |coef|, and the relative difference of their objectives P (library-free)."""
    from benchmarks.adapters_logistic import logistic_objective
    import sparsereg
    from sklearn.linear_model import LogisticRegression
    train = next(FOLDS.split(X))[0]
    Xt, yt = X[train], y[train]
    solver = "lbfgs" if penalty == "l2" else "saga" if multinomial else "liblinear"
    kw = dict(intercept_scaling=LIBLINEAR_SCALING) if solver == "liblinear" else {}
    sk = LogisticRegression(C=1.0 / (len(train) * alpha), l1_ratio=1.0 if penalty == "l1"
                            else 0.0, solver=solver, tol=1e-10 if solver == "lbfgs" else 1e-8,
                            max_iter=MAX_ITER, random_state=0, **kw).fit(Xt, yt)
    cls = sparsereg.L1Classifier if penalty == "l1" else sparsereg.L2Classifier
    sr = cls(alpha=alpha, tol=1e-10, max_iter=1000).fit(Xt, yt)
    diff = float(np.max(np.abs(sk.coef_ - sr.coef_)) / np.max(np.abs(sr.coef_)))
    l1 = 1.0 if penalty == "l1" else 0.0
    p_sk, p_sr = (logistic_objective(Xt, yt, alpha, np.squeeze(m.coef_), np.squeeze(
        m.intercept_), l1) for m in (sk, sr))
    return dict(solver=solver, alpha=alpha, relative_coef_difference=diff,
                relative_objective_difference=(p_sk - p_sr) / p_sr)


def run_case(case, quick, cap, repeats):
    """Data, grid, folds, mapping check, reference curve, then every way's ladder."""
    import sparsereg
    penalty, eps, ways, description = CASES[case]
    X, y = make_data(case, quick)
    top = sparsereg.alpha_max(X, y, loss="logistic", l1_ratio=1.0 if penalty == "l1" else 1e-3)
    grid = np.geomspace(top, top * eps, N_ALPHAS)
    fold_id, sizes = np.empty(len(y), dtype=np.int64), set()
    for k, (train, test) in enumerate(FOLDS.split(X)):
        fold_id[test] = k
        sizes.add(len(train))
    assert len(sizes) == 1, "n must be a multiple of 5 (one n_train for the C mapping)"
    n_train = sizes.pop()
    args = (penalty, X, y, grid, fold_id, n_train)
    multinomial = int(y.max()) > 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_way("sparsereg", penalty, X, y, grid, LADDERS["sparsereg"][0], fold_id, n_train)
        t = time.perf_counter()  # after the warm-up (compilation)
        ref, ref_sel = fit_way("sparsereg", penalty, X, y, grid, REFERENCE_TOL, fold_id, n_train)
        ref_seconds = time.perf_counter() - t
    at = ref_sel if ref_sel > 0 else N_ALPHAS // 2  # alpha_max: every coef is 0
    status, mapping = forked(lambda: mapping_check(penalty, X, y, float(grid[at]),
                                                   multinomial), cap)
    mapping = mapping if status == "ok" else {"status": status, "error": mapping}
    out = dict(case=case, description=description, penalty=penalty, shape=list(X.shape),
               sparse=hasattr(X, "tocsc"), n_classes=int(y.max()) + 1, n_train=n_train,
               grid=grid.tolist(), reference_tol=REFERENCE_TOL, reference_seconds=ref_seconds,
               reference_selected=ref_sel, reference_curve=ref.tolist(), mapping=mapping,
               rows=[], rungs={})
    print(json.dumps({k: out[k] for k in ("case", "shape", "reference_selected", "mapping")}),
          flush=True)
    for way in ways:
        shown, rungs = run_ladder(way, args, ref, ref_sel, cap, repeats)
        out["rows"].append(shown)
        out["rungs"][way] = rungs
    mine = out["rows"][0]["seconds"]
    for row in out["rows"]:
        row["speedup"] = row["seconds"] / mine if row["way"] != "sparsereg" else None
    return out


def versions():
    """Versions of the libraries and sparsereg's git revision."""
    import glmnet
    import glum
    import scipy
    import sklearn
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    return dict(python=platform.python_version(), numpy=np.__version__,
                scipy=scipy.__version__, sklearn=sklearn.__version__,
                glmnet=glmnet.__version__, glum=glum.__version__, sparsereg=f"git {rev}")


def main(argv=None):
    """Parse the options, run the cases, write the JSON and the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--quick", action="store_true", help="small data, for a smoke run")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--cap", type=float, default=None,
                        help="seconds per ladder rung (default 120; --quick 20)")
    args = parser.parse_args(argv)
    cap = args.cap or (20.0 if args.quick else 120.0)
    start, t0 = os.getloadavg(), time.perf_counter()
    with threadpool_limits(1):
        cases = [run_case(c, args.quick, cap, args.repeats) for c in args.cases]
    out = dict(date=time.strftime("%Y-%m-%dT%H:%M:%S%z"), machine=platform.machine(),
               cpus=os.cpu_count(), quick=args.quick, load_start=start, load_end=os.getloadavg(),
               wall_seconds=time.perf_counter() - t0, versions=versions(), rtol=RTOL,
               n_alphas=N_ALPHAS, cap=cap, repeats=args.repeats, cases=cases)
    suffix = "_quick" if args.quick else ""
    results = ROOT / "benchmarks" / "results"
    (results / f"class_cv{suffix}.json").write_text(json.dumps(out, indent=1))
    md = results / "benchmarks_class_cv_quick.md" if args.quick else \
        ROOT / "docs" / "benchmarks_class_cv.md"
    write_markdown(out, md)


LABELS = {"sparsereg": "sparsereg L{p}ClassifierCV", "glmnet": "glmnet LogitNet (groups=folds)",
          "glum": "glum GeneralizedLinearRegressorCV(binomial)"}


def write_markdown(out, path):
    """Render ``out`` (the JSON) as the markdown table at ``path``."""
    v = out["versions"]
    lines = ["# Cross-validated classifiers against scikit-learn, glmnet and glum", "",
             "Generated by `python -m benchmarks.bench_class_cv` (full protocol in its "
             "docstring). Same 5 folds (`KFold(5, shuffle=True, random_state=0)`; glmnet gets "
             "them as `groups`), same 20-alpha grid, held-out mean log-loss as the criterion "
             "(sparsereg's default `scoring=\"deviance\"` is twice it: same choice). The "
             "reference curve is sparsereg's at tol 1e-8; each way climbs a tolerance ladder "
             f"from its default until its curve is within {out['rtol']:g} (relative) of the "
             "reference at every alpha **and** it selects the same alpha. Time: best of "
             f"{out['repeats']} fits after an untimed one, one BLAS thread, n_jobs=None. "
             "\"speedup\" = the way's time / sparsereg's.", "",
             f"Date {out['date']}, {out['cpus']} CPUs, load average {out['load_start'][0]:.2f} "
             f"at the start, {out['load_end'][0]:.2f} at the end; full run "
             f"{out['wall_seconds'] / 60:.1f} min. " + ", ".join(f"{k} {x}" for k, x in
                                                               v.items()) + ".", ""]
    for c in out["cases"]:
        m = c["mapping"]
        check = (f"{m['solver']} vs sparsereg at alpha={m['alpha']:.3g}: max coef difference "
                 f"{m['relative_coef_difference']:.1e} of max |coef|, objectives differ by "
                 f"{m['relative_objective_difference']:.1e} relative") if "solver" in m \
            else f"{m['status']}"
        lines += [f"## {c['case']}: {c['description']}", "",
                  f"X {c['shape'][0]} x {c['shape'][1]} ({'CSC' if c['sparse'] else 'dense'}), "
                  f"{c['n_classes']} classes, n_train {c['n_train']}; grid {c['grid'][0]:.4g} "
                  f"-> {c['grid'][-1]:.4g}; reference (tol 1e-8, "
                  f"{c['reference_seconds']:.1f} s) selects index {c['reference_selected']} "
                  f"(alpha {c['grid'][c['reference_selected']]:.4g}). C mapping check ({check}).",
                  "", "| way | tol | time | curve distance (worst alpha) | selected index | "
                  "matched | speedup |", "|---|---|---|---|---|---|---|"]
        for r in c["rows"]:
            label = LABELS.get(r["way"], "sklearn LogisticRegressionCV({})").format(
                r["way"], p=c["penalty"][1])
            if r["status"] != "ok":
                what = f"> {r['seconds']:.0f} s (killed)" if r["status"] == "timeout" else \
                    "error: " + (r["error"] or "").strip().splitlines()[-1].replace("|", "/")
                bound = f"> {r['speedup']:.0f}x" if r["status"] == "timeout" else "–"
                lines.append(f"| {label} | {r['tol']:g} | {what} | – | – | no | {bound} |")
                continue
            runs = "" if r["timed"] and r["runs"] > 1 else " (1 run)"
            speed = f"**{r['speedup']:.2f}x**" if r["speedup"] is not None else "–"
            part = "" if r["n_scored"] == len(c["grid"]) else f" ({r['n_scored']} alphas)"
            lines.append(f"| {label} | {r['tol']:g} | {r['seconds']:.2f} s{runs} | "
                         f"{r['distance']:.1e} (index {r['worst_index']}){part} | "
                         f"{r['selected']} | "
                         f"{'yes' if r['matched'] else '**no**'} | {speed} |")
        lines.append("")
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
