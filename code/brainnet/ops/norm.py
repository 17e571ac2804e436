"""Normalisation and dropout: ops that rescale activations rather than transform them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import rng as _rng
from ..tensor import ArrayLike, Tensor, as_float


def check_p(p: float, op: str) -> float:
    """A dropout probability, in [0, 1)."""
    if not (isinstance(p, (int, float)) and 0.0 <= p < 1.0):
        raise ValueError(f"{op}: p is the probability of dropping a unit and must be in "
                         f"[0, 1), got {p!r}.")
    return float(p)


def normalized_shape_arg(normalized_shape: int | Sequence[int], op: str) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple of positive ints."""
    shape = ((normalized_shape,) if isinstance(normalized_shape, (int, np.integer))
             else tuple(normalized_shape))
    if not shape or any(int(n) <= 0 for n in shape):
        raise ValueError(f"{op}: normalized_shape must be positive sizes, got "
                         f"{normalized_shape!r}.")
    return tuple(int(n) for n in shape)


def dropout(x: ArrayLike, p: float = 0.5, training: bool = True,
            rng: _rng.Seed = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so the
    expected value is unchanged and evaluation needs no rescaling (inverted dropout)."""
    p = check_p(p, "dropout")
    x = as_float(x)
    if not training or p == 0.0:
        return x
    keep = _rng.generator(rng).random(x.shape) >= p
    return x * (keep * x.dtype.type(1.0 / (1.0 - p)))


def layer_norm(x: ArrayLike, normalized_shape: int | Sequence[int],
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` axes to mean 0 and variance 1,
    then scale by ``weight`` and shift by ``bias`` (Ba, Kiros & Hinton 2016).

    Shapes: x (..., *normalized_shape) -> same; weight and bias normalized_shape.
    """
    shape = normalized_shape_arg(normalized_shape, "layer_norm")
    x = as_float(x, like=as_float(weight)) if weight is not None else as_float(x)
    weight = None if weight is None else as_float(weight, like=x)
    bias = None if bias is None else as_float(bias, like=x)
    k = len(shape)
    if x.shape[x.ndim - k:] != shape:
        raise ValueError(f"layer_norm: input shape {x.shape} does not end with "
                         f"normalized_shape {shape}.")
    axes = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    y = centred / (variance + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y
