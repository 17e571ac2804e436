"""Convolution speed: ``conv2d`` (im2col + one matmul) against ``conv2d_naive`` (loops),
forward + backward, on a digits-sized batch; and one epoch of the chapter-5 CNN on digits.

Expectation: conv2d at least 50x faster than the loop reference. Run with
``make bench`` or ``python bench/bench_conv.py``; prints a table for 1 and 2 BLAS
threads and the BLAS kernel in use.
"""

from __future__ import annotations

import argparse
import time

import machine
import numpy as np
from threadpoolctl import threadpool_limits

import brainnet.functional as F
from brainnet import Tensor, data, nn, optim
from brainnet.ops.conv import conv2d_naive


def timed(fn, repeats: int) -> float:
    """Median seconds of ``fn()`` over ``repeats`` runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))

BATCH, CHANNELS, SIDE, FILTERS, KERNEL, PADDING = 64, 1, 8, 16, 3, 1


def forward_backward(conv, x, w, b, g) -> None:
    for t in (x, w, b):
        t.grad = None
    conv(x, w, b, stride=1, padding=PADDING).backward(g)


def chapter_cnn(seed: int = 0) -> nn.Module:
    """The model of chapter 5: 16 3x3 filters, ReLU, 2x2 max-pool, a dense layer."""
    rng = np.random.default_rng(seed)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(256, 128, rng=rng), nn.ReLU(),
                         nn.Linear(128, 10, rng=rng))


def cnn_epoch(model, opt, X, y, rng) -> None:
    order = rng.permutation(len(X))
    for start in range(0, len(X), BATCH):
        idx = order[start:start + BATCH]
        loss = F.cross_entropy(model(Tensor(X[idx])), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--naive-repeats", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE)).astype(np.float32),
               requires_grad=True)
    w = Tensor((0.3 * rng.standard_normal((FILTERS, CHANNELS, KERNEL, KERNEL))).astype(np.float32),
               requires_grad=True)
    b = Tensor(np.zeros(FILTERS, dtype=np.float32), requires_grad=True)
    g = rng.standard_normal((BATCH, FILTERS, SIDE, SIDE)).astype(np.float32)
    split = data.load_digits(images=True, normalise="unit")

    print(machine.describe())
    print(f"conv2d forward+backward: x {tuple(x.shape)}, weight {tuple(w.shape)}, "
          f"padding {PADDING}, float32\n")
    print("| BLAS threads | conv2d (ms) | conv2d_naive (ms) | speed-up | expected | "
          "CNN epoch on digits (ms) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            fast = timed(lambda: forward_backward(F.conv2d, x, w, b, g), args.repeats)
            slow = timed(lambda: forward_backward(conv2d_naive, x, w, b, g), args.naive_repeats)
            model = chapter_cnn()
            opt = optim.Adam(model.parameters(), lr=1e-2)
            order = np.random.default_rng(1)
            epoch = timed(lambda m=model, o=opt, r=order:
                          cnn_epoch(m, o, split.X_train, split.y_train, r),
                          max(3, args.repeats // 10))
        speedup = slow / fast
        print(f"| {threads} | {fast * 1e3:.3f} | {slow * 1e3:.1f} | {speedup:.0f}x | >= 50x "
              f"{'ok' if speedup >= 50 else 'UNDER'} | {epoch * 1e3:.1f} "
              f"({len(split.X_train)} images, batch {BATCH}) |")


if __name__ == "__main__":
    main()
