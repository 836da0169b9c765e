"""The one decorator of every Numba kernel: ``njit`` with an on-disk cache when one is possible.

Numba refuses ``cache=True`` at decoration time (a ``RuntimeError``, so ``import sparsereg``
would fail) when it finds no writable cache location: the package's ``__pycache__``, the user
cache directory and ``NUMBA_CACHE_DIR`` all unusable, e.g. a read-only install in a container.
Such kernels are compiled without a cache instead, with one warning per process.

A kernel's cached machine code includes its callees' (see below), but Numba stamps the cache
with the kernel's own source file only: after an update that changed only a callee's file (a
``git pull`` into an editable install), the callers would load the old callee from the cache.
Each kernel's stamp therefore also holds a digest of every module of ``sparsereg._kernels``
(:func:`kernels_digest`): any change there recompiles every kernel.

The first compilation of a kernel in a process says so on stderr, once (:class:`CompileNotice`):
a first fit that takes seconds should not look like a hang.

Compile time. Numba links each compiled callee into its caller, whose LLVM module is then
optimized and turned into machine code as a whole: a kernel's code is processed again in
every kernel above it. A kernel called from one place (or one per kind of fit) whose callees
are kernels too is therefore marked ``inline="always"``: it is typed within its caller and
compiled once, there. Leaves shared by several kernels stay compiled apart (inlining them
types them again at every call site), and so does a large kernel that would make its caller
much larger: Numba's inlining and type inference grow faster than the code (inlining
everything into the classifiers' Newton loop took longer than compiling the kernels apart).
Where a solver's loop would link several large kernels, the loop is Python instead
(``_newton.newton_solve``).
"""

import functools
import gc
import hashlib
import os
import sys
import warnings

from numba import njit
from numba.core import event
from numba.core.compiler_lock import global_compiler_lock
from numba.core.registry import CPUDispatcher

_warned = False

NOTICE = ("sparsereg: compiling its Numba kernels for this kind of model, once per install "
          "(a few seconds, up to about {} s); later runs load them from the cache")
NOTICE_UNCACHED = ("sparsereg: compiling its Numba kernels for this kind of model (a few "
                   "seconds, up to about {} s; no writable cache: again in every process)")
NOTICE_SECONDS = 40  # slowest first fit measured: 34.6 s, a multinomial classifier without an
# intercept on offset columns (benchmarks/results/compile_time.md, 2026-12-02, on a day the
# machine ran 1.6 times slower than the day it measured 16.6 s for one with an intercept)
QUIET_VARIABLE = "SPARSEREG_NO_COMPILE_NOTICE"  # set (non-empty): no notice


class CompileNotice(event.Listener):
    """Prints :data:`NOTICE` on stderr when a sparsereg kernel starts compiling, once per
    process.

    Numba broadcasts ``numba:compile`` only for a real compilation: a kernel loaded from the
    on-disk cache raises no event (the cache is read before the event would start), so a
    warm cache prints nothing. Compilations of other packages' functions are ignored.
    """

    def __init__(self):
        self.said = False

    def on_start(self, ev):
        if self.said:
            return
        func = getattr(ev.data.get("dispatcher"), "py_func", None)
        module = getattr(func, "__module__", None)  # None for a function made by exec
        if not (isinstance(module, str) and module.startswith("sparsereg.")):
            return
        self.said = True
        if os.environ.get(QUIET_VARIABLE):
            return
        text = (NOTICE_UNCACHED if _warned else NOTICE).format(NOTICE_SECONDS)
        try:
            print(text, file=sys.stderr, flush=True)
        except (AttributeError, OSError, ValueError):
            pass  # stderr None or closed: there is nobody to tell, and the fit goes on

    def on_end(self, ev):
        pass


event.register("numba:compile", CompileNotice())


BEFORE_COMPILE = []  # called with (kernel, signature) before its compilation or cache load
# (the compile helper's: wait while the helper compiles that very kernel, see _parallel)
COMPILE_GC_THRESHOLD = 10_000  # the youngest generation's, while a kernel compiles


class Kernel(CPUDispatcher):
    """A kernel whose compilation is not slowed down by Python's garbage collector.

    Compiling a kernel builds and drops hundreds of thousands of Python objects (Numba's IR
    and types), so the cyclic garbage collector runs its full collection a dozen times, and
    each one walks every object of the process (numpy, scipy, scikit-learn: about 400 000):
    2.1-2.5 s of a classifier's 15 s first fit. While a sparsereg kernel compiles, the
    objects that existed before are therefore frozen (:func:`gc.freeze`: left out of
    collections, never freed meanwhile) and unfrozen after; the compilation's own garbage
    is collected too, less often: the youngest generation's threshold is raised to
    :data:`COMPILE_GC_THRESHOLD` allocations (from Python's 700) meanwhile. The
    compilation's objects live long enough to reach the oldest generation, so at the
    default threshold they trigger about 15 full collections of their own (1.1-1.2 s of a
    classifier's first fit, for about 50 MB less peak memory; disabling the collector
    instead would cost 165 MB). Nothing is done when the collector is disabled or the user
    has frozen objects (their freeze and thresholds are theirs). Numba's compiler lock, held
    throughout, keeps other threads' compilations out; the outermost kernel's compilation
    does it once for its callees.
    """

    _compiling = 0  # nesting depth of kernel compilations (under the compiler lock)

    def compile(self, sig):
        with global_compiler_lock:
            for hook in BEFORE_COMPILE:
                hook(self, sig)
            outermost = Kernel._compiling == 0
            freeze = outermost and gc.isenabled() and gc.get_freeze_count() == 0
            if freeze:
                thresholds = gc.get_threshold()
                gc.freeze()
                gc.set_threshold(max(thresholds[0], COMPILE_GC_THRESHOLD), *thresholds[1:])
            Kernel._compiling += 1
            try:
                return super().compile(sig)
            finally:
                Kernel._compiling -= 1
                if freeze:
                    gc.set_threshold(*thresholds)
                    gc.unfreeze()


class InternalKernel(Kernel):
    """A kernel called only from other kernels, compiled without a Python entry point.

    Numba otherwise compiles, for every kernel, a wrapper that converts Python arguments
    (and a C one): code that callers inside Numba never use, and a noticeable share of a
    small kernel's compile time. Called from Python, such a kernel would jump into a
    wrapper that does not exist; this class raises a TypeError instead.
    """

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self.py_func.__qualname__} is an internal sparsereg kernel, "
                        "compiled without a Python entry point: call it from a kernel, or "
                        "decorate it without internal=True")


def kernel(func=None, internal=False, **options):
    """Compile ``func`` lazily with ``numba.njit(nogil=True, **options)``, cached if possible.

    Parameters
    ----------
    func : callable, optional
        The function to compile; omitted when used as ``@kernel(inline="always")``.
    internal : bool
        Called from kernels only: compiled without the Python and C entry points (see
        :class:`InternalKernel`).
    **options
        Further ``numba.njit`` options of this kernel.

    Returns
    -------
    dispatcher : numba.core.registry.CPUDispatcher or callable
        The Numba dispatcher, or a decorator making one when ``func`` is omitted.
    """
    global _warned
    if func is None:
        # A partial adds no Python frame, so ``stacklevel`` below is right in both uses.
        return functools.partial(kernel, internal=internal, **options)
    if internal:
        options = dict(options, no_cpython_wrapper=True, no_cfunc_wrapper=True)
    try:
        return _typed(_stamp_with_all_kernels(njit(cache=True, nogil=True, **options)(func)),
                      internal)
    except RuntimeError as error:
        # Numba's message for "no cache locator": anything else is a real error.
        if "cannot cache function" not in str(error):
            raise
    if not _warned:
        _warned = True
        warnings.warn(
            "sparsereg: no writable Numba cache location (the package's __pycache__, the user "
            "cache directory and NUMBA_CACHE_DIR are all unusable); kernels are compiled in "
            "every process. Set NUMBA_CACHE_DIR to a writable directory to cache them.",
            RuntimeWarning, stacklevel=2)
    return _typed(njit(nogil=True, **options)(func), internal)


@functools.lru_cache(maxsize=None)
def kernels_digest():
    """SHA-256 of the source of every module of ``sparsereg._kernels`` but the compile
    helper's (names and contents, in name order): part of every kernel's cache stamp."""
    here = os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for name in sorted(os.listdir(here)):
        if name.endswith(".py") and name != "_parallel.py":  # it defines no kernel
            digest.update(name.encode())
            with open(os.path.join(here, name), "rb") as source:
                digest.update(source.read())
    return digest.hexdigest()


def cache_is_writable():
    """Whether kernels are cached on disk (False after the no-cache warning)."""
    return not _warned


SAVE_LOCK = ".sparsereg-save.lock"  # in each cache directory


def locked_saves(save, directory):
    """``save`` holding an exclusive lock on :data:`SAVE_LOCK` in ``directory``.

    Numba saves a kernel's compilation by reading its index file, adding an entry and a
    data file named after the entries already there, and writing both back (each write
    atomic). Two processes saving two signatures of one kernel at once could both take the
    same data file name, so that one signature's entry names the other's machine code.
    The lock (POSIX ``flock``; released by the system if its holder dies) serializes the
    saves of all processes: a first fit and its helper (:mod:`._parallel`), or test
    workers sharing a cache. Loads need no lock: they only see complete files. The lock
    file is opened read-only (``flock`` needs no more), so that a cache directory shared
    with another user, whose lock file this user cannot write, still locks; where it
    cannot be opened at all, the save goes on unlocked, as Numba's own.
    """
    import fcntl

    path = os.path.join(directory, SAVE_LOCK)

    @functools.wraps(save)
    def locked(key, data):
        try:
            lock = os.open(path, os.O_RDONLY | os.O_CREAT, 0o666)
        except OSError:
            return save(key, data)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return save(key, data)
        finally:
            os.close(lock)  # releases the lock
    return locked


def _stamp_with_all_kernels(dispatcher):
    # Numba keeps the stamp an index file must match in its cache file object; where a
    # Numba version keeps it elsewhere, the kernel keeps Numba's own stamp (and saves
    # unlocked, as Numba does).
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    stamp = getattr(cache_file, "_source_stamp", None)
    if stamp is not None:
        cache_file._source_stamp = (stamp, kernels_digest())
        directory = getattr(cache_file, "_cache_path", None)
        if os.name == "posix" and isinstance(directory, str):
            cache_file.save = locked_saves(cache_file.save, directory)
    return dispatcher


def _typed(dispatcher, internal):
    # Same layout as CPUDispatcher: only compile and __call__ differ.
    dispatcher.__class__ = InternalKernel if internal else Kernel
    return dispatcher
