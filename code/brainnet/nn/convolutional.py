"""Convolutional layers: Conv2d and pooling, for images in (N, C, H, W) layout.

    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, padding=1, rng=0),   # (N, 1, 8, 8) -> (N, 16, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),                                     # -> (N, 16, 4, 4)
        nn.Flatten(),                                        # -> (N, 256)
        nn.Linear(256, 10, rng=1),
    )
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import rng as _rng
from ..ops.conv import pair
from .init import uniform_fan_in
from .layers import _check_sizes
from .module import Module


class Conv2d(Module):
    """A bank of ``out_channels`` learned filters slid over the input (``F.conv2d``).

    Shapes: x (N, in_channels, H, W) -> (N, out_channels, H', W'), with
    H' = (H + 2 padding - kh) // stride + 1. weight (out, in, kh, kw), bias (out,).

    Initialisation is PyTorch's default: weight and bias uniform in +-1/sqrt(fan_in),
    fan_in = in_channels * kh * kw (what ``kaiming_uniform_(a=sqrt(5))`` works out to).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 bias: bool = True, rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        _check_sizes("Conv2d", in_channels=in_channels, out_channels=out_channels)
        kh, kw = pair(kernel_size, "kernel_size", "Conv2d", 1)
        self.stride = pair(stride, "stride", "Conv2d", 1)
        self.padding = pair(padding, "padding", "Conv2d", 0)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, (kh, kw)
        rng = _rng.generator(rng)
        fan_in = in_channels * kh * kw
        self.weight = uniform_fan_in((out_channels, in_channels, kh, kw), fan_in, rng, dtype)
        self.bias = uniform_fan_in((out_channels,), fan_in, rng, dtype) if bias else None

    def forward(self, x):
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


class _Pool2d(Module):
    """Shared by MaxPool2d and AvgPool2d: a window size and a stride (default: the window)."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = pair(kernel_size, "kernel_size", name, 1)
        self.stride = self.kernel_size if stride is None else pair(stride, "stride", name, 1)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    """The maximum of each window (``F.max_pool2d``); stride defaults to the window size.
    Shapes: (N, C, H, W) -> (N, C, (H - kh) // sh + 1, (W - kw) // sw + 1)."""

    def forward(self, x):
        return F.max_pool2d(x, self.kernel_size, self.stride)


class AvgPool2d(_Pool2d):
    """The mean of each window (``F.avg_pool2d``); stride defaults to the window size."""

    def forward(self, x):
        return F.avg_pool2d(x, self.kernel_size, self.stride)
