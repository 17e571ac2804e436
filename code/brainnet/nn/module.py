"""``Module``: the base class of every layer and model, and ``Parameter``.

A module keeps track of what it owns. Assigning a ``Parameter`` or another ``Module``
to an attribute registers it, so ``parameters()``, ``state_dict()``, ``train()`` and
``zero_grad()`` reach every weight in a model without any bookkeeping in your code:

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(64, 128)   # registered as "hidden"
            self.out = nn.Linear(128, 10)      # registered as "out"

        def forward(self, x):
            return self.out(self.hidden(x).relu())

    dict(MLP().named_parameters()).keys()
    # hidden.weight, hidden.bias, out.weight, out.bias
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a learnable weight of a module (``requires_grad=True``).

    It holds its own copy of ``data``: optimisers update parameters in place, and must
    not change the array it was made from. Integer data becomes float32.
    """

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        array = np.array(data)                    # a copy
        if dtype is None and array.dtype.kind != "f":
            dtype = np.float32
        super().__init__(array, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class for layers and models: subclass it and write ``forward``."""

    training: bool
    _parameters: OrderedDict[str, Parameter]
    _modules: OrderedDict[str, Module]
    _buffers: OrderedDict[str, Tensor | None]

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------- registration
    def __setattr__(self, name: str, value) -> None:
        registries = self.__dict__.get("_parameters")
        if registries is None and isinstance(value, (Parameter, Module)):
            raise AttributeError(
                f"{type(self).__name__}: call super().__init__() at the start of __init__ "
                f"before assigning the submodule or parameter {name!r}."
            )
        if registries is not None:
            # Replacing a parameter or module keeps its place in the registry (and so
            # in parameters() and state_dict()), as in PyTorch.
            if isinstance(value, Parameter):
                self._modules.pop(name, None)
                self._parameters[name] = value
            elif isinstance(value, Module):
                self._parameters.pop(name, None)
                self._modules[name] = value
            else:
                self._parameters.pop(name, None)
                self._modules.pop(name, None)
                if name in self._buffers:
                    self._buffers[name] = value if value is None else _as_buffer(value)
                    value = self._buffers[name]
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._modules, self._buffers):
            table.pop(name, None)
        object.__delattr__(self, name)

    def register_buffer(self, name: str, value) -> None:
        """State that is saved in ``state_dict`` but not trained (e.g. fixed feedback
        weights, running statistics)."""
        self._buffers[name] = None if value is None else _as_buffer(value)
        object.__setattr__(self, name, self._buffers[name])

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward().")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def __init_subclass__(cls, **kwargs) -> None:
        # Calling a module is calling its forward, nothing more (there are no hooks).
        # Containers rely on it: Sequential calls each child's forward directly, since
        # calling an instance through __call__ costs CPython several times more.
        super().__init_subclass__(**kwargs)
        if "__call__" in cls.__dict__:
            raise TypeError(f"{cls.__name__}: a Module defines forward(), not __call__; "
                            "calling a module runs its forward. Rename the method to "
                            "forward.")

    # ----------------------------------------------------------------- traversal
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module and every submodule, with dotted names (depth first)."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [(f"{name}.{k}" if name else k, m) for k, m in module._modules.items()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator[tuple[str, Module]]:
        return iter(self._modules.items())

    def children(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name, e.g. ``("0.weight", W)``; shared
        parameters are listed once."""
        seen: set[int] = set()
        for mod_name, module in self.named_modules(prefix):
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, Tensor]]:
        for mod_name, module in self.named_modules():
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    # --------------------------------------------------------------------- state
    def zero_grad(self) -> None:
        """Forget accumulated gradients (set ``.grad`` to None, as PyTorch does)."""
        for p in self.parameters():
            p.grad = None

    def train(self, mode: bool = True) -> Module:
        """Training mode: dropout drops. Returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: dropout passes everything through. Returns self."""
        return self.train(False)

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter and buffer, by dotted name."""
        state = OrderedDict((k, p.data.copy()) for k, p in self.named_parameters())
        state.update((k, b.data.copy()) for k, b in self.named_buffers())
        return state

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Copy values from ``state`` (as made by ``state_dict``) into this module."""
        own: dict[str, Tensor] = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys "
                           f"{unexpected}.")
        for k, value in state.items():
            if k not in own:
                continue
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.shape != own[k].shape:
                raise ValueError(f"load_state_dict: {k} has shape {own[k].shape} in the "
                                 f"model but {value.shape} in the state dict.")
            own[k].data = value.astype(own[k].dtype, copy=True)

    def to(self, dtype) -> Module:
        """Cast every parameter and buffer to ``dtype`` in place. Returns self."""
        for _, t in list(self.named_parameters()) + list(self.named_buffers()):
            t.data = t.data.astype(dtype)
            t.grad = None
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        """float64, for gradient checks."""
        return self.to(np.float64)

    # ---------------------------------------------------------------------- repr
    def extra_repr(self) -> str:
        """One line of settings shown inside the parentheses of ``repr``."""
        return ""

    def __repr__(self) -> str:
        lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in
                 self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _as_buffer(value) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value)
