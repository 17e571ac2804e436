"""Scratch arrays reused from one call to the next, for a fused backward pass, and
blocks of work sized for the processor's cache.

On Linux, numpy's large arrays come straight from the kernel (glibc maps allocations
above 128 KB on demand), so every fresh one costs a page fault per 4 KB the first time
it is written. For the LSTM's backward pass those faults took longer than the
arithmetic. A buffer from here is the op's own workspace: it never leaves the op that
asked for it, and is overwritten by the next call.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

_KEEP = 32
_buffers: OrderedDict[tuple, np.ndarray] = OrderedDict()


def scratch(name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialised array of ``shape`` and ``dtype``, the same one each time for
    the same name, shape and dtype (the least recently used of 32 are kept)."""
    key = (name, shape, np.dtype(dtype).str)
    buffer = _buffers.pop(key, None)
    if buffer is None:
        buffer = np.empty(shape, dtype)
    _buffers[key] = buffer
    while len(_buffers) > _KEEP:
        _buffers.popitem(last=False)
    return buffer


CACHE_FLOATS = 65536
"""About 256 KB of float32. Several passes over a block this size find it in the
processor's cache; the same passes over a whole large array send it to memory and
back each time (the tanh-GELU over 2048 x 256 floats, forward: 0.71 against 1.07 ms)."""


def blocks(n: int, size: int = CACHE_FLOATS) -> Iterator[slice]:
    """Consecutive slices of range(n), ``size`` long (the last may be shorter), each
    ending within range(n), so that ``stop - start`` is its length."""
    size = max(1, size)
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))
