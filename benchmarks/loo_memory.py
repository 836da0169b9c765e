"""Memory and pickle size of ``L2RegressorCV().fit(X, y)`` (exact leave-one-out, cv=None).

    python -m benchmarks.loo_memory [--rows 1600000] [--features 10] [--sparsereg PATH]
                                     [--store-cv-results]        (from the repository root)

X is dense standard normal float64, y = X w + noise. The fit runs in a fresh subprocess so
that its peak resident memory (``ru_maxrss``, the VmHWM) belongs to that fit alone; the
subprocess imports sparsereg from ``--sparsereg`` (default: this checkout), so the same
script measures another checkout, e.g. ``--sparsereg /path/to/older/checkout``. Printed: the
data's size, the resident memory after making the data, the peak during the fit, the fit's
extra peak (their difference) and the size of ``pickle.dumps(model)``, measured after the
peak so that the pickle's own bytes do not count in it.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

if not __package__:
    sys.exit("run it from the repository root as: python -m benchmarks.loo_memory")

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, pickle, resource, sys, time
import numpy as np
import sparsereg
from sparsereg import L2RegressorCV

n, p, store = {n}, {p}, {store}
rng = np.random.default_rng(0)
X = rng.standard_normal((n, p))
y = X @ np.linspace(1.0, 0.1, p) + rng.standard_normal(n)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
params = dict(store_cv_results=True) if store else {{}}
start = time.perf_counter()
model = L2RegressorCV(**params).fit(X, y)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
mse = getattr(model, "mse_path_", None)
print(json.dumps(dict(sparsereg=sparsereg.__file__, data_mib=(X.nbytes + y.nbytes) / 2**20,
                      before_mib=before / 1024, peak_mib=peak / 1024, seconds=seconds,
                      pickle_bytes=len(pickle.dumps(model)),
                      mse_path_shape=None if mse is None else list(mse.shape),
                      alpha=model.alpha_)))
"""


def measure(rows, features, source, store=False):
    """The figures of one fit, from a fresh interpreter importing sparsereg from ``source``.

    Parameters
    ----------
    rows, features : int
        Shape of X.
    source : str or Path
        Directory holding the ``sparsereg`` package to measure.
    store : bool, default=False
        Pass ``store_cv_results=True`` (only checkouts that have the parameter accept it).

    Returns
    -------
    dict
        ``sparsereg`` (the file imported), ``data_mib``, ``before_mib``, ``peak_mib``,
        ``seconds``, ``pickle_bytes``, ``mse_path_shape`` and ``alpha``.
    """
    code = CHILD.format(n=int(rows), p=int(features), store=bool(store))
    with tempfile.TemporaryDirectory() as cwd:  # no stray package shadows ``source``
        proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                              text=True, env={"PYTHONPATH": str(source), "OMP_NUM_THREADS": "1",
                                              "PATH": "/usr/bin:/bin"}, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the fit failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_600_000)
    parser.add_argument("--features", type=int, default=10)
    parser.add_argument("--sparsereg", default=str(ROOT),
                        help="directory holding the sparsereg package to measure")
    parser.add_argument("--store-cv-results", action="store_true",
                        help="fit L2RegressorCV(store_cv_results=True)")
    args = parser.parse_args(argv)
    r = measure(args.rows, args.features, args.sparsereg, args.store_cv_results)
    print(f"L2RegressorCV().fit on {args.rows} x {args.features} float64 "
          f"({r['data_mib']:.0f} MiB of X and y), sparsereg from {r['sparsereg']}")
    print(f"  resident after making the data {r['before_mib']:8.0f} MiB")
    print(f"  peak resident during the fit   {r['peak_mib']:8.0f} MiB "
          f"(extra {r['peak_mib'] - r['before_mib']:.0f} MiB)")
    print(f"  pickle of the fitted model     {r['pickle_bytes'] / 2**20:8.3f} MiB "
          f"({r['pickle_bytes']} bytes; mse_path_ shape {r['mse_path_shape']})")
    print(f"  fit time {r['seconds']:.2f} s, alpha_ = {r['alpha']:.6g}")


if __name__ == "__main__":
    main()
