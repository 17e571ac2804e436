"""Activations and softmax (activation.py): values, stability and gradients.

GRADCHECK_CASES run in test_gradcheck_coverage.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def off_zero(seed: int, *shape: int) -> np.ndarray:
    """Normal values at least 0.1 from the kink of relu and leaky_relu at 0."""
    x = r(seed, *shape)
    return np.where(np.abs(x) < 0.1, np.sign(x + 1e-12) * 0.2, x)


GRADCHECK_CASES = {
    "tanh": lambda: bn.gradcheck(F.tanh, r(0, 3, 4)),
    "sigmoid": lambda: bn.gradcheck(F.sigmoid, 3 * r(1, 3, 4)),
    "relu": lambda: bn.gradcheck(F.relu, off_zero(2, 3, 4)),
    "leaky_relu": lambda: bn.gradcheck(lambda x: F.leaky_relu(x, 0.2), off_zero(3, 3, 4)),
    "gelu": lambda: bn.gradcheck(F.gelu, 2 * r(4, 3, 4)),
    "softplus": lambda: bn.gradcheck(F.softplus, 4 * r(14, 3, 4)),
    "softmax": lambda: bn.gradcheck(F.softmax, r(5, 3, 4)),
    "softmax[axis 0]": lambda: bn.gradcheck(lambda x: F.softmax(x, axis=0), r(6, 3, 4)),
    "log_softmax": lambda: bn.gradcheck(F.log_softmax, r(7, 2, 3, 4)),
    "log_softmax[axis 1]": lambda: bn.gradcheck(lambda x: F.log_softmax(x, 1), r(8, 2, 3, 4)),
    "Tensor.tanh": lambda: bn.gradcheck(lambda x: x.tanh(), r(9, 3, 4)),
    "Tensor.sigmoid": lambda: bn.gradcheck(lambda x: x.sigmoid(), r(10, 3, 4)),
    "Tensor.relu": lambda: bn.gradcheck(lambda x: x.relu(), off_zero(11, 3, 4)),
    "Tensor.softmax": lambda: bn.gradcheck(lambda x: x.softmax(0), r(12, 3, 4)),
    "Tensor.log_softmax": lambda: bn.gradcheck(lambda x: x.log_softmax(), r(13, 3, 4)),
}


def test_values_match_formulas():
    x = r(0, 5, 4)
    t = bn.tensor(x)
    np.testing.assert_allclose(F.tanh(t).data, np.tanh(x))
    np.testing.assert_allclose(F.sigmoid(t).data, 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(F.relu(t).data, np.maximum(x, 0))
    np.testing.assert_allclose(F.leaky_relu(t, 0.1).data, np.where(x > 0, x, 0.1 * x))
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(F.softmax(t).data, e / e.sum(-1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(t).data, np.log(e / e.sum(-1, keepdims=True)))


def test_gelu_is_close_to_the_exact_erf_form():
    x = np.linspace(-5, 5, 101)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(F.gelu(bn.tensor(x)).data, exact, atol=1e-3)


def test_extreme_inputs_do_not_overflow():
    x = bn.tensor(np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # an overflow warning fails the test
        s = F.sigmoid(x).data
        sm = F.softmax(x).data
        lsm = F.log_softmax(x).data
    np.testing.assert_allclose(s, [0, 0, 0.5, 1, 1], atol=1e-15)
    np.testing.assert_allclose(sm, [0, 0, 0, 0, 1], atol=1e-15)
    assert np.isfinite(lsm).all() and lsm[-1] == 0.0 and lsm[0] == -2000.0


def test_log_softmax_of_rows_far_apart():
    """The array's maximum shifts every row unless a row lies too far below it; then
    each row is shifted by its own maximum, and no row underflows to -inf or NaN."""
    x = np.array([[0.0, 1.0, 2.0], [-300.0, -299.0, -298.0], [500.0, 501.0, 502.0]],
                 np.float32)
    expected = np.log(np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lsm = F.log_softmax(bn.tensor(x)).data
        lse = bn.logsumexp(bn.tensor(x), -1).data
    np.testing.assert_allclose(lsm, np.tile(expected, (3, 1)), atol=1e-5)
    np.testing.assert_allclose(lse, x[:, 2] - expected[2], rtol=1e-6)
    near = np.array([[0.0, 1.0], [-40.0, -41.0]], np.float32)      # within reach: one shift
    np.testing.assert_allclose(F.log_softmax(bn.tensor(near)).data,
                               near - np.log(np.exp(near).sum(-1, keepdims=True)), rtol=1e-5)


def test_float16_rows_far_apart_keep_their_precision():
    """float16's normal numbers end at 6e-5: a row 15 below the array's maximum would
    lose its digits under one shift, so float16 rows take their own."""
    x = np.array([[0.0, 1.0, 2.0], [-15.0, -14.0, -13.0]], np.float16)
    exact = x.astype(np.float64) - np.log(np.exp(x.astype(np.float64)).sum(-1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(bn.tensor(x)).data, exact, atol=2e-3)
    q = bn.tensor(np.array([[[1.0, 0.0], [-30.0, 0.0]]], np.float16))
    k = bn.tensor(np.array([[[0.75, 0.0], [0.72, 0.0]]], np.float16))   # query 2: 16 below
    _, w = F.scaled_dot_product_attention(q, k, k, need_weights=True)
    scores = q.data.astype(np.float64) @ k.data.astype(np.float64).swapaxes(-1, -2) / np.sqrt(2)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    np.testing.assert_allclose(w.data, e / e.sum(-1, keepdims=True), atol=2e-3)


def test_log_softmax_keeps_a_nan_in_its_row():
    x = np.array([[0.0, np.nan], [1.0, 2.0]], np.float32)
    lsm = F.log_softmax(bn.tensor(x)).data
    assert np.isnan(lsm[0]).all() and np.isfinite(lsm[1]).all()
    loss = F.cross_entropy(bn.tensor(x[1:]), np.array([1]))
    np.testing.assert_allclose(loss.item(), np.log1p(np.exp(-1.0)), rtol=1e-6)


def test_relu_gradient_at_zero_is_zero():
    x = bn.tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0, 1])


@pytest.mark.parametrize("fn", [F.tanh, F.sigmoid, F.relu, F.leaky_relu, F.gelu,
                                F.softmax, F.log_softmax])
def test_accept_lists_and_keep_float32(fn):
    assert fn([[0.5, -1.0]]).dtype == np.float32
    x = bn.tensor(np.array([[0.5, -1.0]], np.float32), requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32


def test_softmax_rows_sum_to_one():
    p = F.softmax(bn.tensor(10 * r(3, 6, 7)), axis=0).data
    np.testing.assert_allclose(p.sum(axis=0), 1.0)
