"""A first fit's kernels compiled on two cores: a helper process works from the other end.

Numba compiles in one thread, under one lock: a first fit compiles its solver's callees one
after the other, in the order the solver's source calls them, then the solver itself (a
classifier: about 40 kernels, 13-20 s). Every kernel is saved to the on-disk cache as soon as
it is compiled, and any process compiling it later loads it from there instead. So when a
sparsereg kernel misses the cache and a core is idle, a helper process compiles the same
callees in the mirror order (:func:`helper_order`): the first fit's own compilation meets it
about halfway and loads the rest (classifiers about 35 % faster, coordinate descent 20-30 %).

Which kernels, with which argument types, a solver compiles is only known by typing it, so
the lists come from :data:`PLANS_FILE`, recorded by ``python -m benchmarks.compile_plans``
for every kind of fit (its Numba version must be this one, or no helper starts). A missing or
outdated plan costs only the speed-up: the helper compiles what it is given, the first fit
compiles whatever it does not find in the cache.

The helper (``python -c``, importing numba and ``sparsereg._kernels`` only) starts at the
first compilation of a sparsereg kernel in a process, so that it is ready when the solver's
starts; it takes one plan at a time on its stdin (a newer one, or ``stop`` when the solver is
compiled, replaces it after the kernel in progress) and exits when the first fit's process
closes its stdin (at exit: the helper then finishes the kernel it is compiling, never
interrupted in the middle of a save) or after :data:`IDLE_SECONDS` without a plan. Saves to
the cache are serialized between processes (:func:`._jit.locked_saves`).

``SPARSEREG_PARALLEL_COMPILE=0`` compiles in one process; ``=1`` starts a helper even on a
busy machine; by default a helper starts when a core is idle: the one-minute load average is
half a core below the usable cores, or (Linux) nothing else is running right now.
Not on Windows (no ``fcntl`` to serialize the saves) nor when ``sys.executable`` is not a
Python interpreter (an embedding application).
"""

import atexit
import importlib
import os
import pickle
import subprocess
import sys
import threading

from numba.core import event

from ._jit import QUIET_VARIABLE, cache_is_writable

PLANS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compile_plans.pkl")
SWITCH = "SPARSEREG_PARALLEL_COMPILE"  # "0": never; "1": even on a busy machine
HELPER = "SPARSEREG_COMPILE_HELPER"  # set in the helper: it starts no helper of its own
IDLE_SECONDS = 30.0
_HELPER_CODE = (
    "import sys, types\n"
    "package = types.ModuleType('sparsereg')\n"  # the kernels only: not scikit-learn & co.
    "package.__path__ = [sys.argv[1]]\n"
    "sys.modules['sparsereg'] = package\n"
    "from sparsereg._kernels._parallel import serve\n"
    "serve()\n")


def read_plans(path=PLANS_FILE):
    """The recorded plans, or None (no file, another Numba version, unreadable).

    Returns
    -------
    plans : dict or None
        ``{"numba": version, "digest": kernels_digest() when recorded, "plans": [(key,
        callees), ...]}``: each key a ``(module, qualname, argument types)``, each callee
        that and its depth below the key, in the order the key's compilation compiled them.
    """
    import numba

    try:
        with open(path, "rb") as file:
            plans = pickle.load(file)
    except Exception:  # noqa: BLE001 - a plan is an optimisation: any failure means none
        return None
    if not isinstance(plans, dict) or plans.get("numba") != numba.__version__:
        return None
    return plans


class _Plans:
    """The plans' index by key, read on first use."""

    def __init__(self):
        self._index = None

    def _loaded(self):
        if self._index is None:
            plans = read_plans()
            entries = plans["plans"] if plans else []
            self._index = {entry[0]: i for i, entry in enumerate(entries)}
        return self._index

    def index(self, key):
        """Position of ``key``'s plan in the file, or None."""
        return self._loaded().get(key)

    def available(self):
        """Whether there is any plan for this Numba version (else no helper starts)."""
        return bool(self._loaded())


def _python_executable():
    exe = sys.executable or ""
    return exe if os.path.basename(exe).lower().startswith("python") else None


def _usable_cpus(cgroup="/sys/fs/cgroup"):
    """CPUs this process may use: its affinity, capped by a cgroup CPU quota (a container
    limited to one CPU sees all the machine's, and a helper would only share that one)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    for name, parse in (("cpu.max", str.split),  # cgroup v2: "quota period" or "max ..."
                        ("cpu/cpu.cfs_quota_us", None)):  # v1: the period in a second file
        try:
            with open(os.path.join(cgroup, name)) as file:
                fields = file.read().split() if parse else [file.read().strip()]
            if parse is None:
                with open(os.path.join(cgroup, "cpu/cpu.cfs_period_us")) as file:
                    fields.append(file.read().strip())
            quota, period = float(fields[0]), float(fields[1])
        except (OSError, ValueError, IndexError):
            continue  # no such file, or "max": no quota
        if quota > 0 and period > 0:
            cpus = min(cpus, max(1, int(quota // period)))
        break
    return cpus


def helper_wanted():
    """Whether a first compilation in this process should start a helper."""
    switch = os.environ.get(SWITCH, "")
    if switch == "0" or os.environ.get(HELPER) or os.name != "posix":
        return False
    if _python_executable() is None or not cache_is_writable():
        return False
    if switch == "1":
        return True
    cpus = _usable_cpus()
    return cpus >= 2 and (_average_load() < cpus - 0.5 or _running_now() <= cpus - 1)


def _average_load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("inf")


def _running_now():
    """Threads running or runnable right now, this one included (from ``/proc/loadavg``;
    elsewhere a huge number). The one-minute average lags: after a first fit on two
    cores it stays above one for a while, though the machine is idle again."""
    try:
        with open("/proc/loadavg") as file:
            return int(file.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return 1 << 30


class _Helper:
    """The helper process, seen from the process it helps."""

    def __init__(self):
        package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ, **{HELPER: "1", QUIET_VARIABLE: "1"})
        self.parent = os.getpid()  # a forked child of this process does not own it
        self.process = subprocess.Popen(
            [_python_executable(), "-c", _HELPER_CODE, package_dir], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, close_fds=True,
            start_new_session=True)  # a Ctrl-C in the terminal is not for it

    def alive(self):
        return self.parent == os.getpid() and self.process.poll() is None

    def send(self, message):
        """Hand the helper a plan's position or ``stop``; False if it is gone."""
        try:
            self.process.stdin.write(f"{message}\n".encode())
            self.process.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def close(self):
        """Close its stdin: the helper ends after the kernel it is compiling (never killed
        in the middle of a save), on its own if this process exits first. Nothing in a
        forked child of the process that started it."""
        if self.parent != os.getpid():
            return
        try:
            self.process.stdin.close()
        except OSError:
            pass


class ParallelCompile(event.Listener):
    """Starts, feeds and stops the helper around the outermost compilations (Numba's
    ``numba:compile`` events fire only for real compilations, never for cache loads)."""

    def __init__(self):
        self.depth = 0
        self.helper = None
        self.plans = _Plans()
        self.sent = []  # the plan positions handed to a helper (tests read them)

    def on_start(self, ev):
        self.depth += 1
        if self.depth > 1:
            return
        func = getattr(ev.data.get("dispatcher"), "py_func", None)
        module = getattr(func, "__module__", None)
        if not (isinstance(module, str) and module.startswith("sparsereg.")):
            return
        try:
            helper = self._running_helper()
            position = self.plans.index((module, func.__qualname__, tuple(ev.data["args"])))
            if helper is not None and position is not None and helper.send(position):
                self.sent.append(position)
        except Exception:  # noqa: BLE001 - the helper only saves time; the fit goes on
            pass

    def on_end(self, ev):
        self.depth -= 1
        if self.depth == 0 and self.helper is not None and self.helper.alive():
            self.helper.send("stop")

    def _running_helper(self):
        if self.helper is not None and self.helper.alive():
            return self.helper
        self.helper = None
        if not helper_wanted() or not self.plans.available():
            return None
        self.helper = _Helper()
        return self.helper

    def close(self):
        """End the helper, if any."""
        if self.helper is not None:
            self.helper.close()
            self.helper = None


def helper_order(callees):
    """The order in which the helper compiles a plan's callees: the mirror image of the
    fit's.

    The fit compiles a solver's callees in post-order, each one's own callees first, left
    to right; the helper goes right to left, each one's callees first too (their mirror
    image), so that the two meet inside the subtree where they meet rather than both
    compiling it from its start.

    Parameters
    ----------
    callees : list of tuple
        ``(module, qualname, argument types, depth)`` in the fit's order (depth 1: called
        by the solver itself).

    Returns
    -------
    order : list of tuple
        ``(module, qualname, argument types)``.
    """
    stack = []  # (depth, entry, children) of the subtrees not yet attached to a caller
    for module, qualname, args, depth in callees:
        children = []
        while stack and stack[-1][0] > depth:
            children.append(stack.pop())
        stack.append((depth, (module, qualname, args), children[::-1]))

    def mirrored(nodes):
        for _, entry, children in reversed(nodes):
            yield from mirrored(children)
            yield entry
    return list(mirrored(stack))


def _resolve(module, qualname):
    target = importlib.import_module(module)
    for name in qualname.split("."):
        target = getattr(target, name)
    return target


def serve(stdin=None, plans=None):
    """The helper's loop: compile the plans named on ``stdin`` (:func:`helper_order`).

    Parameters
    ----------
    stdin : binary file, optional
        The messages (default: this process's stdin): a plan's position, ``stop``; end of
        file ends the helper.
    plans : dict, optional
        As :func:`read_plans` returns (default: read :data:`PLANS_FILE`).
    """
    stdin = sys.stdin.buffer if stdin is None else stdin
    plans = read_plans() if plans is None else plans
    entries = plans["plans"] if plans else []
    latest = []
    wake = threading.Condition()

    def listen():
        for line in stdin:
            with wake:
                latest.append(line.decode().strip())
                wake.notify()
        with wake:
            latest.append("exit")
            wake.notify()

    threading.Thread(target=listen, daemon=True).start()
    while True:
        with wake:
            if not wake.wait_for(lambda: latest, timeout=IDLE_SECONDS):
                return
            message = latest[-1]
            latest.clear()
        if message == "exit":
            return
        if not message.isdigit() or int(message) >= len(entries):
            continue
        for module, qualname, args in helper_order(entries[int(message)][1]):
            if latest:  # a newer plan, stop or exit: the current one is of no more use
                break
            try:
                _resolve(module, qualname).compile(args)
            except Exception:  # noqa: BLE001 - an outdated entry: the fit compiles it
                pass


LISTENER = ParallelCompile()
event.register("numba:compile", LISTENER)
atexit.register(LISTENER.close)  # nothing to do unless a helper was started
