"""Every fast kernel equals its readable twin: the same values, the same gradients, and
the same second derivatives.

A fast op (``brainnet/ops/fused/``, ``conv2d``) is one graph node with a hand-written
backward; its twin is the definition written with plain ops, whose gradient autograd
derives. ``TWINS`` lists each pair with inputs; a new fast op is added here with its
twin (CONTRIBUTING.md, "Adding an op").
"""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn
from brainnet.ops import (
    activation,
    arith,
    attention,
    embedding,
    fused,
    loss,
    norm,
    recurrent,
)
from brainnet.ops.conv import conv2d, conv2d_naive


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


LABELS = np.array([2, 0, 1, 1])
PROBS = np.random.default_rng(3).dirichlet(np.ones(3), size=4)
UNNORMALISED = np.abs(r(4, 4, 3))                 # rows not summing to 1
IDS = np.array([[1, 3, 1], [0, 2, 3]])
MASK = np.array([[True, True, False, True, False]] * 4)         # (L=4, S=5), every row has a key

#: name -> (fast, readable, inputs, second_order). Float inputs are differentiated;
#: integer ones (labels, ids) are passed through.
TWINS = {
    "relu": (fused.relu, activation.relu, [r(0, 4, 5)], True),
    "gelu": (fused.gelu, activation.gelu, [2 * r(52, 4, 5)], True),
    # more numbers than one cache block holds, and not a multiple of it: the last block
    # is short
    "gelu[blocks]": (fused.gelu, activation.gelu, [2 * r(53, 7, 10001)], False),
    "layer_norm": (lambda x, w, b: fused.layer_norm(x, 3, w, b),
                   lambda x, w, b: norm.layer_norm(x, 3, w, b),
                   [r(53, 2, 4, 3), r(54, 3), r(55, 3)], True),
    "layer_norm[two axes, no affine]": (lambda x: fused.layer_norm(x, (2, 3)),
                                        lambda x: norm.layer_norm(x, (2, 3)),
                                        [r(56, 4, 2, 3)], True),
    "linear": (fused.linear, arith.linear, [r(1, 4, 3), r(2, 5, 3), r(3, 5)], True),
    "linear[no bias, batched]": (fused.linear, arith.linear, [r(4, 2, 4, 3), r(5, 5, 3)],
                                 True),
    "cross_entropy": (fused.cross_entropy, loss.cross_entropy, [r(6, 4, 3), LABELS], True),
    "cross_entropy[sum]": (lambda x, t: fused.cross_entropy(x, t, "sum"),
                           lambda x, t: loss.cross_entropy(x, t, "sum"),
                           [r(7, 4, 3), LABELS], True),
    "cross_entropy[none]": (lambda x, t: fused.cross_entropy(x, t, "none"),
                            lambda x, t: loss.cross_entropy(x, t, "none"),
                            [r(8, 4, 3), LABELS], True),
    "cross_entropy[batched]": (fused.cross_entropy, loss.cross_entropy,
                               [r(9, 2, 4, 3), np.array([[0, 1, 2, 1], [2, 2, 0, 1]])], True),
    "cross_entropy[input in another memory order]": (
        lambda x: fused.cross_entropy(x[:, np.array([1, 3])], np.array([[0, 2], [1, 1]])),
        lambda x: loss.cross_entropy(x[:, np.array([1, 3])], np.array([[0, 2], [1, 1]])),
        [r(37, 2, 5, 3)], True),
    "cross_entropy[transposed input]": (lambda x: fused.cross_entropy(x.mT, LABELS[:3]),
                                        lambda x: loss.cross_entropy(x.mT, LABELS[:3]),
                                        [r(38, 3, 3)], True),
    "cross_entropy[probabilities]": (fused.cross_entropy, loss.cross_entropy,
                                     [r(10, 4, 3), PROBS], True),
    "cross_entropy[unnormalised targets]": (fused.cross_entropy, loss.cross_entropy,
                                            [r(11, 4, 3), UNNORMALISED], True),
    "embedding": (lambda w: fused.embedding(IDS, w), lambda w: embedding.embedding(IDS, w),
                  [r(12, 4, 2)], True),
    "scaled_dot_product_attention": (fused.scaled_dot_product_attention,
                                     attention.scaled_dot_product_attention,
                                     [r(16, 2, 3, 4, 5), r(17, 2, 3, 6, 5), r(18, 2, 3, 6, 2)],
                                     True),
    "scaled_dot_product_attention[causal, scale]": (
        lambda q, k, v: fused.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, is_causal=True,
                                                               scale=0.3),
        [r(19, 2, 5, 4), r(20, 2, 5, 4), r(21, 2, 5, 3)], True),
    "scaled_dot_product_attention[bool mask, broadcast key]": (
        lambda q, k, v: fused.scaled_dot_product_attention(q, k, v, attn_mask=MASK),
        lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, attn_mask=MASK),
        [r(22, 2, 4, 3), r(23, 1, 5, 3), r(24, 1, 5, 2)], True),
    "scaled_dot_product_attention[float mask]": (
        lambda q, k, v: fused.scaled_dot_product_attention(q, k, v, attn_mask=r(25, 4, 5)),
        lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, attn_mask=r(25, 4, 5)),
        [r(26, 4, 3), r(27, 5, 3), r(28, 5, 2)], True),
    "self_attention[packed qkv, causal]": (
        lambda qkv: fused.self_attention(qkv, is_causal=True)[0],
        lambda qkv: attention.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2],
                                                           is_causal=True),
        [r(29, 3, 2, 5, 4)], True),
    "self_attention[bool mask]": (
        lambda qkv: fused.self_attention(qkv, attn_mask=MASK[:, :4])[0],
        lambda qkv: attention.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2],
                                                           attn_mask=MASK[:, :4]),
        [r(39, 3, 4, 3)], True),
    "lstm": (fused.lstm, recurrent.lstm,
             [r(30, 2, 5, 3) , 0.5 * r(31, 2, 4), 0.5 * r(32, 2, 4), 0.5 * r(33, 16, 3),
              0.5 * r(34, 16, 4), 0.5 * r(35, 16), 0.5 * r(36, 16)], True),
    "rnn": (fused.rnn, recurrent.rnn,
            [r(40, 2, 5, 3), 0.5 * r(41, 2, 4), 0.5 * r(42, 4, 3), 0.5 * r(43, 4, 4),
             0.5 * r(44, 4), 0.5 * r(45, 4)], True),
    "rnn[relu]": (lambda *a: fused.rnn(*a, nonlinearity="relu"),
                  lambda *a: recurrent.rnn(*a, nonlinearity="relu"),
                  [r(46, 2, 5, 3), 0.5 * r(47, 2, 4), 0.5 * r(48, 4, 3), 0.5 * r(49, 4, 4),
                   0.5 * r(50, 4), 0.5 * r(51, 4)], True),
    "conv2d": (lambda x, w, b: conv2d(x, w, b, padding=1),
               lambda x, w, b: conv2d_naive(x, w, b, padding=1),
               [r(13, 2, 2, 5, 5), r(14, 3, 2, 3, 3), r(15, 3)], False),
}


def _run(fn, inputs, order: int):
    """Value, gradient (order 1) or Hessian-vector product (order 2) of sum(fn * v)."""
    leaves = [bn.tensor(a, requires_grad=True) if a.dtype.kind == "f" else a for a in inputs]
    floats = [t for t in leaves if isinstance(t, bn.Tensor)]
    out = fn(*leaves)
    v = bn.tensor(r(99, *out.shape))
    total = (out * v).sum()
    grads = bn.grad(total, floats, create_graph=order == 2)
    if order == 1:
        return [out.data] + [g.data for g in grads]
    u = [bn.tensor(r(100 + i, *t.shape)) for i, t in enumerate(floats)]
    dot = sum(((g * ui).sum() for g, ui in zip(grads, u, strict=True)), start=bn.tensor(0.0))
    if not dot.requires_grad:                       # the gradient is constant: H u = 0
        return [np.zeros(t.shape) for t in floats]
    hu = bn.grad(dot, floats, allow_unused=True)
    return [np.zeros(t.shape) if h is None else h.data for t, h in zip(floats, hu, strict=True)]


@pytest.mark.parametrize("name", sorted(TWINS))
def test_values_and_gradients_agree(name):
    fast, readable, inputs, _ = TWINS[name]
    for a, b in zip(_run(fast, inputs, 1), _run(readable, inputs, 1), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(n for n, t in TWINS.items() if t[3]))
def test_second_derivatives_agree(name):
    fast, readable, inputs, _ = TWINS[name]
    for a, b in zip(_run(fast, inputs, 2), _run(readable, inputs, 2), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_probability_targets_that_require_grad_agree_to_second_order():
    """cross_entropy's gradient with respect to a soft target, and its mixed second
    derivative, match the readable form."""
    def both(fn):
        x = bn.tensor(r(20, 3, 4), requires_grad=True)
        t = bn.tensor(np.abs(r(21, 3, 4)), requires_grad=True)
        gx, gt = bn.grad(fn(x, t), [x, t], create_graph=True)
        hx, ht = bn.grad((gx * bn.tensor(r(22, 3, 4))).sum() + (gt * bn.tensor(r(23, 3, 4))).sum(),
                         [x, t])
        return gx.data, gt.data, hx.data, ht.data

    for a, b in zip(both(fused.cross_entropy), both(loss.cross_entropy), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_lstm_gates_come_from_the_same_forward_pass():
    x, h0, c0 = (bn.tensor(r(60, 2, 6, 3)), bn.tensor(np.zeros((2, 4))),
                 bn.tensor(np.zeros((2, 4))))
    weights = [bn.tensor(0.5 * r(61 + i, *shape)) for i, shape in
               enumerate([(16, 3), (16, 4), (16,), (16,)])]
    gates: dict = {}
    y = fused.lstm(x, h0, c0, *weights, gates=gates)
    np.testing.assert_allclose(gates["cell"], y.data[..., 4:])
    assert set(gates) == {"input", "forget", "output", "cell"}
    assert all(g.shape == (2, 6, 4) for g in gates.values())


def test_every_fused_op_has_a_twin():
    public = {n for n in fused.__all__ if n != "attention_with_weights"}
    covered = {n.split("[")[0] for n in TWINS}
    assert public <= covered, f"fused ops without a readable twin here: {public - covered}"
