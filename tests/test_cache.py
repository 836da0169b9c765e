"""Import and fit where no Numba cache can be written (docs/getting_started.rst: one
RuntimeWarning, then every process compiles its kernels again).

Numba looks for a cache directory in ``NUMBA_CACHE_DIR``, then the package's ``__pycache__``,
then the user cache directory (``$XDG_CACHE_HOME`` or ``~/.cache``). The unwritable setup
makes each of them a path that cannot be a directory: every ``__pycache__`` of a copy of the
package is a regular file and the other two lie below one. ``chmod a-w`` would not do, as it
does not stop root from writing.
"""

import importlib
import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.linear_model import Lasso, Ridge

import sparsereg

PACKAGE = Path(sparsereg.__file__).resolve().parent
CACHE_WARNING = "no writable Numba cache location"

CHILD = """
import json, sys, warnings
import numpy as np
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import sparsereg
    data = np.load(sys.argv[1])
    X, y = data["X"], data["y"]
    l1 = sparsereg.L1Regressor(alpha=0.5, tol=1e-10, max_iter=100_000).fit(X, y)
    l2 = sparsereg.L2Regressor(alpha=0.3, tol=1e-10, max_iter=100_000).fit(X, y)
print(json.dumps({"file": sparsereg.__file__, "warnings": [str(w.message) for w in caught],
                  "l1": [*l1.coef_, l1.intercept_], "l2": [*l2.coef_, l2.intercept_]}))
"""


def unwritable_copy(root):
    """A copy of the package below ``root`` and an environment in which Numba cannot cache."""
    copy = root / "site" / "sparsereg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in [copy, *(p for p in copy.rglob("*") if p.is_dir())]:
        (folder / "__pycache__").touch()
    blocker = root / "blocker"
    blocker.touch()
    env = dict(os.environ, PYTHONPATH=str(copy.parent), HOME=str(blocker / "home"),
               XDG_CACHE_HOME=str(blocker / "cache"), NUMBA_CACHE_DIR=str(blocker / "numba"))
    return copy, env


def test_import_and_fit_without_a_writable_cache(tmp_path):
    """Kernels compile uncached, with one warning, and fit the same models as scikit-learn."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 6))
    y = X @ np.array([3.0, -2.0, 0.0, 0.0, 1.0, 0.5]) + 0.5 * rng.standard_normal(50) + 4.0
    np.savez(tmp_path / "data.npz", X=X, y=y)
    copy, env = unwritable_copy(tmp_path)

    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "data.npz")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert Path(out["file"]).resolve().parent == copy.resolve()
    assert [CACHE_WARNING in m for m in out["warnings"]] == [True], out["warnings"]

    lasso = Lasso(alpha=0.5, tol=1e-12, max_iter=1_000_000).fit(X, y)
    ridge = Ridge(alpha=0.3 * len(y), solver="cholesky").fit(X, y)
    np.testing.assert_allclose(out["l1"], [*lasso.coef_, lasso.intercept_], atol=1e-6)
    np.testing.assert_allclose(out["l2"], [*ridge.coef_, ridge.intercept_], atol=1e-6)


def test_kernels_are_cached_when_possible():
    """The normal case: every kernel has a disk cache and nothing warns."""
    from numba.core.caching import NullCache
    from numba.core.dispatcher import Dispatcher

    from sparsereg._kernels import _jit

    modules = ["_anderson", "_cd", "_gram", "_linalg", "_prox", "_stats"]
    dispatchers = [obj for name in modules
                   for obj in vars(importlib.import_module(f"sparsereg._kernels.{name}")).values()
                   if isinstance(obj, Dispatcher)]
    assert len(dispatchers) >= 20
    assert not any(isinstance(d._cache, NullCache) for d in dispatchers)
    assert not _jit._warned

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cached = _jit.kernel(lambda x: x + 1)
    assert not isinstance(cached._cache, NullCache)


STALE_CHILD = """
import json
import numpy as np
from numba.core import event
from sparsereg._kernels._stats import centered_sqnorms
compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        compiled.append(ev.data["dispatcher"].py_func.__name__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Listener())
X = np.asfortranarray(np.arange(12.0).reshape(4, 3))
centered_sqnorms(X, np.full(4, 0.25), X.mean(axis=0), 1.0)
print(json.dumps(compiled))
"""


def test_a_callee_file_changed_recompiles_its_callers(tmp_path):
    """A kernel's cached code includes its callees' (Numba links them in), but Numba stamps
    the cache with the kernel's own file: after an update of a callee's file only (here
    ``_columns.py``, whose overloads ``centered_sqnorms`` in ``_stats.py`` calls), the
    caller must be compiled again, not loaded with the old callee inside."""
    copy = tmp_path / "site" / "sparsereg"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, PYTHONPATH=str(copy.parent), NUMBA_CACHE_DIR=str(tmp_path / "nb"),
               SPARSEREG_NO_COMPILE_NOTICE="1")

    def compiled():
        proc = subprocess.run([sys.executable, "-c", STALE_CHILD], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    assert "centered_sqnorms" in compiled()  # an empty cache
    assert compiled() == []  # loaded from the cache
    with open(copy / "_kernels" / "_columns.py", "a") as source:
        source.write("\n# an update of the callee's file\n")
    assert "centered_sqnorms" in compiled()
