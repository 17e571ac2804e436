"""The fast twin of scaled dot-product attention: one graph node, softmax backward fused.

The readable form (``ops/attention.py``) is five nodes: matmul, scale, mask, softmax,
matmul, each with its own temporaries. Here the forward keeps only the attention
weights P, and the backward is four matrix products and one fused softmax step:

    dV = P^T g          dP = g V^T          dS = P * (dP - sum(dP * P, over keys))
    dQ = dS K * scale   dK = dS^T Q * scale

The sum over keys is computed as g . out, over the value features, as FlashAttention
does (Dao et al. 2022): sum_j P_ij dP_ij = sum_j P_ij g_i . v_j = g_i . out_i, from
arrays (..., L, Ev) instead of (..., L, S).

Two layout choices make it fast in numpy. P is kept transposed, (keys, queries): numpy
reduces along a short last axis (the keys, 64 here) more than ten times slower than
along the axis before it, and softmax needs two reductions over the keys; P itself is
then a free transposed view, which matmul takes as it is. And the softmax runs in
blocks of the batch that fit in the processor's cache. Second derivatives go through
the readable twin (``twin.py``).
"""

from __future__ import annotations

import math

import numpy as np

from ... import numerics
from ...autograd import is_grad_enabled, record
from ...tensor import ArrayLike, Tensor, wrap
from .. import attention as readable
from ..shape import unbroadcast
from .scratch import CACHE_FLOATS, blocks, scratch
from .twin import backward_through

_OP = "scaled_dot_product_attention"


def attention_with_weights(query: ArrayLike, key: ArrayLike, value: ArrayLike,
                           attn_mask: ArrayLike | None = None, is_causal: bool = False,
                           scale: float | None = None) -> tuple[Tensor, np.ndarray]:
    """The attention output (..., L, Ev) and the weights softmax(Q K^T * scale + mask),
    (..., L, S), as a numpy array outside the graph (for plots)."""
    q, k, v = readable.check_qkv(_OP, query, key, value)
    L, S = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    bias = readable.attention_bias(_OP, L, S, attn_mask, is_causal, q.dtype)
    if isinstance(bias, Tensor):          # a mask that needs its own gradient: readable form
        twin = readable.scaled_dot_product_attention(q, k, v, attn_mask, is_causal, scale)
        return twin, _weights(q.data, k.data, bias.data, scale)
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    wt = _weights_t(q.data, k.data, bias, scale, lead)              # P^T, (B, S, L)
    w = np.swapaxes(wt, -1, -2).reshape(lead + (L, S))              # P, (..., L, S): a view
    out = wrap(w @ v.data)                                          # (..., L, Ev)
    parents = (q, k, v)
    outd = out.data

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda a, b, c: readable.scaled_dot_product_attention(a, b, c, attn_mask,
                                                                      is_causal, scale),
                parents, g)
        grads = _gradients(g.data, outd, q.data, k.data, v.data, wt, scale, lead,
                           tuple(t.requires_grad for t in parents))
        return tuple(None if d is None else unbroadcast(wrap(d), t.shape)
                     for d, t in zip(grads, parents, strict=True))

    return record(out, parents, backward, _OP), w


def self_attention(qkv: Tensor, attn_mask: ArrayLike | None = None, is_causal: bool = False,
                   scale: float | None = None) -> tuple[Tensor, np.ndarray]:
    """Attention with the queries, keys and values packed in one tensor, (3, ..., T, E),
    as multi-head self-attention makes them (one projection). Same numbers as
    ``attention_with_weights(qkv[0], qkv[1], qkv[2])``, but the gradient comes back
    packed too, instead of through three slices of the packed tensor."""
    if qkv.ndim < 3 or qkv.shape[0] != 3:
        raise ValueError(f"self_attention: qkv must be (3, ..., T, E), got {qkv.shape}.")
    qd, kd, vd = qkv.data[0], qkv.data[1], qkv.data[2]
    T = qd.shape[-2]
    scale = 1.0 / math.sqrt(qd.shape[-1]) if scale is None else float(scale)
    bias = readable.attention_bias(_OP, T, T, attn_mask, is_causal, qkv.dtype)
    if isinstance(bias, Tensor):
        raise TypeError("self_attention: a float mask that requires grad needs "
                        "attention_with_weights.")
    lead = qd.shape[:-2]
    wt = _weights_t(qd, kd, bias, scale, lead)
    w = np.swapaxes(wt, -1, -2).reshape(lead + (T, T))
    out = wrap(w @ vd)
    outd = out.data

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda t: readable.scaled_dot_product_attention(t[0], t[1], t[2], attn_mask,
                                                                is_causal, scale),
                (qkv,), g)
        d = _gradients(g.data, outd, qd, kd, vd, wt, scale, lead, (True, True, True))
        return (wrap(np.stack(d)),)                                 # (3, ..., T, E)

    return record(out, (qkv,), backward, "self_attention"), w


def _gradients(gd: np.ndarray, outd: np.ndarray, qd: np.ndarray, kd: np.ndarray,
               vd: np.ndarray, wt: np.ndarray, scale: float, lead: tuple[int, ...],
               need: tuple[bool, bool, bool]) -> tuple[np.ndarray | None, ...]:
    """dQ, dK, dV (each in the batch shape ``lead``) given the forward's output outd
    and dL/dout = gd."""
    g3 = _batched(gd, lead)                                         # (B, L, Ev)
    go = np.multiply(g3, _batched(outd, lead))                      # (B, L, Ev)
    dot = go @ numerics.ones(go.shape[-1], go.dtype)                # (B, L): <dP, P>
    dst = np.matmul(_batched(vd, lead), np.swapaxes(g3, -1, -2),    # dP^T, (B, S, L)
                    out=scratch("attention dP", wt.shape, wt.dtype))
    dst -= dot[:, None, :]                                          # through softmax:
    dst *= wt                                                       # P (dP - <dP, P>)
    s = qd.dtype.type(scale)
    dq = (np.swapaxes(dst, -1, -2) @ _batched(kd * s, lead)).reshape(lead + qd.shape[-2:]) \
        if need[0] else None                                        # (..., L, E)
    dk = (dst @ _batched(qd * s, lead)).reshape(lead + kd.shape[-2:]) if need[1] else None
    dv = (wt @ g3).reshape(lead + vd.shape[-2:]) if need[2] else None   # (..., S, Ev)
    return dq, dk, dv


def _batched(a: np.ndarray, lead: tuple[int, ...]) -> np.ndarray:
    """``a`` (..., n, m) broadcast to the batch axes ``lead`` and merged: (B, n, m)."""
    return np.broadcast_to(a, lead + a.shape[-2:]).reshape((-1,) + a.shape[-2:])


def _blocks(a: np.ndarray, floats: int = CACHE_FLOATS):
    """Slices of the first axis of ``a`` holding about ``floats`` numbers each: a block
    stays in the processor's cache through every pass over it."""
    return blocks(len(a), floats // max(1, a[0].size))


def _weights_t(qd: np.ndarray, kd: np.ndarray, bias: np.ndarray | None, scale: float,
               lead: tuple[int, ...]) -> np.ndarray:
    """P^T = softmax over axis -2 of K Q^T * scale + bias^T, as (B, S, L) with the batch
    axes merged, computed block by block in one array."""
    L, S = qd.shape[-2], kd.shape[-2]
    q3 = _batched(qd * qd.dtype.type(scale), lead)                      # (B, L, E)
    k3 = _batched(kd, lead)                                             # (B, S, E)
    bias_t = None if bias is None else np.swapaxes(bias, -1, -2)        # (..., S, L)
    if bias_t is not None and bias_t.ndim > 2:
        bias_t = _batched(bias_t, lead)                                 # (B, S, L)
    wt = np.empty((k3.shape[0], S, L), qd.dtype)

    def scores(block: slice) -> np.ndarray:                             # (b, S, L), in wt
        s = np.matmul(k3[block], np.swapaxes(q3[block], -1, -2), out=wt[block])
        if bias_t is not None:
            s += bias_t if bias_t.ndim == 2 else bias_t[block]
        return s

    for block in _blocks(wt):
        # softmax over the keys, shifted by the block's maximum: one reduction and a
        # subtraction of one number, 3x faster than the maximum of every column
        s = scores(block)
        s -= np.maximum.reduce(s, axis=None)
        np.exp(s, out=s)
        sums = s.sum(axis=-2, keepdims=True)                            # (b, 1, L)
        if numerics.one_shift_serves(sums):
            s /= sums
        else:   # a column far below the rest, a NaN, or float16: each by its own maximum
            numerics.softmax(scores(block), axis=-2, out=wt[block])
    return wt


def _weights(qd: np.ndarray, kd: np.ndarray, bias: np.ndarray | None, scale: float
             ) -> np.ndarray:
    """softmax(Q K^T * scale + bias), (..., L, S)."""
    lead = np.broadcast_shapes(qd.shape[:-2], kd.shape[:-2])
    wt = _weights_t(qd, kd, bias, scale, lead)
    return np.swapaxes(wt, -1, -2).reshape(lead + (qd.shape[-2], kd.shape[-2]))


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
