"""Attention layers: multi-head attention and positional encodings.

    attn = nn.MultiheadAttention(embed_dim=64, num_heads=4, rng=0)
    out, weights = attn(x, x, x, is_causal=True)      # x (N, T, 64): self-attention

Names, shapes and initialisation follow PyTorch (``batch_first=True`` is the default
here). Each head projects the input to its own queries, keys and values of size
embed_dim / num_heads, attends (``F.scaled_dot_product_attention``), and the heads'
outputs are concatenated and mixed by ``out_proj``.

Attention alone cannot tell positions apart: permute the keys and values together and
the output is permuted the same way. Positions enter through the input, either learned
(``PositionalEmbedding``) or fixed sinusoids (``SinusoidalPositionalEncoding``,
Vaswani et al. 2017).
"""

from __future__ import annotations

import math

import numpy as np

from .. import rng as _rng
from ..ops import fused
from ..tensor import Tensor, as_float, wrap
from .init import normal
from .layers import Linear, _check_sizes
from .module import Module, Parameter

__all__ = ["MultiheadAttention", "PositionalEmbedding", "SinusoidalPositionalEncoding",
           "sinusoids"]


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al. 2017), PyTorch's ``nn.MultiheadAttention``.

    Shapes (batch_first): query (N, L, E), key and value (N, S, E) -> output (N, L, E);
    weights (N, L, S) averaged over heads, or (N, heads, L, S) with
    ``average_attn_weights=False``. ``attn_mask`` is (L, S) or (N * heads, L, S),
    boolean (True = may attend) or float (added to the scores).

    Parameters: ``in_proj_weight`` (3E, E) stacks the query, key and value projections
    (Xavier-uniform), ``in_proj_bias`` (3E,) starts at zero, and ``out_proj`` is a
    Linear(E, E) with zero bias, all as in PyTorch. The weights returned are outside
    the graph: they are for looking at.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 batch_first: bool = True, rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        _check_sizes("MultiheadAttention", embed_dim=embed_dim, num_heads=num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be divisible "
                             f"by num_heads ({num_heads}); each head gets embed_dim / "
                             "num_heads dimensions.")
        g = _rng.generator(rng)
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        self.head_dim = embed_dim // num_heads
        bound = math.sqrt(6.0 / (embed_dim + 3 * embed_dim))       # Xavier, fan (E, 3E)
        self.in_proj_weight = Parameter(
            g.uniform(-bound, bound, (3 * embed_dim, embed_dim)).astype(dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, rng=g, dtype=dtype)
        if self.out_proj.bias is not None:
            self.out_proj.bias.data[...] = 0.0

    def _project(self, x: Tensor, part: slice) -> Tensor:
        """x (N, T, E) -> the heads' queries, keys or values, (N, heads, T, head_dim)."""
        w = self.in_proj_weight[part]
        b = None if self.in_proj_bias is None else self.in_proj_bias[part]
        n, t = x.shape[0], x.shape[1]
        y = fused.linear(x, w, b)                                   # (N, T, E) or (N, T, 3E)
        return y.reshape(n, t, -1, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)

    def _mask(self, attn_mask, n: int, L: int, S: int):
        """PyTorch's (N * heads, L, S) mask as (N, heads, L, S); (L, S) broadcasts."""
        if attn_mask is None:
            return None
        mask = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        return mask.reshape(n, self.num_heads, L, S) if mask.ndim == 3 else attn_mask

    def forward(self, query, key, value, attn_mask=None, need_weights: bool = True,
                is_causal: bool = False, average_attn_weights: bool = True):
        q_in = as_float(query, like=self.in_proj_weight)
        if not self.batch_first:                                    # (L, N, E) -> (N, L, E)
            query, key, value = (as_float(t, like=q_in).transpose(0, 1)
                                 for t in (query, key, value))
            q_in = query
        if q_in.ndim != 3 or q_in.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiheadAttention: query must be (N, L, {self.embed_dim}) "
                             f"(batch first), got shape {q_in.shape}.")
        E, H, D = self.embed_dim, self.num_heads, self.head_dim
        n, L = q_in.shape[0], q_in.shape[1]
        if key is query and value is query:                         # self-attention
            qkv = fused.linear(q_in, self.in_proj_weight, self.in_proj_bias)   # (N, L, 3E)
            qkv = qkv.reshape(n, L, 3, H, D).permute(2, 0, 3, 1, 4)  # (3, N, heads, L, D)
            out, w = fused.self_attention(qkv, self._mask(attn_mask, n, L, L), is_causal)
        else:
            k_in, v_in = as_float(key, like=q_in), as_float(value, like=q_in)
            if k_in.shape != v_in.shape or k_in.ndim != 3 or k_in.shape[0] != n:
                raise ValueError(f"MultiheadAttention: key and value must both be "
                                 f"(N, S, {E}) with N = {n}; got {k_in.shape} and "
                                 f"{v_in.shape}.")
            q, k, v = (self._project(t, slice(i * E, (i + 1) * E))[0]
                       for i, t in enumerate((q_in, k_in, v_in)))   # (N, heads, ., D)
            out, w = fused.attention_with_weights(
                q, k, v, self._mask(attn_mask, n, L, k.shape[2]), is_causal)
        out = out.permute(0, 2, 1, 3).reshape(n, L, E)              # heads side by side
        out = self.out_proj(out)                                    # (N, L, E)
        if not self.batch_first:
            out = out.transpose(0, 1)
        weights = None
        if need_weights:
            weights = wrap(w.mean(axis=1) if average_attn_weights else w)
        return out, weights

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def sinusoids(length: int, dim: int, dtype=np.float32) -> np.ndarray:
    """Vaswani et al.'s position code (length, dim): sin(p / 10000^(2i/dim)) on even
    columns, cos on odd ones. Each row is unique, and nearby rows are similar."""
    if dim % 2:
        raise ValueError(f"sinusoids: dim must be even (sine and cosine pairs), got {dim}.")
    position = np.arange(length)[:, None]                               # (length, 1)
    frequency = np.exp(-np.log(10000.0) * np.arange(0, dim, 2) / dim)   # (dim / 2,)
    table = np.zeros((length, dim))
    table[:, 0::2] = np.sin(position * frequency)
    table[:, 1::2] = np.cos(position * frequency)
    return table.astype(dtype)


class PositionalEmbedding(Module):
    """A learned vector per position, added to the input: x + P[:T].

    Shapes: x (N, T, d_model) -> same, T <= max_len. ``weight`` (max_len, d_model)
    starts N(0, std^2).
    """

    def __init__(self, max_len: int, d_model: int, std: float = 0.02,
                 rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        _check_sizes("PositionalEmbedding", max_len=max_len, d_model=d_model)
        self.max_len, self.d_model = max_len, d_model
        self.weight = normal((max_len, d_model), std, rng, dtype)

    def forward(self, x) -> Tensor:
        x = as_float(x, like=self.weight)
        _check_positions("PositionalEmbedding", x, self.max_len, self.d_model)
        return x + self.weight[:x.shape[1]]

    def extra_repr(self) -> str:
        return f"{self.max_len}, {self.d_model}"


class SinusoidalPositionalEncoding(Module):
    """Fixed sinusoids added to the input: x + s * sinusoids(T, d_model).

    The table's entries have an RMS of 1/sqrt(2); ``rms`` rescales it (s) to that RMS,
    for example the RMS of the token embeddings it is added to, so that neither
    swamps the other. Shapes: x (N, T, d_model) -> same, T <= max_len.
    """

    table: Tensor

    def __init__(self, max_len: int, d_model: int, rms: float | None = None, dtype=np.float32):
        super().__init__()
        _check_sizes("SinusoidalPositionalEncoding", max_len=max_len, d_model=d_model)
        table = sinusoids(max_len, d_model, np.float64)
        if rms is not None:
            if not rms > 0:
                raise ValueError(f"SinusoidalPositionalEncoding: rms must be positive, got "
                                 f"{rms!r}.")
            table *= rms / np.sqrt((table ** 2).mean())
        self.max_len, self.d_model = max_len, d_model
        self.register_buffer("table", table.astype(dtype))

    def forward(self, x) -> Tensor:
        x = as_float(x)                                   # no weights: the input's dtype
        _check_positions("SinusoidalPositionalEncoding", x, self.max_len, self.d_model)
        return x + self.table.data[:x.shape[1]].astype(x.dtype, copy=False)

    def extra_repr(self) -> str:
        return f"{self.max_len}, {self.d_model}"


def _check_positions(name: str, x: Tensor, max_len: int, d_model: int) -> None:
    if x.ndim != 3 or x.shape[-1] != d_model or x.shape[1] > max_len:
        raise ValueError(f"{name}: expected input (N, T, {d_model}) with T <= {max_len}, got "
                         f"shape {x.shape}.")
