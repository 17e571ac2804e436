"""Arithmetic ops: + - * / **, matmul and elementwise maths, each with its gradient.

Every op follows one pattern (micrograd's, vectorised): compute the output with numpy,
then hand ``_result`` a closure ``backward(g)`` that maps dL/dout to dL/dinput for each
input. Closures are written with tensor ops, so they can themselves be differentiated
(``create_graph=True``).

Every op accepts tensors or array-likes (converted as by ``as_tensor``). Binary ops
broadcast like numpy. The gradient of a broadcast input is summed back over
the axes it was stretched along (``unbroadcast``).
"""

from __future__ import annotations

import numpy as np

from .tensor import Tensor, _result, _wrap, as_tensor


# ----------------------------------------------------------------------- helpers
def lift(x, like: Tensor) -> Tensor:
    """``x`` as a tensor. Constants take ``like``'s float dtype, so that
    ``x32 * 2.0`` or ``x32 + np.float64(1)`` stay float32 instead of silently
    becoming float64 (and 3x slower). Boolean masks stay boolean: numpy multiplies
    them into floats without a conversion."""
    if isinstance(x, Tensor):
        return x
    dtype = like.data.dtype
    if dtype.kind == "f":
        if isinstance(x, (float, int)):
            return _wrap(np.array(x, dtype=dtype))
        array = np.asarray(x)
        if array.dtype.kind == "b":
            return _wrap(array)
        if array.dtype.kind in "fiu":
            return _wrap(array.astype(dtype, copy=False))
    return Tensor(x)


def _pair(a, b) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, (b if isinstance(b, Tensor) else lift(b, a))
    if isinstance(b, Tensor):
        return lift(a, b), b
    return as_tensor(a), as_tensor(b)


def unbroadcast(g: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``g`` down to ``shape``: the gradient of broadcasting a ``shape`` array."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and g.shape[extra + i] != 1
    )
    return g.sum(axis=axes).reshape(shape)


def _broadcast_error(op: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(
        f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together. Trailing "
        "axes must be equal or 1 (numpy broadcasting rules)."
    )


# ----------------------------------------------------------------- binary ops
def add(a, b) -> Tensor:
    a, b = _pair(a, b)
    try:
        data = a.data + b.data
    except ValueError:
        raise _broadcast_error("add", a, b) from None

    def backward(g):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(g, b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "add")


def sub(a, b) -> Tensor:
    a, b = _pair(a, b)
    try:
        data = a.data - b.data
    except ValueError:
        raise _broadcast_error("sub", a, b) from None

    def backward(g):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(-g, b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "sub")


def mul(a, b) -> Tensor:
    a, b = _pair(a, b)
    try:
        data = a.data * b.data
    except ValueError:
        raise _broadcast_error("mul", a, b) from None

    def backward(g):
        return (unbroadcast(g * b, a.shape) if a.requires_grad else None,
                unbroadcast(g * a, b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "mul")


def div(a, b) -> Tensor:
    a, b = _pair(a, b)
    try:
        data = a.data / b.data
    except ValueError:
        raise _broadcast_error("div", a, b) from None

    def backward(g):
        return (unbroadcast(g / b, a.shape) if a.requires_grad else None,
                unbroadcast(-g * a / (b * b), b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "div")


def pow(a, exponent) -> Tensor:  # noqa: A001 (the op's name)
    """``a ** exponent``; the exponent may be a number or a tensor."""
    if isinstance(a, Tensor) and isinstance(exponent, (int, float)):
        # A numpy float64 exponent would promote float32 to float64 (numpy 2); a
        # Python float keeps the tensor's dtype.
        p = float(exponent) if isinstance(exponent, float) else exponent
        data = a.data ** p

        def backward(g):
            return (g * p * a ** (p - 1),)

        return _result(data, (a,), backward, "pow")

    a, p = _pair(a, exponent)
    try:
        data = a.data ** p.data
    except ValueError:
        raise _broadcast_error("pow", a, p) from None

    def backward_tensor(g):
        return (unbroadcast(g * p * a ** (p - 1), a.shape) if a.requires_grad else None,
                unbroadcast(g * out * log(a), p.shape) if p.requires_grad else None)

    out = _result(data, (a, p), backward_tensor, "pow")
    return out


def matmul(a, b) -> Tensor:
    """Matrix product with numpy semantics: batched over leading axes, and a 1-D
    operand is treated as a row (left) or column (right) vector.

    Shapes: (..., n, k) @ (..., k, m) -> (..., n, m).
    """
    a, b = _pair(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: scalars are not matrices (shapes {a.shape} and {b.shape}); "
                         "use * to scale.")
    if a.ndim == 1 or b.ndim == 1:
        a2 = a.reshape(1, -1) if a.ndim == 1 else a          # (k,) -> (1, k)
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b          # (k,) -> (k, 1)
        out = matmul(a2, b2)
        shape = out.shape
        if a.ndim == 1:
            shape = shape[:-2] + shape[-1:]                  # drop the row axis
        if b.ndim == 1:
            shape = shape[:-1]                               # drop the column axis
        return out.reshape(shape)
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last axis of the "
            f"first ({a.shape[-1]}) must equal the second-to-last of the second "
            f"({b.shape[-2]})."
        )
    try:
        data = a.data @ b.data
    except ValueError:
        raise ValueError(f"matmul: batch axes of shapes {a.shape} and {b.shape} cannot be "
                         "broadcast together.") from None

    def backward(g):
        return (unbroadcast(g @ b.mT, a.shape) if a.requires_grad else None,
                unbroadcast(a.mT @ g, b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "matmul")


# ------------------------------------------------------------------ unary ops
def neg(a: Tensor) -> Tensor:
    a = as_tensor(a)
    return _result(-a.data, (a,), lambda g: (-g,), "neg")


def exp(a: Tensor) -> Tensor:
    a = as_tensor(a)

    def backward(g):
        return (g * out,)

    out = _result(np.exp(a.data), (a,), backward, "exp")
    return out


def log(a: Tensor) -> Tensor:
    a = as_tensor(a)
    return _result(np.log(a.data), (a,), lambda g: (g / a,), "log")


def sqrt(a: Tensor) -> Tensor:
    a = as_tensor(a)

    def backward(g):
        return (g * 0.5 / out,)

    out = _result(np.sqrt(a.data), (a,), backward, "sqrt")
    return out


def abs(a: Tensor) -> Tensor:  # noqa: A001
    """|a|; the gradient at exactly 0 is taken to be 0."""
    a = as_tensor(a)
    sign = np.sign(a.data)
    return _result(np.abs(a.data), (a,), lambda g: (g * sign,), "abs")


def clip(a: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """Clamp into [min, max]. The gradient passes where ``a`` lies inside the range.
    A float tensor keeps its dtype, even with numpy float64 bounds."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max.")
    a = as_tensor(a)
    data = np.clip(a.data, min, max)
    if a.dtype.kind == "f":
        data = data.astype(a.dtype, copy=False)
    inside = np.ones(a.shape, dtype=bool)
    if min is not None:
        inside &= a.data >= min
    if max is not None:
        inside &= a.data <= max
    return _result(data, (a,), lambda g: (g * inside,), "clip")


def where(condition, a, b) -> Tensor:
    """Elementwise ``a`` where ``condition`` is true, else ``b`` (broadcasting)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition, bool)
    a, b = _pair(a, b)
    try:
        data = np.where(cond, a.data, b.data)
    except ValueError:
        raise ValueError(f"where: condition {cond.shape}, a {a.shape} and b {b.shape} cannot "
                         "be broadcast together.") from None

    def backward(g):
        return (unbroadcast(g * cond, a.shape) if a.requires_grad else None,
                unbroadcast(g * ~cond, b.shape) if b.requires_grad else None)

    return _result(data, (a, b), backward, "where")


def astype(a: Tensor, dtype) -> Tensor:
    """Cast; the gradient is cast back to the input's dtype."""
    a = as_tensor(a)
    dtype = np.dtype(dtype)
    if dtype == a.dtype:
        return a
    if dtype.kind != "f":
        return Tensor(a.data.astype(dtype))  # integer results are outside the graph
    source = a.dtype
    return _result(a.data.astype(dtype), (a,), lambda g: (g.astype(source),), "astype")

