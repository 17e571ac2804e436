"""Reductions: sum, mean, var, max and min over an axis (or all axes).

The gradient of a reduction copies dL/dout back to every input element that
contributed: all of them for sum and mean, only the selected one for max and min.
"""

from __future__ import annotations

import builtins

import numpy as np

from .tensor import Tensor, _result


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
    axes = _axes(axis, a.ndim)
    data = a.data.sum(axis=axes, keepdims=keepdims)
    return _result(np.asarray(data), (a,), lambda g: (_expand(g, a.shape, axes),), "sum")


def mean(a: Tensor, axis=None, keepdims: bool = False) -> Tensor:
    axes = _axes(axis, a.ndim)
    count = 1
    for i in axes:
        count *= a.shape[i]
    data = a.data.mean(axis=axes, keepdims=keepdims)
    return _result(np.asarray(data), (a,), lambda g: (_expand(g, a.shape, axes) / count,),
                   "mean")


def var(a: Tensor, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
    """Variance; ``correction=1`` divides by n - 1 (PyTorch's default), 0 by n."""
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
    """max or min. The gradient goes to the *first* extreme element only: with ties
    (blank pixels tie exactly) a mask of every tied element would multiply it."""
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{op}: axis must be None or a single int, got {axis!r}.")
    if a.data.size == 0:
        raise ValueError(f"{op}: the tensor is empty (shape {a.shape}).")
    if axis is None:
        flat = int(pick(a.data))
        mask = np.zeros(a.data.size, dtype=a.dtype)
        mask[flat] = 1
        mask = mask.reshape(a.shape)
        data = a.data.reshape(-1)[flat]
        data = np.asarray(data).reshape((1,) * a.ndim if keepdims else ())
        axes = tuple(range(a.ndim))
    else:
        axis = builtins.int(axis) % a.ndim
        index = np.expand_dims(pick(a.data, axis=axis), axis)
        data = np.take_along_axis(a.data, index, axis)
        mask = np.zeros_like(a.data)
        np.put_along_axis(mask, index, 1, axis)
        if not keepdims:
            data = data.squeeze(axis)
        axes = (axis,)
    return _result(data, (a,), lambda g: (_expand(g, a.shape, axes) * mask,), op)


def max(a: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _extreme(a, axis, keepdims, np.argmax, "max")


def min(a: Tensor, axis: int | None = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return _extreme(a, axis, keepdims, np.argmin, "min")
