"""Numba kernels: pure functions of arrays and scalars, compiled lazily and cached on disk."""
