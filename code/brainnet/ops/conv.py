"""Convolution and pooling, the operations of a convolutional network (NCHW layout).

A convolutional layer slides a small bank of filters over an image. Every output value
is the dot product of one filter with one patch of the input (its receptive field), and
the same filter is used at every position (weight sharing):

    y[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * xpad[n, c, s*i + u, s*j + v]

Shapes: x (N, C, H, W), weight (F, C, kh, kw), bias (F,) -> y (N, F, H', W') with
H' = (H + 2 p - kh) // s + 1 (and the same for W'). Like PyTorch, "conv" here is
cross-correlation: the filter is not flipped.

``conv2d`` is fast: im2col lays every patch out as one row of a matrix, so the whole
layer is ONE matrix product (``conv_grad.py`` holds that op and its gradients, which
are ops too, so convolution is differentiable to any order). ``conv2d_naive`` is the
definition above written as four loops: slow, obviously right, and the readable twin
that the tests hold ``conv2d`` equal to.
"""

from __future__ import annotations

import numpy as np

from ..autograd import is_grad_enabled, record
from ..tensor import ArrayLike, Tensor, as_float, as_tensor, wrap
from .conv_grad import (
    ConvGeometry,
    PoolGeometry,
    convolve,
    offsets,
    window_scatter,
)

__all__ = ["conv2d", "conv2d_naive", "max_pool2d", "avg_pool2d"]
__gradcheck__ = True  # tests/unit/test_gradcheck_coverage.py checks every name above


# ------------------------------------------------------------------ validation
def pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    """``3`` -> (3, 3); ``(3, 2)`` stays; refuses non-integers and values < minimum."""
    both = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(both) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                 for v in both):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}.")
    if min(both) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}.")
    return int(both[0]), int(both[1])


def _need_4d(x: Tensor, op: str, what: str = "input", layout: str = "(N, C, H, W)") -> None:
    if x.ndim != 4:
        hint = (" For a single image use x.reshape(1, 1, H, W); for a batch of grey images "
                "x.reshape(N, 1, H, W).") if x.ndim in (2, 3) and what == "input" else ""
        raise ValueError(f"{op}: {what} must be 4-D {layout}, got shape {x.shape}.{hint}")


def _conv_inputs(op: str, x: ArrayLike, weight: ArrayLike, bias: ArrayLike | None, stride,
                 padding) -> tuple[Tensor, Tensor, Tensor | None, ConvGeometry]:
    """Check and convert the arguments of a convolution; its geometry."""
    weight = as_tensor(weight)
    if weight.dtype.kind != "f":
        raise TypeError(f"{op}: weight must be floating point, got dtype {weight.dtype}.")
    x = as_float(x, like=weight)
    _need_4d(x, op)
    _need_4d(weight, op, "weight", "(F, C, kh, kw)")
    sh, sw = pair(stride, "stride", op, 1)
    ph, pw = pair(padding, "padding", op, 0)
    n, c, h, w = x.shape
    f, cw, kh, kw = weight.shape
    if c != cw:
        raise ValueError(f"{op}: input has {c} channel(s) (shape {x.shape}) but the weight "
                         f"(shape {weight.shape}) expects {cw}: axis 1 of both must agree.")
    if kh > h + 2 * ph or kw > w + 2 * pw:
        raise ValueError(f"{op}: the kernel {kh}x{kw} (weight shape {weight.shape}) is larger "
                         f"than the padded input {h + 2 * ph}x{w + 2 * pw} (input shape "
                         f"{x.shape}, padding ({ph}, {pw})). Use a smaller kernel or more "
                         "padding.")
    if bias is not None:
        bias = as_float(bias, like=weight)
        if bias.shape != (f,):
            raise ValueError(f"{op}: bias must have shape ({f},), one per filter of the "
                             f"weight {weight.shape}; got {bias.shape}.")
    return x, weight, bias, ConvGeometry(n, c, h, w, f, kh, kw, sh, sw, ph, pw)


# ------------------------------------------------------------------ convolution
def conv2d(x: ArrayLike, weight: Tensor, bias: Tensor | None = None, stride=1,
           padding=0) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of a batch of images.

    Args:
        x: (N, C, H, W) images; integer or other-precision input is cast to the weight's
            dtype, so float32 models stay float32.
        weight: (F, C, kh, kw), one filter per output channel.
        bias: optional (F,).
        stride: int or (sh, sw), step between neighbouring patches.
        padding: int or (ph, pw), zeros added on each side of H and W.

    Returns:
        (N, F, H', W') with H' = (H + 2 ph - kh) // sh + 1 and W' likewise.
    """
    x, weight, bias, geo = _conv_inputs("conv2d", x, weight, bias, stride, padding)
    return convolve(x, weight, bias, geo)


def conv2d_naive(x: ArrayLike, weight: Tensor, bias: Tensor | None = None, stride=1,
                 padding=0) -> Tensor:
    """``conv2d`` computed straight from its definition, one output value at a time.

    Four nested loops (example n, filter f, output row i, output column j); each step
    is the dot product of filter f with one patch. The backward pass runs the same
    loops, sending g[n, f, i, j] back to that patch and that filter. It is about a
    thousand times slower than ``conv2d``. First derivatives only: differentiating its
    gradient again (``create_graph=True``) raises ``NotImplementedError``.
    """
    x, weight, bias, geo = _conv_inputs("conv2d_naive", x, weight, bias, stride, padding)
    pad = ((0, 0), (0, 0), (geo.ph, geo.ph), (geo.pw, geo.pw))
    xp, w = np.pad(x.data, pad), weight.data
    y = np.zeros((geo.n, geo.f, geo.ho, geo.wo), dtype=w.dtype)

    def patch(i, j):
        return slice(i * geo.sh, i * geo.sh + geo.kh), slice(j * geo.sw, j * geo.sw + geo.kw)

    for n in range(geo.n):
        for f in range(geo.f):
            for i in range(geo.ho):
                for j in range(geo.wo):
                    rows, cols = patch(i, j)
                    y[n, f, i, j] = np.sum(w[f] * xp[n, :, rows, cols])
    if bias is not None:
        y += bias.data[:, None, None]
    out = wrap(y)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        if is_grad_enabled():
            raise NotImplementedError(
                "conv2d_naive: double backward (create_graph=True) is not supported by the "
                "loop reference; use conv2d, which is differentiable to any order.")
        gd = g.data
        gxp, gw = np.zeros_like(xp), np.zeros_like(w)
        for n in range(geo.n):
            for f in range(geo.f):
                for i in range(geo.ho):
                    for j in range(geo.wo):
                        rows, cols = patch(i, j)
                        gxp[n, :, rows, cols] += gd[n, f, i, j] * w[f]
                        gw[f] += gd[n, f, i, j] * xp[n, :, rows, cols]
        gx = gxp[:, :, geo.ph:geo.ph + geo.h, geo.pw:geo.pw + geo.w]
        grads = (wrap(np.ascontiguousarray(gx)), wrap(gw))
        return grads if bias is None else (*grads, wrap(gd.sum(axis=(0, 2, 3))))

    return record(out, parents, backward, "conv2d_naive")


# ---------------------------------------------------------------------- pooling
def _pool_inputs(op: str, x: ArrayLike, kernel_size, stride) -> tuple[Tensor, PoolGeometry]:
    x = as_float(x)
    _need_4d(x, op)
    kh, kw = pair(kernel_size, "kernel_size", op, 1)
    sh, sw = (kh, kw) if stride is None else pair(stride, "stride", op, 1)
    n, c, h, w = x.shape
    if kh > h or kw > w:
        raise ValueError(f"{op}: the pooling window {kh}x{kw} is larger than the input "
                         f"{h}x{w} (input shape {x.shape}).")
    return x, PoolGeometry(n, c, h, w, kh, kw, sh, sw)


def max_pool2d(x: ArrayLike, kernel_size, stride=None) -> Tensor:
    """The largest value in each kh x kw window (windows start every ``stride`` pixels;
    by default stride = kernel_size, so windows tile the image without overlap).

    Shapes: (N, C, H, W) -> (N, C, H', W'), H' = (H - kh) // sh + 1; leftover rows and
    columns at the bottom and right are dropped, as in PyTorch.

    The gradient goes to the FIRST maximum of each window (in row-major order), as in
    PyTorch. Sending it to every element equal to the maximum would be wrong when
    values tie, and they do: the blank border pixels of the digits are exactly equal.
    """
    x, geo = _pool_inputs("max_pool2d", x, kernel_size, stride)
    views = [x.data[index] for index in offsets(geo)]             # kh*kw strided views
    best = views[0].copy()                                        # running maximum
    first = np.zeros(best.shape, dtype=np.intp)                   # where it was first seen
    for k, view in enumerate(views[1:], start=1):
        better = view > best                                      # strict: ties keep the first
        np.copyto(first, k, where=better)
        np.maximum(best, view, out=best)
    out = wrap(best)

    def backward(g):
        masks = [first == k for k in range(len(views))]           # one True per window
        return (window_scatter(g, masks, geo),)

    return record(out, (x,), backward, "max_pool2d")


def avg_pool2d(x: ArrayLike, kernel_size, stride=None) -> Tensor:
    """The mean of each kh x kw window; shapes and defaults as in ``max_pool2d``.
    Each input pixel receives g / (kh kw) from every window that contains it."""
    x, geo = _pool_inputs("avg_pool2d", x, kernel_size, stride)
    weights = [x.dtype.type(1.0 / (geo.kh * geo.kw))] * (geo.kh * geo.kw)
    data = np.zeros((geo.n, geo.c, geo.ho, geo.wo), dtype=x.dtype)
    for index in offsets(geo):
        data += x.data[index]
    data *= weights[0]
    out = wrap(data)

    def backward(g):
        return (window_scatter(g, weights, geo),)

    return record(out, (x,), backward, "avg_pool2d")
