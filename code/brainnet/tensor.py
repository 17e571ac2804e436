"""``Tensor``: a numpy array that remembers how it was computed.

A tensor holds its values in ``.data`` (a numpy array). When it is computed by an op
from tensors that require gradients, it also keeps its parents and a closure that
maps the gradient of the output to gradients of the parents. ``backward()`` calls
those closures in reverse order (see ``autograd.py``).

The ops themselves live in ``arith.py`` (arithmetic, matmul, elementwise maths),
``activation.py`` (tanh, relu, softmax, ...), ``reduce.py`` (sum, mean, max, ...) and
``shape.py`` (reshape, indexing, concatenation); losses are in ``functional.py``.
The methods below are one-line doors into them, so ``x.exp()`` and
``brainnet.exp(x)`` are the same op.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from . import autograd

DEFAULT_DTYPE = np.float32

_Backward = Callable[["Tensor"], tuple["Tensor | None", ...]]


class Tensor:
    """An n-dimensional array with reverse-mode automatic differentiation.

    Args:
        data: array-like. Python floats become float32 (the default dtype for models);
            numpy arrays keep their dtype, so float64 stays float64 for gradient checks.
        requires_grad: record ops on this tensor so that ``backward()`` reaches it.
        dtype: optional numpy dtype to cast to.
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain",
                 "__weakref__")
    __array_priority__ = 1000  # make ``ndarray + Tensor`` call Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        array = _to_array(data, dtype)
        if requires_grad and not np.issubdtype(array.dtype, np.floating):
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype "
                f"{array.dtype}. Convert first, e.g. Tensor(x, dtype=np.float32)."
            )
        self.data: np.ndarray = array
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: _Backward | None = None
        self._op = ""
        self._retain = False

    # ----------------------------------------------------------------- description
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user rather than computed by an op."""
        return self._backward is None

    def size(self, axis: int | None = None):
        """The shape (PyTorch's ``size()``), or the length of one axis."""
        return self.data.shape if axis is None else self.data.shape[axis]

    def numel(self) -> int:
        """Number of elements."""
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype != DEFAULT_DTYPE:
            extras.append(f"dtype={self.dtype}")
        if self._op and self.requires_grad:
            extras.append(f"grad_fn=<{self._op}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    # ------------------------------------------------------------ leaving the graph
    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not copied)."""
        return self.data

    def item(self) -> float | int | bool:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: tensor has {self.data.size} elements (shape {self.shape}); "
                             "only one-element tensors can be converted to a number.")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same values, cut off from the graph (gradients stop here)."""
        return Tensor(self.data)

    def __array__(self, dtype=None, copy=None):
        # Lets numpy and matplotlib take tensors directly: np.asarray(t), plt.plot(t).
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __bool__(self) -> bool:
        return bool(self.item())

    # ----------------------------------------------------------------- autograd
    def backward(self, gradient=None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is required when ``self`` is not a scalar: it is dL/dself for
        whatever scalar L you have in mind. ``create_graph=True`` records the backward
        pass itself, so that the gradients can be differentiated again.
        """
        autograd.backward(self, gradient, create_graph)

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this intermediate tensor too (leaves always keep it)."""
        self._retain = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place and return self."""
        if requires_grad and not np.issubdtype(self.dtype, np.floating):
            raise TypeError(f"requires_grad_: dtype {self.dtype} is not floating point.")
        self.requires_grad = requires_grad
        return self

    def zero_grad(self) -> None:
        self.grad = None

    # ------------------------------------------------------------------ dtype
    def astype(self, dtype) -> Tensor:
        """Cast to ``dtype``; gradients flow back, cast to the original dtype."""
        return arith.astype(self, dtype)

    def float(self) -> Tensor:
        return self.astype(np.float32)

    def double(self) -> Tensor:
        return self.astype(np.float64)

    # ------------------------------------------------------------- arithmetic
    def __add__(self, other):
        return arith.add(self, other)

    def __radd__(self, other):
        return arith.add(other, self)

    def __sub__(self, other):
        return arith.sub(self, other)

    def __rsub__(self, other):
        return arith.sub(other, self)

    def __mul__(self, other):
        return arith.mul(self, other)

    def __rmul__(self, other):
        return arith.mul(other, self)

    def __truediv__(self, other):
        return arith.div(self, other)

    def __rtruediv__(self, other):
        return arith.div(other, self)

    def __pow__(self, exponent):
        return arith.pow(self, exponent)

    def __rpow__(self, base):
        return arith.pow(base, self)

    def __neg__(self):
        return arith.neg(self)

    def __abs__(self):
        return arith.abs(self)

    def __matmul__(self, other):
        return arith.matmul(self, other)

    def __rmatmul__(self, other):
        return arith.matmul(other, self)

    # Comparisons give boolean tensors outside the graph, as in PyTorch.
    def __lt__(self, other):
        return Tensor(self.data < _raw(other))

    def __le__(self, other):
        return Tensor(self.data <= _raw(other))

    def __gt__(self, other):
        return Tensor(self.data > _raw(other))

    def __ge__(self, other):
        return Tensor(self.data >= _raw(other))

    def __eq__(self, other):  # type: ignore[override]
        return Tensor(self.data == _raw(other))

    def __ne__(self, other):  # type: ignore[override]
        return Tensor(self.data != _raw(other))

    __hash__ = object.__hash__  # tensors are hashed by identity, like PyTorch's

    # ------------------------------------------------------- elementwise maths
    def exp(self):
        return arith.exp(self)

    def log(self):
        return arith.log(self)

    def sqrt(self):
        return arith.sqrt(self)

    def pow(self, exponent):
        return arith.pow(self, exponent)

    def abs(self):
        return arith.abs(self)

    def clip(self, min=None, max=None):  # noqa: A002 (numpy's and PyTorch's names)
        return arith.clip(self, min, max)

    def tanh(self):
        return activation.tanh(self)

    def sigmoid(self):
        return activation.sigmoid(self)

    def relu(self):
        return activation.relu(self)

    def softmax(self, axis: int = -1):
        return activation.softmax(self, axis)

    def log_softmax(self, axis: int = -1):
        return activation.log_softmax(self, axis)

    # -------------------------------------------------------------- reductions
    def sum(self, axis=None, keepdims: bool = False):
        return reduce.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        return reduce.mean(self, axis, keepdims)

    def var(self, axis=None, keepdims: bool = False, correction: int = 1):
        return reduce.var(self, axis, keepdims, correction)

    def max(self, axis=None, keepdims: bool = False):
        return reduce.max(self, axis, keepdims)

    def min(self, axis=None, keepdims: bool = False):
        return reduce.min(self, axis, keepdims)

    def argmax(self, axis: int | None = None) -> Tensor:
        return Tensor(self.data.argmax(axis=axis))

    def argmin(self, axis: int | None = None) -> Tensor:
        return Tensor(self.data.argmin(axis=axis))

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape):
        return shape_ops.reshape(self, *shape)

    def view(self, *shape):
        return shape_ops.reshape(self, *shape)

    def flatten(self, start_axis: int = 0, end_axis: int = -1):
        return shape_ops.flatten(self, start_axis, end_axis)

    def squeeze(self, axis: int | None = None):
        return shape_ops.squeeze(self, axis)

    def unsqueeze(self, axis: int):
        return shape_ops.unsqueeze(self, axis)

    def permute(self, *axes):
        return shape_ops.permute(self, *axes)

    def transpose(self, axis0: int = -2, axis1: int = -1):
        return shape_ops.transpose(self, axis0, axis1)

    @property
    def T(self):  # noqa: N802 (numpy's and PyTorch's name)
        """Axes reversed: the matrix transpose for 2-D tensors."""
        if self.data.ndim == 2:
            return shape_ops.transpose(self, 0, 1)
        return shape_ops.permute(self, *reversed(range(self.ndim)))

    @property
    def mT(self):  # noqa: N802
        return shape_ops.transpose(self, -2, -1)

    def broadcast_to(self, shape: Sequence[int]):
        return shape_ops.broadcast_to(self, shape)

    def __getitem__(self, index):
        return shape_ops.getitem(self, index)

    def __iter__(self):
        return (self[i] for i in range(len(self)))


# ---------------------------------------------------------------------- helpers
def _to_array(data, dtype=None) -> np.ndarray:
    """Convert array-like input, with Python floats defaulting to float32."""
    if isinstance(data, np.ndarray):
        array = data if dtype is None else data.astype(dtype, copy=False)
    else:
        array = np.asarray(data, dtype=dtype)
        if dtype is None and array.dtype == np.float64:
            array = array.astype(DEFAULT_DTYPE)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"Tensor: unsupported dtype {array.dtype}; use a numeric array.")
    return array


def _raw(x):
    """The numpy value of a tensor, or ``x`` itself."""
    return x.data if isinstance(x, Tensor) else x


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """Create a tensor from a copy of ``data`` (PyTorch's ``torch.tensor``). The copy
    matters: optimisers update tensors in place, and must not change the caller's array.
    ``Tensor(array)`` and ``as_tensor`` share the array instead."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, np.ndarray):
        data = data.copy()
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def as_tensor(x, dtype=None) -> Tensor:
    """``x`` itself if it is already a tensor of the right dtype, else a new tensor."""
    if isinstance(x, Tensor) and (dtype is None or x.dtype == dtype):
        return x
    return Tensor(x, dtype=dtype)


def zeros(*shape, dtype=DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=DEFAULT_DTYPE, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape_arg(shape), dtype=dtype), requires_grad=requires_grad)


def _shape_arg(shape) -> tuple[int, ...]:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def _wrap(data: np.ndarray) -> Tensor:
    """A tensor around an existing array, skipping ``__init__``'s checks (hot path)."""
    out = Tensor.__new__(Tensor)
    out.data = data
    out.grad = None
    out.requires_grad = False
    out._parents = ()
    out._backward = None
    out._op = ""
    out._retain = False
    return out


def _result(data: np.ndarray, parents: tuple[Tensor, ...], backward: _Backward,
            op: str) -> Tensor:
    """Wrap an op's output; wire it into the graph if recording and a parent needs grad."""
    out = _wrap(data)
    out._op = op
    if autograd._grad_enabled:
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out._backward = backward
                break
    return out


# The op modules import Tensor from here, so they are imported last.
from . import activation, arith, reduce  # noqa: E402
from . import shape as shape_ops  # noqa: E402
