"""The convolution op and its two gradients, each an op whose gradients are the others.

``conv2d`` (in ``conv.py``) checks its arguments and calls ``convolve``. Its backward
pass needs dL/dx, a transposed convolution (``convolve_input_grad``), and dL/dweight
(``convolve_weight_grad``). Writing those two as ops of their own, with gradients that
are again one of the three, makes convolution differentiable to any order: a second
derivative (``create_graph=True``) through a convolution is exact. The same holds for
pooling: ``window_scatter``, its backward, and ``window_gather`` are each other's
gradients. This is graduate material; ``conv.py`` is the place to start.

The numpy work itself is im2col (``sliding_window_view`` lays every patch out as one row
of a matrix, so a whole layer is ONE matrix product) and col2im, its adjoint: kh*kw
strided additions, no ``np.add.at``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..autograd import record
from ..tensor import Tensor, wrap


# ------------------------------------------------------------------- geometry
@dataclass(frozen=True)
class ConvGeometry:
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


@dataclass(frozen=True)
class PoolGeometry:
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


def offsets(geo: PoolGeometry):
    """For each position (u, v) inside the window, in row-major order: the strided view
    index that picks that position from every window at once."""
    rows_end, cols_end = geo.sh * (geo.ho - 1) + 1, geo.sw * (geo.wo - 1) + 1
    for u in range(geo.kh):
        for v in range(geo.kw):
            yield (slice(None), slice(None), slice(u, u + rows_end, geo.sh),
                   slice(v, v + cols_end, geo.sw))


# ------------------------------------------------------------- numpy kernels
def im2col(x: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """Every patch as a row: (N, C, H, W) -> (N*H'*W', C*kh*kw)."""
    if geo.ph or geo.pw:
        x = np.pad(x, ((0, 0), (0, 0), (geo.ph, geo.ph), (geo.pw, geo.pw)))
    windows = sliding_window_view(x, (geo.kh, geo.kw), axis=(2, 3))[:, :, ::geo.sh, ::geo.sw]
    # windows: (N, C, H', W', kh, kw), a view; the reshape below makes the one copy.
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(geo.n * geo.ho * geo.wo, -1)


def col2im(cols: np.ndarray, geo: ConvGeometry) -> np.ndarray:
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


def rows(g: np.ndarray, geo: ConvGeometry) -> np.ndarray:
    """dL/dy (N, F, H', W') as one row per output position: (N*H'*W', F)."""
    return g.transpose(0, 2, 3, 1).reshape(-1, geo.f)


# --------------------------------------------------------- convolution ops
def convolve(x: Tensor, weight: Tensor, bias: Tensor | None, geo: ConvGeometry) -> Tensor:
    """The convolution op itself (inputs already validated)."""
    cols = im2col(x.data, geo)                                   # (N*H'*W', C*kh*kw)
    out = cols @ weight.data.reshape(geo.f, -1).T                 # (N*H'*W', F)
    if bias is not None:
        out += bias.data
    # (N*H'*W', F) -> (N, H', W', F) -> (N, F, H', W')
    y = wrap(np.ascontiguousarray(out.reshape(geo.n, geo.ho, geo.wo, geo.f)
                                  .transpose(0, 3, 1, 2)))
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        gx = convolve_input_grad(g, weight, geo) if x.requires_grad else None
        gw = convolve_weight_grad(x, g, geo, cols) if weight.requires_grad else None
        if bias is None:
            return gx, gw
        return gx, gw, (g.sum(axis=(0, 2, 3)) if bias.requires_grad else None)

    return record(y, parents, backward, "conv2d")


def convolve_input_grad(g: Tensor, weight: Tensor, geo: ConvGeometry) -> Tensor:
    """dL/dx of a convolution, given dL/dy = g (a transposed convolution).

    Its own gradients: with respect to g it is the convolution of the incoming
    gradient with ``weight``; with respect to ``weight`` it is ``convolve_weight_grad``.
    """
    out = wrap(col2im(rows(g.data, geo) @ weight.data.reshape(geo.f, -1), geo))

    def backward(h):
        return (convolve(h, weight, None, geo) if g.requires_grad else None,
                convolve_weight_grad(h, g, geo) if weight.requires_grad else None)

    return record(out, (g, weight), backward, "conv2d_input_grad")


def convolve_weight_grad(x: Tensor, g: Tensor, geo: ConvGeometry,
                         cols: np.ndarray | None = None) -> Tensor:
    """dL/dweight of a convolution of ``x``, given dL/dy = g: (F, C, kh, kw).

    ``cols`` is the forward pass's im2col of ``x``, reused when available.
    """
    cols = im2col(x.data, geo) if cols is None else cols
    out = wrap((rows(g.data, geo).T @ cols).reshape(geo.f, geo.c, geo.kh, geo.kw))

    def backward(v):
        return (convolve_input_grad(g, v, geo) if x.requires_grad else None,
                convolve(x, v, None, geo) if g.requires_grad else None)

    return record(out, (x, g), backward, "conv2d_weight_grad")


# ------------------------------------------------------------- pooling ops
def window_gather(x: Tensor, weights, geo: PoolGeometry) -> Tensor:
    """sum_k weights[k] * (entry k of each window): (N, C, H, W) -> (N, C, H', W').

    ``weights`` holds one constant per window position k = u*kw + v, each broadcasting
    against (N, C, H', W'): the first-max masks of max-pooling, or 1/(kh kw) for average
    pooling. No window is copied: each k is one strided view of ``x``.
    """
    data = np.zeros((geo.n, geo.c, geo.ho, geo.wo), dtype=x.dtype)
    for index, wk in zip(offsets(geo), weights, strict=True):
        data += x.data[index] * wk
    out = wrap(data)

    def backward(g):
        return (window_scatter(g, weights, geo),)

    return record(out, (x,), backward, "window_gather")


def window_scatter(g: Tensor, weights, geo: PoolGeometry) -> Tensor:
    """Send g[n, c, i, j] * weights[k] back to entry k of window (i, j): the gradient of
    ``window_gather`` and of pooling. ``window_gather`` is, in turn, its gradient."""
    data = np.zeros((geo.n, geo.c, geo.h, geo.w), dtype=g.dtype)
    for index, wk in zip(offsets(geo), weights, strict=True):
        data[index] += g.data * wk                                 # strided, no add.at
    out = wrap(data)

    def backward(h):
        return (window_gather(h, weights, geo),)

    return record(out, (g,), backward, "window_scatter")


