"""Whether two checkouts' sparsereg give the same results, bit for bit.

For a change that must leave the arithmetic alone (one meant to cut compile time, say): a fixed
set of fits (least squares on the Gram matrix and on the rows, dense, CSC and float32 X,
unpenalized features, ``positive``, a path, CV, binary, multinomial and grouped classifiers)
runs with each checkout's sparsereg, each in its own process and Numba cache, and every
coefficient, intercept and duality gap is compared with ``np.array_equal``.

    python -m benchmarks.same_results before=/path/to/checkout after=.

Exit status 1 if any result differs.
"""

import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np


def _fits():
    """``{name: array}``: every fit's coefficients, intercepts and gap, flattened."""
    import scipy.sparse as sp
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

    import sparsereg as sr

    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(0)
    Xw = rng.standard_normal((80, 300))
    yw = Xw[:, :5] @ np.arange(1, 6.0) + rng.standard_normal(80)
    Xs = sp.random(100, 400, density=0.05, format="csc", random_state=1)
    ys = Xs @ rng.standard_normal(400) + rng.standard_normal(100)
    free = np.ones(10)
    free[:2] = 0.0
    Xc, yc = load_breast_cancer(return_X_y=True)
    Xi, yi = load_iris(return_X_y=True)
    models = {
        "l1_gram": lambda: sr.L1Regressor(alpha=0.5).fit(X, y),
        "enet_gram": lambda: sr.ElasticNetRegressor(alpha=0.01, l1_ratio=0.5).fit(X, y),
        "l1_unpenalized": lambda: sr.L1Regressor(alpha=0.5, penalty_factor=free).fit(X, y),
        "l1_positive_unpenalized": lambda: sr.L1Regressor(
            alpha=0.5, penalty_factor=free, positive=True).fit(X, y),
        "l2": lambda: sr.L2Regressor(alpha=0.01).fit(X, y),
        "l1_rows": lambda: sr.L1Regressor(alpha=0.05).fit(Xw, yw),
        "l1_rows_positive": lambda: sr.L1Regressor(alpha=0.05, positive=True).fit(Xw, yw),
        "enet_rows_unpenalized": lambda: sr.ElasticNetRegressor(
            alpha=0.05, penalty_factor=np.r_[0.0, 0.0, np.ones(298)]).fit(Xw, yw),
        "l1_float32": lambda: sr.L1Regressor(alpha=0.05).fit(Xw.astype(np.float32),
                                                            yw.astype(np.float32)),
        "l1_csc": lambda: sr.L1Regressor(alpha=0.005).fit(Xs, ys),
        "l1_cv": lambda: sr.L1RegressorCV(alphas=20).fit(Xw, yw),
        "l2_cv": lambda: sr.L2RegressorCV().fit(X, y),
        "l1_classifier": lambda: sr.L1Classifier(alpha=0.01).fit(Xc, yc),
        "l1_multinomial": lambda: sr.L1Classifier(alpha=0.01).fit(Xi, yi),
        "enet_multinomial": lambda: sr.ElasticNetClassifier(alpha=0.01, l1_ratio=0.5).fit(Xi, yi),
        "l1_grouped": lambda: sr.L1Classifier(alpha=0.01, grouped=True).fit(Xi, yi),
    }
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fit in models.items():
            m = fit()
            out[name] = np.r_[np.ravel(m.coef_), np.ravel(m.intercept_),
                              getattr(m, "dual_gap_", np.nan)]
        out["l1_path"] = np.asarray(sr.regularization_path(Xw, yw, penalty="l1",
                                                           n_alphas=20).coefs)
    return out


def _run(checkout, out_file):
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "SPARSEREG_NO_COMPILE_NOTICE": "1",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(checkout),
                                                           os.environ.get("PYTHONPATH")]))}
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", out_file],
                       cwd=checkout, env=env, check=True)
    return np.load(out_file)


def main(argv=None):
    """Compare the fits of two checkouts; print one line per fit."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        np.savez(argv[1], **_fits())
        return 0
    (label_a, dir_a), (label_b, dir_b) = (a.split("=", 1) for a in argv)
    with tempfile.TemporaryDirectory() as tmp:
        a = _run(dir_a, str(Path(tmp) / "a.npz"))
        b = _run(dir_b, str(Path(tmp) / "b.npz"))
        differ = 0
        for name in a.files:
            same = a[name].shape == b[name].shape and np.array_equal(a[name], b[name],
                                                                     equal_nan=True)
            differ += not same
            verdict = "identical" if same else f"DIFFERS between {label_a} and {label_b}"
            print(f"{name:26s} {verdict}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
