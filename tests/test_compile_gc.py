"""The garbage collector's state while and after a kernel compiles (sparsereg/_kernels/_jit.py:
Kernel): the objects that existed before are frozen during the compilation only, and a
user's own freeze or disabled collector is left as it was."""

import gc

import numpy as np
import pytest
from numba import njit
from numba.core import event

from sparsereg._kernels import _jit


def _fresh_kernel():
    """A kernel with no cache and no compiled signature: calling it compiles."""
    def add_one(x):
        return x + 1

    return _jit._typed(njit(nogil=True)(add_one), False)


class _FreezeSeen(event.Listener):
    def __init__(self):
        self.counts = []
        self.thresholds = []

    def on_start(self, ev):
        self.counts.append(gc.get_freeze_count())
        self.thresholds.append(gc.get_threshold())

    def on_end(self, ev):
        pass


@pytest.fixture
def freeze_seen():
    listener = _FreezeSeen()
    event.register("numba:compile", listener)
    yield listener
    event.unregister("numba:compile", listener)


def test_frozen_while_compiling_and_unfrozen_after(freeze_seen):
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    before = len(gc.get_objects())
    assert _fresh_kernel()(np.float64(1.0)) == 2.0
    # Numba compiled it (the event fired) with the earlier objects frozen...
    assert freeze_seen.counts and freeze_seen.counts[0] >= before // 2
    # ...and nothing is left frozen, the collector still on.
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_collected_less_often_while_compiling_then_as_before(freeze_seen):
    thresholds = gc.get_threshold()
    gc.set_threshold(500, 7, 9)  # a user's own: kept apart from the youngest generation's
    try:
        assert _fresh_kernel()(np.float64(2.0)) == 3.0
        assert freeze_seen.thresholds == [(_jit.COMPILE_GC_THRESHOLD, 7, 9)]
        assert gc.get_threshold() == (500, 7, 9)
    finally:
        gc.set_threshold(*thresholds)


def test_unfrozen_after_a_failed_compilation():
    def broken(x):
        return x.no_such_attribute

    kernel = _jit._typed(njit(nogil=True)(broken), False)
    thresholds = gc.get_threshold()
    with pytest.raises(Exception):
        kernel(1.0)
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_a_users_freeze_is_left_alone(freeze_seen):
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        assert _fresh_kernel()(np.int64(1)) == 2
        # Not frozen further by sparsereg (frozen objects may still be freed by refcount)...
        assert len(freeze_seen.counts) == 1 and freeze_seen.counts[0] <= frozen
        assert gc.get_freeze_count() > frozen // 2  # ...and not unfrozen
    finally:
        gc.unfreeze()


def test_a_disabled_collector_stays_disabled(freeze_seen):
    gc.disable()
    try:
        assert _fresh_kernel()(np.float32(1.0)) == 2.0
        assert freeze_seen.counts == [0]
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_every_kernel_is_a_kernel():
    from sparsereg._kernels import _cd, _newton

    # newton_solve is a Python loop (see _newton); the kernels it calls are kernels
    assert isinstance(_newton._newton_steps, _jit.Kernel)
    assert isinstance(_newton._state, _jit.Kernel)
    assert isinstance(_cd.inner_solve, _jit.InternalKernel)
    assert issubclass(_jit.InternalKernel, _jit.Kernel)
