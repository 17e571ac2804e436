"""Optimisers: rules that turn gradients into weight changes, and learning-rate schedules.

The loop is always the same, as in PyTorch:

    opt = optim.Adam(model.parameters(), lr=1e-3)
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

Each rule follows PyTorch's update equations exactly (its documentation gives them), so
numbers can be compared across the two libraries.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .ops.fused.scratch import scratch
from .tensor import Tensor


class Optimizer:
    """Holds the parameters, the learning rate and per-parameter state."""

    def __init__(self, params: Iterable[Tensor], lr: float):
        name = type(self).__name__
        self.params = _parameter_list(params, name)
        self.lr = _check(name, "lr", lr, lambda v: v > 0, "positive")
        self.state: list[dict[str, np.ndarray | int]] = [{} for _ in self.params]
        self.steps = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        self.steps += 1
        for p, state in zip(self.params, self.state, strict=True):
            g = p.grad
            if g is not None:
                self._update(p, g._data, state)

    def _update(self, p: Tensor, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        return {"lr": self.lr, "steps": self.steps,
                "state": [_copy_state(s) for s in self.state]}

    def load_state_dict(self, state: dict) -> None:
        if len(state["state"]) != len(self.params):
            raise ValueError(f"{type(self).__name__}.load_state_dict: state has "
                             f"{len(state['state'])} parameters, optimiser has "
                             f"{len(self.params)}.")
        self.lr, self.steps = state["lr"], state["steps"]
        self.state = [_copy_state(s) for s in state["state"]]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} tensors)"


def _parameter_list(params, name: str) -> list[Tensor]:
    """The tensors to optimise, each once, each a leaf that requires grad."""
    if not isinstance(params, (list, tuple)) and hasattr(params, "parameters") \
            and callable(params.parameters):
        raise TypeError(f"{name}: got the model ({type(params).__name__}) itself; pass its "
                        f"parameters: {name}(model.parameters(), lr=...).")
    try:
        tensors = list(params)
    except TypeError:
        raise TypeError(f"{name}: params must be an iterable of tensors (e.g. "
                        f"model.parameters()), got {type(params).__name__}.") from None
    if not tensors:
        raise ValueError(f"{name}: got an empty parameter list. Did you pass "
                         "model.parameters() of a model without layers, or reuse an "
                         "exhausted generator?")
    seen: set[int] = set()
    for i, p in enumerate(tensors):
        if not isinstance(p, Tensor):
            raise TypeError(f"{name}: item {i} of params is a {type(p).__name__}, not a "
                            "tensor; pass model.parameters().")
        if not p.requires_grad or not p.is_leaf:
            raise ValueError(f"{name}: item {i} of params (shape {p.shape}) is "
                             f"{'computed by an op' if not p.is_leaf else 'not requiring grad'}"
                             "; an optimiser updates leaf tensors that require grad.")
        if id(p) in seen:
            raise ValueError(f"{name}: item {i} of params (shape {p.shape}) appears twice; "
                             "it would be updated twice per step.")
        seen.add(id(p))
    return tensors


def _check(name: str, what: str, value, ok, rule: str):
    """``value`` if ``ok(value)``, else a clear error naming the optimiser and rule."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) \
            or not math.isfinite(value) or not ok(value):
        raise ValueError(f"{name}: {what} must be {rule}, got {value!r}.")
    return value


def _copy_state(state: dict) -> dict:
    """A copy of one parameter's state (arrays copied; step counts are ints)."""
    return {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in state.items()}


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (heavy ball or Nesterov)
    and L2 weight decay.

        g <- grad + weight_decay * p
        v <- momentum * v + g                       (v = g on the first step)
        p <- p - lr * (g + momentum * v  if nesterov  else  v)
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        _check("SGD", "momentum", momentum, lambda v: v >= 0, "non-negative")
        _check("SGD", "weight_decay", weight_decay, lambda v: v >= 0, "non-negative")
        if nesterov and momentum <= 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0.")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            if "velocity" not in state:
                state["velocity"] = g.copy()
            else:
                state["velocity"] *= self.momentum
                state["velocity"] += g
            v = state["velocity"]
            g = g + self.momentum * v if self.nesterov else v
        p.data -= self.lr * g


class RMSprop(Optimizer):
    """Divide each gradient by a running root-mean-square of its recent values:

        s <- alpha * s + (1 - alpha) * g^2
        p <- p - lr * g / (sqrt(s) + eps)
    """

    def __init__(self, params, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        _check("RMSprop", "alpha", alpha, lambda v: 0 <= v < 1, "in [0, 1)")
        _check("RMSprop", "eps", eps, lambda v: v > 0, "positive")
        _check("RMSprop", "weight_decay", weight_decay, lambda v: v >= 0, "non-negative")
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if "square_avg" not in state:
            state["square_avg"] = np.zeros_like(p.data)
        s = state["square_avg"]
        s *= self.alpha
        s += (1 - self.alpha) * g * g
        p.data -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(Optimizer):
    """Momentum plus RMSprop, with bias correction for the zero-initialised averages
    (Kingma & Ba 2015):

        m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g^2
        p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2); see ``AdamW`` for
    the decoupled form. t counts the steps of each parameter (as in PyTorch), so a
    parameter whose first gradient arrives late is bias-corrected from its own start.
    """

    decoupled = False

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        name = type(self).__name__
        if len(tuple(betas)) != 2:
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}.")
        for b in betas:
            _check(name, "each of betas", b, lambda v: 0 <= v < 1, "in [0, 1)")
        _check(name, "eps", eps, lambda v: v > 0, "positive")
        _check(name, "weight_decay", weight_decay, lambda v: v >= 0, "non-negative")
        self.betas, self.eps, self.weight_decay = tuple(betas), eps, weight_decay

    def _update(self, p, g, state):
        b1, b2 = self.betas
        if self.weight_decay and self.decoupled:
            p.data -= self.lr * self.weight_decay * p.data
        elif self.weight_decay:
            g = g + self.weight_decay * p.data
        if "exp_avg" not in state:          # (setdefault would build the zeros every step)
            state["exp_avg"], state["exp_avg_sq"] = np.zeros_like(p.data), np.zeros_like(p.data)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        t = state["step"] = state.get("step", 0) + 1
        tmp = scratch("adam", p.data.shape, p.data.dtype)    # in place: no temporaries
        m *= b1
        m += np.multiply(g, 1 - b1, out=tmp)                 # m = b1 m + (1 - b1) g
        v *= b2
        np.square(g, out=tmp)                                # half the cost of g * g
        tmp *= 1 - b2
        v += tmp                                             # v = b2 v + (1 - b2) g^2
        # lr m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps), with sqrt(1 - b2^t) moved
        # into the numerator and eps: the same number, one pass fewer
        root = math.sqrt(1 - b2 ** t)
        denom = np.sqrt(v, out=tmp)
        denom += self.eps * root
        step = np.divide(m, denom, out=tmp)
        step *= self.lr * root / (1 - b1 ** t)
        p.data -= step


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): the weights shrink
    by ``lr * weight_decay`` each step, outside the adaptive scaling."""

    decoupled = True

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


# ----------------------------------------------------------------- schedules
class LRScheduler:
    """Sets ``optimizer.lr`` from the number of ``step()`` calls (usually epochs)."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0

    def lr_at(self, epoch: int) -> float:
        raise NotImplementedError

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> float:
        return self.optimizer.lr


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        super().__init__(optimizer)
        if step_size <= 0:
            raise ValueError(f"StepLR: step_size must be positive, got {step_size}.")
        self.step_size, self.gamma = step_size, gamma

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from the initial rate down to ``eta_min`` over ``T_max`` steps."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0):  # noqa: N803
        super().__init__(optimizer)
        if T_max <= 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be positive, got {T_max}.")
        self.T_max, self.eta_min = T_max, eta_min

    def lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.T_max) / self.T_max
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * progress)) / 2
