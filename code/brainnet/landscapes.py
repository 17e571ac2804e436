"""Two-parameter loss surfaces, and the path an optimiser takes across them.

A network's loss lives in millions of dimensions; these live in two, where a path can
be drawn. They are written with brainnet Tensor ops, so autograd supplies the gradient
and the optimisers of ``brainnet.optim`` run on them unchanged.

- ``QUADRATIC``: an ill-conditioned bowl 0.5 (x^2 + 10 y^2): one direction is ten times
  steeper than the other, like most real losses near a minimum.
- ``ROSENBROCK``: (1 - x)^2 + 100 (y - x^2)^2, a long curved valley with its minimum at
  (1, 1); easy to find the valley, slow to follow it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from . import optim
from .tensor import Tensor

__all__ = ["Surface", "QUADRATIC", "ROSENBROCK", "SURFACES", "OPTIMIZERS", "Path",
           "trajectory", "quadratic", "rosenbrock", "divergence_threshold"]


def quadratic(p: Tensor, curvatures=(1.0, 10.0)) -> Tensor:
    """0.5 * (c0 x^2 + c1 y^2) for p = (x, y); its Hessian is diag(curvatures).

    p has shape (2,) (a point: the loss is a scalar) or (2, ...) (a grid of points)."""
    x, y = p[0], p[1]
    return 0.5 * (curvatures[0] * x * x + curvatures[1] * y * y)


def rosenbrock(p: Tensor) -> Tensor:
    """(1 - x)^2 + 100 (y - x^2)^2 for p = (x, y); minimum 0 at (1, 1). Shapes as for
    ``quadratic``."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


@dataclasses.dataclass(frozen=True)
class Surface:
    """A named 2-D loss with a start point, its minimum and a window to draw it in."""

    name: str
    fn: Callable[[Tensor], Tensor]
    start: tuple[float, float]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]

    def grid(self, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, loss), each (n, n), over the window: for contour plots."""
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.fn(Tensor(np.stack([X, Y]))).numpy()      # p: (2, n, n)


QUADRATIC = Surface("ill-conditioned quadratic", quadratic, start=(-4.0, 1.5),
                    minimum=(0.0, 0.0), xlim=(-4.5, 4.5), ylim=(-2.0, 2.0))
ROSENBROCK = Surface("Rosenbrock", rosenbrock, start=(-1.5, 2.0), minimum=(1.0, 1.0),
                     xlim=(-2.0, 2.0), ylim=(-1.0, 3.0))
SURFACES = {"quadratic": QUADRATIC, "rosenbrock": ROSENBROCK}


OPTIMIZERS = ("gd", "momentum", "nesterov", "rmsprop", "adam")


@dataclasses.dataclass
class Path:
    """Where the optimiser went: points (steps + 1, 2) and losses (steps + 1,). A path
    that blew up stops early, with ``diverged`` set."""

    points: np.ndarray
    losses: np.ndarray
    diverged: bool


def make_optimizer(name: str, params, lr: float, momentum: float = 0.9):
    """One of ``OPTIMIZERS`` from brainnet.optim. ``momentum`` is used by momentum and
    nesterov only."""
    if name == "gd":
        return optim.SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        if not momentum > 0:
            return optim.SGD(params, lr=lr)
        return optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    if name == "rmsprop":
        return optim.RMSprop(params, lr=lr)
    if name == "adam":
        return optim.Adam(params, lr=lr)
    raise ValueError(f"trajectory: optimizer must be one of {OPTIMIZERS}, got {name!r}.")


def trajectory(surface: Surface | str, optimizer: str = "gd", lr: float = 0.01,
               momentum: float = 0.9, steps: int = 100, start=None,
               blow_up: float = 1e6) -> Path:
    """Run ``steps`` updates of ``optimizer`` on ``surface`` from its start point.

    Stops early (``diverged=True``) once the loss passes ``blow_up`` times its start
    value or stops being finite, so that a too-large learning rate returns a short path
    instead of overflowing.
    """
    if isinstance(surface, str):
        if surface not in SURFACES:
            raise ValueError(f"trajectory: surface must be one of {list(SURFACES)}, "
                             f"got {surface!r}.")
        surface = SURFACES[surface]
    if steps < 0 or not lr > 0:
        raise ValueError(f"trajectory: need steps >= 0 and lr > 0, got {steps}, {lr}.")
    p = Tensor(np.array(surface.start if start is None else start, dtype=np.float64),
               requires_grad=True)
    if p.shape != (2,):
        raise ValueError(f"trajectory: start must have 2 coordinates, got shape {p.shape}.")
    opt = make_optimizer(optimizer, [p], lr, momentum)
    points, losses = [p.numpy().copy()], []
    limit = None
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            loss = surface.fn(p)
            losses.append(loss.item())
            limit = blow_up * max(losses[0], 1e-12) if limit is None else limit
            if not np.isfinite(losses[-1]) or losses[-1] > limit:
                return Path(np.array(points), np.array(losses), True)
            opt.zero_grad()
            loss.backward()
            opt.step()
            points.append(p.numpy().copy())
        losses.append(surface.fn(p).item())
    diverged = not np.isfinite(losses[-1]) or (limit is not None and losses[-1] > limit)
    return Path(np.array(points), np.array(losses), diverged)


def divergence_threshold(surface: Surface | str = "quadratic", low: float = 1e-4,
                         high: float = 10.0, steps: int = 200, tol: float = 1e-5) -> float:
    """The smallest plain-GD learning rate at which the loss ends higher than it started,
    found by bisection between ``low`` (must converge) and ``high`` (must diverge)."""
    def grows(lr: float) -> bool:
        path = trajectory(surface, "gd", lr=lr, steps=steps)
        return path.diverged or path.losses[-1] > path.losses[0]

    if grows(low) or not grows(high):
        raise ValueError(f"divergence_threshold: need GD to converge at lr={low} and "
                         f"diverge at lr={high}.")
    while high - low > tol:
        mid = 0.5 * (low + high)
        low, high = (low, mid) if grows(mid) else (mid, high)
    return 0.5 * (low + high)
