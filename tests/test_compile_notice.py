"""The one line on stderr while kernels compile (sparsereg/_kernels/_jit.py: CompileNotice):
printed once by a process that compiles, never by one that loads its kernels from the cache,
and harmless without a usable stderr."""

import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from sparsereg._kernels import _jit

REPO = Path(__file__).resolve().parents[1]

# L2 on a small problem compiles the fewest kernels (the duality gap), about 2 s.
CHILD = """
import numpy as np
import sparsereg
rng = np.random.default_rng(0)
X = rng.standard_normal((30, 4))
sparsereg.L2Regressor(alpha=0.1).fit(X, X @ np.arange(4.0))
print("fitted")
"""


def _fit_in_child(cache_dir):
    env = {k: v for k, v in os.environ.items() if k != _jit.QUIET_VARIABLE}
    env.update(NUMBA_CACHE_DIR=str(cache_dir), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", CHILD], cwd=cache_dir, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0 and proc.stdout == "fitted\n", proc.stderr
    return [line for line in proc.stderr.splitlines() if line.startswith("sparsereg:")]


def test_notice_once_when_compiling_and_never_from_the_cache(tmp_path):
    """An empty cache directory: the process compiles several kernels and says so once;
    the next process loads them all and says nothing."""
    assert _fit_in_child(tmp_path) == [_jit.NOTICE.format(_jit.NOTICE_SECONDS)]
    assert any(tmp_path.rglob("*.nbi")), "the first process cached nothing"
    assert _fit_in_child(tmp_path) == []


def _compile_event(module):
    func = SimpleNamespace(__module__=module)
    return SimpleNamespace(data={"dispatcher": SimpleNamespace(py_func=func)})


def test_notice_without_a_usable_stderr(monkeypatch):
    """A closed (or absent) stderr swallows the line: the fit must not fail because of it.
    Other packages' compilations print nothing."""
    monkeypatch.delenv(_jit.QUIET_VARIABLE, raising=False)
    notice = _jit.CompileNotice()
    shown = io.StringIO()
    monkeypatch.setattr(sys, "stderr", shown)
    notice.on_start(_compile_event("somebody_else"))
    notice.on_start(_compile_event(None))  # a function made by exec has no module
    assert shown.getvalue() == "" and not notice.said
    notice.on_start(_compile_event("sparsereg._kernels._cd"))
    notice.on_start(_compile_event("sparsereg._kernels._cd"))
    assert shown.getvalue().count("sparsereg: compiling") == 1

    for stderr in (io.StringIO(), None):
        if stderr is not None:
            stderr.close()
        monkeypatch.setattr(sys, "stderr", stderr)
        notice = _jit.CompileNotice()
        notice.on_start(_compile_event("sparsereg._kernels._cd"))  # raises nothing
        assert notice.said
