"""brainnet.nn: Module bookkeeping, state dicts, train/eval, repr, and every layer.

GRADCHECK_CASES run in test_gradcheck_coverage.py (gradcheck_module converts the layer
to float64 and checks its parameters and its input).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import nn, optim


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def off_zero(seed: int, *shape: int) -> np.ndarray:
    x = r(seed, *shape)
    return np.where(np.abs(x) < 0.1, 0.2, x)


class Reseeded(nn.Module):
    """Runs ``layer`` (a Dropout) with its generator reset before every call, so that
    every evaluation drops the same units and finite differences see one function."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        self.layer.rng = np.random.default_rng(3)
        return self.layer(x)


def _module_case(make, *inputs):
    return lambda: bn.gradcheck_module(make(), *inputs)


GRADCHECK_CASES = {
    "Linear": _module_case(lambda: nn.Linear(3, 4, rng=0), r(0, 5, 3)),
    "Linear[3-D input]": _module_case(lambda: nn.Linear(3, 2, rng=1), r(1, 2, 4, 3)),
    "Linear[no bias]": _module_case(lambda: nn.Linear(3, 2, bias=False, rng=2), r(2, 4, 3)),
    "Sequential": _module_case(lambda: nn.Sequential(nn.Linear(2, 5, rng=3), nn.Tanh(),
                                                     nn.Linear(5, 3, rng=4), nn.Softmax()),
                               r(3, 4, 2)),
    "Identity": _module_case(nn.Identity, r(4, 3)),
    "ReLU": _module_case(nn.ReLU, off_zero(5, 3, 4)),
    "Tanh": _module_case(nn.Tanh, r(6, 3, 4)),
    "Sigmoid": _module_case(nn.Sigmoid, r(7, 3, 4)),
    "GELU": _module_case(nn.GELU, r(8, 3, 4)),
    "LeakyReLU": _module_case(lambda: nn.LeakyReLU(0.2), off_zero(9, 3, 4)),
    "Softmax": _module_case(lambda: nn.Softmax(axis=0), r(10, 3, 4)),
    "Flatten": _module_case(nn.Flatten, r(11, 2, 3, 2)),
    "Dropout": _module_case(lambda: Reseeded(nn.Dropout(0.4)), r(12, 5, 6)),
    "LayerNorm": _module_case(lambda: nn.LayerNorm(5), r(13, 3, 5)),
    "Embedding": lambda: bn.gradcheck_module(nn.Embedding(5, 3, rng=0),
                                             np.array([[4, 0, 4], [4, 2, 1]])),
}


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(3, 4, rng=0)
        self.out = nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.out(self.hidden(x).relu())


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = MLP()
        self.scale = nn.Parameter(np.ones(1))
        self.register_buffer("running", np.zeros(2))
        self.drop = nn.Dropout(0.5, rng=0)
        self.note = "plain attributes are not registered"

    def forward(self, x):
        return self.drop(self.body(x)) * self.scale


# ------------------------------------------------------------- registration
def test_attributes_register_parameters_and_submodules():
    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names == ["scale", "body.hidden.weight", "body.hidden.bias", "body.out.weight",
                     "body.out.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "body", "body.hidden", "body.out",
                                                   "drop"]
    assert [n for n, _ in net.named_children()] == ["body", "drop"]
    assert len(list(net.parameters())) == 5
    assert [n for n, _ in net.named_buffers()] == ["running"]


def test_reassigning_and_deleting_updates_the_registry():
    net = MLP()
    net.hidden = nn.Linear(3, 4, bias=False, rng=5)
    assert [n for n, _ in net.named_parameters()] == ["hidden.weight", "out.weight", "out.bias"]
    del net.out
    assert [n for n, _ in net.named_parameters()] == ["hidden.weight"]
    net.hidden = None
    assert list(net.parameters()) == []


def test_shared_parameters_are_listed_once():
    a = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(a, nn.Tanh(), a)
    assert len(list(model.parameters())) == 2
    tied = nn.Sequential(nn.Linear(2, 2, rng=1), nn.Linear(2, 2, rng=2))
    tied[1].weight = tied[0].weight
    assert [n for n, _ in tied.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_forgetting_super_init_is_explained():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"Broken: call super\(\).__init__\(\)"):
        Broken()


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        nn.Module()(1)


def test_parameter_copies_its_data():
    """Optimisers update parameters in place; a caller's array must not change with them."""
    source = np.ones(3, np.float32)
    p = nn.Parameter(source)
    p.grad = bn.tensor(np.ones(3, np.float32))
    optim.SGD([p], lr=1.0).step()
    np.testing.assert_array_equal(source, np.ones(3))
    assert nn.Parameter([1, 2]).dtype == np.float32 and nn.Parameter([1, 2]).requires_grad


# ------------------------------------------------------------------- state
def test_zero_grad():
    model = MLP()
    F.cross_entropy(model(np.ones((2, 3))), np.array([0, 1])).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_train_eval_switch_every_submodule_and_dropout():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    x = bn.tensor(np.ones((400, 50)))
    drop = nn.Dropout(0.3, rng=0)
    assert drop.eval()(x) is x                          # identity in eval mode
    y = drop.train()(x).data
    assert (y == 0).mean() == pytest.approx(0.3, abs=0.01)
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.7])
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip():
    a, b = Net(), Net()
    for p in b.parameters():
        p.data = p.data + 1.0
    b.running = np.array([3.0, 4.0])
    state = b.state_dict()
    assert list(state) == ["scale", "body.hidden.weight", "body.hidden.bias",
                           "body.out.weight", "body.out.bias", "running"]
    a.load_state_dict(state)
    for (name, pa), (_, pb) in zip(a.state_dict().items(), state.items(), strict=True):
        np.testing.assert_array_equal(pa, pb, err_msg=name)
    state["scale"][0] = 99.0                             # copies, not views
    assert a.scale.data[0] != 99.0 and b.scale.data[0] != 99.0
    x = np.ones((2, 3))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)


def test_load_state_dict_strict_errors_name_keys_and_shapes():
    model = MLP()
    state = model.state_dict()
    del state["out.bias"]
    state["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['out.bias'\], unexpected keys "
                                       r"\['extra'\]"):
        model.load_state_dict(state)
    model.load_state_dict(state, strict=False)           # loads what matches
    bad = model.state_dict()
    bad["hidden.weight"] = np.zeros((3, 4))
    with pytest.raises(ValueError, match=r"hidden.weight has shape \(4, 3\) in the model but "
                                         r"\(3, 4\) in the state dict"):
        model.load_state_dict(bad)


def test_load_state_dict_keeps_the_parameter_dtype():
    model = MLP()
    model.load_state_dict({k: v.astype(np.float64) for k, v in model.state_dict().items()})
    assert all(p.dtype == np.float32 for p in model.parameters())


def test_repr_is_readable():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Dropout(0.1),
                          nn.Sequential(nn.LayerNorm(3), nn.LeakyReLU(0.2)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.1)\n"
        "  (3): Sequential(\n"
        "    (0): LayerNorm((3,), eps=1e-05)\n"
        "    (1): LeakyReLU(negative_slope=0.2)\n"
        "  )\n"
        ")")
    assert repr(nn.Embedding(5, 2, rng=0)) == "Embedding(5, 2)"
    assert repr(nn.Softmax(0)) == "Softmax(axis=0)"
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\ntensor([1.]")


def test_sequential_and_module_list_indexing():
    layers = [nn.Linear(2, 2, rng=i) for i in range(3)]
    seq = nn.Sequential(*layers)
    assert seq[0] is layers[0] and seq[-1] is layers[2] and len(seq) == 3
    assert list(seq) == layers
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    ml = nn.ModuleList(layers[:2]).append(layers[2])
    assert len(ml) == 3 and ml[1] is layers[1] and list(ml) == layers
    assert isinstance(ml[1:], nn.ModuleList) and list(ml[1:]) == layers[1:]
    assert len(list(ml.parameters())) == 6
    swap = nn.Linear(2, 2, rng=9)
    ml[-1] = swap
    assert ml[2] is swap and len(ml) == 3 and any(p is swap.weight for p in ml.parameters())
    with pytest.raises(IndexError, match="out of range for 3 modules"):
        ml[3] = swap
    with pytest.raises(TypeError, match="not a Module"):
        ml[0] = lambda x: x
    seq[0] = swap                                    # Sequential: the same, by its name
    assert seq[0] is swap and seq(np.ones((1, 2))).shape[-1] == layers[2].out_features
    with pytest.raises(IndexError, match="Sequential: index 5"):
        seq[5] = swap


# ------------------------------------------------------------------ layers
def test_linear_init_bounds_and_seeding():
    layer = nn.Linear(50, 40, rng=0)
    bound = 1 / math.sqrt(50)
    assert layer.weight.shape == (40, 50) and layer.bias.shape == (40,)
    for p in layer.parameters():
        assert np.abs(p.data).max() <= bound and p.dtype == np.float32
        assert np.abs(p.data).max() > 0.9 * bound          # uses the whole range
    same = nn.Linear(50, 40, rng=0)
    np.testing.assert_array_equal(layer.weight.data, same.weight.data)
    np.testing.assert_array_equal(layer.bias.data, same.bias.data)
    other = nn.Linear(50, 40, rng=1)
    assert not np.array_equal(layer.weight.data, other.weight.data)
    gen = np.random.default_rng(5)
    a, b = nn.Linear(3, 3, rng=gen), nn.Linear(3, 3, rng=gen)      # one stream, two draws
    assert not np.array_equal(a.weight.data, b.weight.data)
    assert nn.Linear(3, 3, rng=0, dtype=np.float64).weight.dtype == np.float64
    with pytest.raises(ValueError, match=r"Linear: in_features must be a positive integer, got 0"):
        nn.Linear(0, 3)


def test_manual_seed_reseeds_layers_that_draw_later():
    """manual_seed resets the default generator itself, so a Dropout built before the
    call repeats after it, as with torch.manual_seed."""
    drop = nn.Dropout(0.5)
    x = bn.tensor(np.ones(100))
    bn.manual_seed(0)
    first = drop(x).data
    bn.manual_seed(0)
    np.testing.assert_array_equal(drop(x).data, first)
    bn.manual_seed(1)
    assert not np.array_equal(drop(x).data, first)
    bn.manual_seed(3)
    w = nn.Linear(3, 3).weight.data
    bn.manual_seed(3)
    np.testing.assert_array_equal(nn.Linear(3, 3).weight.data, w)


def test_activation_modules_match_functions():
    x = r(0, 3, 4)
    for module, fn in [(nn.ReLU(), F.relu), (nn.Tanh(), F.tanh), (nn.Sigmoid(), F.sigmoid),
                       (nn.GELU(), F.gelu), (nn.LeakyReLU(0.3), lambda t: F.leaky_relu(t, 0.3)),
                       (nn.Softmax(0), lambda t: F.softmax(t, 0)), (nn.Identity(), lambda t: t)]:
        np.testing.assert_array_equal(module(bn.tensor(x)).data, fn(bn.tensor(x)).data)
    assert nn.Flatten()(np.ones((2, 3, 4))).shape == (2, 12)


def test_layer_norm_and_embedding_modules():
    ln = nn.LayerNorm(4)
    np.testing.assert_array_equal(ln.weight.data, np.ones(4))
    np.testing.assert_array_equal(ln.bias.data, np.zeros(4))
    np.testing.assert_allclose(ln(r(0, 2, 4)).data.mean(-1), 0, atol=1e-6)
    emb = nn.Embedding(10, 3, rng=0)
    assert emb(np.array([[1, 2]])).shape == (1, 2, 3)
    np.testing.assert_array_equal(emb.weight.data, nn.Embedding(10, 3, rng=0).weight.data)
    with pytest.raises(ValueError, match=r"Dropout: p is the probability of dropping a unit "
                                         r"and must be in \[0, 1\)"):
        nn.Dropout(1.0)


def test_clip_grad_norm():
    a = nn.Parameter(np.zeros(2))
    b = nn.Parameter(np.zeros(1))
    a.grad, b.grad = bn.tensor(np.array([3.0, 0.0], np.float32)), bn.tensor(np.array([4.0],
                                                                                     np.float32))
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0)
    np.testing.assert_allclose(np.concatenate([a.grad.data, b.grad.data]), [0.6, 0, 0.8],
                               rtol=1e-5)
    assert a.grad.dtype == np.float32
    assert nn.utils.clip_grad_norm_([a, b], max_norm=10.0) == pytest.approx(1.0, rel=1e-5)
    with pytest.raises(ValueError, match="max_norm must be positive"):
        nn.utils.clip_grad_norm_([a], 0.0)


def test_gradcheck_module_converts_to_float64():
    layer = nn.Linear(2, 2, rng=0)
    assert bn.gradcheck_module(layer, r(0, 3, 2)).ok
    assert layer.weight.dtype == np.float64
