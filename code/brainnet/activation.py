"""Activation functions and softmax, with numerically stable forms.

A neuron's output is a nonlinear function of its summed input. These are the usual
choices; each is one op with a hand-written gradient (see ``arith.py`` for the
pattern).
"""

from __future__ import annotations

import math

import numpy as np

from . import autograd
from .tensor import Tensor, _result, _wrap, as_tensor

_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_K = 0.044715


def tanh(x) -> Tensor:
    x = as_tensor(x)

    def backward(g):
        return (g * (1.0 - out * out),)

    out = _result(np.tanh(x.data), (x,), backward, "tanh")
    return out


def sigmoid(x) -> Tensor:
    """1 / (1 + e^-x), computed as 0.5 tanh(x/2) + 0.5: same value, never overflows."""
    x = as_tensor(x)

    def backward(g):
        return (g * out * (1.0 - out),)

    out = _result(0.5 * np.tanh(0.5 * x.data) + 0.5, (x,), backward, "sigmoid")
    return out


def relu(x) -> Tensor:
    """max(x, 0). The gradient at exactly 0 is taken to be 0."""
    x = as_tensor(x)

    def backward(g):
        if autograd._grad_enabled:           # double backward: keep g in the graph
            return (g * (x.data > 0),)
        return (_wrap(g.data * (x.data > 0)),)

    return _result(np.maximum(x.data, 0), (x,), backward, "relu")


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    """x for x > 0, else ``negative_slope * x``: a ReLU whose negative side still learns."""
    x = as_tensor(x)
    positive = x.data > 0
    data = np.where(positive, x.data, negative_slope * x.data)

    def backward(g):
        return (g * np.where(positive, 1.0, negative_slope),)

    return _result(data, (x,), backward, "leaky_relu")


def gelu(x) -> Tensor:
    """Gaussian error linear unit, x * Phi(x), in its tanh approximation
    (PyTorch's ``approximate='tanh'``; numpy has no erf)."""
    x = as_tensor(x)
    t = np.tanh(_GELU_C * (x.data + _GELU_K * x.data ** 3))
    data = 0.5 * x.data * (1.0 + t)

    def backward(g):
        # d/dx [0.5 x (1 + tanh(u))], u = c (x + k x^3), written with tensor ops so
        # that it can be differentiated again.
        th = tanh(_GELU_C * (x + _GELU_K * x ** 3))
        du = _GELU_C * (1.0 + 3 * _GELU_K * x * x)
        return (g * (0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * du),)

    return _result(data, (x,), backward, "gelu")


def softmax(x, axis: int = -1) -> Tensor:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the max so exp never overflows."""
    x = as_tensor(x)
    z = np.exp(x.data - x.data.max(axis=axis, keepdims=True))
    data = z / z.sum(axis=axis, keepdims=True)

    def backward(g):
        # Jacobian-vector product of softmax: s * (g - <g, s>).
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    out = _result(data, (x,), backward, "softmax")
    return out


def logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(sum(exp(x))) along ``axis`` (keepdims), stable for large |x|. numpy only."""
    m = x.max(axis=axis, keepdims=True)
    return m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def log_softmax(x, axis: int = -1) -> Tensor:
    """log(softmax(x)) = x - logsumexp(x), without ever forming a tiny probability."""
    x = as_tensor(x)
    data = x.data - logsumexp(x.data, axis)

    def backward(g):
        return (g - out.exp() * g.sum(axis=axis, keepdims=True),)

    out = _result(data, (x,), backward, "log_softmax")
    return out
