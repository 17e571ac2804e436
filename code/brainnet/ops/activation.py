"""Activation functions and softmax.

A neuron's output is a nonlinear function of its summed input; these are the usual
choices. Each is one op with its gradient written out, and each forward value comes
from a stable formula in ``brainnet.numerics``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import numerics
from ..autograd import record
from ..tensor import ArrayLike, Tensor, as_float, wrap
from .args import axis_index, either

GELU_C = math.sqrt(2.0 / math.pi)
GELU_K = 0.044715


def tanh(x: ArrayLike) -> Tensor:
    x = as_float(x)
    out = wrap(np.tanh(x.data))

    def backward(g):
        return (g * (1.0 - out * out),)

    return record(out, (x,), backward, "tanh")


def sigmoid(x: ArrayLike) -> Tensor:
    """1 / (1 + e^-x), accurate for large negative x too (``numerics.sigmoid``)."""
    x = as_float(x)
    out = wrap(numerics.sigmoid(x.data))

    def backward(g):
        return (g * out * (1.0 - out),)

    return record(out, (x,), backward, "sigmoid")


def relu(x: ArrayLike) -> Tensor:
    """max(x, 0). The gradient at exactly 0 is taken to be 0."""
    x = as_float(x)
    out = wrap(np.maximum(x.data, 0))
    positive = x.data > 0

    def backward(g):
        return (g * positive,)

    return record(out, (x,), backward, "relu")


def softplus(x: ArrayLike) -> Tensor:
    """log(1 + e^x), a smooth ReLU, computed as max(x, 0) + log(1 + e^-|x|), which never
    overflows. Its gradient is the sigmoid (exact at x = 0 too, where composing
    relu and abs would give the subgradient 0 instead of 1/2)."""
    x = as_float(x)
    out = wrap(np.maximum(x.data, 0) + np.log1p(np.exp(-np.abs(x.data))))

    def backward(g):
        return (g * sigmoid(x),)

    return record(out, (x,), backward, "softplus")


def leaky_relu(x: ArrayLike, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else ``negative_slope * x``: a ReLU whose negative side still learns."""
    x = as_float(x)
    slope = x.dtype.type(negative_slope)          # a numpy float64 slope must not upcast
    positive = x.data > 0
    out = wrap(np.where(positive, x.data, slope * x.data))
    local = np.where(positive, x.dtype.type(1), slope)

    def backward(g):
        return (g * local,)

    return record(out, (x,), backward, "leaky_relu")


def gelu(x: ArrayLike, approximate: str = "tanh") -> Tensor:
    """Gaussian error linear unit, x * Phi(x), in its tanh approximation
    (PyTorch's ``approximate='tanh'``; numpy has no erf for the exact form)."""
    if approximate != "tanh":
        raise ValueError(f"gelu: only approximate='tanh' is available (numpy has no erf), "
                         f"got {approximate!r}. In PyTorch, compare against "
                         "F.gelu(x, approximate='tanh').")
    x = as_float(x)
    xd = x.data
    out = wrap(0.5 * xd * (1.0 + np.tanh(GELU_C * (xd + GELU_K * xd * xd * xd))))

    def backward(g):
        # d/dx [0.5 x (1 + tanh(u))], u = c (x + k x^3), written with tensor ops so
        # that it can be differentiated again.
        th = tanh(GELU_C * (x + GELU_K * x * x * x))
        du = GELU_C * (1.0 + 3 * GELU_K * x * x)
        return (g * (0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du),)

    return record(out, (x,), backward, "gelu")


def softmax(x: ArrayLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``. Shapes: (..., C) -> (..., C)."""
    x = as_float(x)
    axis = axis_index("softmax", either("softmax", "axis", axis, "dim", dim, -1),
                      x.ndim, x.shape)
    out = wrap(numerics.softmax(x.data, axis))

    def backward(g):
        # the Jacobian-vector product of softmax: s * (g - <g, s>)
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    return record(out, (x,), backward, "softmax")


def log_softmax(x: ArrayLike, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log(softmax(x)) = x - logsumexp(x), without ever forming a tiny probability.
    Shapes: (..., C) -> (..., C)."""
    x = as_float(x)
    axis = axis_index("log_softmax", either("log_softmax", "axis", axis, "dim", dim, -1),
                      x.ndim, x.shape)
    out = wrap(numerics.log_softmax(x.data, axis))

    def backward(g):
        return (g - out.exp() * g.sum(axis=axis, keepdims=True),)

    return record(out, (x,), backward, "log_softmax")
