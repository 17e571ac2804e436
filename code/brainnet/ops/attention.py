"""Scaled dot-product attention (Vaswani et al. 2017), written as the ops it is.

Every query is compared with every key; the softmax of those scores says how much of
each value to mix into the output:

    Attention(Q, K, V) = softmax(Q K^T / sqrt(E) + bias) V

Shapes (PyTorch's): query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev),
with any leading batch and head axes (broadcast as in matmul). The bias is how a
mask enters: 0 where a query may attend to a key, -inf where it may not, so that
softmax gives those keys exactly zero weight. ``F.scaled_dot_product_attention`` is
the fused twin (``fused/attention.py``): one graph node, the same numbers.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ..tensor import ArrayLike, Tensor, as_float
from .activation import softmax


@functools.lru_cache(maxsize=32)
def causal_bias(length: int, source: int, dtype: str) -> np.ndarray:
    """(L, S) additive mask, 0 on and below the diagonal, -inf above: query i sees
    keys 0..i only (top-left aligned, as PyTorch's ``is_causal``). Cached: read-only."""
    bias = np.triu(np.full((length, source), -np.inf, dtype=dtype), k=1)
    bias.flags.writeable = False
    return bias


def attention_bias(op: str, length: int, source: int, attn_mask: ArrayLike | None,
                   is_causal: bool, dtype: np.dtype) -> np.ndarray | Tensor | None:
    """The additive bias for scores of shape (..., L, S), from a mask and/or causality.

    A boolean ``attn_mask`` is True where a query may attend (PyTorch's convention) and
    becomes 0 / -inf; a float mask is added as it is (a Tensor that requires grad stays
    a Tensor, so gradients reach it). A query row with no key left to attend to is an
    error: its softmax would be 0/0.
    """
    bias: np.ndarray | Tensor | None = None
    if attn_mask is not None:
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(mask.shape[-2:], (length, source))
        except ValueError:
            raise ValueError(f"{op}: attn_mask has shape {mask.shape}, which does not "
                             f"broadcast to the scores' (..., {length}, {source}).") from None
        if mask.dtype.kind == "b":
            bias = np.where(mask, dtype.type(0), dtype.type(-np.inf))
        elif mask.dtype.kind == "f":
            if isinstance(attn_mask, Tensor) and attn_mask.requires_grad:
                bias = attn_mask if attn_mask.dtype == dtype else attn_mask.astype(dtype)
            else:
                bias = mask.astype(dtype, copy=False)
        else:
            raise TypeError(f"{op}: attn_mask must be boolean (True = may attend) or float "
                            f"(added to the scores), got dtype {mask.dtype}.")
    if is_causal:
        causal = causal_bias(length, source, np.dtype(dtype).name)
        bias = causal if bias is None else bias + causal
    if bias is not None:
        values = bias.data if isinstance(bias, Tensor) else bias
        if np.isneginf(values).all(axis=-1).any():
            raise ValueError(f"{op}: the mask leaves some query with no key to attend to (a "
                             "row of the scores is all -inf), so its softmax is undefined. "
                             "Let every query see at least one key.")
    return bias


def check_qkv(op: str, query: ArrayLike, key: ArrayLike, value: ArrayLike
              ) -> tuple[Tensor, Tensor, Tensor]:
    q = as_float(query)
    k, v = as_float(key, like=q), as_float(value, like=q)
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{op}: query, key and value must be at least 2-D (..., L, E); got "
                         f"shapes {q.shape}, {k.shape}, {v.shape}.")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"{op}: query and key must share the last axis E, got {q.shape} and "
                         f"{k.shape}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{op}: key and value need one entry per source position: shapes "
                         f"{k.shape} and {v.shape} disagree on axis -2.")
    return q, k, v


def scaled_dot_product_attention(query: ArrayLike, key: ArrayLike, value: ArrayLike,
                                 attn_mask: ArrayLike | None = None, is_causal: bool = False,
                                 scale: float | None = None) -> Tensor:
    """softmax(Q K^T * scale + mask) V, with scale = 1/sqrt(E) by default.

    Shapes: query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev).
    """
    q, k, v = check_qkv("scaled_dot_product_attention", query, key, value)
    L, S = q.shape[-2], k.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = (q @ k.mT) * scale                                       # (..., L, S)
    bias = attention_bias("scaled_dot_product_attention", L, S, attn_mask, is_causal, q.dtype)
    if bias is not None:
        scores = scores + bias
    weights = softmax(scores, axis=-1)                                # each row sums to 1
    return weights @ v                                                # (..., L, Ev)
