"""Argument conventions shared by the ops: numpy's names and PyTorch's, and axes.

Every op that takes numpy's ``axis=``/``keepdims=`` also takes PyTorch's
``dim=``/``keepdim=``, because readers coming from PyTorch type those first.
"""

from __future__ import annotations

import operator
from typing import Any


def either(op: str, numpy_name: str, numpy_value: Any, torch_name: str, torch_value: Any,
           default: Any = None) -> Any:
    """The value given under numpy's name or PyTorch's; giving both is an error."""
    if torch_value is None:
        return numpy_value
    if numpy_value is not default and numpy_value != default:
        raise TypeError(f"{op}: give {numpy_name}= or {torch_name}=, not both.")
    return torch_value


def unknown(op: str, extra: dict) -> None:
    """Refuse keyword arguments an op does not know, naming them."""
    if extra:
        raise TypeError(f"{op}: unexpected keyword argument(s) {sorted(extra)}.")


def axis_index(op: str, axis: int, ndim: int, shape: tuple[int, ...]) -> int:
    """``axis`` in range(ndim), counted from the end if negative. Out of range is an
    error: wrapping it round (axis % ndim) would silently pick another axis."""
    if isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an integer, got {axis!r}.")
    try:
        axis = operator.index(axis)       # ints and numpy integers; never floats
    except TypeError:
        raise TypeError(f"{op}: axis must be an integer, got {axis!r}.") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"{op}: axis {axis} is out of range for a tensor of shape {shape} "
                         f"({ndim} axes: use 0..{ndim - 1} or -{ndim}..-1).")
    return axis % ndim


def axes_tuple(op: str, axis: Any, ndim: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axis`` (None for all, an int or a sequence of ints) as a sorted tuple."""
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if not isinstance(axis, (tuple, list)) else tuple(axis)
    axes = sorted({axis_index(op, a, ndim, shape) for a in items})
    if len(axes) != len(items):
        raise ValueError(f"{op}: axis {axis} names an axis twice.")
    return tuple(axes)
