"""Convolution and pooling, the operations of a convolutional network (NCHW layout).

A convolutional layer slides a small bank of filters over an image. Every output value
is the dot product of one filter with one patch of the input (its receptive field), and
the same filter is used at every position (weight sharing):

    y[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * xpad[n, c, s*i + u, s*j + v]

Shapes: x (N, C, H, W), weight (F, C, kh, kw), bias (F,) -> y (N, F, H', W') with
H' = (H + 2 p - kh) // s + 1 (and the same for W'). Like PyTorch, "conv" here is
cross-correlation: the filter is not flipped.

How it is fast (im2col): ``sliding_window_view`` lays every patch out as one row of a
matrix ``cols`` (N*H'*W', C*kh*kw) without a Python loop, and the whole layer becomes
ONE matrix product ``cols @ W^T``. The backward pass is two more products:
dL/dW = g^T cols, and dL/dcols = g W, whose rows are added back to the patches they came
from (col2im: kh*kw strided additions, no ``np.add.at``).

Double backward works: the two gradients are themselves ops (``_conv_input_grad``, a
transposed convolution, and ``_conv_weight_grad``), and the three ops differentiate into
each other, so ``bn.grad(..., create_graph=True)`` through a convolution is exact.
Pooling's backward is an op too (``_window_scatter``), whose gradient is the matching
gather. ``conv2d_naive`` supports first derivatives only, and says so.

``conv2d_naive`` is the definition above written as loops: slow, obviously right, and
the reference the tests compare ``conv2d`` against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import autograd
from .tensor import Tensor, _result, _wrap, as_tensor

__all__ = ["conv2d", "conv2d_naive", "max_pool2d", "avg_pool2d"]
__gradcheck__ = True  # tests/test_gradcheck_coverage.py checks every name above


# ------------------------------------------------------------------ validation
def _pair(value, name: str, op: str, minimum: int) -> tuple[int, int]:
    """``3`` -> (3, 3); ``(3, 2)`` stays; refuses non-integers and values < minimum."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                 for v in pair):
        raise TypeError(f"{op}: {name} must be an int or a pair of ints, got {value!r}.")
    if min(pair) < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}.")
    return int(pair[0]), int(pair[1])


def _as_float(x, op: str, dtype=None) -> Tensor:
    """``x`` as a floating-point tensor (integers and other precisions cast to ``dtype``)."""
    x = as_tensor(x)
    if x.dtype.kind != "f" or (dtype is not None and x.dtype != dtype):
        x = x.astype(dtype if dtype is not None else np.float32)
    return x


def _need_4d(x: Tensor, op: str, what: str = "input", layout: str = "(N, C, H, W)") -> None:
    if x.ndim != 4:
        hint = (" For a single image use x.reshape(1, 1, H, W); for a batch of grey images "
                "x.reshape(N, 1, H, W).") if x.ndim in (2, 3) and what == "input" else ""
        raise ValueError(f"{op}: {what} must be 4-D {layout}, got shape {x.shape}.{hint}")


@dataclass(frozen=True)
class _Conv:
    """The geometry of one convolution: sizes, stride, padding and output size."""

    n: int
    c: int
    h: int
    w: int
    f: int
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int

    @property
    def ho(self) -> int:
        return (self.h + 2 * self.ph - self.kh) // self.sh + 1

    @property
    def wo(self) -> int:
        return (self.w + 2 * self.pw - self.kw) // self.sw + 1


def _conv_geometry(op: str, x: Tensor, weight: Tensor, stride, padding) -> _Conv:
    _need_4d(x, op)
    _need_4d(weight, op, "weight", "(F, C, kh, kw)")
    sh, sw = _pair(stride, "stride", op, 1)
    ph, pw = _pair(padding, "padding", op, 0)
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
    return _Conv(n, c, h, w, f, kh, kw, sh, sw, ph, pw)


# ------------------------------------------------------------- numpy kernels
def _im2col(x: np.ndarray, geo: _Conv) -> np.ndarray:
    """Every patch as a row: (N, C, H, W) -> (N*H'*W', C*kh*kw)."""
    if geo.ph or geo.pw:
        x = np.pad(x, ((0, 0), (0, 0), (geo.ph, geo.ph), (geo.pw, geo.pw)))
    windows = sliding_window_view(x, (geo.kh, geo.kw), axis=(2, 3))[:, :, ::geo.sh, ::geo.sw]
    # windows: (N, C, H', W', kh, kw), a view; the reshape below makes the one copy.
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(geo.n * geo.ho * geo.wo, -1)


def _col2im(cols: np.ndarray, geo: _Conv) -> np.ndarray:
    """Add each row of ``cols`` (N*H'*W', C*kh*kw) back onto its patch: (N, C, H, W).

    Overlapping patches add up. One strided addition per kernel offset (u, v) moves
    that entry of every patch at once.
    """
    g = cols.reshape(geo.n, geo.ho, geo.wo, geo.c, geo.kh, geo.kw)
    out = np.zeros((geo.n, geo.c, geo.h + 2 * geo.ph, geo.w + 2 * geo.pw), dtype=cols.dtype)
    rows_end, cols_end = geo.sh * (geo.ho - 1) + 1, geo.sw * (geo.wo - 1) + 1
    for u in range(geo.kh):
        for v in range(geo.kw):
            out[:, :, u:u + rows_end:geo.sh, v:v + cols_end:geo.sw] += \
                g[:, :, :, :, u, v].transpose(0, 3, 1, 2)
    if geo.ph or geo.pw:
        out = out[:, :, geo.ph:geo.ph + geo.h, geo.pw:geo.pw + geo.w]
    return out


def _rows(g: np.ndarray, geo: _Conv) -> np.ndarray:
    """dL/dy (N, F, H', W') as one row per output position: (N*H'*W', F)."""
    return g.transpose(0, 2, 3, 1).reshape(-1, geo.f)


# ------------------------------------------------------------------- conv ops
def _conv(x: Tensor, weight: Tensor, bias: Tensor | None, geo: _Conv) -> Tensor:
    """The convolution op itself (inputs already validated)."""
    cols = _im2col(x.data, geo)                                   # (N*H'*W', C*kh*kw)
    out = cols @ weight.data.reshape(geo.f, -1).T                 # (N*H'*W', F)
    if bias is not None:
        out += bias.data
    data = np.ascontiguousarray(out.reshape(geo.n, geo.ho, geo.wo, geo.f).transpose(0, 3, 1, 2))
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        gx = _conv_input_grad(g, weight, geo) if x.requires_grad else None
        gw = _conv_weight_grad(x, g, geo, cols) if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g.sum(axis=(0, 2, 3)) if bias.requires_grad else None)

    return _result(data, parents, backward, "conv2d")


def _conv_input_grad(g: Tensor, weight: Tensor, geo: _Conv) -> Tensor:
    """dL/dx of a convolution, given dL/dy = g (a transposed convolution).

    Its own gradients: with respect to g it is the convolution of the incoming
    gradient with ``weight``; with respect to ``weight`` it is ``_conv_weight_grad``.
    """
    data = _col2im(_rows(g.data, geo) @ weight.data.reshape(geo.f, -1), geo)

    def backward(h):
        return (_conv(h, weight, None, geo) if g.requires_grad else None,
                _conv_weight_grad(h, g, geo) if weight.requires_grad else None)

    return _result(data, (g, weight), backward, "conv2d_input_grad")


def _conv_weight_grad(x: Tensor, g: Tensor, geo: _Conv, cols: np.ndarray | None = None
                      ) -> Tensor:
    """dL/dweight of a convolution of ``x``, given dL/dy = g: (F, C, kh, kw).

    ``cols`` is the forward pass's im2col of ``x``, reused when available.
    """
    cols = _im2col(x.data, geo) if cols is None else cols
    data = (_rows(g.data, geo).T @ cols).reshape(geo.f, geo.c, geo.kh, geo.kw)

    def backward(v):
        return (_conv_input_grad(g, v, geo) if x.requires_grad else None,
                _conv(x, v, None, geo) if g.requires_grad else None)

    return _result(data, (x, g), backward, "conv2d_weight_grad")


def conv2d(x, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
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

    Differentiable to any order (see the module docstring).
    """
    weight = as_tensor(weight)
    if weight.dtype.kind != "f":
        raise TypeError(f"conv2d: weight must be floating point, got dtype {weight.dtype}.")
    x = _as_float(x, "conv2d", weight.dtype)
    geo = _conv_geometry("conv2d", x, weight, stride, padding)
    if bias is not None:
        bias = _as_float(bias, "conv2d", weight.dtype)
        if bias.shape != (geo.f,):
            raise ValueError(f"conv2d: bias must have shape ({geo.f},), one per filter of the "
                             f"weight {weight.shape}; got {bias.shape}.")
    return _conv(x, weight, bias, geo)


def conv2d_naive(x, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0) -> Tensor:
    """``conv2d`` computed straight from its definition, one output value at a time.

    Four nested loops (example n, filter f, output row i, output column j); each step
    is the dot product of filter f with one patch. The backward pass runs the same
    loops, sending g[n, f, i, j] back to that patch and that filter. It is about a
    thousand times slower than ``conv2d`` and exists as the reference the tests compare
    against. First derivatives only: differentiating its gradient again
    (``create_graph=True``) raises ``NotImplementedError``; use ``conv2d`` for that.
    """
    weight = as_tensor(weight)
    x = _as_float(x, "conv2d_naive", weight.dtype)
    geo = _conv_geometry("conv2d_naive", x, weight, stride, padding)
    if bias is not None:
        bias = _as_float(bias, "conv2d_naive", weight.dtype)
        if bias.shape != (geo.f,):
            raise ValueError(f"conv2d_naive: bias must have shape ({geo.f},), got {bias.shape}.")
    pad = ((0, 0), (0, 0), (geo.ph, geo.ph), (geo.pw, geo.pw))
    xp, w = np.pad(x.data, pad), weight.data
    out = np.zeros((geo.n, geo.f, geo.ho, geo.wo), dtype=w.dtype)

    def patch(i, j):
        return slice(i * geo.sh, i * geo.sh + geo.kh), slice(j * geo.sw, j * geo.sw + geo.kw)

    for n in range(geo.n):
        for f in range(geo.f):
            for i in range(geo.ho):
                for j in range(geo.wo):
                    rows, cols = patch(i, j)
                    out[n, f, i, j] = np.sum(w[f] * xp[n, :, rows, cols])
    if bias is not None:
        out += bias.data[:, None, None]
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        if autograd.is_grad_enabled():
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
        grads = (_wrap(np.ascontiguousarray(gx)), _wrap(gw))
        return grads if bias is None else (*grads, _wrap(gd.sum(axis=(0, 2, 3))))

    return _result(out, parents, backward, "conv2d_naive")


# ------------------------------------------------------------------ pooling
@dataclass(frozen=True)
class _Pool:
    n: int
    c: int
    h: int
    w: int
    kh: int
    kw: int
    sh: int
    sw: int

    @property
    def ho(self) -> int:
        return (self.h - self.kh) // self.sh + 1

    @property
    def wo(self) -> int:
        return (self.w - self.kw) // self.sw + 1


def _pool_geometry(op: str, x: Tensor, kernel_size, stride) -> _Pool:
    _need_4d(x, op)
    kh, kw = _pair(kernel_size, "kernel_size", op, 1)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", op, 1)
    n, c, h, w = x.shape
    if kh > h or kw > w:
        raise ValueError(f"{op}: the pooling window {kh}x{kw} is larger than the input "
                         f"{h}x{w} (input shape {x.shape}).")
    return _Pool(n, c, h, w, kh, kw, sh, sw)


def _offsets(geo: _Pool):
    """For each position (u, v) inside the window, in row-major order: the strided view
    index that picks that position from every window at once."""
    rows_end, cols_end = geo.sh * (geo.ho - 1) + 1, geo.sw * (geo.wo - 1) + 1
    for u in range(geo.kh):
        for v in range(geo.kw):
            yield (slice(None), slice(None), slice(u, u + rows_end, geo.sh),
                   slice(v, v + cols_end, geo.sw))


def _window_gather(x: Tensor, weights, geo: _Pool) -> Tensor:
    """sum_k weights[k] * (entry k of each window): (N, C, H, W) -> (N, C, H', W').

    ``weights`` holds one constant per window position k = u*kw + v, each broadcasting
    against (N, C, H', W'): the first-max masks of max-pooling, or 1/(kh kw) for average
    pooling. No window is copied: each k is one strided view of ``x``.
    """
    data = np.zeros((geo.n, geo.c, geo.ho, geo.wo), dtype=x.dtype)
    for index, wk in zip(_offsets(geo), weights, strict=True):
        data += x.data[index] * wk
    return _result(data, (x,), lambda g: (_window_scatter(g, weights, geo),), "window_gather")


def _window_scatter(g: Tensor, weights, geo: _Pool) -> Tensor:
    """Send g[n, c, i, j] * weights[k] back to entry k of window (i, j): the gradient of
    ``_window_gather`` and of pooling. ``_window_gather`` is, in turn, its gradient."""
    out = np.zeros((geo.n, geo.c, geo.h, geo.w), dtype=g.dtype)
    for index, wk in zip(_offsets(geo), weights, strict=True):
        out[index] += g.data * wk                                  # strided, no add.at
    return _result(out, (g,), lambda h: (_window_gather(h, weights, geo),), "window_scatter")


def max_pool2d(x, kernel_size, stride=None) -> Tensor:
    """The largest value in each kh x kw window (windows start every ``stride`` pixels;
    by default stride = kernel_size, so windows tile the image without overlap).

    Shapes: (N, C, H, W) -> (N, C, H', W'), H' = (H - kh) // sh + 1; leftover rows and
    columns at the bottom and right are dropped, as in PyTorch.

    The gradient goes to the FIRST maximum of each window (in row-major order), as in
    PyTorch. Sending it to every element equal to the maximum would be wrong when
    values tie, and they do: the blank border pixels of the digits are exactly equal.
    """
    x = _as_float(x, "max_pool2d")
    geo = _pool_geometry("max_pool2d", x, kernel_size, stride)
    views = [x.data[index] for index in _offsets(geo)]            # kh*kw strided views
    best = views[0].copy()                                        # running maximum
    first = np.zeros(best.shape, dtype=np.intp)                   # where it was first seen
    for k, view in enumerate(views[1:], start=1):
        better = view > best                                      # strict: ties keep the first
        np.copyto(first, k, where=better)
        np.maximum(best, view, out=best)

    def backward(g):
        masks = [first == k for k in range(len(views))]           # one True per window
        return (_window_scatter(g, masks, geo),)

    return _result(best, (x,), backward, "max_pool2d")


def avg_pool2d(x, kernel_size, stride=None) -> Tensor:
    """The mean of each kh x kw window; shapes and defaults as in ``max_pool2d``.
    Each input pixel receives g / (kh kw) from every window that contains it."""
    x = _as_float(x, "avg_pool2d")
    geo = _pool_geometry("avg_pool2d", x, kernel_size, stride)
    weights = [x.dtype.type(1.0 / (geo.kh * geo.kw))] * (geo.kh * geo.kw)
    data = np.zeros((geo.n, geo.c, geo.ho, geo.wo), dtype=x.dtype)
    for index in _offsets(geo):
        data += x.data[index]
    data *= weights[0]
    return _result(data, (x,), lambda g: (_window_scatter(g, weights, geo),), "avg_pool2d")
