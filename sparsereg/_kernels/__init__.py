"""Numba kernels: pure functions of arrays and scalars, compiled lazily and cached on disk."""

from . import _parallel  # noqa: F401 - registers the compile helper's listener
