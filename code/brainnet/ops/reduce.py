"""Reductions: sum, mean, var, max, min and logsumexp over axes (or all of them).

The gradient of a reduction copies dL/dout back to every input element that
contributed: all of them for sum and mean, only the selected one for max and min.
Each takes numpy's ``axis=``/``keepdims=`` or PyTorch's ``dim=``/``keepdim=``.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .. import numerics
from ..autograd import record
from ..tensor import ArrayLike, Tensor, as_float, as_tensor, wrap
from .args import axes_tuple, axis_index, either


def _expand(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...]) -> Tensor:
    """Broadcast the reduced gradient ``g`` back to the input ``shape``."""
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    return g.reshape(kept).broadcast_to(shape)


def _reduced_axes(op: str, a: Tensor, axis: Any, dim: Any, keepdims: bool,
                  keepdim: bool | None) -> tuple[tuple[int, ...], bool]:
    axis = either(op, "axis", axis, "dim", dim)
    keepdims = either(op, "keepdims", keepdims, "keepdim", keepdim, False)
    return axes_tuple(op, axis, a.ndim, a.shape), bool(keepdims)


def sum(a: ArrayLike, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Tensor:
    a = as_tensor(a)
    axes, keepdims = _reduced_axes("sum", a, axis, dim, keepdims, keepdim)
    out = wrap(np.asarray(a.data.sum(axis=axes, keepdims=keepdims)))

    def backward(g):
        return (_expand(g, a.shape, axes),)

    return record(out, (a,), backward, "sum")


def mean(a: ArrayLike, axis: Any = None, keepdims: bool = False, *,
         dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """The average; integers give float32. The mean of no elements is an error."""
    a = as_float(a)
    axes, keepdims = _reduced_axes("mean", a, axis, dim, keepdims, keepdim)
    count = math.prod(a.shape[i] for i in axes)
    if count == 0:
        raise ValueError(f"mean: there are no elements to average over axes {axes} of "
                         f"shape {a.shape}.")
    out = wrap(np.asarray(a.data.mean(axis=axes, keepdims=keepdims)))

    def backward(g):
        return (_expand(g, a.shape, axes) / count,)

    return record(out, (a,), backward, "mean")


def var(a: ArrayLike, axis: Any = None, keepdims: bool = False, correction: int = 1, *,
        dim: Any = None, keepdim: bool | None = None) -> Tensor:
    """Variance; ``correction=1`` divides by n - 1 (PyTorch's default), 0 by n. Built
    from mean, subtraction and sum, so its gradient comes from theirs."""
    a = as_float(a)
    axes, keepdims = _reduced_axes("var", a, axis, dim, keepdims, keepdim)
    count = math.prod(a.shape[i] for i in axes)
    if count - correction <= 0:
        raise ValueError(f"var: {count} element(s) along axes {axes} of shape {a.shape} is "
                         f"too few for correction={correction}.")
    centred = a - a.mean(axis=axes, keepdims=True)
    return (centred * centred).sum(axis=axes, keepdims=keepdims) / (count - correction)


class MaxMin(NamedTuple):
    """What ``max(dim=...)``/``min(dim=...)`` return, as in PyTorch."""

    values: Tensor
    indices: Tensor


def _extreme(op: str, a: ArrayLike, axis: Any, keepdims: bool, dim: Any,
             keepdim: bool | None, pick) -> Any:
    """max or min over axes. The gradient goes to the *first* extreme element only
    (first in C order over the reduced axes): with ties (blank pixels tie exactly) a
    mask of every tied element would multiply the gradient.

    With PyTorch's ``dim=`` (one axis), returns ``(values, indices)`` as PyTorch does,
    so that ``values, idx = x.max(dim=1)`` means what a PyTorch reader expects."""
    a = as_tensor(a)
    torch_style = dim is not None
    axes, keepdims = _reduced_axes(op, a, axis, dim, keepdims, keepdim)
    if a.data.size == 0:
        raise ValueError(f"{op}: the tensor is empty (shape {a.shape}); it has no {op}imum.")
    rest = tuple(i for i in range(a.ndim) if i not in axes)
    order = rest + axes
    # Move the reduced axes to the end and merge them, so that one argmax/argmin
    # finds the first extreme of every group.
    moved = a.data.transpose(order).reshape(tuple(a.shape[i] for i in rest) + (-1,))  # (.., K)
    index = np.expand_dims(pick(moved, axis=-1), -1)                             # (.., 1)
    data = np.take_along_axis(moved, index, -1)[..., 0]                          # (..)
    mask = np.zeros_like(moved)
    np.put_along_axis(mask, index, 1, -1)
    mask = mask.reshape(tuple(a.shape[i] for i in order)).transpose(np.argsort(order))
    if keepdims:
        data = data.reshape(tuple(1 if i in axes else n for i, n in enumerate(a.shape)))

    def backward(g):
        return (_expand(g, a.shape, axes) * mask,)

    values = record(wrap(np.asarray(data)), (a,), backward, op)
    if not torch_style:
        return values
    indices = index[..., 0].reshape(values.shape)
    return MaxMin(values, wrap(indices))


def max(a: ArrayLike, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Any:
    """The largest value over ``axis``; with ``dim=``, ``(values, indices)``."""
    return _extreme("max", a, axis, keepdims, dim, keepdim, np.argmax)


def min(a: ArrayLike, axis: Any = None, keepdims: bool = False, *,  # noqa: A001
        dim: Any = None, keepdim: bool | None = None) -> Any:
    """The smallest value over ``axis``; with ``dim=``, ``(values, indices)``."""
    return _extreme("min", a, axis, keepdims, dim, keepdim, np.argmin)


def argmax(a: ArrayLike, axis: int | None = None, keepdims: bool = False, *,
           dim: int | None = None, keepdim: bool | None = None) -> Tensor:
    """Index of the largest value (of the flattened tensor if ``axis`` is None): an
    integer tensor, outside the graph."""
    return _arg("argmax", a, axis, keepdims, dim, keepdim, np.argmax)


def argmin(a: ArrayLike, axis: int | None = None, keepdims: bool = False, *,
           dim: int | None = None, keepdim: bool | None = None) -> Tensor:
    """Index of the smallest value; see ``argmax``."""
    return _arg("argmin", a, axis, keepdims, dim, keepdim, np.argmin)


def _arg(op, a, axis, keepdims, dim, keepdim, pick) -> Tensor:
    a = as_tensor(a)
    axis = either(op, "axis", axis, "dim", dim)
    keepdims = either(op, "keepdims", keepdims, "keepdim", keepdim, False)
    if a.data.size == 0:
        raise ValueError(f"{op}: the tensor is empty (shape {a.shape}).")
    if axis is not None:
        axis = axis_index(op, axis, a.ndim, a.shape)
    return wrap(np.asarray(pick(a.data, axis=axis, keepdims=bool(keepdims))))


def logsumexp(a: ArrayLike, axis: int = -1, keepdims: bool = False, *,
              dim: int | None = None, keepdim: bool | None = None) -> Tensor:
    """log(sum(exp(a))) along one axis, stable for large |a|. Its gradient is the
    softmax of ``a``."""
    a = as_float(a)
    axis = axis_index("logsumexp", either("logsumexp", "axis", axis, "dim", dim, -1),
                      a.ndim, a.shape)
    keepdims = either("logsumexp", "keepdims", keepdims, "keepdim", keepdim, False)
    kept = numerics.logsumexp(a.data, axis)                                    # (.., 1, ..)
    out = wrap(kept if keepdims else kept.squeeze(axis))

    def backward(g):
        weights = (a - (out if keepdims else out.unsqueeze(axis))).exp()       # softmax(a)
        return (weights * (g if keepdims else g.unsqueeze(axis)),)

    return record(out, (a,), backward, "logsumexp")
