"""Convolution and pooling: gradients, agreement with the loop reference, ties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import brainnet as bn
import brainnet.functional as F
from brainnet import nn
from brainnet.ops.conv import conv2d_naive


def _rng(seed=0):
    return np.random.default_rng(seed)


def _distinct(shape, seed=0):
    """Values spaced well apart (a shuffled ramp), so that no two entries of a pooling
    window are within a finite-difference step of each other."""
    n = int(np.prod(shape))
    return _rng(seed).permutation(n).reshape(shape).astype(np.float64) / n + 0.1


# ---------------------------------------------------------------- gradient checks
def _check_conv2d():
    r = _rng(1)
    return bn.gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 2)),
                        r.standard_normal((2, 3, 6, 5)), r.standard_normal((4, 3, 3, 2)),
                        r.standard_normal(4))


def _check_conv2d_naive():
    r = _rng(2)
    return bn.gradcheck(lambda x, w, b: conv2d_naive(x, w, b, stride=2, padding=1),
                        r.standard_normal((2, 2, 5, 5)), r.standard_normal((3, 2, 3, 3)),
                        r.standard_normal(3))


def _check_max_pool2d():
    return bn.gradcheck(lambda x: F.max_pool2d(x, 3, stride=2), _distinct((2, 3, 7, 6)))


def _check_avg_pool2d():
    return bn.gradcheck(lambda x: F.avg_pool2d(x, (2, 3), stride=(1, 2)),
                        _rng(3).standard_normal((2, 3, 5, 7)))


def _check_Conv2d():  # noqa: N802 (named after the class)
    layer = nn.Conv2d(2, 3, kernel_size=(3, 2), stride=2, padding=1, rng=0)
    return bn.gradcheck_module(layer, _rng(4).standard_normal((2, 2, 6, 5)))


def _check_MaxPool2d():  # noqa: N802
    return bn.gradcheck_module(nn.MaxPool2d(2), _distinct((2, 2, 6, 6), seed=5))


def _check_AvgPool2d():  # noqa: N802
    return bn.gradcheck_module(nn.AvgPool2d(3, stride=1), _rng(6).standard_normal((1, 2, 5, 5)))


GRADCHECK_CASES = {
    "conv2d": _check_conv2d,
    "conv2d_naive": _check_conv2d_naive,
    "max_pool2d": _check_max_pool2d,
    "avg_pool2d": _check_avg_pool2d,
    "Conv2d": _check_Conv2d,
    "MaxPool2d": _check_MaxPool2d,
    "AvgPool2d": _check_AvgPool2d,
}


@pytest.mark.parametrize("name", sorted(GRADCHECK_CASES))
def test_gradcheck_cases(name):
    result = GRADCHECK_CASES[name]()
    assert result.ok, f"{name}: {result}"


def _second_order(fn, *inputs):
    """gradcheck of x -> d/dx sum(fn(x)^2), i.e. of the gradient itself (double backward)."""
    def gradient(*args):
        with bn.enable_grad():
            grads = bn.grad((fn(*args) ** 2).sum(), list(args), create_graph=True)
        return bn.cat([g.reshape(-1) for g in grads])
    return bn.gradcheck(gradient, *inputs)


def test_conv2d_double_backward():
    r = _rng(7)
    result = _second_order(lambda x, w: F.conv2d(x, w, stride=2, padding=1),
                           r.standard_normal((2, 2, 5, 4)), r.standard_normal((3, 2, 3, 2)))
    assert result.ok, result


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), (2, 1)])
def test_pool_double_backward(pool, kernel, stride):
    x = _distinct((2, 2, 6, 5), seed=8)
    result = _second_order(lambda t: pool(t, kernel, stride) * 3.0, x)
    assert result.ok, result


def test_conv2d_hessian_vector_product_matches_finite_differences():
    r = _rng(9)
    x = bn.tensor(r.standard_normal((2, 1, 5, 5)))
    w = bn.tensor(r.standard_normal((2, 1, 3, 3)), requires_grad=True)
    v = r.standard_normal(w.shape)

    def loss(weights):
        return (F.conv2d(x, weights, padding=1).tanh() ** 2).sum()

    (hv,) = bn.hvp(lambda: loss(w), [w], [bn.tensor(v)])
    h = 1e-5

    def grad_at(values):
        wt = bn.tensor(values, requires_grad=True)
        loss(wt).backward()
        return wt.grad.data
    numeric = (grad_at(w.data + h * v) - grad_at(w.data - h * v)) / (2 * h)
    np.testing.assert_allclose(hv.data, numeric, rtol=1e-6, atol=1e-8)


def test_conv2d_naive_refuses_double_backward():
    x = bn.tensor(_rng(10).standard_normal((1, 1, 4, 4)), requires_grad=True)
    w = bn.tensor(_rng(11).standard_normal((1, 1, 3, 3)), requires_grad=True)
    with pytest.raises(NotImplementedError, match="conv2d_naive: double backward"):
        bn.grad(conv2d_naive(x, w).sum(), [x], create_graph=True)


# ------------------------------------------------------- agreement with the loops
@st.composite
def conv_cases(draw):
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    ph, pw = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    kh, kw = draw(st.integers(1, h + 2 * ph)), draw(st.integers(1, w + 2 * pw))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    bias = draw(st.booleans())
    return (n, c, h, w), (f, c, kh, kw), (sh, sw), (ph, pw), bias, draw(st.integers(0, 2**16))


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_matches_naive(case):
    x_shape, w_shape, stride, padding, with_bias, seed = case
    r = _rng(seed)
    x = bn.tensor(r.standard_normal(x_shape), requires_grad=True)
    w = bn.tensor(r.standard_normal(w_shape), requires_grad=True)
    b = bn.tensor(r.standard_normal(w_shape[0]), requires_grad=True) if with_bias else None
    fast = F.conv2d(x, w, b, stride, padding)
    slow = conv2d_naive(x, w, b, stride, padding)
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-10, atol=1e-12)
    g = r.standard_normal(fast.shape)
    leaves = [x, w] + ([b] if with_bias else [])
    grads_fast = bn.grad(fast, leaves, grad_outputs=g)
    grads_slow = bn.grad(slow, leaves, grad_outputs=g)
    for a, s in zip(grads_fast, grads_slow, strict=True):
        np.testing.assert_allclose(a.data, s.data, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, out_hw", [
    ((2, 3, 5, 5), (4, 3, 1, 1), 1, 0, (5, 5)),        # 1x1 kernel: a per-pixel linear map
    ((1, 1, 5, 5), (2, 1, 5, 5), 1, 0, (1, 1)),        # kernel as large as the input
    ((1, 2, 4, 3), (1, 2, 6, 5), 1, 1, (1, 1)),        # kernel as large as the padded input
    ((1, 1, 7, 7), (1, 1, 3, 3), 3, 0, (2, 2)),        # stride leaves the last column out
    ((1, 1, 4, 4), (1, 1, 3, 3), 5, 2, (2, 2)),        # stride larger than the kernel
    ((2, 1, 8, 8), (16, 1, 3, 3), 1, 1, (8, 8)),       # the book's digits layer
])
def test_conv2d_edge_cases(x_shape, w_shape, stride, padding, out_hw):
    r = _rng(12)
    x, w = r.standard_normal(x_shape), r.standard_normal(w_shape)
    fast = F.conv2d(x, bn.tensor(w), stride=stride, padding=padding)
    assert fast.shape == (x_shape[0], w_shape[0], *out_hw)
    slow = conv2d_naive(x, bn.tensor(w), stride=stride, padding=padding)
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-10, atol=1e-12)


def test_conv2d_1x1_is_a_matmul_over_channels():
    r = _rng(13)
    x, w = r.standard_normal((2, 3, 4, 5)), r.standard_normal((6, 3, 1, 1))
    expected = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x)
    np.testing.assert_allclose(F.conv2d(x, bn.tensor(w)).data, expected, rtol=1e-12)


def _pool_loops(x, k, s, reduce):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    out = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = reduce(x[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]],
                                     axis=(2, 3))
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_pooling_matches_loops(h, w, kh, kw, sh, sw, seed):
    kh, kw = min(kh, h), min(kw, w)
    x = _rng(seed).standard_normal((2, 2, h, w))
    np.testing.assert_allclose(F.max_pool2d(x, (kh, kw), (sh, sw)).data,
                               _pool_loops(x, (kh, kw), (sh, sw), np.max), rtol=1e-6)
    np.testing.assert_allclose(F.avg_pool2d(x, (kh, kw), (sh, sw)).data,
                               _pool_loops(x, (kh, kw), (sh, sw), np.mean), rtol=1e-6)


# ------------------------------------------------------------------------ max-pool ties
def test_max_pool_ties_route_to_the_first_max():
    x = bn.tensor(np.zeros((1, 1, 4, 4), dtype=np.float32), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    expected = np.zeros((4, 4), dtype=np.float32)
    expected[::2, ::2] = 1.0                     # the top-left pixel of every window
    np.testing.assert_array_equal(x.grad.data[0, 0], expected)


def test_max_pool_partial_ties_pick_the_first_in_row_major_order():
    window = np.array([[1.0, 3.0], [3.0, 2.0]])   # 3 appears twice; the first is (0, 1)
    x = bn.tensor(window.reshape(1, 1, 2, 2), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data[0, 0], [[0.0, 1.0], [0.0, 0.0]])


def test_max_pool_overlapping_windows_accumulate():
    x = bn.tensor(np.array([[[[0.0, 5.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]]),
                  requires_grad=True)
    F.max_pool2d(x, 2, stride=1).sum().backward()     # (0, 1) is the max of 2 windows
    assert x.grad.data[0, 0, 0, 1] == 2.0
    assert x.grad.data.sum() == 4.0                    # one unit of gradient per window


def test_blank_digit_bias_gradient_is_exact():
    """All-zero images tie everywhere; with the first-max rule the bias gradient is the
    number of windows, as PyTorch computes it (an x == max mask would count 4 per window)."""
    conv = nn.Conv2d(1, 2, 3, padding=1, rng=0)
    conv.weight.data[:] = 0.0
    pooled = F.max_pool2d(conv(np.zeros((3, 1, 8, 8), dtype=np.float32)), 2)
    pooled.sum().backward()
    np.testing.assert_array_equal(conv.bias.grad.data, [3 * 16, 3 * 16])


# ------------------------------------------------------------------ dtypes and modules
def test_float32_stays_float32():
    x = bn.tensor(_rng(14).standard_normal((2, 1, 6, 6)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(1, 4, 3, rng=0)
    y = F.avg_pool2d(F.max_pool2d(conv(x), 2, 1), 2)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and conv.weight.grad.dtype == np.float32
    assert conv.bias.grad.dtype == np.float32


def test_inputs_are_cast_to_the_weight_dtype():
    w = bn.tensor(np.ones((1, 1, 2, 2), dtype=np.float32))
    assert F.conv2d(np.ones((1, 1, 3, 3)), w).dtype == np.float32           # float64 input
    assert F.conv2d(np.ones((1, 1, 3, 3), dtype=int), w).dtype == np.float32
    assert F.max_pool2d(np.ones((1, 1, 2, 2), dtype=int), 2).dtype == np.float32


def test_conv2d_module_init_and_shapes():
    layer = nn.Conv2d(3, 8, kernel_size=(3, 5), stride=2, padding=(1, 2), rng=0)
    bound = 1 / np.sqrt(3 * 3 * 5)
    assert layer.weight.shape == (8, 3, 3, 5) and layer.bias.shape == (8,)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert layer.weight.data.std() == pytest.approx(bound / np.sqrt(3), rel=0.2)
    assert layer(np.zeros((2, 3, 9, 10), dtype=np.float32)).shape == (2, 8, 5, 5)
    assert "kernel_size=(3, 5)" in repr(layer)
    assert nn.Conv2d(1, 1, 3, bias=False, rng=0).bias is None
    same = nn.Conv2d(3, 8, 3, rng=0).weight.data
    np.testing.assert_array_equal(same, nn.Conv2d(3, 8, 3, rng=0).weight.data)


def test_digits_cnn_shapes_and_one_step():
    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(256, 10, rng=1))
    x = _rng(15).standard_normal((5, 1, 8, 8)).astype(np.float32)
    logits = model(x)
    assert logits.shape == (5, 10)
    loss = F.cross_entropy(logits, np.arange(5))
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in model.parameters())


def test_pool_modules():
    x = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    assert nn.MaxPool2d(2)(x).shape == (1, 1, 3, 3)
    assert nn.MaxPool2d(3, stride=1)(x).data[0, 0, 0, 0] == 14.0
    assert nn.AvgPool2d(2)(x).data[0, 0, 0, 0] == pytest.approx((0 + 1 + 6 + 7) / 4)
    assert "stride=(2, 2)" in repr(nn.AvgPool2d(2))


def test_exported_like_pytorch():
    import brainnet.nn.functional as NF
    assert F.conv2d is NF.conv2d and F.max_pool2d is NF.max_pool2d
    for name in ("conv2d", "max_pool2d", "avg_pool2d"):
        assert name in F.__all__
    for name in ("Conv2d", "MaxPool2d", "AvgPool2d"):
        assert name in nn.__all__


# ------------------------------------------------------------------------- bad input
W3 = np.ones((2, 1, 3, 3))


@pytest.mark.parametrize("fn, args, words", [
    (F.conv2d, (np.ones((8, 8)), W3), ["conv2d", "4-D", "(8, 8)", "reshape"]),
    (F.conv2d, (np.ones((1, 1, 8, 8)), np.ones((2, 3, 3))), ["conv2d", "weight", "(2, 3, 3)"]),
    (F.conv2d, (np.ones((1, 3, 8, 8)), W3), ["conv2d", "3 channel", "(1, 3, 8, 8)",
                                            "(2, 1, 3, 3)"]),
    (F.conv2d, (np.ones((1, 1, 2, 5)), W3), ["conv2d", "3x3", "larger than the padded input",
                                            "2x5", "(1, 1, 2, 5)"]),
    (conv2d_naive, (np.ones((1, 2, 8, 8)), W3), ["conv2d_naive", "2 channel"]),
    (F.max_pool2d, (np.ones((1, 1, 3, 3)), 4), ["max_pool2d", "4x4", "3x3", "(1, 1, 3, 3)"]),
    (F.avg_pool2d, (np.ones((3, 3)), 2), ["avg_pool2d", "4-D", "(3, 3)"]),
])
def test_impossible_shapes_are_named(fn, args, words):
    with pytest.raises(ValueError) as info:
        fn(*args)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_padding_makes_a_large_kernel_possible():
    assert F.conv2d(np.ones((1, 1, 2, 5)), W3, padding=1).shape == (1, 2, 2, 5)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(stride=0), ValueError, ["conv2d", "stride", "at least 1"]),
    (dict(padding=-1), ValueError, ["conv2d", "padding", "at least 0"]),
    (dict(stride=1.5), TypeError, ["conv2d", "stride", "int"]),
    (dict(bias=np.ones(3)), ValueError, ["conv2d", "bias", "(2,)", "(3,)"]),
])
def test_bad_arguments_are_named(kwargs, error, words):
    with pytest.raises(error) as info:
        F.conv2d(np.ones((1, 1, 5, 5)), W3, **kwargs)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_module_arguments_are_checked():
    with pytest.raises(ValueError, match="Conv2d: in_channels must be a positive integer"):
        nn.Conv2d(0, 4, 3)
    with pytest.raises(ValueError, match="MaxPool2d: kernel_size must be at least 1"):
        nn.MaxPool2d(0)
