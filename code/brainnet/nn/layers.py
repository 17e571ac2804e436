"""Basic layers: Linear, containers, activations, Dropout, LayerNorm, Embedding."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from .. import functional as F
from .. import rng as _rng
from ..ops.norm import check_p, normalized_shape_arg
from ..tensor import Tensor, as_tensor
from .init import normal, uniform_fan_in
from .module import Module, Parameter


class Linear(Module):
    """y = x W^T + b: every output unit sums all inputs, each through its own weight.

    Shapes: x (..., in_features) -> (..., out_features); weight (out, in), bias (out,).
    Weights and bias start uniform in +-1/sqrt(in_features), PyTorch's default.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        _check_sizes("Linear", in_features=in_features, out_features=out_features)
        rng = _rng.generator(rng)
        self.in_features, self.out_features = in_features, out_features
        self.weight = uniform_fan_in((out_features, in_features), in_features, rng, dtype)
        self.bias = uniform_fan_in((out_features,), in_features, rng, dtype) if bias else None

    def forward(self, x) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 8), Tanh(), Linear(8, 1))``."""

    def __init__(self, *modules: Module):
        super().__init__()
        for i, m in enumerate(modules):
            _check_module("Sequential", i, m)
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m.forward(x)                     # what m(x) runs (Module.__call__)
        return x

    def __getitem__(self, i: int | slice) -> Module:
        """One module, or a slice of them as a new Sequential (sharing the modules)."""
        if isinstance(i, slice):
            return Sequential(*list(self._modules.values())[i])
        return list(self._modules.values())[i]

    def __setitem__(self, i: int, module: Module) -> None:
        """Replace one module (to ablate or swap a layer), keeping its place."""
        _replace_module(self, i, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    """A list of modules whose parameters are registered (for stacks of layers)."""

    def __init__(self, modules: Iterable[Module] = ()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        _check_module("ModuleList", len(self._modules), module)
        setattr(self, str(len(self._modules)), module)
        return self

    def __getitem__(self, i: int | slice) -> Module:
        """One module, or a slice of them as a new ModuleList (sharing the modules)."""
        if isinstance(i, slice):
            return ModuleList(list(self._modules.values())[i])
        return list(self._modules.values())[i]

    def __setitem__(self, i: int, module: Module) -> None:
        """Replace one module (to ablate or swap a layer), keeping its place."""
        _replace_module(self, i, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


def _replace_module(container: Module, i, module: Module) -> None:
    """container[i] = module for Sequential and ModuleList: a checked index (negative
    allowed, as for lists) and a checked module, registered under the same name."""
    name, n = type(container).__name__, len(container._modules)
    if not isinstance(i, (int, np.integer)) or isinstance(i, bool) or not -n <= i < n:
        raise IndexError(f"{name}: index {i!r} is out of range for {n} modules.")
    i = int(i) % n
    _check_module(name, i, module)
    setattr(container, str(i), module)


def _check_module(container: str, i: int, m) -> None:
    if not isinstance(m, Module):
        what = getattr(m, "__name__", type(m).__name__)
        raise TypeError(
            f"{container}: item {i} is {what!r}, not a Module, so it would never run. Use "
            "the layer form (nn.ReLU() rather than F.relu), or write a Module whose "
            "forward calls the function.")


def _check_sizes(layer: str, **sizes: int) -> None:
    for name, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"{layer}: {name} must be a positive integer, got {n!r}.")


# ----------------------------------------------------------------- activations
class Identity(Module):
    def forward(self, x):
        return x


class ReLU(Module):
    def forward(self, x):
        return F.relu(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x):
        return F.sigmoid(x)


class GELU(Module):
    """GELU in its tanh approximation (PyTorch's ``nn.GELU(approximate="tanh")``)."""

    def __init__(self, approximate: str = "tanh"):
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)


class LeakyReLU(Module):
    def __init__(self, negative_slope: float = 0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Softmax(Module):
    def __init__(self, axis: int = -1):
        super().__init__()
        self.axis = axis

    def forward(self, x):
        return F.softmax(x, self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1*d2*...): from feature maps to a dense layer."""

    def __init__(self, start_axis: int = 1, end_axis: int = -1):
        super().__init__()
        self.start_axis, self.end_axis = start_axis, end_axis

    def forward(self, x):
        return as_tensor(x).flatten(self.start_axis, self.end_axis)


# ------------------------------------------------------------------ the rest
class Dropout(Module):
    """Drops each input with probability ``p`` while training; identity in eval mode."""

    def __init__(self, p: float = 0.5, rng: _rng.Seed = None):
        super().__init__()
        self.p = check_p(p, "Dropout")
        self.rng = _rng.generator(rng)

    def forward(self, x):
        return F.dropout(x, self.p, self.training, self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class LayerNorm(Module):
    """Normalise each example over its last axes, then scale and shift (learned)."""

    def __init__(self, normalized_shape, eps: float = 1e-5, dtype=np.float32):
        super().__init__()
        self.normalized_shape = normalized_shape_arg(normalized_shape, "LayerNorm")
        self.eps = eps
        self.weight = Parameter(np.ones(self.normalized_shape, dtype=dtype))
        self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dtype))

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}"


class Embedding(Module):
    """A learned vector per token id. Shapes: (...,) ints -> (..., embedding_dim).
    Rows start N(0, std^2); std=1 is PyTorch's default."""

    def __init__(self, num_embeddings: int, embedding_dim: int, std: float = 1.0,
                 rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        _check_sizes("Embedding", num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = normal((num_embeddings, embedding_dim), std, rng, dtype)

    def forward(self, indices):
        return F.embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
