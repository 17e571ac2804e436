"""Tensor's methods: each one hands its arguments to an op defined in ``brainnet/ops``.

``x.exp()`` is ``ops.arith.exp(x)``, ``x + y`` is ``ops.arith.add(x, y)``; nothing is
computed here. Keeping the table apart from ``tensor.py`` keeps the layering one way:
the tensor knows no ops, the ops know the tensor, and this table joins them when
``brainnet/__init__.py`` imports it. The whole surface can be read at a glance.

It also decides what numpy may do with a tensor. ``ndarray + tensor`` and friends are
sent to brainnet's ops, so the graph survives. Any other numpy function applied to a
tensor that requires grad (``np.tanh(w)``) is refused while gradients are recorded: it
would return plain numbers and silently cut the graph. Elsewhere numpy works on the
values, as on any array.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd
from .ops import activation, arith, fused, reduce, shape
from .tensor import Tensor, wrap


def _compare(fn):
    """A comparison: a boolean tensor outside the graph, as in PyTorch."""
    def method(self, other):
        return wrap(np.asarray(fn(self.data, other.data if isinstance(other, Tensor) else other)))
    return method


_METHODS = {
    # arithmetic (the reflected forms swap the operands back)
    "__add__": arith.add, "__radd__": lambda self, other: arith.add(other, self),
    "__sub__": arith.sub, "__rsub__": lambda self, other: arith.sub(other, self),
    "__mul__": arith.mul, "__rmul__": lambda self, other: arith.mul(other, self),
    "__truediv__": arith.div, "__rtruediv__": lambda self, other: arith.div(other, self),
    "__pow__": arith.pow, "__rpow__": lambda self, base: arith.pow(base, self),
    "__matmul__": arith.matmul, "__rmatmul__": lambda self, other: arith.matmul(other, self),
    "__neg__": arith.neg, "__abs__": arith.abs,
    "__lt__": _compare(np.less), "__le__": _compare(np.less_equal),
    "__gt__": _compare(np.greater), "__ge__": _compare(np.greater_equal),
    "__eq__": _compare(np.equal), "__ne__": _compare(np.not_equal),
    # elementwise maths and activations
    "exp": arith.exp, "log": arith.log, "sqrt": arith.sqrt, "abs": arith.abs,
    "pow": arith.pow, "clip": arith.clip, "clamp": arith.clip,
    "tanh": activation.tanh, "sigmoid": activation.sigmoid, "relu": fused.relu,
    "softmax": activation.softmax, "log_softmax": activation.log_softmax,
    # reductions
    "sum": reduce.sum, "mean": reduce.mean, "var": reduce.var, "max": reduce.max,
    "min": reduce.min, "argmax": reduce.argmax, "argmin": reduce.argmin,
    # shape
    "reshape": shape.reshape, "view": shape.reshape, "flatten": shape.flatten,
    "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze, "permute": shape.permute,
    "transpose": shape.transpose, "broadcast_to": shape.broadcast_to,
    "__getitem__": shape.getitem, "clone": shape.clone,
    # dtype
    "astype": arith.astype,
    "float": lambda self: arith.astype(self, np.float32),
    "double": lambda self: arith.astype(self, np.float64),
    # the engine
    "backward": autograd.backward,
}

_PROPERTIES = {
    "T": lambda self: (shape.transpose(self, 0, 1) if self.ndim == 2
                       else shape.permute(self, *reversed(range(self.ndim)))),
    "mT": lambda self: shape.transpose(self, -2, -1),
}

# numpy ufuncs that have a brainnet op, so that `ndarray <op> tensor` keeps the graph
_UFUNCS = {
    np.add: arith.add, np.subtract: arith.sub, np.multiply: arith.mul,
    np.true_divide: arith.div, np.power: arith.pow, np.matmul: arith.matmul,
}


def _iter(self: Tensor):
    if self.ndim == 0:
        raise TypeError("iter: a 0-d tensor (a single number) cannot be iterated; use .item().")
    return (self[i] for i in range(len(self)))


def _needs_graph(values) -> bool:
    """True if gradients are being recorded and a tensor among ``values`` (or inside a
    list or tuple among them) requires grad."""
    if not autograd.is_grad_enabled():
        return False
    for v in values:
        if isinstance(v, (list, tuple)):
            if _needs_graph(v):
                return True
        elif isinstance(v, Tensor) and v.requires_grad:
            return True
    return False


# ufuncs whose result is boolean: no gradient is lost by computing them on the values
_BOOLEAN = {np.greater, np.greater_equal, np.less, np.less_equal, np.equal, np.not_equal,
            np.isfinite, np.isnan, np.isinf, np.signbit, np.logical_and, np.logical_or,
            np.logical_not, np.logical_xor}


def _raw(value):
    return value.data if isinstance(value, Tensor) else value


def _array_ufunc(self: Tensor, ufunc, method: str, *inputs: Any, **kwargs: Any):
    if method == "__call__" and ufunc in _UFUNCS and not kwargs and len(inputs) == 2:
        return _UFUNCS[ufunc](*inputs)
    if ufunc not in _BOOLEAN and (_needs_graph(inputs) or _needs_graph(kwargs.get("out", ()))):
        raise TypeError(
            f"numpy's {ufunc.__name__} was given a tensor that requires grad. It would "
            "return plain numbers and silently cut the graph, so no gradient would reach "
            "the tensor. Use the brainnet op instead (x.tanh(), x.exp(), F.relu(x), ...), "
            "or pass x.detach() / x.numpy() if you want the values only.")
    if "out" in kwargs:
        kwargs["out"] = tuple(_raw(o) for o in kwargs["out"])
    return getattr(ufunc, method)(*(_raw(i) for i in inputs), **kwargs)


def _array_function(self: Tensor, func, types, args, kwargs):
    if _needs_graph(args) or _needs_graph(kwargs.values()):
        raise TypeError(
            f"numpy's {func.__name__} was given a tensor that requires grad. It would "
            "return plain numbers and silently cut the graph. Use brainnet's ops "
            "(bn.cat, bn.stack, x.sum(), ...), or pass x.detach() / x.numpy() for the "
            "values only.")
    args = tuple(_raw(a) if not isinstance(a, (list, tuple)) else type(a)(_raw(v) for v in a)
                 for a in args)
    kwargs = {k: _raw(v) for k, v in kwargs.items()}
    return func(*args, **kwargs)


def attach() -> None:
    """Put the methods on ``Tensor`` (done once, when this module is imported)."""
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    for name, fn in _PROPERTIES.items():
        setattr(Tensor, name, property(fn))
    Tensor.__iter__ = _iter  # type: ignore[method-assign]
    Tensor.__array_ufunc__ = _array_ufunc  # type: ignore[attr-defined]
    Tensor.__array_function__ = _array_function  # type: ignore[attr-defined]


attach()
