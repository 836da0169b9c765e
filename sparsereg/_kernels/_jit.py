"""The one decorator of every Numba kernel: ``njit`` with an on-disk cache when one is possible.

Numba refuses ``cache=True`` at decoration time (a ``RuntimeError``, so ``import sparsereg``
would fail) when it finds no writable cache location: the package's ``__pycache__``, the user
cache directory and ``NUMBA_CACHE_DIR`` all unusable, e.g. a read-only install in a container.
Such kernels are compiled without a cache instead, with one warning per process.
"""

import functools
import warnings

from numba import njit

_warned = False


def kernel(func=None, **options):
    """Compile ``func`` lazily with ``numba.njit(nogil=True, **options)``, cached if possible.

    Parameters
    ----------
    func : callable, optional
        The function to compile; omitted when used as ``@kernel(inline="always")``.
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
        return functools.partial(kernel, **options)
    try:
        return njit(cache=True, nogil=True, **options)(func)
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
    return njit(nogil=True, **options)(func)
