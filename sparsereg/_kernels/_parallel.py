"""A first fit's kernels compiled on two cores: a helper process works from the other end.

Numba compiles in one thread, under one lock: a first fit compiles its solver's callees one
after the other, in the order the solver's source calls them, then the solver itself (a
classifier: about 40 kernels, 12-14 s on one core). Every kernel is saved to the on-disk
cache as soon as it is compiled, and any process compiling it later loads it from there
instead. So when a sparsereg kernel misses the cache and a core is idle, a helper process
compiles the same callees in the mirror order (:func:`helper_order`): the first fit's own
compilation meets it about halfway and loads the rest. A fit reaching the very kernel the
helper is compiling waits for it (:class:`Progress`) rather than compile it twice.

Which kernels, with which argument types, a solver compiles is only known by typing it, so
the lists come from :data:`PLANS_FILE`, recorded by ``python -m benchmarks.compile_plans``
for every kind of fit (its Numba version must be this one, or no helper starts). A solver
whose loop is Python (:func:`one_plan`: the classifiers') has one plan for all the kernels it
calls. A missing or outdated plan costs only the speed-up: the helper compiles what it is
given, the first fit compiles whatever it does not find in the cache.

The helper (``python -c``, importing numba and ``sparsereg._kernels`` only) starts at the
first compilation of a sparsereg kernel in a process, so that it is ready when the solver's
starts; it takes one plan at a time on its stdin (a newer one, or ``stop`` when the solver is
compiled, replaces it after the kernel in progress), reports each kernel it begins and ends on
its stdout, and exits when the first fit's process closes its stdin (at exit: the helper then
finishes the kernel it is compiling, never interrupted in the middle of a save) or after
:data:`IDLE_SECONDS` without a plan. Saves to the cache are serialized between processes
(:func:`._jit.locked_saves`).

``SPARSEREG_PARALLEL_COMPILE=0`` compiles in one process; ``=1`` starts a helper even on a
busy machine; by default a helper starts when a core is idle: the one-minute load average is
half a core below the usable cores, or (Linux) nothing else is running right now.
Not on Windows (no ``fcntl`` to serialize the saves) nor when ``sys.executable`` is not a
Python interpreter (an embedding application).
"""

import atexit
import contextvars
import functools
import importlib
import os
import pickle
import subprocess
import sys
import threading

from numba.core import event, sigutils

from ._jit import BEFORE_COMPILE, QUIET_VARIABLE, cache_is_writable

PLANS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compile_plans.pkl")
SWITCH = "SPARSEREG_PARALLEL_COMPILE"  # "0": never; "1": even on a busy machine
HELPER = "SPARSEREG_COMPILE_HELPER"  # set in the helper: it starts no helper of its own
IDLE_SECONDS = 30.0
WAIT_SECONDS = 60.0  # at most, for a kernel the helper is compiling (it is never that slow)
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


def kernel_text(module, qualname, args):
    """How the helper names the kernel it is compiling (the same in both processes)."""
    return f"{module}\t{qualname}\t{tuple(args)}"


class Progress:
    """The kernel the helper is compiling now, as it reports it on its stdout (``b`` and
    the kernel's :func:`kernel_text` when it begins, ``e`` and it once compiled and
    saved)."""

    def __init__(self):
        self.busy = None
        self._changed = threading.Condition()

    def follow(self, lines):
        """Read the reports until the helper's end (run in a thread)."""
        for line in lines:
            kind, _, text = line.decode(errors="replace").rstrip("\n").partition(" ")
            with self._changed:
                self.busy = text if kind == "b" else None
                self._changed.notify_all()
        with self._changed:
            self.busy = None
            self._changed.notify_all()

    def wait_while(self, text, timeout=WAIT_SECONDS):
        """Wait while the helper compiles the kernel named ``text``: True if it was and is
        done now, False if it was not (or still is, after ``timeout`` seconds)."""
        with self._changed:
            if self.busy != text:
                return False
            return self._changed.wait_for(lambda: self.busy != text, timeout)


class _Helper:
    """The helper process, seen from the process it helps."""

    def __init__(self):
        package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = dict(os.environ, **{HELPER: "1", QUIET_VARIABLE: "1"})
        self.parent = os.getpid()  # a forked child of this process does not own it
        self.process = subprocess.Popen(
            [_python_executable(), "-c", _HELPER_CODE, package_dir], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True,
            start_new_session=True)  # a Ctrl-C in the terminal is not for it
        self.progress = Progress()
        threading.Thread(target=self.progress.follow, args=(self.process.stdout,),
                         daemon=True).start()

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


_SCOPE = contextvars.ContextVar("sparsereg_plan_scope", default=None)


class _Scope:
    """A call of a :func:`one_plan` solver: its key is typed on the first compilation."""

    __slots__ = ("func", "args", "kwargs", "key", "sent")

    def __init__(self, func, args, kwargs=None):
        self.func, self.args, self.kwargs = func, args, kwargs or {}
        self.key, self.sent = None, False

    def plan_key(self):
        """``(module, qualname, argument types)``, as a kernel's (typed once, if needed;
        arguments in the solver's positional order, however they were passed)."""
        if self.key is None:
            import inspect

            from numba import typeof

            args = self.args
            if self.kwargs:
                args = inspect.signature(self.func).bind(*args, **self.kwargs).args
            self.key = (self.func.__module__, self.func.__qualname__,
                        tuple(typeof(arg) for arg in args))
        return self.key


def one_plan(func):
    """Make the kernels that a Python solver ``func`` calls one plan, as a kernel's callees.

    A solver whose loop is written in Python (so that its kernels are compiled apart, not
    linked and optimized again in one kernel above them) compiles them one outermost
    compilation after the other; within a call of ``func`` they are one plan, keyed by
    ``func`` and its arguments' Numba types, so that the helper works on the later ones
    while the fit compiles the first.
    """
    @functools.wraps(func)
    def solver(*args, **kwargs):
        if _SCOPE.get() is not None:
            return func(*args, **kwargs)
        scope = _Scope(func, args, kwargs)
        token = _SCOPE.set(scope)
        try:
            return func(*args, **kwargs)
        finally:
            _SCOPE.reset(token)
            if scope.sent:
                LISTENER.scope_ended(scope)
    return solver


def current_scope():
    """The key of the :func:`one_plan` solver running in this context, or None (the plans'
    recorder reads it)."""
    scope = _SCOPE.get()
    return None if scope is None else scope.plan_key()


class ParallelCompile(event.Listener):
    """Starts, feeds and stops the helper around the outermost compilations (Numba's
    ``numba:compile`` events fire only for real compilations, never for cache loads)."""

    def __init__(self):
        self.depth = 0
        self.helper = None
        self.plans = _Plans()
        self.sent = []  # the plan positions handed to a helper (tests read them)
        self.owner = None  # whose plan the helper has: a one_plan scope, or a thread id

    def on_start(self, ev):
        self.depth += 1
        if self.depth > 1:
            return
        func = getattr(ev.data.get("dispatcher"), "py_func", None)
        module = getattr(func, "__module__", None)
        if not (isinstance(module, str) and module.startswith("sparsereg.")):
            return
        scope = _SCOPE.get()
        if scope is not None and scope.sent and self.owner is scope:
            return  # its plan is with the helper already
        try:
            helper = self._running_helper()
            if helper is None:
                return
            position = None if scope is None else self.plans.index(scope.plan_key())
            owner = scope
            if position is None:  # a kernel called from Python directly, or a solver with
                # no plan: the kernel's own plan, stopped at the end of its compilation
                position = self.plans.index((module, func.__qualname__,
                                             tuple(ev.data["args"])))
                owner = threading.get_ident()
            if position is not None and helper.send(position):
                self.sent.append(position)
                self.owner = owner
                if owner is scope:
                    scope.sent = True
        except Exception:  # noqa: BLE001 - the helper only saves time; the fit goes on
            pass

    def on_end(self, ev):
        self.depth -= 1
        if self.depth == 0 and self.owner == threading.get_ident():
            self._stop()

    def scope_ended(self, scope):
        """A :func:`one_plan` solver whose plan the helper was given has returned (a plan
        that another thread's compilation has replaced since is not stopped)."""
        if self.owner is scope:
            self._stop()

    def _stop(self):
        self.owner = None
        if self.helper is not None and self.helper.alive():
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


def serve(stdin=None, plans=None, out=None):
    """The helper's loop: compile the plans named on ``stdin`` (:func:`helper_order`).

    Parameters
    ----------
    stdin : binary file, optional
        The messages (default: this process's stdin): a plan's position, ``stop``; end of
        file ends the helper.
    out : text file, optional
        Where the kernel being compiled is reported (default: this process's stdout; see
        :class:`Progress`).
    plans : dict, optional
        As :func:`read_plans` returns (default: read :data:`PLANS_FILE`).
    """
    stdin = sys.stdin.buffer if stdin is None else stdin
    out = sys.stdout if out is None else out
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
            text = kernel_text(module, qualname, args)
            _report(out, "b", text)
            try:
                _resolve(module, qualname).compile(args)
            except Exception:  # noqa: BLE001 - an outdated entry: the fit compiles it
                pass
            _report(out, "e", text)


def _report(out, kind, text):
    try:
        out.write(f"{kind} {text}\n")
        out.flush()
    except (OSError, ValueError):
        pass  # the fit's process is gone: nobody is waiting


def _wait_for_the_helper(kernel, sig):
    """Before a kernel compiles: if the helper is compiling that very kernel, wait for it and
    load its work from the cache rather than compile it a second time (a classifier's Newton
    steps take 2-3 s; the fit often reaches them while the helper is halfway through)."""
    helper = LISTENER.helper
    if helper is None or helper.progress.busy is None or helper.parent != os.getpid():
        return
    try:
        args = tuple(sigutils.normalize_signature(sig)[0])
        if args in kernel.overloads:
            return
        func = kernel.py_func
        helper.progress.wait_while(kernel_text(func.__module__, func.__qualname__, args))
    except Exception:  # noqa: BLE001 - the helper only saves time; the fit goes on
        pass


LISTENER = ParallelCompile()
event.register("numba:compile", LISTENER)
BEFORE_COMPILE.append(_wait_for_the_helper)
atexit.register(LISTENER.close)  # nothing to do unless a helper was started
