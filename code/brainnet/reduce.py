"""Reductions: sum, mean, var, max and min over an axis (or all axes).

The gradient of a reduction copies dL/dout back to every input element that
contributed: all of them for sum and mean, only the selected one for max and min.
Each takes a tensor or an array-like.
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, _result, as_tensor


def _axes(axis, ndim: int) -> tuple[int, ...]:
    """Normalise ``axis`` (None, int or tuple, possibly negative) to a sorted tuple."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int) and 0 <= axis < ndim:
        return (axis,)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions.")
    return tuple(sorted(int(a) % ndim for a in axes))


def _expand(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...]) -> Tensor:
    """Broadcast the reduced gradient ``g`` back to the input ``shape``."""
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    return g.reshape(kept).broadcast_to(shape)


def sum(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    a = as_tensor(a)
    axes = _axes(axis, a.ndim)
    data = a.data.sum(axis=axes, keepdims=keepdims)
    return _result(np.asarray(data), (a,), lambda g: (_expand(g, a.shape, axes),), "sum")


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    a = as_tensor(a)
    axes = _axes(axis, a.ndim)
    count = 1
    for i in axes:
        count *= a.shape[i]
    data = a.data.mean(axis=axes, keepdims=keepdims)
    return _result(np.asarray(data), (a,), lambda g: (_expand(g, a.shape, axes) / count,),
                   "mean")


def var(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
    """Variance; ``correction=1`` divides by n - 1 (PyTorch's default), 0 by n."""
    a = as_tensor(a)
    axes = _axes(axis, a.ndim)
    count = 1
    for i in axes:
        count *= a.shape[i]
    if count - correction <= 0:
        raise ValueError(f"var: {count} element(s) along the reduced axes is too few for "
                         f"correction={correction}.")
    centred = a - a.mean(axis=axes, keepdims=True)
    return (centred * centred).sum(axis=axes, keepdims=keepdims) / (count - correction)


def _extreme(a: Tensor, axis, keepdims: bool, pick, op: str) -> Tensor:
    """max or min over ``axis`` (None, an int or a tuple of ints). The gradient goes to
    the *first* extreme element only (first in C order over the reduced axes): with ties
    (blank pixels tie exactly) a mask of every tied element would multiply it."""
    a = as_tensor(a)
    if a.data.size == 0:
        raise ValueError(f"{op}: the tensor is empty (shape {a.shape}).")
    axes = _axes(axis, a.ndim)
    rest = tuple(i for i in range(a.ndim) if i not in axes)
    order = rest + axes
    # Move the reduced axes to the end and merge them, so that one argmax/argmin finds
    # the first extreme of every group.
    moved = a.data.transpose(order).reshape(tuple(a.shape[i] for i in rest) + (-1,))  # (..., K)
    index = np.expand_dims(pick(moved, axis=-1), -1)                                 # (..., 1)
    data = np.take_along_axis(moved, index, -1)[..., 0]                              # (...)
    mask = np.zeros_like(moved)
    np.put_along_axis(mask, index, 1, -1)
    mask = mask.reshape(tuple(a.shape[i] for i in order)).transpose(np.argsort(order))
    if keepdims:
        data = data.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))
    return _result(data, (a,), lambda g: (_expand(g, a.shape, axes) * mask,), op)


def max(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _extreme(a, axis, keepdims, np.argmax, "max")


def min(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _extreme(a, axis, keepdims, np.argmin, "min")
