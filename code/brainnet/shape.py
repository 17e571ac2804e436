"""Shape ops: reshape, permute, broadcast, indexing, concatenation.

None of these change a value; they only move values around. So each gradient moves
dL/dout back to where the values came from: reshape back, permute by the inverse
permutation, sum over broadcast axes, scatter into the indexed positions. Each op takes
a tensor or an array-like.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .tensor import Tensor, _result, _shape_arg, as_tensor


def _axis(axis: int, ndim: int, op: str, shape: tuple[int, ...]) -> int:
    """``axis`` in range(ndim), negative axes counted from the end. Out of range is an
    error: wrapping it round (axis % ndim) would silently pick another axis."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {shape}.")
    return axis % ndim


def reshape(a: Tensor, *shape) -> Tensor:
    a = as_tensor(a)
    shape = _shape_arg(shape)
    try:
        data = a.data.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                         f"({a.data.size} elements) into {shape}.") from None
    return _result(data, (a,), lambda g: (g.reshape(a.shape),), "reshape")


def flatten(a: Tensor, start_axis: int = 0, end_axis: int = -1) -> Tensor:
    """Merge axes ``start_axis..end_axis`` into one, e.g. (N, C, H, W) -> (N, C*H*W)."""
    a = as_tensor(a)
    if a.ndim == 0:
        return a.reshape(1)
    start = _axis(start_axis, a.ndim, "flatten", a.shape)
    end = _axis(end_axis, a.ndim, "flatten", a.shape)
    merged = int(np.prod(a.shape[start:end + 1]))
    return a.reshape(a.shape[:start] + (merged,) + a.shape[end + 1:])


def squeeze(a: Tensor, axis: int | None = None) -> Tensor:
    """Drop axes of length 1 (all of them, or just ``axis`` if it has length 1)."""
    a = as_tensor(a)
    if axis is None:
        return a.reshape(tuple(n for n in a.shape if n != 1))
    axis = _axis(axis, a.ndim, "squeeze", a.shape)
    if a.shape[axis] != 1:
        return a
    return a.reshape(a.shape[:axis] + a.shape[axis + 1:])


def unsqueeze(a: Tensor, axis: int) -> Tensor:
    """Insert an axis of length 1 at position ``axis``."""
    a = as_tensor(a)
    axis = _axis(axis, a.ndim + 1, "unsqueeze", a.shape)
    return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])


def permute(a: Tensor, *axes) -> Tensor:
    """Reorder axes: output axis i is input axis ``axes[i]``."""
    a = as_tensor(a)
    axes = tuple(_axis(ax, a.ndim, "permute", a.shape) for ax in _shape_arg(axes))
    if len(axes) != a.ndim or len(set(axes)) != a.ndim:
        raise ValueError(f"permute: {axes} is not a permutation of the {a.ndim} axes of a "
                         f"tensor of shape {a.shape}.")
    inverse = [0] * a.ndim
    for i, ax in enumerate(axes):
        inverse[ax] = i
    return _result(a.data.transpose(axes), (a,), lambda g: (g.permute(*inverse),), "permute")


def transpose(a: Tensor, axis0: int = -2, axis1: int = -1) -> Tensor:
    """Swap two axes (PyTorch's ``transpose(dim0, dim1)``); its own gradient."""
    a = as_tensor(a)
    try:
        data = a.data.swapaxes(axis0, axis1)
    except (ValueError, np.exceptions.AxisError):
        raise ValueError(f"transpose: axes ({axis0}, {axis1}) are out of range for shape "
                         f"{a.shape}.") from None
    return _result(data, (a,), lambda g: (g.transpose(axis0, axis1),), "transpose")


def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    """Stretch axes of length 1 (and add leading axes) to ``shape``, without copying."""
    a = as_tensor(a)
    shape = tuple(shape)
    try:
        data = np.broadcast_to(a.data, shape)
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}.") from None

    def backward(g):
        from .arith import unbroadcast
        return (unbroadcast(g, a.shape),)

    return _result(data, (a,), backward, "broadcast_to")


# --------------------------------------------------------------------- indexing
def _plain_index(index):
    """Replace tensors inside an index by their arrays (and lists by arrays)."""
    def plain(i):
        if isinstance(i, Tensor):
            return i.data
        if isinstance(i, list):
            return np.asarray(i)
        return i
    return tuple(plain(i) for i in index) if isinstance(index, tuple) else plain(index)


def _is_advanced(index) -> bool:
    """Integer/boolean array indices can repeat positions; slices cannot."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) for i in items)


def getitem(a: Tensor, index) -> Tensor:
    """``a[index]`` with numpy semantics (slices, ints, integer and boolean arrays)."""
    index = _plain_index(index)
    try:
        data = a.data[index]
    except IndexError as e:
        raise IndexError(f"getitem: {e} (tensor shape {a.shape}).") from None
    return _result(np.asarray(data), (a,),
                   lambda g: (scatter(g, a.shape, index),), "getitem")


def scatter(values: Tensor, shape: tuple[int, ...], index) -> Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``index``; repeated indices
    accumulate. It is the gradient of ``getitem``, and ``getitem`` is its gradient."""
    values = as_tensor(values)
    data = np.zeros(shape, dtype=values.dtype)
    if _is_advanced(index):
        np.add.at(data, index, values.data)
    else:
        data[index] = values.data
    return _result(data, (values,), lambda g: (g[index],), "scatter")


# ---------------------------------------------------------------- concatenation
def cat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``, ``np.concatenate``)."""
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("cat: needs at least one tensor.")
    try:
        data = np.concatenate([t.data for t in tensors], axis=axis)
    except np.exceptions.AxisError:
        raise ValueError(f"cat: axis {axis} is out of range for tensors of shape "
                         f"{tensors[0].shape}.") from None
    except ValueError:
        shapes = [t.shape for t in tensors]
        raise ValueError(f"cat: shapes {shapes} must agree on every axis except {axis}.") \
            from None
    axis = axis % data.ndim
    bounds = np.cumsum([0] + [t.shape[axis] for t in tensors])
    before = (slice(None),) * axis

    def backward(g):
        return tuple(g[before + (slice(int(lo), int(hi)),)] if t.requires_grad else None
                     for t, lo, hi in zip(tensors, bounds[:-1], bounds[1:], strict=True))

    return _result(data, tuple(tensors), backward, "cat")


concatenate = cat


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join equally shaped tensors along a new axis."""
    tensors = [as_tensor(t) for t in tensors]
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got {sorted(shapes)}.")
    return cat([unsqueeze(t, axis) for t in tensors], axis=axis)
