"""Shape ops: reshape, permute, broadcast, indexing, concatenation.

None of these changes a value; they only move values around. So each gradient moves
dL/dout back to where the values came from: reshape back, permute by the inverse
permutation, sum over broadcast axes (``unbroadcast``), scatter into the indexed
positions. Each op takes a tensor or an array-like.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd import record
from ..tensor import ArrayLike, Tensor, as_tensor, shape_arg, wrap
from .args import axis_index, either


def unbroadcast(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` down to ``shape``: the gradient of broadcasting a ``shape`` array to
    ``g``'s shape (the adjoint of ``broadcast_to``)."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1)
    return g.sum(axis=axes).reshape(shape)


def reshape(a: ArrayLike, *shape: Any) -> Tensor:
    """The same values in a new shape (one axis may be -1: inferred)."""
    a = as_tensor(a)
    shape = shape_arg(shape)
    try:
        out = wrap(a.data.reshape(shape))
    except (ValueError, TypeError):
        raise ValueError(f"reshape: cannot reshape a tensor of shape {a.shape} "
                         f"({a.data.size} elements) into {shape}.") from None

    def backward(g):
        return (g.reshape(a.shape),)

    return record(out, (a,), backward, "reshape")


def flatten(a: ArrayLike, start_axis: int = 0, end_axis: int = -1, *,
            start_dim: int | None = None, end_dim: int | None = None) -> Tensor:
    """Merge axes ``start_axis..end_axis`` into one, e.g. (N, C, H, W) -> (N, C*H*W)."""
    a = as_tensor(a)
    start_axis = either("flatten", "start_axis", start_axis, "start_dim", start_dim, 0)
    end_axis = either("flatten", "end_axis", end_axis, "end_dim", end_dim, -1)
    if a.ndim == 0:
        return a.reshape(1)
    start = axis_index("flatten", start_axis, a.ndim, a.shape)
    end = axis_index("flatten", end_axis, a.ndim, a.shape)
    if start > end:
        raise ValueError(f"flatten: start axis {start_axis} comes after end axis {end_axis} "
                         f"for shape {a.shape}.")
    merged = int(np.prod(a.shape[start:end + 1]))
    return a.reshape(a.shape[:start] + (merged,) + a.shape[end + 1:])


def squeeze(a: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Drop axes of length 1 (all of them, or just ``axis`` if it has length 1)."""
    a = as_tensor(a)
    axis = either("squeeze", "axis", axis, "dim", dim)
    if axis is None:
        return a.reshape(tuple(n for n in a.shape if n != 1))
    axis = axis_index("squeeze", axis, a.ndim, a.shape)
    if a.shape[axis] != 1:
        return a
    return a.reshape(a.shape[:axis] + a.shape[axis + 1:])


def unsqueeze(a: ArrayLike, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Insert an axis of length 1 at position ``axis``."""
    a = as_tensor(a)
    axis = either("unsqueeze", "axis", axis, "dim", dim)
    if axis is None:
        raise TypeError("unsqueeze: give the position of the new axis, e.g. unsqueeze(0).")
    axis = axis_index("unsqueeze", axis, a.ndim + 1, a.shape)
    return a.reshape(a.shape[:axis] + (1,) + a.shape[axis:])


def permute(a: ArrayLike, *axes: Any) -> Tensor:
    """Reorder axes: output axis i is input axis ``axes[i]``."""
    a = as_tensor(a)
    order = tuple(axis_index("permute", ax, a.ndim, a.shape) for ax in shape_arg(axes))
    if len(order) != a.ndim or len(set(order)) != a.ndim:
        raise ValueError(f"permute: {shape_arg(axes)} is not a permutation of the {a.ndim} "
                         f"axes of a tensor of shape {a.shape}.")
    inverse = tuple(int(i) for i in np.argsort(order))
    out = wrap(a.data.transpose(order))

    def backward(g):
        return (g.permute(*inverse),)

    return record(out, (a,), backward, "permute")


def transpose(a: ArrayLike, axis0: int = -2, axis1: int = -1, *,
              dim0: int | None = None, dim1: int | None = None) -> Tensor:
    """Swap two axes (PyTorch's ``transpose(dim0, dim1)``); it is its own gradient."""
    a = as_tensor(a)
    axis0 = axis_index("transpose", either("transpose", "axis0", axis0, "dim0", dim0, -2),
                       a.ndim, a.shape)
    axis1 = axis_index("transpose", either("transpose", "axis1", axis1, "dim1", dim1, -1),
                       a.ndim, a.shape)
    out = wrap(a.data.swapaxes(axis0, axis1))

    def backward(g):
        return (g.transpose(axis0, axis1),)

    return record(out, (a,), backward, "transpose")


def broadcast_to(a: ArrayLike, shape: Sequence[int]) -> Tensor:
    """Stretch axes of length 1 (and add leading axes) to ``shape``, without copying."""
    a = as_tensor(a)
    shape = tuple(shape)
    try:
        out = wrap(np.broadcast_to(a.data, shape))
    except ValueError:
        raise ValueError(f"broadcast_to: cannot broadcast shape {a.shape} to {shape}.") from None

    def backward(g):
        return (unbroadcast(g, a.shape),)

    return record(out, (a,), backward, "broadcast_to")


def clone(a: ArrayLike) -> Tensor:
    """A copy with its own memory; the gradient passes through unchanged."""
    a = as_tensor(a)
    out = wrap(a.data.copy())
    return record(out, (a,), lambda g: (g,), "clone")


# --------------------------------------------------------------------- indexing
def _plain_index(index: Any) -> Any:
    """Replace tensors inside an index by their arrays (and lists by arrays)."""
    def plain(i):
        if isinstance(i, Tensor):
            return i.data
        if isinstance(i, list):
            return np.asarray(i)
        return i
    return tuple(plain(i) for i in index) if isinstance(index, tuple) else plain(index)


def _is_advanced(index: Any) -> bool:
    """Integer and boolean array indices can repeat positions; slices cannot."""
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) for i in items)


def getitem(a: ArrayLike, index: Any) -> Tensor:
    """``a[index]`` with numpy semantics (slices, ints, integer and boolean arrays)."""
    a = as_tensor(a)
    index = _plain_index(index)
    try:
        out = wrap(np.asarray(a.data[index]))
    except IndexError as e:
        raise IndexError(f"getitem: {e} (tensor shape {a.shape}).") from None

    def backward(g):
        return (scatter(g, a.shape, index),)

    return record(out, (a,), backward, "getitem")


def scatter(values: ArrayLike, shape: tuple[int, ...], index: Any) -> Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``index``; repeated indices
    accumulate. It is the gradient of ``getitem``, and ``getitem`` is its gradient."""
    values = as_tensor(values)
    data = np.zeros(shape, dtype=values.dtype)
    if _is_advanced(index):
        np.add.at(data, index, values.data)
    else:
        data[index] = values.data
    out = wrap(data)

    def backward(g):
        return (g[index],)

    return record(out, (values,), backward, "scatter")


# ---------------------------------------------------------------- concatenation
def cat(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None,
        op: str = "cat") -> Tensor:
    """Join tensors along an existing axis (``torch.cat``, ``np.concatenate``)."""
    axis = either(op, "axis", axis, "dim", dim, 0)
    parts = [as_tensor(t) for t in tensors]
    if not parts:
        raise ValueError(f"{op}: needs at least one tensor, got an empty sequence.")
    ndim = parts[0].ndim
    if any(t.ndim != ndim for t in parts):
        raise ValueError(f"{op}: all tensors need the same number of axes, got shapes "
                         f"{[t.shape for t in parts]}.")
    axis = axis_index(op, axis, max(ndim, 1), parts[0].shape)
    try:
        out = wrap(np.concatenate([t.data for t in parts], axis=axis))
    except ValueError:
        raise ValueError(f"{op}: shapes {[t.shape for t in parts]} must agree on every axis "
                         f"except {axis}.") from None
    bounds = np.cumsum([0] + [t.shape[axis] for t in parts])
    before = (slice(None),) * axis

    def backward(g):
        return tuple(g[before + (slice(int(lo), int(hi)),)] if t.requires_grad else None
                     for t, lo, hi in zip(parts, bounds[:-1], bounds[1:], strict=True))

    return record(out, tuple(parts), backward, op)


concatenate = cat


def stack(tensors: Sequence[ArrayLike], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join equally shaped tensors along a new axis."""
    axis = either("stack", "axis", axis, "dim", dim, 0)
    parts = [as_tensor(t) for t in tensors]
    if not parts:
        raise ValueError("stack: needs at least one tensor, got an empty sequence.")
    shapes = {t.shape for t in parts}
    if len(shapes) > 1:
        raise ValueError(f"stack: all tensors must have the same shape, got "
                         f"{[t.shape for t in parts]}.")
    axis = axis_index("stack", axis, parts[0].ndim + 1, parts[0].shape)
    return cat([unsqueeze(t, axis) for t in parts], axis=axis, op="stack")
