"""The compile helper (sparsereg/_kernels/_parallel.py): its recorded plans, its process,
and the lock that keeps two processes' cache saves apart."""

import fcntl
import io
import json
import os
import pickle
import subprocess
import sys
import threading
import time
import types

import numba
import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import sparsereg
from sparsereg._kernels import _jit, _parallel

CHILD = """
import json, os, sys, time
from numba.core import event
compiled = []
class Count(event.Listener):
    def on_start(self, ev):
        compiled.append(getattr(ev.data["dispatcher"].py_func, "__module__", ""))
    def on_end(self, ev):
        pass
event.register("numba:compile", Count())
from sklearn.datasets import load_diabetes
import sparsereg
from sparsereg._kernels import _parallel
X, y = load_diabetes(return_X_y=True)
model = sparsereg.L1Regressor(alpha=0.05).fit(X, y)
helper = _parallel.LISTENER.helper
print(json.dumps({"coef": list(model.coef_), "sent": _parallel.LISTENER.sent,
                  "helper_pid": helper.process.pid if helper else None,
                  "compiled": sum(m.startswith("sparsereg.") for m in compiled)}))
"""


def _child(cache_dir):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), SPARSEREG_PARALLEL_COMPILE="1",
               SPARSEREG_NO_COMPILE_NOTICE="1", OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def _gone(pid, seconds=30.0):
    """Whether process ``pid`` has ended (exited, or a zombie nobody has reaped: in a
    container, the orphaned helper's new parent may never reap it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        except OSError:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
        time.sleep(0.05)
    return False


def test_plans_were_recorded_from_these_kernels():
    """The shipped plans name this source's kernels: rerun ``python -m
    benchmarks.compile_plans`` after changing a kernel (an outdated plan is harmless but
    leaves part of the speed-up unused)."""
    with open(_parallel.PLANS_FILE, "rb") as file:
        record = pickle.load(file)
    assert record["digest"] == _jit.kernels_digest(), (
        "sparsereg/_kernels changed since compile_plans.pkl was recorded: "
        "run python -m benchmarks.compile_plans")
    if record["numba"] != numba.__version__:
        pytest.skip(f"plans recorded with Numba {record['numba']}, this is "
                    f"{numba.__version__}: no helper starts here")
    solvers = {key[1] for key, _ in record["plans"]}
    assert {"newton_solve", "gram_solve", "cd_solve"} <= solvers
    for (module, qualname, args), callees in record["plans"]:
        solver = _parallel._resolve(module, qualname)  # a kernel, or a one_plan solver
        assert getattr(solver, "py_func", solver).__qualname__ == qualname
        for module, qualname, *_ in callees:
            assert _parallel._resolve(module, qualname).py_func.__qualname__ == qualname
        assert len(callees) >= 4 and all(isinstance(a, numba.types.Type) for a in args)
        assert all(depth >= 1 for *_, depth in callees) and callees[-1][3] == 1


def test_a_first_fit_with_its_helper_fits_the_same_model_and_fills_the_cache(tmp_path):
    """Empty cache, helper forced on: the gram solver's plan is handed over, the model is
    the one this process fits, the helper is gone once the fit's process has exited, and a
    new process on that cache compiles no sparsereg kernel at all (nothing was lost from
    the cache by two processes saving into it)."""
    X, y = load_diabetes(return_X_y=True)
    expected = sparsereg.L1Regressor(alpha=0.05).fit(X, y).coef_
    first = _child(tmp_path)
    assert first["sent"], "no plan was handed to a helper"
    assert first["helper_pid"] is not None and _gone(first["helper_pid"])
    np.testing.assert_array_equal(first["coef"], expected)
    second = _child(tmp_path)
    assert second["compiled"] == 0 and second["sent"] == [] and second["helper_pid"] is None
    np.testing.assert_array_equal(second["coef"], expected)
    assert not any(".tmp." in name for _, _, names in os.walk(tmp_path) for name in names)


def test_the_helper_compiles_a_plan_from_its_end_and_switches_on_a_new_message():
    """serve() compiles the named plan's callees, here all called by the solver, last
    first."""
    compiled, done = [], threading.Event()

    class Fake:
        def __init__(self, name):
            self.name = name

        def compile(self, args):
            compiled.append((self.name, args))
            if len(compiled) == 3:
                done.set()

    module = types.ModuleType("fake_kernels")
    for name in "abc":
        setattr(module, name, Fake(name))
    sys.modules["fake_kernels"] = module
    try:
        callees = [("fake_kernels", name, (i,), 1) for i, name in enumerate("abc")]
        plans = {"plans": [(("fake_kernels", "top", ()), callees)]}

        def messages():
            yield b"0\n"
            done.wait(5)

        out = io.StringIO()
        _parallel.serve(messages(), plans, out)
    finally:
        del sys.modules["fake_kernels"]
    assert compiled == [("c", (2,)), ("b", (1,)), ("a", (0,))]
    reports = [f"{kind} {_parallel.kernel_text('fake_kernels', name, (i,))}"
               for name, i in [("c", 2), ("b", 1), ("a", 0)] for kind in "be"]
    assert out.getvalue().splitlines() == reports  # each kernel announced, then done


def test_the_helper_compiles_in_the_mirror_image_of_the_fits_order():
    """Post-order left to right (the fit: a1 a2 a b c1 c) becomes post-order right to left:
    each kernel still after its own callees."""
    post = [("m", name, (), depth) for name, depth in
            [("a1", 2), ("a2", 2), ("a", 1), ("b", 1), ("c1", 2), ("c", 1)]]
    order = [qualname for _, qualname, _ in _parallel.helper_order(post)]
    assert order == ["c1", "c", "b", "a2", "a1", "a"]


def test_switch_and_helper_variables_turn_the_helper_off(monkeypatch):
    monkeypatch.setenv(_parallel.SWITCH, "0")
    assert not _parallel.helper_wanted()
    monkeypatch.setenv(_parallel.SWITCH, "1")
    assert _parallel.helper_wanted() == (os.name == "posix")
    monkeypatch.setenv(_parallel.HELPER, "1")
    assert not _parallel.helper_wanted()


@pytest.mark.parametrize("files, cpus", [
    ({"cpu.max": "100000 100000\n"}, 1),  # cgroup v2, one CPU
    ({"cpu.max": "250000 100000\n"}, 2),
    ({"cpu.max": "max 100000\n"}, None),  # no quota
    ({"cpu/cpu.cfs_quota_us": "50000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 1),  # v1
    ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({}, None),
])
def test_a_container_cpu_quota_caps_the_usable_cpus(tmp_path, files, cpus):
    """A quota of one CPU means no helper, however many CPUs the container sees."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    unlimited = len(os.sched_getaffinity(0))
    assert _parallel._usable_cpus(str(tmp_path)) == min(unlimited, cpus or unlimited)


def test_saves_wait_for_the_lock(tmp_path):
    """A save waits while another process (here: another open file) holds the lock."""
    saved = []
    save = _jit.locked_saves(lambda key, data: saved.append((key, data)), str(tmp_path))
    with open(tmp_path / _jit.SAVE_LOCK, "a") as lock:  # another process's
        fcntl.flock(lock, fcntl.LOCK_EX)
        worker = threading.Thread(target=save, args=("key", "data"))
        worker.start()
        time.sleep(0.3)
        assert saved == []
        fcntl.flock(lock, fcntl.LOCK_UN)
        worker.join(5)
    assert saved == [("key", "data")]


def test_a_save_goes_on_where_the_lock_file_cannot_be_opened(tmp_path):
    """A lock path that cannot be opened (here a directory): the save is made unlocked,
    as Numba's own, rather than failing the fit."""
    (tmp_path / _jit.SAVE_LOCK).mkdir()
    saved = []
    _jit.locked_saves(lambda key, data: saved.append(key), str(tmp_path))("key", "data")
    assert saved == ["key"]


def test_a_python_solvers_kernels_are_one_plan_handed_over_once(monkeypatch):
    """Within a call of a ``one_plan`` solver (the classifiers' Python Newton loop), the
    first outermost compilation hands the helper the solver's plan, keyed by the solver's
    argument types; later outermost compilations send nothing, not even ``stop``; the
    helper is told to stop when the solver returns."""
    sent = []

    class Helper:
        def alive(self):
            return True

        def send(self, message):
            sent.append(message)
            return True

    listener = _parallel.ParallelCompile()
    listener.helper = Helper()
    keys = []

    class Plans:
        def index(self, key):
            keys.append(key)
            return {"solver": 7, "step": 3}[key[1]]

    listener.plans = Plans()
    monkeypatch.setattr(_parallel, "LISTENER", listener)
    kernel = types.SimpleNamespace(py_func=types.SimpleNamespace(
        __module__="sparsereg._kernels.fake", __qualname__="step"))
    event = types.SimpleNamespace(data={"dispatcher": kernel, "args": ()})

    def solver(x, flag):
        for _ in range(2):  # two outermost compilations, each with a callee
            listener.on_start(event)
            listener.on_start(event)
            listener.on_end(event)
            listener.on_end(event)
        assert sent == [7]
        return x

    solver.__module__, solver.__qualname__ = "sparsereg._kernels.fake", "solver"
    assert _parallel.one_plan(solver)(np.zeros((2, 3)), flag=None) is not None
    assert sent == [7, "stop"] and listener.sent == [7]
    assert keys == [("sparsereg._kernels.fake", "solver",  # keyword arguments in place
                     (numba.typeof(np.zeros((2, 3))), numba.types.none))]
    listener.on_start(event)  # outside a solver: a kernel's own plan, stopped at its end
    listener.on_end(event)
    assert sent == [7, "stop", 3, "stop"] and keys[-1][1] == "step"


def test_a_plan_replaced_by_another_threads_is_neither_stopped_nor_lost(monkeypatch):
    """Two solvers compiling in turn (two threads): the first solver's end does not stop
    the second's plan, and a solver whose plan was replaced hands it over again."""
    sent = []
    helper = types.SimpleNamespace(alive=lambda: True,
                                   send=lambda message: sent.append(message) or True)
    listener = _parallel.ParallelCompile()
    listener.helper = helper
    listener.plans = types.SimpleNamespace(index=lambda key: {"a": 1, "b": 2}[key[1]])
    monkeypatch.setattr(_parallel, "LISTENER", listener)
    kernel = types.SimpleNamespace(py_func=types.SimpleNamespace(
        __module__="sparsereg._kernels.fake", __qualname__="k"))
    event = types.SimpleNamespace(data={"dispatcher": kernel, "args": ()})
    a = _parallel._Scope(types.SimpleNamespace(__module__="m", __qualname__="a"), ())
    b = _parallel._Scope(types.SimpleNamespace(__module__="m", __qualname__="b"), ())
    for scope in (a, b, a):  # each compiles one kernel in its own context
        token = _parallel._SCOPE.set(scope)
        listener.on_start(event)
        listener.on_end(event)
        _parallel._SCOPE.reset(token)
    assert sent == [1, 2, 1]  # a's plan handed over again after b's replaced it
    listener.scope_ended(b)  # b is done, but the helper is on a's plan: no stop
    assert sent == [1, 2, 1]
    listener.scope_ended(a)
    assert sent == [1, 2, 1, "stop"]


@pytest.mark.parametrize("load", ["breast_cancer", "iris"])
def test_a_classifiers_newton_loop_finds_its_plan(monkeypatch, load):
    """The key of a real classifier fit's Newton loop (its arguments' Numba types) is one
    of the recorded plans: else its first fit would lose the helper silently."""
    import sklearn.datasets

    from sparsereg import _newton

    calls = []
    original = _newton.newton_solve

    def recording(*args):
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(_newton, "newton_solve", recording)
    X, y = getattr(sklearn.datasets, f"load_{load}")(return_X_y=True)
    sparsereg.L1Classifier(alpha=0.01).fit(X, y)
    assert calls
    key = _parallel._Scope(original.__wrapped__, calls[0]).plan_key()
    assert _parallel._Plans().index(key) is not None


def test_the_classifiers_plan_holds_the_whole_newton_loop():
    """The Newton loop's kernels (the certificate's and the steps') are one plan, so that
    the helper compiles the steps while the fit compiles the certificate."""
    with open(_parallel.PLANS_FILE, "rb") as file:
        record = pickle.load(file)
    newton = [callees for key, callees in record["plans"] if key[1] == "newton_solve"]
    assert newton
    for callees in newton:
        top = {qualname for _, qualname, _, depth in callees if depth == 1}
        steps = "grouped_step" if "grouped_step" in top else "_newton_steps"
        assert {"gap_parts", steps, "_state"} <= top


def test_progress_follows_the_helpers_reports():
    """``b`` names the kernel the helper has begun, ``e`` ends it; the helper's end clears
    it too; a wait for another kernel returns at once."""
    progress = _parallel.Progress()
    reads = threading.Event()

    def reports():
        yield b"b m\tk\t(int64,)\n"
        reads.wait(5)
        yield b"e m\tk\t(int64,)\n"
        yield b"b m\tother\t()\n"

    follower = threading.Thread(target=progress.follow, args=(reports(),))
    follower.start()
    deadline = time.monotonic() + 5
    while progress.busy is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert progress.busy == "m\tk\t(int64,)"
    assert progress.wait_while("m\tnot this\t()") is False
    threading.Timer(0.2, reads.set).start()
    start = time.monotonic()
    assert progress.wait_while("m\tk\t(int64,)") is True
    assert 0.15 <= time.monotonic() - start < 5
    follower.join(5)
    assert progress.busy is None  # its stdout closed: nothing is being compiled


def test_a_kernel_the_helper_is_compiling_is_waited_for(monkeypatch):
    """The fit reaching a kernel that the helper is compiling waits for it (then loads it
    from the cache) instead of compiling it a second time."""
    from sparsereg._kernels._newton import _newton_steps

    progress = _parallel.Progress()
    args = (numba.float64,)
    progress.busy = _parallel.kernel_text(_newton_steps.py_func.__module__,
                                          "_newton_steps", args)
    helper = types.SimpleNamespace(progress=progress, parent=os.getpid())
    monkeypatch.setattr(_parallel.LISTENER, "helper", helper)

    def done():
        with progress._changed:
            progress.busy = None
            progress._changed.notify_all()

    threading.Timer(0.3, done).start()
    start = time.monotonic()
    _parallel._wait_for_the_helper(_newton_steps, args)
    assert 0.25 <= time.monotonic() - start < 5
    assert _parallel._wait_for_the_helper in _jit.BEFORE_COMPILE
