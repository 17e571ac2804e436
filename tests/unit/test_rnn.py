"""Recurrent layers: gradient checks, agreement with a hand-written loop, long sequences,
and errors that name the layer and the shapes."""

import numpy as np
import pytest

import brainnet as bn
from brainnet import data, nn
from brainnet.gradcheck import check_leaves


def _module_case(module, x_shape, pick, state=None, seed=0):
    """gradcheck of a recurrent module with respect to its input and parameters (float64)."""
    module.double()
    x = bn.tensor(np.random.default_rng(seed).standard_normal(x_shape), requires_grad=True)
    return check_leaves(lambda: pick(module(x, state)), [x, *module.parameters()])


def _check_RNNCell():
    return _module_case(nn.RNNCell(3, 4, rng=0), (2, 3), lambda h: h)


def _check_RNN():
    return _module_case(nn.RNN(3, 4, rng=0), (2, 5, 3), lambda out: out[0])


def _check_LSTMCell():
    h0 = bn.tensor(np.random.default_rng(1).standard_normal((2, 4)), requires_grad=True)
    c0 = bn.tensor(np.random.default_rng(2).standard_normal((2, 4)), requires_grad=True)
    cell = nn.LSTMCell(3, 4, forget_bias=1.0, rng=0).double()
    x = bn.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    return check_leaves(lambda: bn.cat(list(cell(x, (h0, c0))), axis=1),
                        [x, h0, c0, *cell.parameters()])


def _check_LSTM():
    return _module_case(nn.LSTM(3, 4, forget_bias=1.0, rng=0), (2, 5, 3),
                        lambda out: bn.cat([out[0].reshape(2, -1), out[1][1]], axis=1))


GRADCHECK_CASES = {"RNNCell": _check_RNNCell, "RNN": _check_RNN,
                   "LSTMCell": _check_LSTMCell, "LSTM": _check_LSTM}


@pytest.mark.parametrize("name", sorted(GRADCHECK_CASES))
def test_gradcheck_cases(name):
    result = GRADCHECK_CASES[name]()
    assert result.ok, f"{name}: {result}"


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_rnn_and_lstm_match_a_numpy_loop():
    x = np.random.default_rng(0).standard_normal((3, 6, 2)).astype(np.float32)
    rnn = nn.RNN(2, 5, rng=1)
    c = rnn.cell
    h = np.zeros((3, 5), np.float32)
    for t in range(6):
        h = np.tanh(x[:, t] @ c.weight_ih.numpy().T + c.bias_ih.numpy()
                    + h @ c.weight_hh.numpy().T + c.bias_hh.numpy())
    out, hT = rnn(x)
    np.testing.assert_allclose(hT.numpy(), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.numpy()[:, -1], h, rtol=1e-5, atol=1e-6)

    lstm = nn.LSTM(2, 5, forget_bias=1.0, rng=2)
    c = lstm.cell
    h, cs = np.zeros((3, 5)), np.zeros((3, 5))
    for t in range(6):
        z = (x[:, t] @ c.weight_ih.numpy().T + c.bias_ih.numpy() + h @ c.weight_hh.numpy().T
             + c.bias_hh.numpy())
        i, f = _sigmoid(z[:, :5]), _sigmoid(z[:, 5:10])
        g, o = np.tanh(z[:, 10:15]), _sigmoid(z[:, 15:])
        cs = f * cs + i * g
        h = o * np.tanh(cs)
    out, (hT, cT), gates = lstm(x, return_gates=True)
    np.testing.assert_allclose(hT.numpy(), h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cT.numpy(), cs, rtol=1e-5, atol=1e-6)
    assert gates["forget"].shape == (3, 6, 5)


def test_forget_bias_is_added_to_the_forget_gate_only():
    a, b = nn.LSTMCell(2, 3, rng=0), nn.LSTMCell(2, 3, forget_bias=1.0, rng=0)
    diff = b.bias_ih.numpy() - a.bias_ih.numpy()
    np.testing.assert_allclose(diff, [0] * 3 + [1] * 3 + [0] * 6, atol=1e-6)


def test_200_step_sequence_backpropagates_without_recursion_error():
    for module in (nn.RNN(2, 4, rng=0), nn.LSTM(2, 4, rng=0)):
        x = bn.tensor(np.ones((1, 200, 2), np.float32), requires_grad=True)
        out = module(x)[0]
        out.sum().backward()
        assert x.grad.shape == (1, 200, 2) and np.isfinite(x.grad.numpy()).all()


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"RNN: expected input of shape \(N, T, features\) "
                                         r"with 2 features, got shape \(4, 2\)"):
        nn.RNN(2, 3)(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"LSTM: expected input .* got shape \(1, 5, 3\)"):
        nn.LSTM(2, 3)(np.zeros((1, 5, 3)))
    with pytest.raises(ValueError, match=r"RNNCell: hidden state must have shape \(4, 3\)"):
        nn.RNNCell(2, 3)(np.zeros((4, 2)), bn.tensor(np.zeros((4, 5))))
    with pytest.raises(ValueError, match=r"LSTM: cell state must have shape \(1, 3\)"):
        state = (bn.tensor(np.zeros((1, 3))), bn.tensor(np.zeros((2, 3))))
        nn.LSTM(2, 3)(np.zeros((1, 5, 2)), state)
    with pytest.raises(ValueError, match="nonlinearity must be"):
        nn.RNNCell(2, 3, nonlinearity="sigmoid")


def test_make_adding():
    x, y = data.make_adding(500, 20, rng=0)
    assert x.shape == (500, 20, 2) and y.shape == (500, 1)
    assert (x[..., 1].sum(1) == 2).all()
    assert (x[:, :10, 1].sum(1) == 1).all()
    np.testing.assert_allclose(y[:, 0], (x[..., 0] * x[..., 1]).sum(1), rtol=1e-6)
    assert abs(((y - 1) ** 2).mean() - 1 / 6) < 0.03
    with pytest.raises(ValueError, match="length must be at least 2"):
        data.make_adding(4, 1)
