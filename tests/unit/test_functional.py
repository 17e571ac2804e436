"""brainnet.functional: linear, losses, dropout, layer_norm, embedding, one_hot.

GRADCHECK_CASES run in test_gradcheck_coverage.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import nn


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def probs(seed: int, *shape: int) -> np.ndarray:
    """Rows of probabilities (positive, summing to 1 on the last axis)."""
    p = np.random.default_rng(seed).uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def labels(seed: int, classes: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, classes, shape)


def off_kinks(x: np.ndarray, points, gap: float = 0.05) -> np.ndarray:
    x = x.copy()
    for p in points:
        close = np.abs(x - p) < gap
        x[close] = p + np.where(x[close] >= p, 2 * gap, -2 * gap)
    return x


Y34 = labels(0, 4, 3)
Y234 = labels(1, 5, 2, 3)


def _loss_cases(name, fn, make_input, make_target, with_target=True):
    """A case per reduction; the target is checked too when it is differentiable."""
    cases = {}
    for reduction in ("mean", "sum", "none"):
        key = name if reduction == "mean" else f"{name}[{reduction}]"
        if with_target:
            cases[key] = (lambda red=reduction: bn.gradcheck(
                lambda x, t: fn(x, t, reduction=red), make_input(), make_target()))
        else:
            cases[key] = (lambda red=reduction: bn.gradcheck(
                lambda x: fn(x, make_target(), reduction=red), make_input()))
    return cases


GRADCHECK_CASES = {
    "linear": lambda: bn.gradcheck(F.linear, r(0, 4, 3), r(1, 5, 3), r(2, 5)),
    "linear[no bias]": lambda: bn.gradcheck(F.linear, r(0, 4, 3), r(1, 5, 3)),
    "linear[3-D input]": lambda: bn.gradcheck(F.linear, r(3, 2, 4, 3), r(4, 5, 3), r(5, 5)),
    "linear[1-D input]": lambda: bn.gradcheck(F.linear, r(6, 3), r(7, 5, 3), r(8, 5)),
    **_loss_cases("cross_entropy", F.cross_entropy, lambda: r(9, 3, 4), lambda: Y34,
                  with_target=False),
    **_loss_cases("cross_entropy[probabilities]", F.cross_entropy, lambda: r(10, 3, 4),
                  lambda: probs(11, 3, 4)),
    **_loss_cases("cross_entropy[(B, T, C)]", F.cross_entropy, lambda: r(12, 2, 3, 5),
                  lambda: Y234, with_target=False),
    "cross_entropy[1-D logits]": lambda: bn.gradcheck(lambda x: F.cross_entropy(x, 2),
                                                      r(13, 4)),
    "cross_entropy[(B, T, C) probabilities]": lambda: bn.gradcheck(
        F.cross_entropy, r(14, 2, 3, 4), probs(15, 2, 3, 4)),
    **_loss_cases("nll_loss", F.nll_loss, lambda: r(16, 3, 4), lambda: Y34, with_target=False),
    "nll_loss[(B, T, C)]": lambda: bn.gradcheck(lambda x: F.nll_loss(x.log_softmax(), Y234),
                                                r(17, 2, 3, 5)),
    **_loss_cases("mse_loss", F.mse_loss, lambda: r(18, 3, 4), lambda: r(19, 3, 4)),
    **_loss_cases("l1_loss", F.l1_loss, lambda: r(20, 3, 4),
                  lambda: r(20, 3, 4) + off_kinks(r(21, 3, 4), [0.0])),
    # errors on both sides of delta = 0.5, none within a step of the switch point
    **_loss_cases("huber_loss", lambda x, t, reduction: F.huber_loss(x, t, 0.5, reduction),
                  lambda: r(22, 4, 5), lambda: r(22, 4, 5) + off_kinks(r(23, 4, 5),
                                                                      [-0.5, 0.0, 0.5])),
    **_loss_cases("binary_cross_entropy", F.binary_cross_entropy,
                  lambda: np.random.default_rng(24).uniform(0.05, 0.95, (3, 4)),
                  lambda: np.random.default_rng(25).uniform(0, 1, (3, 4))),
    **_loss_cases("binary_cross_entropy_with_logits", F.binary_cross_entropy_with_logits,
                  lambda: 3 * r(26, 3, 4), lambda: np.random.default_rng(27).uniform(0, 1, (3, 4))),
    "dropout": lambda: bn.gradcheck(lambda x: F.dropout(x, 0.3, rng=np.random.default_rng(0)),
                                    r(28, 4, 5)),
    "layer_norm": lambda: bn.gradcheck(lambda x, w, b: F.layer_norm(x, 5, w, b),
                                       r(29, 3, 5), r(30, 5), r(31, 5)),
    "layer_norm[no affine]": lambda: bn.gradcheck(lambda x: F.layer_norm(x, (5,)), r(32, 2, 5)),
    "layer_norm[2 axes]": lambda: bn.gradcheck(lambda x, w: F.layer_norm(x, (3, 4), w),
                                               r(33, 2, 3, 4), r(34, 3, 4)),
    "embedding": lambda: bn.gradcheck(lambda w: F.embedding(np.array([3, 0, 3, 3, 1]), w),
                                      r(35, 4, 3)),
    "embedding[2-D indices]": lambda: bn.gradcheck(
        lambda w: F.embedding(np.array([[1, 1], [0, 2]]), w), r(36, 3, 2)),
}


# ---------------------------------------------------------------------- linear
def test_linear_values():
    x, w, b = r(0, 4, 3), r(1, 5, 3), r(2, 5)
    np.testing.assert_allclose(F.linear(x, bn.tensor(w), bn.tensor(b)).data, x @ w.T + b)
    np.testing.assert_allclose(F.linear(r(3, 2, 4, 3), bn.tensor(w)).data, r(3, 2, 4, 3) @ w.T)


def test_linear_converts_integer_inputs():
    w = nn.Parameter(np.ones((2, 3), np.float32))
    y = F.linear(np.array([[1, 2, 3]]), w)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.data, [[6.0, 6.0]])
    assert nn.Linear(3, 2, rng=0)(np.array([[1, 2, 3]])).dtype == np.float32


def test_linear_shape_error_names_op_and_shapes():
    with pytest.raises(ValueError, match=r"linear: input has shape \(2, 3\), so 3 features, but "
                                         r"the weight of shape \(4, 5\) expects 5"):
        F.linear(np.ones((2, 3)), bn.tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"linear: input has shape \(\)"):
        F.linear(np.array(1.0), bn.tensor(np.ones((4, 5))))


# --------------------------------------------------------------- cross entropy
def _reference_ce(x, y):
    logp = x - x.max(-1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, y[..., None], -1)[..., 0]


def test_cross_entropy_values_and_reductions():
    x = r(0, 6, 4)
    y = labels(1, 4, 6)
    ref = _reference_ce(x, y)
    assert F.cross_entropy(x, y).item() == pytest.approx(ref.mean())
    assert F.cross_entropy(x, y, reduction="sum").item() == pytest.approx(ref.sum())
    np.testing.assert_allclose(F.cross_entropy(x, y, reduction="none").data, ref)
    onehot = np.eye(4)[y]
    assert F.cross_entropy(x, onehot).item() == pytest.approx(ref.mean())
    assert F.cross_entropy(x, bn.tensor(y)).item() == pytest.approx(ref.mean())
    assert F.cross_entropy(x, list(y)).item() == pytest.approx(ref.mean())


def test_cross_entropy_sequence_logits_match_flattened():
    x, y = r(2, 2, 3, 5), labels(3, 5, 2, 3)
    assert F.cross_entropy(x, y).item() == pytest.approx(
        F.cross_entropy(x.reshape(6, 5), y.reshape(6)).item())
    assert F.cross_entropy(x, y, reduction="none").shape == (2, 3)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    x, y = r(4, 5, 3), labels(5, 3, 5)
    t = bn.tensor(x, requires_grad=True)
    F.cross_entropy(t, y).backward()
    p = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    np.testing.assert_allclose(t.grad.data, (p - np.eye(3)[y]) / 5)


def test_cross_entropy_is_stable_for_huge_logits():
    x = np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, np.array([0, 0]), reduction="none").data
    np.testing.assert_allclose(loss, [0.0, 2000.0])


def test_cross_entropy_probability_targets_get_a_gradient():
    x = bn.tensor(r(6, 3, 4), requires_grad=True)
    target = bn.tensor(probs(7, 3, 4), requires_grad=True)
    F.cross_entropy(x, target).backward()
    np.testing.assert_allclose(target.grad.data, -F.log_softmax(x).data / 3)


@pytest.mark.parametrize("target, error, message", [
    (np.array([0.0, 1.0, 2.0]), TypeError, r"cross_entropy: class targets must be integers, "
                                           r"got dtype float64"),
    (np.array([0, 5, 1]), IndexError, r"cross_entropy: target holds class 5 but input has 4 "
                                      r"classes \(shape \(3, 4\)\)"),
    (np.array([0, -1, 1]), IndexError, r"target holds class -1 but input has 4 classes"),
    (np.array([[0], [1], [2]]), ValueError, r"cross_entropy: input has shape \(3, 4\) \(classes "
                                            r"on the last axis\), so target must have shape "
                                            r"\(3,\) \(class indices\) or \(3, 4\) "
                                            r"\(probabilities\); got \(3, 1\)"),
    (np.array([0, 1]), ValueError, r"got \(2,\)"),
])
def test_cross_entropy_bad_targets(target, error, message):
    with pytest.raises(error, match=message):
        F.cross_entropy(r(0, 3, 4), target)


def test_cross_entropy_bad_reduction():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(r(0, 3, 4), np.array([0, 1, 2]), reduction="avg")


def test_nll_loss_matches_cross_entropy():
    x, y = r(8, 4, 3), labels(9, 3, 4)
    assert F.nll_loss(F.log_softmax(bn.tensor(x)), y).item() == pytest.approx(
        F.cross_entropy(x, y).item())
    with pytest.raises(TypeError, match="nll_loss: targets must be integer classes"):
        F.nll_loss(x, probs(0, 4, 3))


# --------------------------------------------------------------- other losses
def test_regression_loss_values():
    x, t = r(0, 5), r(1, 5)
    d = x - t
    assert F.mse_loss(x, t).item() == pytest.approx(np.mean(d ** 2))
    assert F.mse_loss(x, t, reduction="sum").item() == pytest.approx(np.sum(d ** 2))
    assert F.l1_loss(x, t).item() == pytest.approx(np.mean(np.abs(d)))
    huber = np.where(np.abs(d) <= 0.7, 0.5 * d ** 2, 0.7 * (np.abs(d) - 0.35))
    np.testing.assert_allclose(F.huber_loss(x, t, 0.7, "none").data, huber)
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(x, t, 0.0)
    with pytest.raises(ValueError, match="mse_loss: reduction must be one of"):
        F.mse_loss(x, t, reduction="max")


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy,
                                  F.binary_cross_entropy_with_logits])
def test_shape_mismatch_names_op_and_both_shapes(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: input shape \(4, 1\) and target "
                                         r"shape \(4,\) differ"):
        loss(np.full((4, 1), 0.5), np.full(4, 0.5))


def test_binary_cross_entropy_values_and_stability():
    x = np.array([-3.0, -0.5, 0.0, 2.0])
    t = np.array([0.0, 1.0, 0.3, 1.0])
    p = 1 / (1 + np.exp(-x))
    ref = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(F.binary_cross_entropy(p, t, reduction="none").data, ref)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(x, t, "none").data, ref)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = F.binary_cross_entropy_with_logits(np.array([1000.0, -1000.0]),
                                                  np.array([0.0, 0.0]), "none").data
    np.testing.assert_allclose(huge, [1000.0, 0.0])


# --------------------------------------------------------------------- dropout
def test_dropout_with_a_fixed_rng_is_reproducible():
    x = bn.tensor(np.ones((50, 40)))
    a = F.dropout(x, 0.3, rng=np.random.default_rng(1)).data
    b = F.dropout(x, 0.3, rng=np.random.default_rng(1)).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, F.dropout(x, 0.3, rng=np.random.default_rng(2)).data)


def test_dropout_drops_p_and_rescales():
    x = bn.tensor(np.ones((200, 100)))
    y = F.dropout(x, 0.25, rng=0).data
    assert set(np.unique(y)) <= {0.0, 1 / 0.75}
    assert (y == 0).mean() == pytest.approx(0.25, abs=0.01)
    assert y.mean() == pytest.approx(1.0, abs=0.02)           # expectation unchanged


def test_dropout_identity_when_not_training_or_p_zero():
    x = bn.tensor(np.ones(5))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    for p in (-0.1, 1.0):
        with pytest.raises(ValueError, match=r"dropout: p is the probability of dropping a "
                                             r"unit and must be in \[0, 1\)"):
            F.dropout(x, p)


def test_dropout_gradient_uses_the_same_mask():
    x = bn.tensor(np.ones((4, 6)), requires_grad=True)
    y = F.dropout(x, 0.5, rng=3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)


# ----------------------------------------------------------------- layer norm
def test_layer_norm_normalises_each_row():
    x = 3 * r(0, 4, 6) + 2
    y = F.layer_norm(x, 6).data
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-4)       # eps = 1e-5 in the variance
    w, b = bn.tensor(r(1, 6)), bn.tensor(r(2, 6))
    np.testing.assert_allclose(F.layer_norm(x, 6, w, b).data, y * w.data + b.data)


def test_layer_norm_shape_error():
    with pytest.raises(ValueError, match=r"layer_norm: input shape \(2, 3\) does not end with "
                                         r"normalized_shape \(4,\)"):
        F.layer_norm(np.ones((2, 3)), 4)


# ------------------------------------------------------------------ embedding
def test_embedding_values_and_repeated_indices_accumulate():
    w = bn.tensor(r(0, 4, 3), requires_grad=True)
    idx = np.array([[3, 0], [3, 3]])
    out = F.embedding(idx, w)
    assert out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.data, w.data[idx])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.data[:, 0], [1, 0, 0, 3])


@pytest.mark.parametrize("idx, error, message", [
    (np.array([0, 4]), IndexError, r"embedding: index 4 is out of range for 4 rows of the "
                                   r"table \(weight \(4, 3\)\)"),
    (np.array([-1]), IndexError, "embedding: index -1 is out of range"),
    (np.array([0.0, 1.0]), TypeError, "embedding: indices must be integers, got dtype float64"),
])
def test_embedding_bad_indices(idx, error, message):
    with pytest.raises(error, match=message):
        F.embedding(idx, bn.tensor(np.ones((4, 3))))


def test_one_hot():
    np.testing.assert_array_equal(F.one_hot(np.array([2, 0]), 3).data, [[0, 0, 1], [1, 0, 0]])
    assert F.one_hot(bn.tensor([1]), 2).dtype == np.float32
    with pytest.raises(IndexError, match=r"one_hot: index 3 is out of range for 3 classes"):
        F.one_hot(np.array([3]), 3)


def test_nn_functional_is_functional():
    import brainnet.nn.functional as NF
    assert NF.cross_entropy is F.cross_entropy and set(NF.__all__) == set(F.__all__)
