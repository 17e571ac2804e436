"""Catastrophic forgetting, and replay as a cure.

A network trained on one task and then on another tends to lose the first: the second
task's gradients move the shared weights wherever they must, with nothing to hold the
old solution in place (McCloskey & Cohen 1989). The complementary-learning-systems view
of the brain (McClelland, McNaughton & O'Reilly 1995) proposes that the hippocampus
stores recent experiences and replays them, interleaved with new ones, so that the
neocortex learns slowly without overwriting. ``train_tasks`` reproduces both: plain
sequential training, and training that mixes a small stored buffer of old examples
into every mini-batch of the new task.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import functional as F
from .. import nn, optim
from ..data import Split
from ..tensor import Tensor
from ..train import evaluate


def split_by_class(split: Split, groups) -> list[Split]:
    """One task (a named ``Split``) per group of class labels, e.g.
    ``[(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]`` (labels keep their original values, so one
    10-way output layer serves all tasks)."""
    tasks = []
    for group in groups:
        group = tuple(int(c) for c in group)
        tr, te = np.isin(split.y_train, group), np.isin(split.y_test, group)
        if not tr.any() or not te.any():
            raise ValueError(f"replay.split_by_class: no examples of classes {group}.")
        tasks.append(Split(split.X_train[tr], split.y_train[tr], split.X_test[te],
                           split.y_test[te], name="-".join(map(str, (group[0], group[-1])))))
    return tasks


@dataclasses.dataclass
class SequentialRun:
    """accuracy[k][j]: test accuracy on task j after training on tasks 0..k;
    curve[j]: accuracy on task j after every epoch, over the whole run; model: the
    network at the end (Linear, ReLU, Linear)."""

    accuracy: np.ndarray
    curve: np.ndarray
    model: nn.Module | None = None


def train_tasks(tasks: list[Split], *, replay: int = 0, hidden: int = 100, epochs: int = 10,
                lr: float = 0.05, batch_size: int = 32, classes: int = 10,
                replay_batch: int | None = None, seed: int = 0) -> SequentialRun:
    """Train one MLP on ``tasks`` in order. With ``replay`` > 0, keep that many random
    training examples of each finished task in a buffer and add ``replay_batch`` of them
    (by default ``batch_size``), drawn at random, to every mini-batch of the later
    tasks."""
    replay_batch = batch_size if replay_batch is None else replay_batch
    if replay < 0 or epochs < 1 or replay_batch < 1 or not tasks:
        raise ValueError(f"replay.train_tasks: need replay >= 0, epochs >= 1, "
                         f"replay_batch >= 1 and at least one task; got replay={replay}, "
                         f"epochs={epochs}, replay_batch={replay_batch}, {len(tasks)} tasks.")
    rng = np.random.default_rng(seed)
    n_in = tasks[0].X_train.shape[1]
    model = nn.Sequential(nn.Linear(n_in, hidden, rng=rng), nn.ReLU(),
                          nn.Linear(hidden, classes, rng=rng))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    buffer_X = np.zeros((0, n_in), np.float32)
    buffer_y = np.zeros(0, np.int64)
    accuracy = np.zeros((len(tasks), len(tasks)))
    curve: list[list[float]] = [[] for _ in tasks]
    for k, task in enumerate(tasks):
        for _ in range(epochs):
            order = rng.permutation(len(task.X_train))
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                xb, yb = task.X_train[idx], task.y_train[idx]
                if len(buffer_y):
                    old = rng.integers(0, len(buffer_y), replay_batch)
                    xb = np.concatenate([xb, buffer_X[old]])
                    yb = np.concatenate([yb, buffer_y[old]])
                loss = F.cross_entropy(model(Tensor(xb.astype(np.float32))), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
            for j, t in enumerate(tasks):
                curve[j].append(evaluate(model, t.X_test, t.y_test)[1])
        for j, t in enumerate(tasks):
            accuracy[k, j] = evaluate(model, t.X_test, t.y_test)[1]
        if replay:
            keep = rng.choice(len(task.X_train), size=min(replay, len(task.X_train)),
                              replace=False)
            buffer_X = np.concatenate([buffer_X, task.X_train[keep]])
            buffer_y = np.concatenate([buffer_y, task.y_train[keep]])
    return SequentialRun(accuracy, np.array(curve), model)
