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
from .twin import backward_through


def attention(query: ArrayLike, key: ArrayLike, value: ArrayLike,
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
    w = _weights(q, k, bias, scale)                                  # (..., L, S)
    out = wrap(w @ v.data)                                           # (..., L, Ev)
    parents = (q, k, v)

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda a, b, c: readable.scaled_dot_product_attention(a, b, c, attn_mask,
                                                                      is_causal, scale),
                parents, g)
        gd = g.data
        dv = np.swapaxes(w, -1, -2) @ gd if v.requires_grad else None     # (..., S, Ev)
        dp = gd @ np.swapaxes(v.data, -1, -2)                            # (..., L, S)
        ds = w * (dp - (dp * w).sum(axis=-1, keepdims=True))            # through softmax
        ds *= scale
        dq = ds @ k.data if q.requires_grad else None                   # (..., L, E)
        dk = np.swapaxes(ds, -1, -2) @ q.data if k.requires_grad else None
        return tuple(None if d is None else unbroadcast(wrap(d), t.shape)
                     for d, t in zip((dq, dk, dv), parents, strict=True))

    return record(out, parents, backward, "scaled_dot_product_attention"), w


def _weights(q: Tensor, k: Tensor, bias: np.ndarray | None, scale: float) -> np.ndarray:
    scores = q.data @ np.swapaxes(k.data, -1, -2)                        # (..., L, S)
    scores *= q.dtype.type(scale)
    if bias is not None:
        scores = scores + bias
    return numerics.softmax(scores, axis=-1)


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
    out, w = attention(query, key, value, attn_mask, is_causal, scale)
    return (out, wrap(w)) if need_weights else out
