"""The Transformer encoder layer: attention, then a small MLP, each on a residual stream.

    block = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=256, rng=0)
    y = block(x, is_causal=True)          # x (N, T, 64) -> (N, T, 64)

Pre-LN (``norm_first=True``, the default here) normalises the input of each sublayer
and adds the sublayer's output back to the stream:

    x = x + SelfAttention(LayerNorm(x))
    x = x + MLP(LayerNorm(x))

so every layer's contribution is added to an unnormalised residual stream, and
gradients reach the first layer along the additions undiminished (Xiong et al. 2020).
Post-LN (``norm_first=False``, the original of Vaswani et al. 2017) normalises after
each addition instead. Names follow PyTorch's ``nn.TransformerEncoderLayer``; its
defaults are dropout 0.1, ReLU and post-LN, these are the book's.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import rng as _rng
from ..tensor import Tensor
from .attention import MultiheadAttention
from .layers import Dropout, LayerNorm, Linear
from .module import Module

__all__ = ["TransformerEncoderLayer"]

_ACTIVATIONS = {"gelu": F.gelu, "relu": F.relu}


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward MLP, each with a residual connection and
    layer normalisation.

    Shapes: src (N, T, d_model) -> (N, T, d_model) (batch first). The MLP is
    Linear(d_model, dim_feedforward), the activation, Linear(dim_feedforward, d_model).
    ``forward(..., need_weights=True)`` (brainnet's addition) also returns the
    attention weights (N, T, T), averaged over heads, for plotting.
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.0, activation: str = "gelu", layer_norm_eps: float = 1e-5,
                 batch_first: bool = True, norm_first: bool = True, bias: bool = True,
                 rng: _rng.Seed = None, dtype=np.float32):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"TransformerEncoderLayer: activation must be one of "
                             f"{sorted(_ACTIVATIONS)}, got {activation!r}.")
        if not batch_first:
            raise ValueError("TransformerEncoderLayer: only batch_first=True (N, T, d_model) "
                             "is supported; transpose the input instead.")
        g = _rng.generator(rng)
        self.self_attn = MultiheadAttention(d_model, nhead, bias=bias, rng=g, dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, rng=g, dtype=dtype)
        self.dropout = Dropout(dropout, rng=g)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, rng=g, dtype=dtype)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, dtype=dtype)
        self.dropout1 = Dropout(dropout, rng=g)
        self.dropout2 = Dropout(dropout, rng=g)
        self.activation_name, self.norm_first = activation, norm_first
        self.activation = _ACTIVATIONS[activation]

    def _attend(self, x: Tensor, mask, is_causal: bool, need_weights: bool
                ) -> tuple[Tensor, Tensor | None]:
        out, weights = self.self_attn(x, x, x, attn_mask=mask, is_causal=is_causal,
                                      need_weights=need_weights)
        return self.dropout1(out), weights

    def _mlp(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def forward(self, src, src_mask=None, is_causal: bool = False, *,
                need_weights: bool = False):
        x = src
        if self.norm_first:
            a, weights = self._attend(self.norm1(x), src_mask, is_causal, need_weights)
            x = x + a                                               # the residual stream
            x = x + self._mlp(self.norm2(x))
        else:
            a, weights = self._attend(x, src_mask, is_causal, need_weights)
            x = self.norm1(x + a)
            x = self.norm2(x + self._mlp(x))
        return (x, weights) if need_weights else x

    def extra_repr(self) -> str:
        return (f"d_model={self.self_attn.embed_dim}, nhead={self.self_attn.num_heads}, "
                f"activation={self.activation_name!r}, norm_first={self.norm_first}")
