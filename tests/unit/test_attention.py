"""Attention: scaled dot-product attention, multi-head attention, positional encodings
and the Transformer encoder layer."""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import nn


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _layer_case(make, *inputs, **kwargs):
    return lambda: bn.gradcheck_module(make(), *inputs, **kwargs)


class _Block(nn.Module):
    """Wraps a layer whose forward takes keywords, for gradcheck_module."""

    def __init__(self, layer, **kwargs):
        super().__init__()
        self.layer, self.kwargs = layer, kwargs

    def forward(self, x):
        out = self.layer(x, x, x, **self.kwargs) if isinstance(self.layer, nn.MultiheadAttention) \
            else self.layer(x, **self.kwargs)
        return out[0] if isinstance(out, tuple) else out


class _Cross(nn.Module):
    """Cross-attention: queries from one sequence, keys and values from another."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, q, kv):
        return self.layer(q, kv, kv)[0]


GRADCHECK_CASES = {
    "scaled_dot_product_attention": lambda: bn.gradcheck(
        F.scaled_dot_product_attention, r(0, 2, 3, 4), r(1, 2, 5, 4), r(2, 2, 5, 3)),
    "scaled_dot_product_attention[causal]": lambda: bn.gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        r(3, 2, 4, 3), r(4, 2, 4, 3), r(5, 2, 4, 3)),
    "scaled_dot_product_attention[float mask that learns]": lambda: bn.gradcheck(
        lambda q, m: F.scaled_dot_product_attention(q, q, q, attn_mask=m),
        r(6, 3, 2), r(7, 3, 3)),
    "MultiheadAttention": lambda: bn.gradcheck_module(
        _Block(nn.MultiheadAttention(4, 2, rng=0)), r(8, 2, 3, 4)),
    "MultiheadAttention[causal]": lambda: bn.gradcheck_module(
        _Block(nn.MultiheadAttention(4, 2, rng=1), is_causal=True), r(9, 2, 3, 4)),
    "MultiheadAttention[cross]": lambda: bn.gradcheck_module(
        _Cross(nn.MultiheadAttention(4, 1, rng=2)), r(10, 1, 2, 4), r(11, 1, 3, 4)),
    "TransformerEncoderLayer": lambda: bn.gradcheck_module(
        _Block(nn.TransformerEncoderLayer(4, 2, 8, rng=3), is_causal=True), r(12, 2, 3, 4)),
    "TransformerEncoderLayer[post-LN, relu]": lambda: bn.gradcheck_module(
        _Block(nn.TransformerEncoderLayer(4, 1, 6, activation="relu", norm_first=False,
                                          rng=4)), r(13, 1, 3, 4) + 0.05),
    "PositionalEmbedding": lambda: bn.gradcheck_module(nn.PositionalEmbedding(5, 4, rng=5),
                                                       r(14, 2, 3, 4)),
    "SinusoidalPositionalEncoding": lambda: bn.gradcheck_module(
        nn.SinusoidalPositionalEncoding(5, 4, rms=0.3), r(15, 2, 3, 4)),
}


# ---------------------------------------------------------- the attention op
def test_attention_weights_are_a_softmax_over_keys():
    q, k, v = (bn.tensor(r(i, 2, 4, 3)) for i in range(3))
    out, w = F.scaled_dot_product_attention(q, k, v, need_weights=True)
    np.testing.assert_allclose(w.data.sum(-1), 1.0)
    scores = q.data @ np.swapaxes(k.data, -1, -2) / np.sqrt(3)
    expected = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)
    np.testing.assert_allclose(w.data, expected, rtol=1e-10)
    np.testing.assert_allclose(out.data, expected @ v.data, rtol=1e-10)


def test_attention_weights_when_one_query_scores_far_below_the_rest():
    """The softmax shifts a block of scores by its maximum; a query whose scores all lie
    far below it gets its own shift, not weights of 0/0."""
    q, k, v = r(0, 2, 4, 3), r(1, 2, 4, 3), r(2, 2, 4, 3)
    k[:, :, 0] = 1.0
    q[0, 1] = [-300.0, 0.0, 0.0]                   # every score of this query near -173
    q[1, 2] = [300.0, 0.0, 0.0]                    # and of this one near +173
    out, w = F.scaled_dot_product_attention(bn.tensor(q), bn.tensor(k), bn.tensor(v),
                                            need_weights=True)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(3)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    expected = e / e.sum(-1, keepdims=True)
    assert np.isfinite(w.data).all()
    np.testing.assert_allclose(w.data, expected, rtol=1e-10)
    np.testing.assert_allclose(out.data, expected @ v, rtol=1e-10)


def test_causal_means_no_weight_on_the_future():
    q = k = v = bn.tensor(r(3, 1, 5, 2))
    _, w = F.scaled_dot_product_attention(q, k, v, is_causal=True, need_weights=True)
    assert np.all(np.triu(w.data[0], k=1) == 0)
    np.testing.assert_allclose(w.data[0, 0, 0], 1.0)          # the first query sees itself


def test_a_boolean_mask_equals_its_additive_form():
    q, k, v = (bn.tensor(r(i, 3, 4)) for i in (4, 5, 6))
    mask = np.array([[1, 0, 1], [1, 1, 0], [0, 0, 1]], dtype=bool)
    additive = np.where(mask, 0.0, -np.inf)
    np.testing.assert_allclose(F.scaled_dot_product_attention(q, k, v, attn_mask=mask).data,
                               F.scaled_dot_product_attention(q, k, v, attn_mask=additive).data)


def test_attention_stays_float32():
    q = bn.tensor(r(7, 2, 3, 4).astype(np.float32))
    assert F.scaled_dot_product_attention(q, q, q, is_causal=True).dtype == np.float32


@pytest.mark.parametrize("make, message", [
    (lambda: F.scaled_dot_product_attention(bn.ones(3, 4), bn.ones(3, 5), bn.ones(3, 2)),
     r"scaled_dot_product_attention: query and key must share the last axis"),
    (lambda: F.scaled_dot_product_attention(bn.ones(3, 4), bn.ones(5, 4), bn.ones(4, 2)),
     r"key and value need one entry per source position"),
    (lambda: F.scaled_dot_product_attention(bn.ones(3), bn.ones(3), bn.ones(3)),
     r"must be at least 2-D"),
    (lambda: F.scaled_dot_product_attention(bn.ones(2, 4), bn.ones(2, 4), bn.ones(2, 4),
                                            attn_mask=np.array([[True, True], [False, False]])),
     r"leaves some query with no key to attend to"),
    (lambda: F.scaled_dot_product_attention(bn.ones(2, 4), bn.ones(3, 4), bn.ones(3, 4),
                                            attn_mask=np.ones((2, 2), bool)),
     r"attn_mask has shape \(2, 2\), which does not broadcast"),
    (lambda: F.scaled_dot_product_attention(bn.ones(2, 4), bn.ones(2, 4), bn.ones(2, 4),
                                            attn_mask=np.ones((2, 2), int)),
     r"attn_mask must be boolean"),
])
def test_attention_errors_say_what_is_wrong(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# --------------------------------------------------------------------- layers
def test_multihead_attention_matches_the_formula_by_hand():
    E, H = 4, 2
    mha = nn.MultiheadAttention(E, H, rng=0).double()
    x = r(20, 1, 3, E)
    out, w = mha(bn.tensor(x), bn.tensor(x), bn.tensor(x), average_attn_weights=False)
    W, b = mha.in_proj_weight.data, mha.in_proj_bias.data
    q, k, v = (x[0] @ W[i * E:(i + 1) * E].T + b[i * E:(i + 1) * E] for i in range(3))
    heads = []
    for h in range(H):
        cols = slice(h * 2, (h + 1) * 2)
        s = q[:, cols] @ k[:, cols].T / np.sqrt(2)
        p = np.exp(s) / np.exp(s).sum(-1, keepdims=True)
        np.testing.assert_allclose(w.data[0, h], p, rtol=1e-10)
        heads.append(p @ v[:, cols])
    expected = np.concatenate(heads, -1) @ mha.out_proj.weight.data.T + mha.out_proj.bias.data
    np.testing.assert_allclose(out.data[0], expected, rtol=1e-10)


def test_multihead_attention_initialisation_follows_pytorch():
    mha = nn.MultiheadAttention(64, 4, rng=0)
    bound = np.sqrt(6 / (64 + 192))
    assert np.abs(mha.in_proj_weight.data).max() <= bound
    assert np.abs(mha.in_proj_weight.data).max() > 0.9 * bound
    assert not mha.in_proj_bias.data.any() and not mha.out_proj.bias.data.any()
    assert [n for n, _ in mha.named_parameters()] == [
        "in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]


def test_attention_without_positions_is_permutation_equivariant():
    x = r(21, 1, 5, 4)
    mha = nn.MultiheadAttention(4, 2, rng=1).double()
    perm = np.array([3, 0, 4, 1, 2])
    out = mha(bn.tensor(x), bn.tensor(x), bn.tensor(x))[0].data
    out_perm = mha(bn.tensor(x[:, perm]), bn.tensor(x[:, perm]), bn.tensor(x[:, perm]))[0].data
    np.testing.assert_allclose(out_perm, out[:, perm], rtol=1e-10)


def test_mha_per_head_mask_and_batch_second_layout():
    mha = nn.MultiheadAttention(4, 2, batch_first=False, rng=2).double()
    x = bn.tensor(r(22, 3, 2, 4))                               # (L, N, E)
    mask = np.ones((2 * 2, 3, 3), bool)
    out, w = mha(x, x, x, attn_mask=mask)
    assert out.shape == (3, 2, 4) and w.shape == (2, 3, 3)


def test_mha_refuses_bad_sizes():
    with pytest.raises(ValueError, match=r"embed_dim \(6\) must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match=r"query must be \(N, L, 4\)"):
        nn.MultiheadAttention(4, 2)(bn.ones(3, 4), bn.ones(3, 4), bn.ones(3, 4))


def test_encoder_layer_pre_ln_is_residual_at_zero_sublayers():
    block = nn.TransformerEncoderLayer(4, 2, 8, rng=0).double()
    for p in (block.self_attn.out_proj.weight, block.self_attn.out_proj.bias,
              block.linear2.weight, block.linear2.bias):
        p.data[...] = 0.0
    x = r(23, 2, 3, 4)
    np.testing.assert_allclose(block(bn.tensor(x)).data, x)     # the stream passes through
    y, w = block(bn.tensor(x), is_causal=True, need_weights=True)
    assert w.shape == (2, 3, 3) and np.all(np.triu(w.data, 1) == 0)


def test_sinusoids_follow_vaswani_and_scale_to_an_rms():
    table = nn.sinusoids(10, 8, np.float64)
    p, i = 3, 1
    np.testing.assert_allclose(table[p, 2 * i], np.sin(p / 10000 ** (2 * i / 8)))
    np.testing.assert_allclose(table[p, 2 * i + 1], np.cos(p / 10000 ** (2 * i / 8)))
    enc = nn.SinusoidalPositionalEncoding(10, 8, rms=0.25)
    assert np.sqrt((enc.table.data.astype(np.float64) ** 2).mean()) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="dim must be even"):
        nn.sinusoids(4, 3)


def test_positional_layers_check_the_length():
    with pytest.raises(ValueError, match=r"PositionalEmbedding: expected input \(N, T, 4\) "
                                         r"with T <= 3"):
        nn.PositionalEmbedding(3, 4)(bn.ones(1, 5, 4))
