"""Engine overhead: one epoch of the digits MLP (64-128-10, batch 64, float32, SGD),
brainnet against the same forward, backward and update written as bare numpy.

Budget (docs/architecture.md): brainnet time <= 1.3x bare numpy. Run with ``make bench`` or
``python bench/bench_engine.py``; prints a table for 1 and 2 BLAS threads.
"""

from __future__ import annotations

import argparse
import time

import machine
import numpy as np
from threadpoolctl import threadpool_limits

import brainnet.functional as F
from brainnet import Tensor, data, nn, optim

LR = 0.1
BATCH = 64


def batches(n: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for start in range(0, n, BATCH):
        yield order[start:start + BATCH]


def numpy_epoch(X, y, params, rng) -> float:
    """Forward, backward and SGD update by hand: what brainnet does, minus the engine."""
    W1, b1, W2, b2 = params
    total = 0.0
    for idx in batches(len(X), rng):
        x, t = X[idx], y[idx]
        n = len(t)
        z1 = x @ W1.T + b1                              # (n, 128)
        h = np.maximum(z1, 0)
        z2 = h @ W2.T + b2                              # (n, 10)
        shifted = z2 - z2.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        total += -logp[np.arange(n), t].mean()
        d2 = np.exp(logp)
        d2[np.arange(n), t] -= 1
        d2 /= n                                         # dL/dz2
        gW2, gb2 = d2.T @ h, d2.sum(axis=0)
        d1 = (d2 @ W2) * (z1 > 0)                       # dL/dz1
        gW1, gb1 = d1.T @ x, d1.sum(axis=0)
        for p, g in zip(params, (gW1, gb1, gW2, gb2), strict=True):
            p -= LR * g
    return total


def brainnet_epoch(X, y, model, opt, rng) -> float:
    total = 0.0
    for idx in batches(len(X), rng):
        loss = F.cross_entropy(model(Tensor(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    return total


def paired(bare, ours, repeats: int) -> tuple[float, float, float]:
    """Median seconds of each epoch function and the median of their per-pair ratios.

    The two run alternately (after one warm-up each), so that a slow spell of a shared
    machine slows both sides of a pair instead of skewing the ratio.
    """
    bare(), ours()
    t_bare, t_ours = [], []
    for _ in range(repeats):
        for fn, times in ((bare, t_bare), (ours, t_ours)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = np.array(t_ours) / np.array(t_bare)
    return float(np.median(t_bare)), float(np.median(t_ours)), float(np.median(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    split = data.load_digits()
    X, y = split.X_train, split.y_train
    model = nn.Sequential(nn.Linear(64, 128, rng=0), nn.ReLU(), nn.Linear(128, 10, rng=1))
    opt = optim.SGD(model.parameters(), lr=LR)
    params = [p.data.copy() for p in model.parameters()]
    print(machine.describe())
    print(f"digits MLP 64-128-10, {len(X)} training images, batch {BATCH}, float32, SGD\n")
    print("| BLAS threads | bare numpy (ms/epoch) | brainnet (ms/epoch) "
          "| median paired ratio | budget |")
    print("| --- | --- | --- | --- | --- |")
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            rng_a, rng_b = np.random.default_rng(0), np.random.default_rng(0)
            bare, ours, ratio = paired(lambda r=rng_a: numpy_epoch(X, y, params, r),
                                       lambda r=rng_b: brainnet_epoch(X, y, model, opt, r),
                                       args.repeats)
        print(f"| {threads} | {bare * 1e3:.2f} | {ours * 1e3:.2f} | {ratio:.2f} | "
              f"<= 1.3 {'ok' if ratio <= 1.3 else 'OVER'} |")


if __name__ == "__main__":
    main()
