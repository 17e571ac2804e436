"""The fast twin of scaled dot-product attention: one graph node, softmax backward fused.

The readable form (``ops/attention.py``) is five nodes: matmul, scale, mask, softmax,
matmul, each with its own temporaries. Here the forward keeps only the attention
weights P, and the backward is four matrix products and one fused softmax step:

    dV = P^T g          dP = g V^T          dS = P * (dP - sum(dP * P, over keys))
    dQ = dS K * scale   dK = dS^T Q * scale

Second derivatives go through the readable twin (``twin.py``).
"""

from __future__ import annotations

import math

import numpy as np

from ... import numerics
from ...autograd import is_grad_enabled, record
from ...tensor import ArrayLike, Tensor, wrap
from .. import attention as readable
from ..shape import unbroadcast
from .scratch import scratch
from .twin import backward_through


def attention_with_weights(query: ArrayLike, key: ArrayLike, value: ArrayLike,
              attn_mask: ArrayLike | None = None, is_causal: bool = False,
              scale: float | None = None) -> tuple[Tensor, np.ndarray]:
    """The attention output and the weights softmax(Q K^T * scale + mask), (..., L, S),
    as a numpy array outside the graph (for plots)."""
    op = "scaled_dot_product_attention"
    q, k, v = readable.check_qkv(op, query, key, value)
    L, S = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    bias = readable.attention_bias(op, L, S, attn_mask, is_causal, q.dtype)
    if isinstance(bias, Tensor):          # a mask that needs its own gradient: readable form
        twin = readable.scaled_dot_product_attention(q, k, v, attn_mask, is_causal, scale)
        return twin, _weights(q, k, bias.data, scale)
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    wt = _weights_t(q, k, bias, scale, lead)                         # P^T, (B, S, L)
    w = np.swapaxes(wt, -1, -2).reshape(lead + (L, S))               # P, (..., L, S): a view
    out = wrap(w @ v.data)                                           # (..., L, Ev)
    parents = (q, k, v)

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda a, b, c: readable.scaled_dot_product_attention(a, b, c, attn_mask,
                                                                      is_causal, scale),
                parents, g)
        gd = np.broadcast_to(g.data, lead + g.shape[-2:]).reshape((-1,) + g.shape[-2:])
        vd = _batched(v.data, lead)                                  # (B, S, Ev)
        dst = np.matmul(vd, np.swapaxes(gd, -1, -2),                 # dP^T, (B, S, L)
                        out=scratch("attention dP", wt.shape, wt.dtype))
        tmp = np.multiply(dst, wt, out=scratch("attention dP P", wt.shape, wt.dtype))
        dst -= tmp.sum(axis=-2, keepdims=True)                       # through softmax:
        dst *= wt                                                    # P (dP - <dP, P>)
        dv = (wt @ gd).reshape(lead + v.shape[-2:]) if v.requires_grad else None   # (.., S, Ev)
        dq = ((np.swapaxes(dst, -1, -2) @ _batched(k.data * k.dtype.type(scale), lead))
              .reshape(lead + q.shape[-2:]) if q.requires_grad else None)         # (.., L, E)
        dk = ((dst @ _batched(q.data * q.dtype.type(scale), lead))
              .reshape(lead + k.shape[-2:]) if k.requires_grad else None)         # (.., S, E)
        return tuple(None if d is None else unbroadcast(wrap(d), t.shape)
                     for d, t in zip((dq, dk, dv), parents, strict=True))

    return record(out, parents, backward, "scaled_dot_product_attention"), w


def _batched(a: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """``a`` (..., n, m) broadcast to the batch axes ``lead`` and merged: (B, n, m)."""
    return np.broadcast_to(a, lead + a.shape[-2:]).reshape((-1,) + a.shape[-2:])


def _blocks(a: np.ndarray, floats: int = 65536):
    """Slices of the first axis of ``a`` holding about ``floats`` numbers each (256 KB of
    float32): a block stays in the processor's cache through every pass over it."""
    step = max(1, floats // max(1, a[0].size))
    for start in range(0, len(a), step):
        yield slice(start, start + step)


def _weights_t(q: Tensor, k: Tensor, bias: np.ndarray | None, scale: float,
               lead: tuple[int, ...]) -> np.ndarray:
    """The attention weights, transposed: softmax over axis -2 of K Q^T * scale + bias^T,
    as (B, S, L) with the batch axes merged.

    Why transposed: numpy reduces along a short last axis (the keys, here 64) more than
    ten times slower than along the axis before it, and softmax needs two reductions
    over the keys. Stored this way, the keys run down the rows, and P itself is a free
    transposed view that matmul takes as it is. Why in blocks: the five passes of
    softmax then read a block that is still in the cache.
    """
    L, S = q.shape[-2], k.shape[-2]
    qd = _batched(q.data * q.dtype.type(scale), lead)                    # (B, L, E)
    kd = _batched(k.data, lead)                                          # (B, S, E)
    bias_t = None if bias is None else np.swapaxes(bias, -1, -2)         # (..., S, L)
    if bias_t is not None and bias_t.ndim > 2:
        bias_t = _batched(bias_t, lead)                                  # (B, S, L)
    wt = np.empty((kd.shape[0], S, L), q.dtype)
    for block in _blocks(wt):
        scores = np.matmul(kd[block], np.swapaxes(qd[block], -1, -2), out=wt[block])
        if bias_t is not None:
            scores += bias_t if bias_t.ndim == 2 else bias_t[block]
        numerics.softmax(scores, axis=-2, out=scores)
    return wt


def _weights(q: Tensor, k: Tensor, bias: np.ndarray | None, scale: float) -> np.ndarray:
    """softmax(Q K^T * scale + bias), (..., L, S)."""
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    wt = _weights_t(q, k, bias, scale, lead)
    return np.swapaxes(wt, -1, -2).reshape(lead + (q.shape[-2], k.shape[-2]))


def scaled_dot_product_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike,
                                 attn_mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None, *, need_weights: bool = False
                                 ) -> Tensor | tuple[Tensor, Tensor]:
    """softmax(Q K^T * scale + mask) V, PyTorch's names and shapes, as one node.

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).
    ``attn_mask``: boolean (True = may attend) or float (added to the scores),
    broadcasting to (..., L, S). ``is_causal``: query i sees keys 0..i only.
    ``need_weights=True`` (brainnet's addition) also returns the attention weights
    (..., L, S), outside the graph, for plotting, without a second forward pass.
    """
    out, w = attention_with_weights(query, key, value, attn_mask, is_causal, scale)
    return (out, wrap(w)) if need_weights else out
