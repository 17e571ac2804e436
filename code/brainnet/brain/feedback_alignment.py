"""Feedback alignment: learning with random feedback weights (Lillicrap et al. 2016).

Backpropagation sends the output error back through the transpose of the forward
weights, ``delta_h = (delta_out @ W2) * f'(z1)``. A synapse cannot read the strength of
another synapse downstream of it (the "weight transport problem"), so this is hard to
map onto the brain. Feedback alignment sends the error back through a FIXED random
matrix ``B`` of the same shape instead. It still learns: the forward weights ``W2``
come to align with ``B``, so that the random feedback points, on average, downhill.

This module trains the same one-hidden-layer network both ways, in plain numpy, so the
only difference is that one line. Shapes follow PyTorch: ``W1 (hidden, in)``,
``W2 (out, hidden)``, ``B (out, hidden)``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import numerics
from ..rng import uniform_fan_in
from ..train import accuracy

RULES = ("backprop", "feedback_alignment")


@dataclasses.dataclass
class AlignmentRun:
    """What one training run records, one entry per epoch (entry 0: before training).

    ``angle`` is the angle in degrees between the hidden-layer error signal that the
    rule used and the one backprop would have used, averaged over the epoch's batches
    (for backprop it is 0 by definition).
    """

    rule: str
    test_accuracy: list[float]
    train_loss: list[float]
    angle: list[float]
    weights: dict[str, np.ndarray]


def _check(X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"feedback_alignment.train: {name} inputs must be (N, features) "
                         f"with labels (N,); got X {X.shape} and y {y.shape}.")
    if y.dtype.kind not in "iu":
        raise TypeError(f"feedback_alignment.train: {name} labels must be integers, "
                        f"got dtype {y.dtype}.")
    return X, y


angle_between = numerics.angle
"""Angle in degrees between two arrays seen as flat vectors (90 for a zero vector)."""


def _accuracy(W1, b1, W2, b2, X, y) -> float:
    return accuracy(np.tanh(X @ W1.T + b1) @ W2.T + b2, y)


def train(X, y, X_test, y_test, *, rule: str = "backprop", hidden: int = 64,
          epochs: int = 20, lr: float = 0.05, batch_size: int = 32, seed: int = 0,
          train_output: bool = True) -> AlignmentRun:
    """Train a ``in-hidden-classes`` tanh network with softmax cross-entropy and SGD.

    ``rule='backprop'`` sends errors back through ``W2``; ``rule='feedback_alignment'``
    through a fixed random ``B`` drawn like ``W2``. Same seed, same initial weights,
    same batches: the rules differ in that one matrix only.
    ``train_output=False`` freezes the output layer (``W2``, ``b2``) at its initial
    values, so only the hidden layer learns.
    Shapes: X (N, in) float, y (N,) int; returns an :class:`AlignmentRun`.
    """
    if rule not in RULES:
        raise ValueError(f"feedback_alignment.train: rule must be one of {RULES}, got {rule!r}.")
    if hidden < 1 or epochs < 0 or not lr > 0 or batch_size < 1:
        raise ValueError(f"feedback_alignment.train: need hidden >= 1, epochs >= 0, lr > 0, "
                         f"batch_size >= 1; got {hidden}, {epochs}, {lr}, {batch_size}.")
    X, y = _check(X, y, "training")
    X_test, y_test = _check(X_test, y_test, "test")
    n_in, classes = X.shape[1], int(max(y.max(), y_test.max())) + 1
    rng = np.random.default_rng(seed)
    W1 = uniform_fan_in((hidden, n_in), n_in, rng)                # PyTorch's Linear init
    W2 = uniform_fan_in((classes, hidden), hidden, rng)
    B = uniform_fan_in((classes, hidden), hidden, rng)
    b1 = np.zeros(hidden, np.float32)
    b2 = np.zeros(classes, np.float32)
    feedback = B if rule == "feedback_alignment" else W2
    run = AlignmentRun(rule, [_accuracy(W1, b1, W2, b2, X_test, y_test)], [], [], {})
    for _ in range(epochs):
        order = rng.permutation(len(X))
        losses, angles = [], []
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            x, t = X[idx], y[idx]
            h = np.tanh(x @ W1.T + b1)                              # (n, hidden)
            p = numerics.softmax(h @ W2.T + b2)                     # (n, classes)
            losses.append(-np.log(p[np.arange(len(t)), t] + 1e-12).mean())
            p[np.arange(len(t)), t] -= 1
            d_out = p / len(t)                                      # dL/dz, (n, classes)
            d_hidden = (d_out @ feedback) * (1 - h**2)              # (n, hidden)
            if rule == "feedback_alignment":
                angles.append(angle_between(d_hidden, (d_out @ W2) * (1 - h**2)))
            else:
                angles.append(0.0)
            if train_output:
                W2 -= lr * d_out.T @ h
                b2 -= lr * d_out.sum(axis=0)
            W1 -= lr * d_hidden.T @ x
            b1 -= lr * d_hidden.sum(axis=0)
        run.train_loss.append(float(np.mean(losses)))
        run.angle.append(float(np.mean(angles)))
        run.test_accuracy.append(_accuracy(W1, b1, W2, b2, X_test, y_test))
        if not np.isfinite(run.train_loss[-1]):
            raise FloatingPointError(f"feedback_alignment.train: the loss became "
                                     f"{run.train_loss[-1]} in epoch {len(run.angle)}; "
                                     f"try a smaller lr than {lr}.")
    run.weights = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "B": B}
    return run
