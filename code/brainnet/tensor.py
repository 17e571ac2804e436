"""``Tensor``: a numpy array that can remember how it was computed.

This file is the bottom of brainnet: it imports no other brainnet module. A tensor
holds its values in ``.data`` (a numpy array), and, once an op has computed it from
tensors that require gradients, the fields autograd fills in (``autograd.record``):
its parents, the closure that sends a gradient back to them, and when it was made.

The maths (``x + y``, ``x.exp()``, ``x.sum()``, ...) is not written here. Each op is
defined once, in ``brainnet/ops/``, and ``brainnet/methods.py`` attaches the methods
to this class; they are declared at the end of the class body so that editors and
type checkers see them.

The dtype rule, the book's: models compute in float32 unless float64 is asked for
explicitly. Python numbers and lists become float32; numpy arrays keep their dtype,
so ``bn.tensor(np.float64_array)`` is the explicit way to ask for float64 (gradient
checks do). See ``as_float`` and ``brainnet.ops.arith.operands``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

DEFAULT_DTYPE = np.float32

ArrayLike = Union["Tensor", np.ndarray, float, int, bool, Sequence[Any]]
"""What the ops accept: a tensor, or anything ``np.asarray`` turns into numbers."""

Backward = Callable[["Tensor"], tuple["Tensor | None", ...]]
"""An op's closure: dL/d(output) -> one dL/d(parent) per parent (None: no gradient)."""

clock = itertools.count(1)
"""Ticks shared by graph recording and data changes, so that autograd can tell which
happened first: each recorded op takes a tick (its place in time), and so does every
assignment to ``.data``. ``backward`` visits ops newest first, and refuses to use a
tensor whose data changed after an op read it."""

last_change = [0]
"""The tick of the latest assignment to any tensor's ``.data`` (a one-item list, so
that it can be updated in place): backward checks an op's inputs only if some data
changed after the op was recorded."""


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Args:
        data: array-like. Python numbers and lists become float32; numpy arrays keep
            their dtype (float64 stays float64, for gradient checks).
        requires_grad: record ops on this tensor so that ``backward()`` reaches it.
            Only floating-point tensors can require gradients.
        dtype: optional numpy dtype to cast to.
    """

    __slots__ = ("_data", "grad", "_requires_grad", "_parents", "_backward", "_op",
                 "_retain", "_tick", "_changed", "__weakref__")
    __array_priority__ = 1000  # numpy defers `ndarray + Tensor` to Tensor.__radd__

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data._data
        self._data: np.ndarray = to_array(data, dtype)
        self.grad: Tensor | None = None
        self._requires_grad = False
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None
        self._op = ""
        self._retain = False
        self._tick = 0          # when an op recorded this tensor (0: a leaf)
        self._changed = 0       # when .data was last assigned (0: never since creation)
        if requires_grad:
            self.requires_grad = requires_grad      # checks the dtype

    # ------------------------------------------------------------------ the values
    @property
    def data(self) -> np.ndarray:
        """The values, a numpy array (shared, not copied)."""
        return self._data

    @data.setter
    def data(self, value: ArrayLike) -> None:
        # Both `t.data = new` and in-place `t.data -= step` land here; the tick lets
        # backward() notice a tensor changed after an op read it.
        if type(value) is not np.ndarray:
            value = value._data if isinstance(value, Tensor) else np.asarray(value)
        self._data = value
        self._changed = last_change[0] = next(clock)

    @property
    def requires_grad(self) -> bool:
        """True if ops on this tensor are recorded for ``backward()``."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only floating-point tensors can require gradients, got "
                f"dtype {self._data.dtype} (shape {self._data.shape}); a gradient of an "
                "integer tensor would be rounded to integers. Convert first: "
                "x = x.float(), or bn.tensor(values, dtype=np.float32).")
        self._requires_grad = bool(value)

    # ----------------------------------------------------------------- description
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than computed by a recorded op."""
        return self._backward is None

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape (PyTorch's ``size()``), or the length of one axis."""
        return self._data.shape if dim is None else self._data.shape[dim]

    def numel(self) -> int:
        """Number of elements."""
        return self._data.size

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len: a 0-d tensor (a single number) has no length; use .item().")
        return len(self._data)

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype != DEFAULT_DTYPE:
            extras.append(f"dtype={self.dtype}")
        if self._op and self._requires_grad:
            extras.append(f"grad_fn=<{self._op}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    # ------------------------------------------------------------ leaving the graph
    def numpy(self) -> np.ndarray:
        """The values as a numpy array (shared, not copied). Gradients do not follow."""
        return self._data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item: the tensor has {self._data.size} elements (shape "
                             f"{self.shape}); only a one-element tensor is a number. "
                             "Reduce it first, e.g. x.sum().item().")
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def detach(self) -> Tensor:
        """The same values (shared), cut off from the graph: gradients stop here."""
        return wrap(self._data)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        # np.asarray(t) and plt.plot(t) take tensors directly, as explicit conversions.
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"bool: the truth value of a tensor with {self._data.size} "
                             f"elements (shape {self.shape}) is ambiguous; use "
                             "(x > 0).all() or .any() style reductions on x.numpy().")
        return bool(self._data.item())

    # ---------------------------------------------------------------- gradients
    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor too (leaves always keep it)."""
        self._retain = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    def zero_grad(self) -> None:
        self.grad = None

    if TYPE_CHECKING:
        # Attached by brainnet/methods.py (each is an op of brainnet/ops/, or backward
        # from autograd.py); declared here so that tools see the surface.
        def backward(self, gradient: ArrayLike | None = None,
                     create_graph: bool = False) -> None: ...
        def __add__(self, other: ArrayLike) -> Tensor: ...
        def __radd__(self, other: ArrayLike) -> Tensor: ...
        def __sub__(self, other: ArrayLike) -> Tensor: ...
        def __rsub__(self, other: ArrayLike) -> Tensor: ...
        def __mul__(self, other: ArrayLike) -> Tensor: ...
        def __rmul__(self, other: ArrayLike) -> Tensor: ...
        def __truediv__(self, other: ArrayLike) -> Tensor: ...
        def __rtruediv__(self, other: ArrayLike) -> Tensor: ...
        def __pow__(self, exponent: ArrayLike) -> Tensor: ...
        def __rpow__(self, base: ArrayLike) -> Tensor: ...
        def __matmul__(self, other: ArrayLike) -> Tensor: ...
        def __rmatmul__(self, other: ArrayLike) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __lt__(self, other: ArrayLike) -> Tensor: ...
        def __le__(self, other: ArrayLike) -> Tensor: ...
        def __gt__(self, other: ArrayLike) -> Tensor: ...
        def __ge__(self, other: ArrayLike) -> Tensor: ...
        def __eq__(self, other: object) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: object) -> Tensor: ...  # type: ignore[override]
        def __getitem__(self, index: Any) -> Tensor: ...
        def __iter__(self) -> Any: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def pow(self, exponent: ArrayLike) -> Tensor: ...
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def clamp(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def log_softmax(self, axis: int = -1, *, dim: int | None = None) -> Tensor: ...
        def sum(self, axis: Any = None, keepdims: bool = False, **torch_names: Any
                ) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False, **torch_names: Any
                 ) -> Tensor: ...
        def var(self, axis: Any = None, keepdims: bool = False, correction: int = 1,
                **torch_names: Any) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False, **torch_names: Any
                ) -> Any: ...
        def min(self, axis: Any = None, keepdims: bool = False, **torch_names: Any
                ) -> Any: ...
        def argmax(self, axis: int | None = None, keepdims: bool = False,
                   **torch_names: Any) -> Tensor: ...
        def argmin(self, axis: int | None = None, keepdims: bool = False,
                   **torch_names: Any) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_axis: int = 0, end_axis: int = -1, **torch_names: Any
                    ) -> Tensor: ...
        def squeeze(self, axis: int | None = None, **torch_names: Any) -> Tensor: ...
        def unsqueeze(self, axis: int | None = None, **torch_names: Any) -> Tensor: ...
        def permute(self, *axes: Any) -> Tensor: ...
        def transpose(self, axis0: int = -2, axis1: int = -1, **torch_names: Any
                      ) -> Tensor: ...
        def broadcast_to(self, shape: Sequence[int]) -> Tensor: ...
        def astype(self, dtype: Any) -> Tensor: ...
        def float(self) -> Tensor: ...
        def double(self) -> Tensor: ...
        def clone(self) -> Tensor: ...
        @property
        def T(self) -> Tensor: ...  # noqa: N802 (numpy's and PyTorch's name)
        @property
        def mT(self) -> Tensor: ...  # noqa: N802


# ------------------------------------------------------------------ construction
def to_array(data: ArrayLike, dtype=None) -> np.ndarray:
    """``data`` as an array: numpy arrays keep their dtype, Python floats become float32."""
    if isinstance(data, np.ndarray):
        array = data if dtype is None else data.astype(dtype, copy=False)
    else:
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype == np.float64:
            array = array.astype(DEFAULT_DTYPE)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"Tensor: unsupported dtype {array.dtype} (from "
                        f"{type(data).__name__}); use numbers, not strings or objects.")
    return array


def wrap(array: np.ndarray) -> Tensor:
    """A tensor around ``array`` as it is: no copy, no checks, not in a graph.

    The ops call this for every result, so it skips ``__init__``'s conversions.
    """
    out = Tensor.__new__(Tensor)
    out._data = array
    out.grad = None
    out._requires_grad = False
    out._parents = ()
    out._backward = None
    out._op = ""
    out._retain = False
    out._tick = 0
    out._changed = 0
    return out


def tensor(data: ArrayLike, requires_grad: bool = False, dtype=None) -> Tensor:
    """A tensor holding a copy of ``data`` (PyTorch's ``torch.tensor``).

    The copy matters: optimisers update tensors in place, and must not change the
    caller's array. ``Tensor(array)`` and ``as_tensor`` share the array instead.
    """
    if isinstance(data, Tensor):
        data = data._data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(x: ArrayLike, dtype=None) -> Tensor:
    """``x`` itself if it is already a tensor of the right dtype, else a new tensor."""
    if isinstance(x, Tensor) and (dtype is None or x._data.dtype == dtype):
        return x
    return Tensor(x, dtype=dtype)


def as_float(x: ArrayLike, like: Tensor | None = None) -> Tensor:
    """``x`` as a floating-point tensor, by the dtype rule.

    With ``like`` (a layer's weight, say) the result has ``like``'s dtype: a float32
    model stays float32 whatever it is fed. Without it, integers become float32 and
    floats keep their precision. Casting a tensor that requires grad is itself an op
    (``astype``), so gradients still reach it.
    """
    if isinstance(x, Tensor):                    # the common case, answered at once
        dtype = x._data.dtype
        if dtype.kind == "f" and (like is None or dtype == like._data.dtype):
            return x
    x = as_tensor(x)
    if like is not None and like._data.dtype.kind == "f":
        target = like._data.dtype
    else:
        target = x._data.dtype if x._data.dtype.kind == "f" else np.dtype(DEFAULT_DTYPE)
    if x._data.dtype == target:
        return x
    return x.astype(target)


def zeros(*shape: int | Sequence[int], dtype=DEFAULT_DTYPE, requires_grad: bool = False
          ) -> Tensor:
    return Tensor(np.zeros(shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape: int | Sequence[int], dtype=DEFAULT_DTYPE, requires_grad: bool = False
         ) -> Tensor:
    return Tensor(np.ones(shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def shape_arg(shape: tuple) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)
