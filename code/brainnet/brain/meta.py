"""Families of tasks, and networks whose weights differ from task to task.

Meta-learning needs many small tasks from one family and a network it can adapt to
each. ``SineTasks`` is the family of Finn, Abbeel & Levine (2017): y = a sin(x - p)
with amplitude a in [0.1, 5], phase p in [0, pi] and x in [-5, 5]. ``init_mlp`` and
``mlp`` are a multilayer perceptron written as a function of an explicit list of
weights, so that a batch of tasks can each use its own copy: weights of shape
(in, out) are shared by every task, weights of shape (tasks, in, out) are per task.
``per_task`` makes those copies; gradients flow back to the shared originals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import rng as _rng
from ..ops.shape import broadcast_to
from ..tensor import Tensor, tensor


@dataclass
class SineTasks:
    """A batch of sine-wave regression tasks, y = amplitude * sin(frequency x - phase).

    ``amplitude``, ``phase`` and ``frequency`` are arrays of shape (tasks,).
    """

    amplitude: np.ndarray
    phase: np.ndarray
    frequency: np.ndarray

    @classmethod
    def sample(cls, n: int, rng: _rng.Seed = None, frequency: tuple[float, float] = (1.0, 1.0)
               ) -> SineTasks:
        """``n`` tasks with amplitude U[0.1, 5] and phase U[0, pi]; the frequency is
        U[frequency] (1 by default, as in Finn et al.)."""
        g = _rng.generator(rng)
        return cls(g.uniform(0.1, 5.0, n), g.uniform(0.0, np.pi, n), g.uniform(*frequency, n))

    def __len__(self) -> int:
        return len(self.amplitude)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Targets for inputs x of shape (tasks, K, 1) -> (tasks, K, 1)."""
        if x.ndim != 3 or x.shape[0] != len(self) or x.shape[2] != 1:
            raise ValueError(f"SineTasks: inputs must have shape ({len(self)}, K, 1), "
                             f"got {x.shape}.")
        a, p, w = (v[:, None, None] for v in (self.amplitude, self.phase, self.frequency))
        return (a * np.sin(w * x - p)).astype(np.float32)

    def points(self, k: int, rng: _rng.Seed = None) -> tuple[np.ndarray, np.ndarray]:
        """``k`` random points per task: x (tasks, k, 1) uniform in [-5, 5], and y."""
        x = _rng.generator(rng).uniform(-5.0, 5.0, (len(self), k, 1)).astype(np.float32)
        return x, self(x)

    def grid(self, n: int = 100) -> tuple[np.ndarray, np.ndarray]:
        """``n`` evenly spaced points on [-5, 5] for every task, for testing."""
        x = np.repeat(np.linspace(-5.0, 5.0, n, dtype=np.float32)[None, :, None], len(self), 0)
        return x, self(x)


def init_mlp(sizes: tuple[int, ...] = (1, 40, 40, 1), rng: _rng.Seed = None,
             tasks: int | None = None) -> list[Tensor]:
    """[W1, b1, W2, b2, ...], W (in, out) and b (out,), PyTorch's uniform(-1/sqrt(in),
    1/sqrt(in)) initialisation, float32, each requiring grad. With ``tasks``, one
    independent network per task: W (tasks, in, out) and b (tasks, out)."""
    g = _rng.generator(rng)
    lead = () if tasks is None else (tasks,)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / np.sqrt(n_in)
        for shape in ((*lead, n_in, n_out), (*lead, n_out)):
            params.append(tensor(g.uniform(-bound, bound, shape).astype(np.float32),
                                 requires_grad=True))
    return params


def mlp(params: list[Tensor], x, activation=F.relu) -> Tensor:
    """The MLP with weights ``params`` on x (tasks, K, in) -> (tasks, K, out).

    Each weight is shared, (in, out) and (out,), or per task, (tasks, in, out) and
    (tasks, out); the activation follows every layer but the last.
    """
    if len(params) % 2:
        raise ValueError(f"mlp: params must alternate weights and biases, got {len(params)}.")
    h = x
    layers = len(params) // 2
    for i in range(layers):
        weight, bias = params[2 * i], params[2 * i + 1]
        if bias.ndim == 2:
            bias = bias.reshape(bias.shape[0], 1, bias.shape[1])   # (tasks, 1, out)
        h = h @ weight + bias                                      # (tasks, K, out)
        if i < layers - 1:
            h = activation(h)
    return h


def per_task(params: list[Tensor], tasks: int) -> list[Tensor]:
    """A copy of every shared weight for each of ``tasks`` tasks: (in, out) becomes
    (tasks, in, out). The copies are graph nodes, so gradients reach the originals."""
    return [broadcast_to(p, (tasks, *p.shape)) for p in params]


def task_losses(params: list[Tensor], x, y, activation=F.relu) -> Tensor:
    """The sum over tasks of each task's mean squared error: its gradient with respect
    to per-task weights is each task's own gradient."""
    return ((mlp(params, x, activation) - y) ** 2).mean(axis=(1, 2)).sum()
