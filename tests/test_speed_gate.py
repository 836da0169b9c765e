"""The CI speed gate (benchmarks/README.md): sparsereg must not be slower than scikit-learn.

Runs ``python -m benchmarks.gate`` from the repository root in a fresh interpreter (one BLAS
thread, min of 5 alternating runs per library, fixed tolerances matched to a relative
suboptimality <= 1e-6) on problem (a) at alpha_max/20 and problem (c), and checks the ratios
sklearn time / sparsereg time.
About 10-30 s, plus ~20 s of Numba compilation on a clean checkout.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_sparsereg_not_slower_than_sklearn():
    proc = subprocess.run([sys.executable, "-m", "benchmarks.gate", "--json"], check=False,
                          text=True, capture_output=True, timeout=600, cwd=REPO)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    ratios = {label: r["ratio"] for label, r in report["results"].items()}
    print(proc.stdout)
    assert set(ratios) == {"a/20", "c"}
    for label, ratio in ratios.items():
        assert ratio > 1.0, f"sparsereg slower than scikit-learn on {label}:\n{proc.stdout}"
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
