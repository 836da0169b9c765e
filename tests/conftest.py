"""Fixtures shared by test modules: the documentation built once (tests/test_docs*.py)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The suite compares what commands print on stderr; whether a kernel still has to be compiled
# there depends on the cache (and on the order the tests run in), so the one-line compile
# notice is off here and in every subprocess, except in tests/test_compile_notice.py.
os.environ["SPARSEREG_NO_COMPILE_NOTICE"] = "1"
DOCS = ROOT / "docs"


@pytest.fixture(scope="session")
def html(tmp_path_factory):
    """Build the site once per test run, warnings as errors, from a copy of docs/ in a
    temporary directory (sphinx-gallery writes its pages next to the sources: the checkout
    stays clean and concurrent builds do not collide); tests/test_docs*.py share it."""
    out = tmp_path_factory.mktemp("docs")
    source = out / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns(
        "_build", "auto_examples", "auto_theory", "generated", "gen_modules",
        "sg_execution_times.rst"))
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
           "-d", str(out / "doctrees"), str(source), str(out / "html")]
    proc = subprocess.run(cmd, cwd=out, env=env, capture_output=True, text=True, timeout=900,
                          check=False)
    assert proc.returncode == 0, (f"sphinx-build failed ({proc.returncode}):\n"
                                  f"{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}")
    return out / "html"
