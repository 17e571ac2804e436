"""Arithmetic: + - * / **, matmul, linear, and elementwise maths, each with its gradient.

Every op in brainnet reads the same way, top to bottom (micrograd's pattern, on
arrays): compute the output with numpy, define ``backward(g)``, the map from the
gradient of the output to one gradient per input, and ``record`` it:

    def exp(x):
        x = as_float(x)
        out = wrap(np.exp(x.data))
        def backward(g):
            return (g * out,)            # d exp(x)/dx = exp(x)
        return record(out, (x,), backward, "exp")

The closures are written with tensor ops, so they can themselves be differentiated
(``create_graph=True``). Binary ops broadcast like numpy; the gradient of a broadcast
input is summed back over the axes it was stretched along (``unbroadcast``).
"""

from __future__ import annotations

import numpy as np

from ..autograd import record
from ..tensor import DEFAULT_DTYPE, ArrayLike, Tensor, as_float, as_tensor, wrap
from .shape import unbroadcast

# ------------------------------------------------------------------ dtype rule
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}
_CONSTANT, _WEAK, _STRONG = 0, 1, 2    # how much an operand's dtype counts


def operands(a: ArrayLike, b: ArrayLike) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of one dtype, by the book's rule (as PyTorch's):

    - A tensor with axes decides. Next to it, a constant (a Python number, a list, an
      array that is not a tensor) or a 0-d tensor takes its dtype if of the same kind:
      ``x32 * 2.0``, ``x32 + np.float64(1)`` and ``x32 * bn.tensor(2.0,
      dtype=np.float64)`` stay float32 (numpy would silently make them float64, and
      3x slower).
    - Of a higher kind it wins instead: an integer tensor times 0.5 gives float32 (a
      0-d tensor gives its own dtype).
    - Two tensors with axes give the wider dtype (float32 with float64: float64), and
      boolean masks are left as they are (numpy multiplies them without converting).
    """
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a, b = as_tensor(a), as_tensor(b)          # Python numbers become float32
    ta, rank_a = _operand(a)
    tb, rank_b = _operand(b)
    da, db = ta._data.dtype, tb._data.dtype
    if da == db:
        return ta, tb
    target = _target(da, rank_a, db, rank_b)
    return _cast(ta, target), _cast(tb, target)


def _operand(x: ArrayLike) -> tuple[Tensor, int]:
    """``x`` as a tensor, and how much its dtype counts."""
    if isinstance(x, Tensor):
        return x, _STRONG if x._data.ndim else _WEAK
    array = np.asarray(x)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"cannot compute with a {type(x).__name__} of dtype {array.dtype}.")
    return wrap(array), _CONSTANT


def _target(da: np.dtype, rank_a: int, db: np.dtype, rank_b: int) -> np.dtype:
    ka, kb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if rank_a == rank_b:
        return np.promote_types(da, db) if ka == kb else (da if ka > kb else db)
    (hi, k_hi), (lo, k_lo, rank_lo) = (((da, ka), (db, kb, rank_b)) if rank_a > rank_b
                                       else ((db, kb), (da, ka, rank_a)))
    if k_lo <= k_hi:
        return hi
    if rank_lo == _WEAK:
        return lo
    return np.dtype(DEFAULT_DTYPE) if lo.kind == "f" else lo


def _cast(t: Tensor, dtype: np.dtype) -> Tensor:
    if t._data.dtype == dtype or t._data.dtype.kind == "b":
        return t
    return t.astype(dtype)


def _broadcast_error(op: str, a: Tensor, b: Tensor) -> ValueError:
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together. "
                      "Trailing axes must be equal or 1 (numpy's broadcasting rule); "
                      "reshape one of them, e.g. y.reshape(-1, 1).")


# ----------------------------------------------------------------- binary ops
def add(a: ArrayLike, b: ArrayLike) -> Tensor:
    a, b = operands(a, b)
    try:
        out = wrap(a.data + b.data)
    except ValueError:
        raise _broadcast_error("add", a, b) from None

    def backward(g):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(g, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "add")


def sub(a: ArrayLike, b: ArrayLike) -> Tensor:
    a, b = operands(a, b)
    try:
        out = wrap(a.data - b.data)
    except ValueError:
        raise _broadcast_error("sub", a, b) from None

    def backward(g):
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(-g, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "sub")


def mul(a: ArrayLike, b: ArrayLike) -> Tensor:
    a, b = operands(a, b)
    try:
        out = wrap(a.data * b.data)
    except ValueError:
        raise _broadcast_error("mul", a, b) from None

    def backward(g):
        return (unbroadcast(g * b, a.shape) if a.requires_grad else None,
                unbroadcast(g * a, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "mul")


def div(a: ArrayLike, b: ArrayLike) -> Tensor:
    """a / b, true division: integers divided by integers give float32, as in PyTorch."""
    a, b = operands(a, b)
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        a, b = as_float(a), as_float(b)
    try:
        out = wrap(a.data / b.data)
    except ValueError:
        raise _broadcast_error("div", a, b) from None

    def backward(g):
        return (unbroadcast(g / b, a.shape) if a.requires_grad else None,
                unbroadcast(-g * a / (b * b), b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "div")


def pow(a: ArrayLike, exponent: ArrayLike) -> Tensor:  # noqa: A001 (the op's name)
    """``a ** exponent``; either may be a tensor.

    Gradients follow PyTorch where the formulas give 0 * inf: d(x^0)/dx is 0 at x = 0,
    and d(0^p)/dp is 0.
    """
    if isinstance(a, Tensor) and isinstance(exponent, (int, float)):
        return _pow_number(a, exponent)
    a, p = operands(a, exponent)
    try:
        out = wrap(a.data ** p.data)
    except ValueError:
        raise _broadcast_error("pow", a, p) from None

    def backward(g):
        ga = gp = None
        if a.requires_grad:
            nonzero = p.data != 0                  # x^0 is constant: gradient 0
            ga = unbroadcast(g * where(nonzero, p * a ** where(nonzero, p - 1, 0), 0),
                             a.shape)
        if p.requires_grad:
            positive = a.data > 0                  # 0^p: gradient 0; log(a) needs a > 0
            safe = where(positive, a, 1)
            gp = unbroadcast(g * where(positive, out * log(safe), 0), p.shape)
        return ga, gp

    return record(out, (a, p), backward, "pow")


def _pow_number(a: Tensor, p: float) -> Tensor:
    """``a ** p`` for a Python number p; a float p keeps a's dtype (a numpy float64 p
    is made a Python float first, or numpy would make the result float64)."""
    p = float(p) if isinstance(p, float) else int(p)
    if a.dtype.kind != "f" and (isinstance(p, float) or p < 0):
        a = as_float(a)
    out = wrap(_power(a.data, p))

    def backward(g):
        if p == 0:
            return (g * 0,)
        return (g * p * a ** (p - 1),)

    return record(out, (a,), backward, "pow")


def _power(x: np.ndarray, p: float) -> np.ndarray:
    """x ** p, with the common small powers as products: numpy's float32 power() goes
    through exp and log, about 40 times slower than x * x * x."""
    if p == 2:
        return x * x
    if p == 3:
        return x * x * x
    if p == 1:
        return x.copy()
    if p == 0.5:
        return np.sqrt(x)
    return x ** p


def matmul(a: ArrayLike, b: ArrayLike) -> Tensor:
    """Matrix product with numpy semantics: batched over leading axes, and a 1-D
    operand is a row (on the left) or a column (on the right).

    Shapes: (..., n, k) @ (..., k, m) -> (..., n, m).
    """
    a, b = operands(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: scalars are not matrices (shapes {a.shape} and "
                         f"{b.shape}); use * to scale.")
    inner_a, inner_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned: the last "
                         f"axis of the first ({inner_a}) must equal the "
                         f"{'first' if b.ndim == 1 else 'second-to-last'} axis of the second "
                         f"({inner_b}).")
    if a.ndim == 1 or b.ndim == 1:
        return _matmul_vector(a, b)
    try:
        out = wrap(a.data @ b.data)
    except ValueError:
        raise ValueError(f"matmul: the batch axes of shapes {a.shape} and {b.shape} cannot "
                         "be broadcast together.") from None

    def backward(g):
        return (unbroadcast(g @ b.mT, a.shape) if a.requires_grad else None,
                unbroadcast(a.mT @ g, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "matmul")


def _matmul_vector(a: Tensor, b: Tensor) -> Tensor:
    """matmul with a 1-D operand, as numpy: make it a matrix, multiply, drop the axis."""
    a2 = a.reshape(1, -1) if a.ndim == 1 else a                # (k,) -> (1, k)
    b2 = b.reshape(-1, 1) if b.ndim == 1 else b                # (k,) -> (k, 1)
    out = matmul(a2, b2)
    shape = out.shape
    if a.ndim == 1:
        shape = shape[:-2] + shape[-1:]                        # drop the row axis
    if b.ndim == 1:
        shape = shape[:-1]                                     # drop the column axis
    return out.reshape(shape)


def linear(x: ArrayLike, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, PyTorch's layout, written with plain ops (its gradient comes
    from matmul and add). ``F.linear`` is its fused twin (``ops/fused/basic.py``).

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out).
    """
    weight = as_float(weight)
    x = as_float(x, like=weight)
    y = x @ weight.T
    return y if bias is None else y + bias


# ------------------------------------------------------------------ unary ops
def neg(a: ArrayLike) -> Tensor:
    a = as_tensor(a)
    out = wrap(-a.data)
    return record(out, (a,), lambda g: (-g,), "neg")


def exp(a: ArrayLike) -> Tensor:
    a = as_float(a)
    out = wrap(np.exp(a.data))

    def backward(g):
        return (g * out,)

    return record(out, (a,), backward, "exp")


def log(a: ArrayLike) -> Tensor:
    """Natural logarithm (-inf at 0, NaN below, as numpy and PyTorch)."""
    a = as_float(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = wrap(np.log(a.data))

    def backward(g):
        return (g / a,)

    return record(out, (a,), backward, "log")


def sqrt(a: ArrayLike) -> Tensor:
    a = as_float(a)
    out = wrap(np.sqrt(a.data))

    def backward(g):
        return (g * 0.5 / out,)

    return record(out, (a,), backward, "sqrt")


def abs(a: ArrayLike) -> Tensor:  # noqa: A001 (the op's name)
    """|a|; the gradient at exactly 0 is taken to be 0."""
    a = as_tensor(a)
    out = wrap(np.abs(a.data))
    sign = np.sign(a.data)

    def backward(g):
        return (g * sign,)

    return record(out, (a,), backward, "abs")


def clip(a: ArrayLike, min: float | None = None, max: float | None = None  # noqa: A002
         ) -> Tensor:
    """Clamp into [min, max]; the gradient passes where ``a`` lies inside the range.
    A float tensor keeps its dtype, even with numpy float64 bounds."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max.")
    if min is not None and max is not None and min > max:
        raise ValueError(f"clip: min ({min}) is larger than max ({max}).")
    a = as_tensor(a)
    if a.dtype.kind != "f" and any(isinstance(v, (float, np.floating)) for v in (min, max)):
        a = as_float(a)                        # integers clipped to float bounds: float32
    data = np.clip(a.data, min, max)
    out = wrap(data.astype(a.dtype, copy=False))
    inside = np.ones(a.shape, dtype=bool)
    if min is not None:
        inside &= a.data >= min
    if max is not None:
        inside &= a.data <= max

    def backward(g):
        return (g * inside,)

    return record(out, (a,), backward, "clip")


def where(condition: ArrayLike, a: ArrayLike, b: ArrayLike) -> Tensor:
    """Elementwise ``a`` where ``condition`` is true, else ``b`` (broadcasting)."""
    cond = np.asarray(condition.data if isinstance(condition, Tensor) else condition)
    if cond.dtype.kind != "b":
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}; write "
                        "the comparison, e.g. where(x > 0, a, b).")
    a, b = operands(a, b)
    try:
        out = wrap(np.where(cond, a.data, b.data))
    except ValueError:
        raise ValueError(f"where: condition {cond.shape}, a {a.shape} and b {b.shape} cannot "
                         "be broadcast together.") from None

    def backward(g):
        return (unbroadcast(g * cond, a.shape) if a.requires_grad else None,
                unbroadcast(g * ~cond, b.shape) if b.requires_grad else None)

    return record(out, (a, b), backward, "where")


def astype(a: ArrayLike, dtype) -> Tensor:
    """Cast; the gradient is cast back to the input's dtype. Casting to an integer
    dtype leaves the graph (integers have no gradient)."""
    a = as_tensor(a)
    dtype = np.dtype(dtype)
    if dtype == a.dtype:
        return a
    if dtype.kind != "f":
        return wrap(a.data.astype(dtype))
    source = a.dtype
    out = wrap(a.data.astype(dtype))

    def backward(g):
        return (g.astype(source),)

    return record(out, (a,), backward, "astype")
