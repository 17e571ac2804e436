"""The Tensor class (tensor.py): construction, dtypes, conversion, repr, and dtype
preservation through every op and its gradient (float32 stays float32, float64 stays
float64).
"""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import nn, optim


# --------------------------------------------------------------- construction
def test_python_floats_become_float32_and_arrays_keep_their_dtype():
    assert bn.tensor([1.0, 2.0]).dtype == np.float32
    assert bn.tensor(1.5).dtype == np.float32
    assert bn.tensor(np.ones(2)).dtype == np.float64
    assert bn.tensor(np.ones(2, np.float32)).dtype == np.float32
    assert bn.tensor([1, 2]).dtype == np.int64
    assert bn.tensor([True]).dtype == np.bool_
    assert bn.tensor(np.ones(2), dtype=np.float32).dtype == np.float32
    assert bn.Tensor(bn.tensor([1.0])).dtype == np.float32


def test_zeros_ones_take_both_shape_forms():
    assert bn.zeros(2, 3).shape == (2, 3) and bn.zeros((2, 3)).shape == (2, 3)
    assert bn.ones([4]).shape == (4,) and bn.ones(4).dtype == np.float32
    assert bn.zeros(2, dtype=np.float64).dtype == np.float64
    assert bn.ones(2, requires_grad=True).requires_grad


def test_requires_grad_on_integers_is_refused_clearly():
    with pytest.raises(TypeError, match=r"only floating-point tensors can require gradients, "
                                        r"got dtype int64.*x.float\(\)"):
        bn.tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match="bool"):
        bn.tensor([True], requires_grad=True)
    with pytest.raises(TypeError, match="requires_grad: only floating-point tensors.*int64"):
        bn.tensor([1, 2]).requires_grad_()


def test_unsupported_dtype_is_refused():
    with pytest.raises(TypeError, match="unsupported dtype"):
        bn.tensor(["a", "b"])
    with pytest.raises(TypeError, match="unsupported dtype"):
        bn.tensor(np.array([1j]))


def test_tensor_copies_its_input_like_torch_tensor():
    """bn.tensor copies (like torch.tensor), so an optimiser updating the tensor in
    place cannot change the caller's array."""
    source = np.ones(3)
    t = bn.tensor(source, requires_grad=True)
    t.grad = bn.tensor(np.ones(3))
    optim.SGD([t], lr=1.0).step()
    np.testing.assert_array_equal(source, np.ones(3))
    np.testing.assert_array_equal(t.data, np.zeros(3))


# ---------------------------------------------------------------- description
def test_shape_size_and_friends():
    t = bn.zeros(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size() == (2, 3) and t.size(1) == 3
    assert t.numel() == 6 and len(t) == 2 and t.is_leaf


def test_repr_is_readable():
    assert repr(bn.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(bn.tensor(np.array([1.0]))) == "tensor([1.], dtype=float64)"
    x = bn.tensor([1.0], requires_grad=True)
    assert repr(x) == "tensor([1.], requires_grad=True)"
    assert "grad_fn=<mul>" in repr(x * 2)
    assert repr(bn.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_item_numpy_tolist_detach():
    x = bn.tensor(np.array([[2.5]]), requires_grad=True)
    assert x.item() == 2.5 and isinstance(x.item(), float)
    assert x.tolist() == [[2.5]]
    assert x.numpy() is x.data
    d = (x * 2).detach()
    assert not d.requires_grad and d.is_leaf and d.item() == 5.0
    with pytest.raises(ValueError, match=r"item: the tensor has 2 elements \(shape \(2,\)\)"):
        bn.tensor([1.0, 2.0]).item()


def test_numpy_interop():
    x = bn.tensor([1.0, 2.0])
    assert np.asarray(x) is x.data
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    assert np.array(x, copy=True) is not x.data
    assert bool(bn.tensor(1.0)) and not bool(bn.tensor(0.0))


def test_comparisons_are_boolean_tensors_outside_the_graph():
    x = bn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result, expected in [(x < 2, [1, 0, 0]), (x <= 2, [1, 1, 0]), (x > 2, [0, 0, 1]),
                             (x >= 2, [0, 1, 1]), (x == 2, [0, 1, 0]), (x != 2, [1, 0, 1]),
                             (x == bn.tensor([1.0, 0, 3]), [1, 0, 1])]:
        assert result.dtype == np.bool_ and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)
    assert len({x, x}) == 1                               # hashable by identity


def test_argmax_argmin():
    x = bn.tensor([[1.0, 5.0, 5.0], [0.0, -1.0, 2.0]])
    np.testing.assert_array_equal(x.argmax(axis=1).data, [1, 2])
    np.testing.assert_array_equal(x.argmin(axis=1).data, [0, 1])
    assert x.argmax().item() == 1


def test_iteration_yields_rows():
    rows = list(bn.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]


@pytest.mark.parametrize("name, call", [
    ("neg", bn.neg), ("exp", bn.exp), ("log", bn.log), ("sqrt", bn.sqrt), ("abs", bn.abs),
    ("clip", lambda a: bn.clip(a, 0.5, 2)), ("tanh", F.tanh), ("sum", bn.sum),
    ("mean", lambda a: bn.mean(a, 0)), ("var", bn.var), ("max", bn.max), ("min", bn.min),
    ("reshape", lambda a: bn.reshape(a, -1)), ("flatten", bn.flatten),
    ("squeeze", bn.squeeze), ("unsqueeze", lambda a: bn.unsqueeze(a, 0)),
    ("permute", lambda a: bn.permute(a, 1, 0)), ("transpose", bn.transpose),
    ("broadcast_to", lambda a: bn.broadcast_to(a, (3, 2, 2))), ("add", lambda a: bn.add(a, 1)),
    ("cat", lambda a: bn.cat([a, a])), ("softmax", F.softmax)])
def test_top_level_ops_accept_arrays_and_lists(name, call):
    """bn.exp(array) works like bn.exp(tensor), as F.tanh(array) always did."""
    values = [[1.0, 2.0], [3.0, 4.0]]
    expected = call(bn.tensor(values)).data
    for raw in (values, np.array(values, np.float32)):
        out = call(raw)
        assert isinstance(out, bn.Tensor), name
        np.testing.assert_array_equal(out.data, expected)


# ------------------------------------------------------------------ dtypes
def _ops(x, w):
    """(name, function of x) for every op, as a model would use it."""
    labels = np.array([0, 2])
    return [
        ("x * 2.0", lambda: x * 2.0), ("2.0 * x", lambda: 2.0 * x),
        ("x + np.float64(1)", lambda: x + np.float64(1)),
        ("np.float64(1) + x", lambda: np.float64(1) + x),
        ("x - 1", lambda: x - 1), ("1 - x", lambda: 1 - x),
        ("x / 3", lambda: x / 3), ("3 / x", lambda: 3 / x),
        ("x * float64 array", lambda: x * np.full(3, 0.5)),
        ("x ** 2", lambda: x ** 2), ("x ** 0.5", lambda: x ** 0.5),
        ("x ** np.float64(2)", lambda: x ** np.float64(2)), ("2.0 ** x", lambda: 2.0 ** x),
        ("x @ w", lambda: x @ w), ("-x", lambda: -x), ("abs", lambda: abs(x)),
        ("exp", lambda: x.exp()), ("log", lambda: x.log()), ("sqrt", lambda: x.sqrt()),
        ("clip", lambda: x.clip(0.2, 0.9)),
        ("clip float64 bounds", lambda: x.clip(np.float64(0.2), np.float64(0.9))),
        ("where", lambda: bn.where(x.data > 0.5, x, 0.0)),
        ("tanh", lambda: x.tanh()), ("sigmoid", lambda: x.sigmoid()), ("relu", lambda: x.relu()),
        ("leaky_relu", lambda: F.leaky_relu(x, 0.1)), ("gelu", lambda: F.gelu(x)),
        ("softmax", lambda: x.softmax()), ("log_softmax", lambda: x.log_softmax()),
        ("sum", lambda: x.sum(axis=1)), ("mean", lambda: x.mean()), ("var", lambda: x.var(axis=1)),
        ("max", lambda: x.max(axis=0)), ("min", lambda: x.min()),
        ("reshape", lambda: x.reshape(-1)), ("T", lambda: x.T), ("index", lambda: x[[0, 0]]),
        ("cat", lambda: bn.cat([x, x])), ("stack", lambda: bn.stack([x, x])),
        ("broadcast_to", lambda: x.broadcast_to((4, 2, 3))),
        ("linear", lambda: F.linear(x, w.T)),
        ("linear float64 input", lambda: F.linear(x.data.astype(np.float64), w.T) + x[:, :2]),
        ("cross_entropy", lambda: F.cross_entropy(x, labels)),
        ("cross_entropy probabilities", lambda: F.cross_entropy(x, np.full((2, 3), 1 / 3))),
        ("nll_loss", lambda: F.nll_loss(x.log_softmax(), labels)),
        ("mse_loss float64 target", lambda: F.mse_loss(x, np.zeros((2, 3)))),
        ("l1_loss", lambda: F.l1_loss(x, np.zeros((2, 3)))),
        ("huber_loss", lambda: F.huber_loss(x, np.zeros((2, 3)), delta=0.5)),
        ("binary_cross_entropy", lambda: F.binary_cross_entropy(x, np.ones((2, 3)))),
        ("bce_with_logits", lambda: F.binary_cross_entropy_with_logits(x, np.ones((2, 3)))),
        ("dropout", lambda: F.dropout(x, 0.5, rng=0)),
        ("layer_norm", lambda: F.layer_norm(x, 3)),
        ("embedding", lambda: F.embedding(np.array([0, 1, 1]), x)),
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("index", range(len(_ops(None, None))),
                         ids=[name for name, _ in _ops(None, None)])
def test_dtype_is_preserved_through_op_and_gradient(index, dtype):
    rng = np.random.default_rng(0)
    x = bn.tensor(rng.uniform(0.1, 1.0, (2, 3)).astype(dtype), requires_grad=True)
    w = bn.tensor(rng.standard_normal((3, 2)).astype(dtype), requires_grad=True)
    name, op = _ops(x, w)[index]
    out = op()
    assert out.dtype == dtype, f"{name}: output became {out.dtype}"
    (out * out).sum().backward()
    for t in (x, w):
        assert t.grad is None or t.grad.dtype == dtype, f"{name}: gradient {t.grad.dtype}"
    assert x.grad is not None


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1),
    lambda ps: optim.RMSprop(ps, weight_decay=0.1), lambda ps: optim.Adam(ps, weight_decay=0.1),
    lambda ps: optim.AdamW(ps)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_optimiser_updates_keep_the_dtype(make, dtype):
    model = nn.Sequential(nn.Linear(3, 4, rng=0, dtype=dtype), nn.Tanh(),
                          nn.Linear(4, 2, rng=1, dtype=dtype))
    opt = make(model.parameters())
    for _ in range(2):
        loss = F.cross_entropy(model(np.ones((5, 3))), np.array([0, 1, 0, 1, 1]))
        assert loss.dtype == dtype
        opt.zero_grad()
        loss.backward()
        opt.step()
    for p in model.parameters():
        assert p.dtype == dtype
    for state in opt.state:
        for value in state.values():
            assert not isinstance(value, np.ndarray) or value.dtype == dtype


def test_module_double_and_float():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.LayerNorm(3))
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert model.double() is model
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float64)}
    assert model(np.ones((1, 2))).dtype == np.float64
    model.float()
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}
