"""Scratch memory of the hierarchical solver, kept between calls.

Every call of :func:`~exactsparse.butterfly.butterfly_factorize` needs about ``3/4`` of the
input's size in new memory for the parts of its first two splits.  Memory that the
allocator has just obtained from the operating system is paid again on first touch (page
faults, and in a virtual machine the host's faults too): on the 2-core test machine,
writing a fresh 16 MiB buffer cost 8 ms against 3.6 ms for a reused one, and the ``b × 2``
split of the right tree at N = 2048 went from 5.5 ms to 16–24 ms depending on the
allocator's state.  The solver therefore takes its large buffers from a small pool that
outlives the call, up to :data:`WORKSPACE_LIMIT` bytes (256 MiB by default: the whole
workspace of a float64 matrix up to N = 4096, complex up to N = 4096); larger inputs
allocate as usual.

A pooled buffer is free when nothing but the pool refers to it (no view of it is alive), so
an array returned to a caller is never handed out again while the caller holds it.

>>> import numpy as np
>>> from exactsparse.butterfly import workspace
>>> a = workspace.take_raw(1 << 21)
>>> a.dtype, a.size >= 1 << 21
(dtype('uint8'), True)
>>> b = workspace.take_raw(1 << 21)              # a is alive: another buffer
>>> bool(np.may_share_memory(a, b))
False
>>> addr = a.__array_interface__["data"][0]
>>> del a
>>> c = workspace.take_raw(1 << 21)              # a's memory, reused
>>> c.__array_interface__["data"][0] == addr
True
>>> del b, c
>>> workspace.release_workspace()
>>> workspace.workspace_bytes()
0
"""

from __future__ import annotations

import sys
import threading

import numpy as np

from ..exceptions import ArgumentError, SizeLimitError, show

__all__ = ["WORKSPACE_LIMIT", "POOLED_MIN", "MAX_BYTES", "take_raw", "release_workspace",
           "workspace_bytes"]

#: bytes of scratch memory kept between calls (set it to 0 to keep none)
WORKSPACE_LIMIT = 1 << 28
#: buffers smaller than this (bytes) are allocated as usual
POOLED_MIN = 1 << 20
#: the largest buffer handed out (bytes): 2^40, far above any matrix this machine holds
MAX_BYTES = 1 << 40

_POOL: list = []
_LOCK = threading.Lock()


def _refs_when_free():
    """What ``sys.getrefcount`` reports, in :func:`take_raw`'s loop, for an entry that
    nothing else refers to (measured once: it depends on the interpreter)."""
    pool = [np.empty(1, np.uint8)]
    for raw in pool:
        return sys.getrefcount(raw)
    return None     # pragma: no cover


_FREE_REFS = _refs_when_free()


def take_raw(nbytes):
    """A flat ``uint8`` array of at least ``nbytes`` bytes: a free pooled buffer when one
    fits (the smallest), else a new one, pooled while the pool stays under
    :data:`WORKSPACE_LIMIT`.  Its contents are arbitrary."""
    if isinstance(nbytes, (bool, np.bool_)) or not isinstance(nbytes, (int, np.integer)) \
            or nbytes < 0:
        raise ArgumentError(f"Argument 'nbytes' must be a non-negative int, not "
                            f"{show(nbytes)}.")
    nbytes = int(nbytes)
    if nbytes > MAX_BYTES:
        raise SizeLimitError(f"Argument 'nbytes' must be at most {MAX_BYTES} (2^40), not "
                             f"{nbytes}.")
    if nbytes < POOLED_MIN:
        return np.empty(nbytes, np.uint8)
    limit = _limit()
    with _LOCK:
        free = []
        for raw in _POOL:
            if sys.getrefcount(raw) == _FREE_REFS:
                free.append(raw)
        fits = [raw for raw in free if raw.size >= nbytes]
        if fits:
            return min(fits, key=lambda r: r.size)[:nbytes]
        if nbytes > limit:
            return np.empty(nbytes, np.uint8)
        held = sum(raw.size for raw in _POOL)
        for raw in sorted(free, key=lambda r: r.size):   # make room: drop free buffers
            if held + nbytes <= limit:
                break
            held -= raw.size
            _POOL[:] = [r for r in _POOL if r is not raw]
        raw = np.empty(nbytes, np.uint8)
        if held + nbytes <= limit:
            _POOL.append(raw)
        return raw[:nbytes]


def _limit():
    """:data:`WORKSPACE_LIMIT` as an int of bytes (``inf`` holds up to :data:`MAX_BYTES`, a
    negative number nothing); anything but a real number is refused, naming the setting."""
    lim = WORKSPACE_LIMIT
    if isinstance(lim, (bool, np.bool_)) or not isinstance(
            lim, (int, float, np.integer, np.floating)) or np.isnan(lim):
        raise ArgumentError(f"exactsparse.butterfly.workspace.WORKSPACE_LIMIT must be a number "
                            f"of bytes (0 keeps nothing), not {show(lim)}.")
    return int(min(max(lim, 0), MAX_BYTES))


def release_workspace():
    """Let go of the pooled scratch memory (buffers still viewed elsewhere live on as
    ordinary arrays)."""
    with _LOCK:
        _POOL.clear()


def workspace_bytes():
    """Bytes currently held by the pool."""
    with _LOCK:
        return sum(raw.size for raw in _POOL)
