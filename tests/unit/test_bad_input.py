"""Bad and edge input across the public API: every case either raises a clear error or
gives the right answer. None may return a wrong answer without a word.

A clear error has the expected type and a message that names the op (the regex in
each case). Run this file as a script to count the outcomes by group, e.g. against
another checkout: ``PYTHONPATH=other/code python tests/unit/test_bad_input.py``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import data, nn, optim

OUTCOMES = ("clear error", "handled", "unclear error", "silently wrong")


@dataclasses.dataclass
class Case:
    group: str
    name: str
    run: Callable[[], Any]
    error: tuple[type, str] | None = None  # expected exception type, message regex
    check: Callable[[Any], bool] | None = None  # for an answer: is it right?

    def outcome(self) -> tuple[str, str]:
        try:
            with np.errstate(all="ignore"):
                value = self.run()
        except Exception as e:  # noqa: BLE001 (classifying every failure is the point)
            if self.error and isinstance(e, self.error[0]) and re.search(self.error[1], str(e)):
                return "clear error", ""
            return "unclear error", f"{type(e).__name__}: {e}"[:300]
        if self.check is None:
            return "silently wrong", f"returned {value!r}"[:300]
        try:
            ok = bool(self.check(value))
        except Exception as e:  # noqa: BLE001
            ok, value = False, f"(check raised {type(e).__name__}: {e})"
        return ("handled", "") if ok else ("silently wrong", f"returned {value!r}"[:300])


CASES: list[Case] = []


def case(group, name, run, error=None, check=None):
    CASES.append(Case(group, name, run, error, check))


def close(expected, rtol=1e-6, atol=1e-9):
    return lambda v: np.allclose(np.asarray(v, dtype=np.float64), expected, rtol=rtol, atol=atol)


def grad_of(fn, *values, dtype=np.float64):
    """Gradients of the scalar fn(*tensors) with respect to each value."""
    ts = [bn.tensor(np.asarray(v, dtype=dtype), requires_grad=True) for v in values]
    fn(*ts).backward()
    return [t.grad.data for t in ts]


def is_f32(t) -> bool:
    return isinstance(t, bn.Tensor) and t.dtype == np.float32


def mlp(seed=0):
    return nn.Sequential(nn.Linear(2, 3, rng=seed), nn.ReLU(), nn.Linear(3, 1, rng=seed + 1))


X2 = np.random.default_rng(0).standard_normal((8, 2)).astype(np.float32)
Y2 = np.random.default_rng(1).standard_normal((8, 1)).astype(np.float32)
I3 = bn.tensor(np.array([1, 2, 3]))  # int64
F32 = bn.tensor(np.ones(3, np.float32))


# ----------------------------------------------------------------- gradients
case(
    "gradients",
    "cross_entropy, soft targets not summing to 1",
    lambda: grad_of(lambda x: F.cross_entropy(x, np.array([[1.0, 1.0]])), np.zeros((1, 2)))[0],
    check=close([[0.0, 0.0]]),
)
case(
    "gradients",
    "cross_entropy, soft targets, reduction=sum, rows of mass 2",
    lambda: grad_of(lambda x: F.cross_entropy(x, np.array([[2.0, 0.0]]), "sum"), np.zeros((1, 2)))[
        0
    ],
    check=close([[-1.0, 1.0]]),
)
case(
    "gradients",
    "cross_entropy, target requiring grad: d2/dx dt",
    lambda: _ce_mixed(),
    check=lambda v: close(_ce_mixed_expected())(v),
)
case(
    "gradients",
    "x ** 0 at x = 0",
    lambda: grad_of(lambda x: (x**0).sum(), [0.0, 1.0])[0],
    check=close([0.0, 0.0]),
)
case(
    "gradients",
    "0 ** p with respect to p",
    lambda: grad_of(lambda p: (bn.tensor(np.zeros(2)) ** p).sum(), [2.0, 3.0])[0],
    check=close([0.0, 0.0]),
)
case(
    "gradients",
    "x ** tensor(0) at x = 0",
    lambda: grad_of(lambda x: (x ** bn.tensor(np.zeros(2))).sum(), [0.0, 2.0])[0],
    check=close([0.0, 0.0]),
)
case(
    "gradients",
    "requires_grad = True on an int tensor (attribute)",
    lambda: setattr(bn.tensor([1, 2, 3]), "requires_grad", True),
    error=(TypeError, r"requires_grad.*int64"),
)
case(
    "gradients",
    "requires_grad_() on an int tensor",
    lambda: bn.tensor([1, 2, 3]).requires_grad_(),
    error=(TypeError, r"requires_grad.*int64"),
)
case(
    "gradients",
    "tensor(int list, requires_grad=True)",
    lambda: bn.tensor([1, 2], requires_grad=True),
    error=(TypeError, r"requires_grad.*int64"),
)
case(
    "gradients",
    "abs at 0 has gradient 0",
    lambda: grad_of(lambda x: x.abs().sum(), [0.0])[0],
    check=close([0.0]),
)
case(
    "gradients",
    "relu at 0 has gradient 0",
    lambda: grad_of(lambda x: F.relu(x).sum(), [0.0])[0],
    check=close([0.0]),
)
case(
    "gradients",
    "max with ties: gradient to the first only",
    lambda: grad_of(lambda x: x.max(), [1.0, 1.0, 0.0])[0],
    check=close([1.0, 0.0, 0.0]),
)
case(
    "gradients",
    "clip: gradient outside the range is 0",
    lambda: grad_of(lambda x: x.clip(-1, 1).sum(), [-2.0, 0.5, 3.0])[0],
    check=close([0.0, 1.0, 0.0]),
)
case(
    "gradients",
    "sqrt gradient",
    lambda: grad_of(lambda x: x.sqrt().sum(), [4.0])[0],
    check=close([0.25]),
)
case(
    "gradients",
    "getitem with repeated indices accumulates",
    lambda: grad_of(lambda x: x[[0, 0, 1]].sum(), [1.0, 2.0, 3.0])[0],
    check=close([2, 1, 0]),
)
case(
    "gradients",
    "diamond graph adds both paths",
    lambda: grad_of(lambda x: (x * 3) * (x * x) + x * 3, [2.0])[0],
    check=close([39.0]),
)
case(
    "gradients",
    "broadcast add: gradient summed back",
    lambda: grad_of(lambda a, b: (a + b).sum(), np.ones((2, 3)), np.ones(3))[1],
    check=close([2.0, 2.0, 2.0]),
)
case("gradients", "backward twice accumulates", lambda: _backward_twice(), check=close([4.0]))
case(
    "gradients",
    "grad of a tensor that does not require grad",
    lambda: bn.grad((bn.tensor([1.0], requires_grad=True) * 2).sum(), [bn.tensor([1.0])]),
    error=(RuntimeError, r"grad: input 0.*does not require grad"),
)
case(
    "gradients",
    "grad of an unused input",
    lambda: bn.grad(
        (bn.tensor([1.0], requires_grad=True) * 2).sum(), [bn.tensor([1.0], requires_grad=True)]
    ),
    error=(RuntimeError, r"grad: input 0.*not used"),
)
case(
    "gradients",
    "backward on a non-scalar without gradient",
    lambda: (bn.tensor(np.ones(3), requires_grad=True) * 2).backward(),
    error=(RuntimeError, r"backward: the output has shape \(3,\)"),
)
case(
    "gradients",
    "backward with a gradient of the wrong shape",
    lambda: (bn.tensor(np.ones(3), requires_grad=True) * 2).backward(np.ones(2)),
    error=(ValueError, r"backward: gradient has shape \(2,\).*\(3,\)"),
)
case(
    "gradients",
    "backward on a tensor that does not require grad",
    lambda: bn.tensor([1.0]).sum().backward(),
    error=(RuntimeError, r"backward: .*does not require grad"),
)
case(
    "gradients",
    "hvp with too few vectors",
    lambda: bn.hvp(
        lambda: (bn.tensor([1.0], requires_grad=True) ** 2).sum(),
        [bn.tensor([1.0], requires_grad=True)],
        [],
    ),
    error=(ValueError, r"hvp: 1 parameters but 0 vectors"),
)
case(
    "gradients",
    "gradcheck of a function returning an ndarray",
    lambda: bn.gradcheck(lambda x: np.tanh(x.data), np.ones(3)),
    error=(TypeError, r"gradcheck: .*returned a ndarray"),
)
case(
    "gradients",
    "gradcheck with no float input",
    lambda: bn.gradcheck(lambda x: x, np.array([1, 2])),
    error=(ValueError, r"gradcheck: no floating"),
)


def _ce_mixed():
    x = bn.tensor(np.array([[0.5, -0.2, 0.1]]), requires_grad=True)
    t = bn.tensor(np.array([[0.2, 0.3, 0.5]]), requires_grad=True)
    (gx,) = bn.grad(F.cross_entropy(x, t), [x], create_graph=True)
    (gt,) = bn.grad(gx[0, 0], [t])
    return gt.data


def _ce_mixed_expected():
    # d/dt of dL/dx_0 where dL/dx = softmax(x) * sum(t) - t: softmax_0 - [1, 0, 0]
    x = np.array([0.5, -0.2, 0.1])
    s = np.exp(x) / np.exp(x).sum()
    return [[s[0] - 1.0, s[0], s[0]]]


def _backward_twice():
    x = bn.tensor([1.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    return x.grad.data


# --------------------------------------------------------------------- graph
def _numpy_on_grad_tensor(fn):
    w = bn.tensor(np.ones(3), requires_grad=True)
    return fn(w)


case(
    "graph",
    "np.tanh on a tensor that requires grad",
    lambda: _numpy_on_grad_tensor(np.tanh),
    error=(TypeError, r"tanh.*requires grad"),
)
case(
    "graph",
    "np.exp on a tensor that requires grad",
    lambda: _numpy_on_grad_tensor(np.exp),
    error=(TypeError, r"exp.*requires grad"),
)
case(
    "graph",
    "np.sum on a tensor that requires grad",
    lambda: _numpy_on_grad_tensor(np.sum),
    error=(TypeError, r"sum.*requires grad"),
)
case(
    "graph",
    "np.dot on a tensor that requires grad",
    lambda: _numpy_on_grad_tensor(lambda w: np.dot(w, w)),
    error=(TypeError, r"dot.*requires grad"),
)
case(
    "graph",
    "np.concatenate of tensors that require grad",
    lambda: _numpy_on_grad_tensor(lambda w: np.concatenate([w, w])),
    error=(TypeError, r"concatenate.*requires grad"),
)
case(
    "graph",
    "ndarray + tensor keeps the graph",
    lambda: grad_of(lambda w: (np.ones(3) + w).sum(), np.ones(3))[0],
    check=close([1, 1, 1]),
)
case(
    "graph",
    "ndarray * tensor keeps the graph",
    lambda: grad_of(lambda w: (np.full(3, 2.0) * w).sum(), np.ones(3))[0],
    check=close([2, 2, 2]),
)
case(
    "graph",
    "ndarray - tensor keeps the graph",
    lambda: grad_of(lambda w: (np.ones(3) - w).sum(), np.ones(3))[0],
    check=close([-1, -1, -1]),
)
case(
    "graph",
    "ndarray @ tensor keeps the graph",
    lambda: grad_of(lambda w: (np.ones((2, 3)) @ w).sum(), np.ones(3))[0],
    check=close([2, 2, 2]),
)
case(
    "graph",
    "np.tanh on a tensor under no_grad gives the values",
    lambda: _np_under_no_grad(),
    check=close(np.tanh(np.ones(3))),
)
case(
    "graph",
    "ndarray > tensor is a comparison, allowed",
    lambda: np.zeros(3) > bn.tensor(np.ones(3), requires_grad=True),
    check=lambda v: not np.asarray(v).any(),
)
case(
    "graph",
    "weights changed between forward and backward (assignment)",
    lambda: _stale(lambda w: setattr(w, "data", w.data * 2)),
    error=(RuntimeError, r"backward: .*changed after the op used it"),
)
case(
    "graph",
    "weights changed in place between forward and backward (-=)",
    lambda: _stale_inplace(),
    error=(RuntimeError, r"backward: .*changed after the op used it"),
)
case(
    "graph",
    "an optimiser step between forward and backward",
    lambda: _step_between(),
    error=(RuntimeError, r"backward: .*changed after the op used it"),
)
case(
    "graph",
    "weights changed after backward, then a new forward: fine",
    lambda: _changed_then_forward(),
    check=close([2.0, 2.0]),
)
case(
    "graph",
    "detach stops the gradient",
    lambda: grad_of(lambda w: (w.detach() * w).sum(), [3.0])[0],
    check=close([3.0]),
)
case("graph", "no_grad: no graph", lambda: _no_grad_result(), check=lambda t: not t.requires_grad)


def _np_under_no_grad():
    w = bn.tensor(np.ones(3), requires_grad=True)
    with bn.no_grad():
        return np.tanh(w)


def _stale(change):
    w = bn.tensor(np.ones(2), requires_grad=True)
    loss = (w * w).sum()
    change(w)
    loss.backward()
    return w.grad.data


def _stale_inplace():
    w = bn.tensor(np.ones(2), requires_grad=True)
    loss = (w * w).sum()
    w.data -= 0.5
    loss.backward()
    return w.grad.data


def _step_between():
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = F.mse_loss(model(X2), Y2)
    loss.backward()
    loss2 = F.mse_loss(model(X2), Y2)
    opt.step()
    loss2.backward()


def _changed_then_forward():
    w = bn.tensor(np.ones(2), requires_grad=True)
    w.data = w.data * 1.0
    (w * w).sum().backward()
    return w.grad.data


def _no_grad_result():
    w = bn.tensor(np.ones(2), requires_grad=True)
    with bn.no_grad():
        return w * 2


# ----------------------------------------------------------------- numerics
case(
    "numerics",
    "float32 sigmoid(-15)",
    lambda: F.sigmoid(bn.tensor(np.array([-15.0], np.float32))).data[0],
    check=lambda v: abs(v / (1 / (1 + math.exp(15))) - 1) < 1e-5,
)
case(
    "numerics",
    "float32 sigmoid(-20) is not 0",
    lambda: F.sigmoid(bn.tensor(np.array([-20.0], np.float32))).data[0],
    check=lambda v: abs(v / 2.0611536e-09 - 1) < 1e-5,
)
case(
    "numerics",
    "float32 log(sigmoid(-20)) and its gradient",
    lambda: _log_sigmoid(-20.0),
    check=lambda v: abs(v[0] + 20.0) < 1e-4 and abs(v[1] - 1) < 1e-4,
)
case(
    "numerics",
    "float32 sigmoid(-100) finite and positive",
    lambda: F.sigmoid(bn.tensor(np.array([-100.0], np.float32))).data[0],
    check=lambda v: 0 <= v < 1e-38,
)
case(
    "numerics",
    "float32 sigmoid(100) = 1",
    lambda: F.sigmoid(bn.tensor(np.float32(100.0))).item(),
    check=lambda v: v == 1.0,
)
case(
    "numerics",
    "softmax of huge logits",
    lambda: F.softmax(bn.tensor([1000.0, 0.0])).data,
    check=close([1.0, 0.0]),
)
case(
    "numerics",
    "log_softmax of huge logits",
    lambda: F.log_softmax(bn.tensor([1000.0, 0.0])).data,
    check=close([0.0, -1000.0], rtol=1e-5),
)
case(
    "numerics",
    "cross_entropy of huge logits is finite",
    lambda: F.cross_entropy(bn.tensor([[1000.0, -1000.0]]), np.array([1])).item(),
    check=lambda v: abs(v - 2000.0) < 1e-2,
)
case(
    "numerics",
    "bce_with_logits of huge logits is finite",
    lambda: F.binary_cross_entropy_with_logits(bn.tensor([500.0]), bn.tensor([0.0])).item(),
    check=lambda v: abs(v - 500.0) < 1e-3,
)
case(
    "numerics",
    "bce_with_logits gradient at 0 is sigmoid(0) - t",
    lambda: grad_of(lambda x: F.binary_cross_entropy_with_logits(x, bn.tensor([1.0])), [0.0])[0],
    check=close([-0.5]),
)
case(
    "numerics",
    "tanh(50) gradient is 0, not NaN",
    lambda: grad_of(lambda x: x.tanh().sum(), [50.0])[0],
    check=close([0.0]),
)
case(
    "numerics",
    "exp overflow gives inf (as numpy), not an error",
    lambda: bn.tensor([1000.0]).exp().data[0],
    check=lambda v: np.isinf(v),
)
case(
    "numerics",
    "log(0) is -inf (as numpy and PyTorch)",
    lambda: bn.tensor([0.0]).log().data[0],
    check=lambda v: v == -np.inf,
)
case(
    "numerics",
    "var of one element with correction 1",
    lambda: bn.tensor([1.0]).var(),
    error=(ValueError, r"var: 1 element"),
)
case(
    "numerics",
    "mean of an empty tensor",
    lambda: bn.tensor(np.zeros((0, 3))).mean(),
    error=(ValueError, r"mean: there are no elements"),
)
case(
    "numerics",
    "max of an empty tensor",
    lambda: bn.tensor(np.zeros(0)).max(),
    error=(ValueError, r"max: the tensor is empty"),
)
case(
    "numerics",
    "layer_norm of a constant row is finite",
    lambda: F.layer_norm(bn.tensor(np.ones((2, 4))), 4).data,
    check=close(np.zeros((2, 4))),
)
case(
    "numerics",
    "gelu matches the tanh formula at 1",
    lambda: F.gelu(bn.tensor([1.0])).item(),
    check=lambda v: abs(v - 0.8411920) < 1e-6,
)


def _log_sigmoid(x):
    t = bn.tensor(np.array([x], np.float32), requires_grad=True)
    out = F.sigmoid(t).log()
    out.sum().backward()
    return float(out.data[0]), float(t.grad.data[0])


# --------------------------------------------------------------------- losses
case(
    "losses",
    "binary_cross_entropy given logits",
    lambda: F.binary_cross_entropy(bn.tensor([2.5, -1.0]), bn.tensor([1.0, 0.0])),
    error=(ValueError, r"binary_cross_entropy: input must hold probabilities.*with_logits"),
)
case(
    "losses",
    "binary_cross_entropy with a target of 2",
    lambda: F.binary_cross_entropy(bn.tensor([0.5]), bn.tensor([2.0])),
    error=(ValueError, r"binary_cross_entropy: targets must lie in \[0, 1\]"),
)
case(
    "losses",
    "binary_cross_entropy with NaN input",
    lambda: F.binary_cross_entropy(bn.tensor([np.nan]), bn.tensor([1.0])),
    error=(ValueError, r"binary_cross_entropy: input must hold probabilities"),
)
case(
    "losses",
    "bce_with_logits with a target of -1",
    lambda: F.binary_cross_entropy_with_logits(bn.tensor([0.5]), bn.tensor([-1.0])),
    error=(ValueError, r"binary_cross_entropy_with_logits: targets must lie in \[0, 1\]"),
)
case(
    "losses",
    "cross_entropy with a label out of range",
    lambda: F.cross_entropy(bn.tensor(np.zeros((2, 3))), np.array([0, 3])),
    error=(IndexError, r"cross_entropy: target holds class 3 but input has 3 classes"),
)
case(
    "losses",
    "cross_entropy with a negative label",
    lambda: F.cross_entropy(bn.tensor(np.zeros((2, 3))), np.array([0, -1])),
    error=(IndexError, r"cross_entropy: target holds class -1"),
)
case(
    "losses",
    "cross_entropy with float labels",
    lambda: F.cross_entropy(bn.tensor(np.zeros((2, 3))), np.array([0.0, 1.0])),
    error=(TypeError, r"cross_entropy: class targets must be integers"),
)
case(
    "losses",
    "cross_entropy with a label column (N, 1)",
    lambda: F.cross_entropy(bn.tensor(np.zeros((2, 3))), np.array([[0], [1]])),
    error=(ValueError, r"cross_entropy: .*target must have shape \(2,\).*reshape\(-1\)"),
)
case(
    "losses",
    "cross_entropy with negative probabilities",
    lambda: F.cross_entropy(bn.tensor(np.zeros((1, 2))), np.array([[1.5, -0.5]])),
    error=(ValueError, r"cross_entropy: probability targets must be .*non-negative"),
)
case(
    "losses",
    "cross_entropy with an unknown reduction",
    lambda: F.cross_entropy(bn.tensor(np.zeros((1, 2))), np.array([0]), reduction="avg"),
    error=(ValueError, r"cross_entropy: reduction must be one of"),
)
case(
    "losses",
    "cross_entropy of a 0-d input",
    lambda: F.cross_entropy(bn.tensor(1.0), np.array(0)),
    error=(ValueError, r"cross_entropy: "),
)
case(
    "losses",
    "cross_entropy of an empty batch (mean)",
    lambda: F.cross_entropy(bn.tensor(np.zeros((0, 3))), np.zeros(0, int)),
    error=(ValueError, r"cross_entropy: there are no examples"),
)
case(
    "losses",
    "nll_loss with probabilities",
    lambda: F.nll_loss(bn.tensor(np.zeros((1, 2))), np.array([[0.5, 0.5]])),
    error=(TypeError, r"nll_loss: targets must be integer"),
)
case(
    "losses",
    "mse_loss (N, 1) against (N,)",
    lambda: F.mse_loss(bn.tensor(np.zeros((4, 1))), bn.tensor(np.zeros(4))),
    error=(ValueError, r"mse_loss: input shape \(4, 1\) and target shape \(4,\) differ"),
)
case(
    "losses",
    "l1_loss shapes differ",
    lambda: F.l1_loss(bn.tensor(np.zeros(3)), bn.tensor(np.zeros(2))),
    error=(ValueError, r"l1_loss: input shape"),
)
case(
    "losses",
    "huber_loss with delta 0",
    lambda: F.huber_loss(bn.tensor(np.zeros(3)), bn.tensor(np.zeros(3)), delta=0),
    error=(ValueError, r"huber_loss: delta must be positive"),
)
case(
    "losses",
    "mse_loss with reduction none",
    lambda: F.mse_loss(bn.tensor([1.0, 2.0]), bn.tensor([0.0, 0.0]), reduction="none").data,
    check=close([1.0, 4.0]),
)
case(
    "losses",
    "mse_loss with an int target",
    lambda: F.mse_loss(bn.tensor([1.0]), np.array([2])),
    check=lambda v: is_f32(v) and v.item() == 1.0,
)


# ---------------------------------------------------------------------- misuse
def _module_with_call():
    class Doubler(nn.Module):
        def __call__(self, x):
            return x * 2
    return Doubler


def _sequential_honours_a_replaced_forward():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh())
    model[1].forward = lambda x: x * 0                # an instance's own forward
    return model(bn.tensor(np.ones((1, 2)))).data


case(
    "misuse",
    "a Module subclass that defines __call__",
    _module_with_call,
    error=(TypeError, r"Doubler: a Module defines forward\(\), not __call__"),
)
case(
    "misuse",
    "Sequential runs a child's replaced forward, as calling it would",
    _sequential_honours_a_replaced_forward,
    check=close(np.zeros((1, 3))),
)
case(
    "misuse",
    "Sequential with a function (F.relu)",
    lambda: nn.Sequential(nn.Linear(2, 3), F.relu, nn.Linear(3, 1)),
    error=(TypeError, r"Sequential: item 1 is 'relu', not a Module"),
)
case(
    "misuse",
    "Sequential with a class instead of an instance",
    lambda: nn.Sequential(nn.Linear(2, 3), nn.ReLU, nn.Linear(3, 1)),
    error=(TypeError, r"Sequential: item 1 .*not a Module"),
)
case(
    "misuse",
    "ModuleList with a tensor",
    lambda: nn.ModuleList([bn.tensor([1.0])]),
    error=(TypeError, r"ModuleList: item 0"),
)
case(
    "misuse",
    "SGD given the model instead of its parameters",
    lambda: optim.SGD(mlp(), 0.1),
    error=(TypeError, r"SGD: got the model \(Sequential\) itself"),
)
case(
    "misuse",
    "Adam given a Linear instead of its parameters",
    lambda: optim.Adam(nn.Linear(2, 1), 0.1),
    error=(TypeError, r"Adam: got the model"),
)
case(
    "misuse",
    "fit with an optimiser over the model itself",
    lambda: bn.fit(mlp(), optim.SGD(mlp(), 0.1), X2, Y2, loss_fn=F.mse_loss),
    error=(TypeError, r"SGD: got the model"),
)
case(
    "misuse",
    "SGD([p, p])",
    lambda: optim.SGD([(p := bn.tensor([1.0], requires_grad=True)), p], 0.1),
    error=(ValueError, r"SGD: item 1 of params .*appears twice"),
)
case(
    "misuse",
    "SGD over a tensor that does not require grad",
    lambda: optim.SGD([bn.tensor([1.0])], 0.1),
    error=(ValueError, r"SGD: item 0 .*not requiring grad"),
)
case(
    "misuse",
    "SGD over a computed (non-leaf) tensor",
    lambda: optim.SGD([bn.tensor([1.0], requires_grad=True) * 2], 0.1),
    error=(ValueError, r"SGD: item 0 .*computed by an op"),
)
case(
    "misuse",
    "SGD over a list of arrays",
    lambda: optim.SGD([np.ones(2)], 0.1),
    error=(TypeError, r"SGD: item 0 of params is a ndarray"),
)
case(
    "misuse",
    "SGD with an empty parameter list",
    lambda: optim.SGD([], 0.1),
    error=(ValueError, r"SGD: got an empty parameter list"),
)
case(
    "misuse",
    "SGD with negative momentum",
    lambda: optim.SGD(mlp().parameters(), 0.1, momentum=-0.5),
    error=(ValueError, r"SGD: momentum must be non-negative"),
)
case(
    "misuse",
    "SGD with negative weight decay",
    lambda: optim.SGD(mlp().parameters(), 0.1, weight_decay=-1),
    error=(ValueError, r"SGD: weight_decay must be non-negative"),
)
case(
    "misuse",
    "SGD with lr 0",
    lambda: optim.SGD(mlp().parameters(), 0.0),
    error=(ValueError, r"SGD: lr must be positive"),
)
case(
    "misuse",
    "SGD with lr NaN",
    lambda: optim.SGD(mlp().parameters(), float("nan")),
    error=(ValueError, r"SGD: lr must be positive"),
)
case(
    "misuse",
    "SGD with nesterov and no momentum",
    lambda: optim.SGD(mlp().parameters(), 0.1, nesterov=True),
    error=(ValueError, r"SGD: nesterov=True needs momentum"),
)
case(
    "misuse",
    "Adam with negative eps",
    lambda: optim.Adam(mlp().parameters(), eps=-1e-8),
    error=(ValueError, r"Adam: eps must be positive"),
)
case(
    "misuse",
    "Adam with beta 1",
    lambda: optim.Adam(mlp().parameters(), betas=(0.9, 1.0)),
    error=(ValueError, r"Adam: each of betas must be in \[0, 1\)"),
)
case(
    "misuse",
    "AdamW with negative weight decay",
    lambda: optim.AdamW(mlp().parameters(), weight_decay=-0.1),
    error=(ValueError, r"AdamW: weight_decay must be non-negative"),
)
case(
    "misuse",
    "RMSprop with alpha 1.5",
    lambda: optim.RMSprop(mlp().parameters(), alpha=1.5),
    error=(ValueError, r"RMSprop: alpha must be in \[0, 1\)"),
)
case(
    "misuse",
    "RMSprop with eps 0",
    lambda: optim.RMSprop(mlp().parameters(), eps=0.0),
    error=(ValueError, r"RMSprop: eps must be positive"),
)
case(
    "misuse",
    "set_grad_enabled(False) as a function",
    lambda: _grad_mode_as_function(),
    check=lambda v: v == (False, True),
)
case(
    "misuse",
    "set_grad_enabled as a context manager",
    lambda: _grad_mode_as_context(),
    check=lambda v: v == (False, True),
)
case("misuse", "no_grad as a decorator", lambda: _no_grad_decorator(), check=lambda v: v is False)
case(
    "misuse",
    "enable_grad as a decorator inside no_grad",
    lambda: _enable_grad_decorator(),
    check=lambda v: v is True,
)
case(
    "misuse",
    "accuracy with labels (N, 1)",
    lambda: bn.accuracy(np.eye(8)[:, :3], np.arange(8)[:, None] % 3),
    error=(ValueError, r"accuracy: .*labels of shape \(8,\).*reshape\(-1\)"),
)
case(
    "misuse",
    "accuracy with labels of another length",
    lambda: bn.accuracy(np.eye(3), np.arange(4)),
    error=(ValueError, r"accuracy: "),
)
case(
    "misuse",
    "accuracy of perfect predictions",
    lambda: bn.accuracy(np.eye(3), np.arange(3)),
    check=lambda v: v == 1.0,
)
case(
    "misuse",
    "make_spirals with 0 classes",
    lambda: data.make_spirals(10, n_classes=0),
    error=(ValueError, r"make_spirals: n_classes must be"),
)
case(
    "misuse",
    "make_spirals with 1 class",
    lambda: data.make_spirals(10, n_classes=1),
    error=(ValueError, r"make_spirals: n_classes must be"),
)
case(
    "misuse",
    "make_xor with negative noise",
    lambda: data.make_xor(8, noise=-1),
    error=(ValueError, r"noise must be non-negative"),
)
case(
    "misuse",
    "make_moons with n = 1",
    lambda: data.make_moons(1),
    error=(ValueError, r"make_moons: n must be"),
)
case(
    "misuse",
    "make_adding with length 1",
    lambda: data.make_adding(4, 1),
    error=(ValueError, r"make_adding: length must be at least 2"),
)
case(
    "misuse",
    "DataLoader with batch_size 0",
    lambda: data.DataLoader(X2, Y2, batch_size=0),
    error=(ValueError, r"DataLoader: batch_size must be positive"),
)
case(
    "misuse",
    "DataLoader with X and y of different lengths",
    lambda: data.DataLoader(X2, Y2[:3]),
    error=(ValueError, r"DataLoader: X has 8 rows but y has 3"),
)
case(
    "misuse",
    "fit with 0 epochs",
    lambda: bn.fit(mlp(), optim.SGD(mlp().parameters(), 0.1), X2, Y2, epochs=0),
    error=(ValueError, r"fit: epochs"),
)
case(
    "misuse",
    "fit with 2.5 epochs",
    lambda: bn.fit(mlp(), optim.SGD(mlp().parameters(), 0.1), X2, Y2, epochs=2.5),
    error=(ValueError, r"fit: epochs must be a positive integer"),
)
case(
    "misuse",
    "fit with patience but no validation data",
    lambda: bn.fit(mlp(), optim.SGD(mlp().parameters(), 0.1), X2, Y2, patience=3),
    error=(ValueError, r"fit: early stopping \(patience\) needs val_data"),
)
case(
    "misuse",
    "fit on an empty dataset",
    lambda: bn.fit(mlp(), optim.SGD(mlp().parameters(), 0.1), X2[:0], Y2[:0]),
    error=(ValueError, r"fit: the training set is empty"),
)
case(
    "misuse",
    "evaluate on an empty dataset",
    lambda: bn.evaluate(mlp(), X2[:0], Y2[:0]),
    error=(ValueError, r"evaluate: the dataset is empty"),
)
case(
    "misuse",
    "clip_grad_norm_ with max_norm 0",
    lambda: nn.utils.clip_grad_norm_(mlp().parameters(), 0.0),
    error=(ValueError, r"clip_grad_norm_: max_norm must be positive"),
)
case(
    "misuse",
    "Module assignment before super().__init__()",
    lambda: _module_without_init(),
    error=(AttributeError, r"call super\(\).__init__\(\)"),
)
case(
    "misuse",
    "load_state_dict with a missing key",
    lambda: nn.Linear(2, 1).load_state_dict({"weight": np.zeros((1, 2))}),
    error=(KeyError, r"load_state_dict: missing keys \['bias'\]"),
)
case(
    "misuse",
    "load_state_dict with the wrong shape",
    lambda: nn.Linear(2, 1).load_state_dict({"weight": np.zeros((2, 2)), "bias": np.zeros(1)}),
    error=(ValueError, r"load_state_dict: weight has shape \(1, 2\).*\(2, 2\)"),
)
case(
    "misuse",
    "StepLR with step_size 0",
    lambda: optim.StepLR(optim.SGD(mlp().parameters(), 0.1), 0),
    error=(ValueError, r"StepLR: step_size"),
)
case(
    "misuse",
    "item of a 3-element tensor",
    lambda: bn.tensor([1.0, 2.0, 3.0]).item(),
    error=(ValueError, r"item: the tensor has 3 elements"),
)
case(
    "misuse",
    "bool of a 3-element tensor",
    lambda: bool(bn.tensor([1.0, 2.0, 3.0])),
    error=(ValueError, r"bool: the truth value of a tensor with 3 elements"),
)
case(
    "misuse",
    "len of a 0-d tensor",
    lambda: len(bn.tensor(1.0)),
    error=(TypeError, r"len: a 0-d tensor"),
)
case(
    "misuse",
    "iterating over a 0-d tensor",
    lambda: list(bn.tensor(1.0)),
    error=(TypeError, r"iter: a 0-d tensor"),
)
case(
    "misuse",
    "tensor of strings",
    lambda: bn.tensor(["a", "b"]),
    error=(TypeError, r"Tensor: unsupported dtype"),
)
case(
    "misuse",
    "where with a float condition",
    lambda: bn.where(np.array([1.0, 0.0]), bn.tensor([1.0, 2.0]), 0.0),
    error=(TypeError, r"where: condition must be boolean"),
)
case(
    "misuse",
    "clip with min > max",
    lambda: bn.tensor([1.0]).clip(2.0, 1.0),
    error=(ValueError, r"clip: min \(2.0\) is larger than max \(1.0\)"),
)
case(
    "misuse",
    "clip with neither bound",
    lambda: bn.tensor([1.0]).clip(),
    error=(ValueError, r"clip: give at least one of min and max"),
)
case(
    "misuse",
    "gelu approximate='none'",
    lambda: F.gelu(bn.tensor([1.0]), approximate="none"),
    error=(ValueError, r"gelu: only approximate='tanh'"),
)
case(
    "misuse",
    "one_hot with 0 classes",
    lambda: F.one_hot(np.array([0]), 0),
    error=(ValueError, r"one_hot: num_classes must be a positive integer"),
)
case(
    "misuse",
    "one_hot with a class out of range",
    lambda: F.one_hot(np.array([3]), 3),
    error=(IndexError, r"one_hot: index 3 is out of range for 3 classes"),
)
case(
    "misuse",
    "dropout with p = 1",
    lambda: F.dropout(bn.tensor([1.0]), 1.0),
    error=(ValueError, r"dropout: p is the probability"),
)
case(
    "misuse",
    "Dropout with p = -0.1",
    lambda: nn.Dropout(-0.1),
    error=(ValueError, r"Dropout: p is"),
)


def _grad_mode_as_function():
    bn.set_grad_enabled(False)
    try:
        inside = (bn.tensor([1.0], requires_grad=True) * 2).requires_grad
    finally:
        bn.set_grad_enabled(True)
    return inside, (bn.tensor([1.0], requires_grad=True) * 2).requires_grad


def _grad_mode_as_context():
    with bn.set_grad_enabled(False):
        inside = (bn.tensor([1.0], requires_grad=True) * 2).requires_grad
    return inside, (bn.tensor([1.0], requires_grad=True) * 2).requires_grad


def _no_grad_decorator():
    @bn.no_grad()
    def f(w):
        return (w * 2).requires_grad

    return f(bn.tensor([1.0], requires_grad=True))


def _enable_grad_decorator():
    @bn.enable_grad()
    def f(w):
        return (w * 2).requires_grad

    with bn.no_grad():
        return f(bn.tensor([1.0], requires_grad=True))


def _module_without_init():
    class Bad(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 1)

    Bad()


# ------------------------------------------------------------------- dtypes
case("dtypes", "int tensor + float32 tensor", lambda: I3 + F32, check=is_f32)
case("dtypes", "int tensor + Python float", lambda: I3 + 0.5, check=is_f32)
case("dtypes", "int tensor * Python float", lambda: I3 * 0.5, check=is_f32)
case("dtypes", "int tensor / int tensor", lambda: I3 / I3, check=is_f32)
case(
    "dtypes",
    "int tensor / Python int",
    lambda: I3 / 2,
    check=lambda v: is_f32(v) and np.allclose(v.data, [0.5, 1, 1.5]),
)
case("dtypes", "Python float - int tensor", lambda: 1.0 - I3, check=is_f32)
case(
    "dtypes",
    "int tensor + int tensor stays int",
    lambda: I3 + I3,
    check=lambda v: v.dtype == np.int64,
)
case("dtypes", "tanh of an int tensor", lambda: I3.tanh(), check=is_f32)
case("dtypes", "exp of an int tensor", lambda: I3.exp(), check=is_f32)
case("dtypes", "log of an int tensor", lambda: I3.log(), check=is_f32)
case("dtypes", "sqrt of an int tensor", lambda: I3.sqrt(), check=is_f32)
case("dtypes", "sigmoid of an int tensor", lambda: F.sigmoid(I3), check=is_f32)
case("dtypes", "softmax of an int tensor", lambda: F.softmax(I3), check=is_f32)
case("dtypes", "mean of an int tensor", lambda: I3.mean(), check=is_f32)
case("dtypes", "var of an int tensor", lambda: I3.var(), check=is_f32)
case("dtypes", "int tensor ** -1", lambda: I3**-1, check=is_f32)
case("dtypes", "int tensor ** 0.5", lambda: I3**0.5, check=is_f32)
case(
    "dtypes",
    "float32 * 0-d float64 tensor",
    lambda: F32 * bn.tensor(np.float64(2.0), dtype=np.float64),
    check=is_f32,
)
case("dtypes", "float32 * numpy float64 scalar", lambda: F32 * np.float64(2.0), check=is_f32)
case("dtypes", "float32 + numpy float64 array", lambda: F32 + np.ones(3), check=is_f32)
case("dtypes", "float32 ** numpy float64", lambda: F32 ** np.float64(2.0), check=is_f32)
case("dtypes", "numpy float64 scalar * float32", lambda: np.float64(2.0) * F32, check=is_f32)
case(
    "dtypes",
    "float32 tensor + float64 tensor, both with axes",
    lambda: F32 + bn.tensor(np.ones(3)),
    check=lambda v: v.dtype == np.float64,
)
case(
    "dtypes",
    "leaky_relu with a numpy float64 slope",
    lambda: F.leaky_relu(bn.tensor(np.array([-1.0, 1.0], np.float32)), np.float64(0.1)),
    check=is_f32,
)
case(
    "dtypes",
    "clip of float32 with float64 bounds",
    lambda: F32.clip(np.float64(0.0), np.float64(0.5)),
    check=is_f32,
)
case(
    "dtypes",
    "where of float32 with a Python float",
    lambda: bn.where(np.array([True, False, True]), F32, 0.0),
    check=is_f32,
)
case(
    "dtypes",
    "RNN on float64 input computes in float32",
    lambda: nn.RNN(2, 3, rng=0)(np.zeros((1, 4, 2)))[0],
    check=is_f32,
)
case(
    "dtypes",
    "LSTM on float64 input computes in float32",
    lambda: nn.LSTM(2, 3, rng=0)(np.zeros((1, 4, 2)))[0],
    check=is_f32,
)
case("dtypes", "LayerNorm on float64 input", lambda: nn.LayerNorm(3)(np.ones((2, 3))), check=is_f32)
case(
    "dtypes",
    "Linear on float64 input",
    lambda: nn.Linear(3, 2, rng=0)(np.ones((2, 3))),
    check=is_f32,
)
case(
    "dtypes",
    "Linear on int input",
    lambda: nn.Linear(3, 2, rng=0)(np.ones((2, 3), int)),
    check=is_f32,
)
case(
    "dtypes",
    "Conv2d on float64 input",
    lambda: nn.Conv2d(1, 2, 3, rng=0)(np.ones((1, 1, 5, 5))),
    check=is_f32,
)
case(
    "dtypes", "Embedding output", lambda: nn.Embedding(5, 2, rng=0)(np.array([1, 2])), check=is_f32
)
case(
    "dtypes",
    "mse_loss of float32 against float64 target",
    lambda: F.mse_loss(F32, np.ones(3)),
    check=is_f32,
)
case(
    "dtypes",
    "cross_entropy of float32 logits and float64 probabilities",
    lambda: F.cross_entropy(bn.tensor(np.zeros((1, 2), np.float32)), np.array([[0.5, 0.5]])),
    check=is_f32,
)
case(
    "dtypes",
    "create_graph gradient of a float32 leaf in a mixed computation",
    lambda: _mixed_create_graph(),
    check=lambda g: g.dtype == np.float32,
)
case(
    "dtypes",
    "first-order gradient of a float32 leaf in a mixed computation",
    lambda: _mixed_first_order(),
    check=lambda g: g.dtype == np.float32,
)
case("dtypes", "tensor(Python floats) is float32", lambda: bn.tensor([1.0, 2.0]), check=is_f32)
case("dtypes", "zeros default dtype", lambda: bn.zeros(2), check=is_f32)
case(
    "dtypes",
    "fit on float64 numpy data trains float32",
    lambda: _fit_dtype(),
    check=lambda v: v == np.float32,
)
case(
    "dtypes",
    "sgd step keeps float32 parameters",
    lambda: _step_dtype(),
    check=lambda v: v == np.float32,
)
case(
    "dtypes",
    "adam step keeps float32 parameters",
    lambda: _step_dtype(optim.Adam),
    check=lambda v: v == np.float32,
)


def _mixed_create_graph():
    a = bn.tensor(np.ones(3, np.float32), requires_grad=True)
    (a * bn.tensor(np.ones(3), requires_grad=True)).sum().backward(create_graph=True)
    return a.grad


def _mixed_first_order():
    a = bn.tensor(np.ones(3, np.float32), requires_grad=True)
    (a * bn.tensor(np.ones(3))).sum().backward()
    return a.grad


def _fit_dtype():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    seen = []
    inner = model.forward
    model.forward = lambda x: (seen.append(bn.as_tensor(x).dtype), inner(x))[1]
    bn.fit(
        model,
        optim.SGD(model.parameters(), 0.01),
        X2.astype(np.float64),
        Y2.astype(np.float64),
        epochs=1,
        loss_fn=F.mse_loss,
        progress=False,
    )
    return seen[0]


def _step_dtype(opt_class=optim.SGD):
    model = mlp()
    opt = opt_class(model.parameters(), lr=0.01)
    F.mse_loss(model(X2), Y2).backward()
    opt.step()
    return model[0].weight.dtype


# --------------------------------------------------------------- divergence
case(
    "divergence",
    "fit at lr 1e6 stops and restores weights from before the blow-up",
    lambda: _diverge(1e6),
    check=lambda v: v[0] == "TrainingDiverged" and v[1] < 10,
)
case(
    "divergence",
    "fit at lr 1e3 (slower blow-up) restores sane weights",
    lambda: _diverge(1e3),
    check=lambda v: v[0] == "TrainingDiverged" and v[1] < 10,
)
case(
    "divergence",
    "fit with NaN inputs stops",
    lambda: bn.fit(
        mlp(),
        optim.SGD(mlp().parameters(), 0.1),
        np.full((4, 2), np.nan, np.float32),
        Y2[:4],
        loss_fn=F.mse_loss,
        progress=False,
    ),
    error=(bn.TrainingDiverged, r"fit: the loss became nan"),
)


def _diverge(lr):
    model = nn.Sequential(nn.Linear(64, 32, rng=0), nn.ReLU(), nn.Linear(32, 10, rng=1))
    split = data.load_digits()
    try:
        bn.fit(
            model,
            optim.SGD(model.parameters(), lr=lr),
            split.X_train,
            split.y_train,
            epochs=5,
            progress=False,
        )
    except bn.TrainingDiverged:
        return "TrainingDiverged", max(float(np.abs(p.data).max()) for p in model.parameters())
    return "finished", max(float(np.abs(p.data).max()) for p in model.parameters())


# ----------------------------------------------------------- clear messages
def ones(*shape):
    return bn.tensor(np.ones(shape))


case(
    "messages",
    "add: shapes that do not broadcast",
    lambda: ones(2, 3) + ones(4),
    error=(ValueError, r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"),
)
case(
    "messages",
    "mul: shapes that do not broadcast",
    lambda: ones(2, 3) * ones(2),
    error=(ValueError, r"mul: shapes \(2, 3\) and \(2,\)"),
)
case("messages", "sub: shapes", lambda: ones(3) - ones(2), error=(ValueError, r"sub: shapes"))
case("messages", "div: shapes", lambda: ones(3) / ones(2), error=(ValueError, r"div: shapes"))
case(
    "messages",
    "matmul of misaligned matrices",
    lambda: ones(2, 3) @ ones(4, 5),
    error=(ValueError, r"matmul: shapes \(2, 3\) and \(4, 5\) are not aligned"),
)
case(
    "messages",
    "matmul of 1-D operands of different lengths",
    lambda: ones(3) @ ones(4),
    error=(ValueError, r"matmul: shapes \(3,\) and \(4,\) are not aligned"),
)
case(
    "messages",
    "matmul of a matrix and a short vector",
    lambda: ones(2, 3) @ ones(4),
    error=(ValueError, r"matmul: shapes \(2, 3\) and \(4,\) are not aligned"),
)
case(
    "messages",
    "matmul with a scalar",
    lambda: ones(3) @ bn.tensor(2.0),
    error=(ValueError, r"matmul: scalars are not matrices"),
)
case(
    "messages",
    "matmul batch axes",
    lambda: ones(2, 3, 4) @ ones(3, 4, 5),
    error=(ValueError, r"matmul: the batch axes of shapes \(2, 3, 4\) and \(3, 4, 5\)"),
)
case(
    "messages",
    "1-D @ 1-D gives a number",
    lambda: (ones(3) @ ones(3)).item(),
    check=lambda v: v == 3.0,
)
case(
    "messages",
    "sum(axis=5)",
    lambda: ones(2, 3).sum(axis=5),
    error=(ValueError, r"sum: axis 5 is out of range for a tensor of shape \(2, 3\)"),
)
case(
    "messages",
    "mean(axis=-3)",
    lambda: ones(2, 3).mean(axis=-3),
    error=(ValueError, r"mean: axis -3"),
)
case("messages", "max(axis=2)", lambda: ones(2, 3).max(axis=2), error=(ValueError, r"max: axis 2"))
case(
    "messages",
    "var(axis=(0, 0))",
    lambda: ones(2, 3).var(axis=(0, 0)),
    error=(ValueError, r"var: axis \(0, 0\) names an axis twice"),
)
case(
    "messages",
    "sum(axis=1.5)",
    lambda: ones(2, 3).sum(axis=1.5),
    error=(TypeError, r"sum: axis must be an integer"),
)
case(
    "messages",
    "softmax(axis=5)",
    lambda: F.softmax(ones(2, 3), axis=5),
    error=(ValueError, r"softmax: axis 5 is out of range"),
)
case(
    "messages",
    "log_softmax(axis=2)",
    lambda: F.log_softmax(ones(2, 3), axis=2),
    error=(ValueError, r"log_softmax: axis 2 is out of range"),
)
case(
    "messages",
    "argmax(axis=4)",
    lambda: ones(2, 3).argmax(axis=4),
    error=(ValueError, r"argmax: axis 4"),
)
case(
    "messages",
    "stack of different shapes",
    lambda: bn.stack([ones(2), ones(3)]),
    error=(ValueError, r"stack: all tensors must have the same shape"),
)
case(
    "messages",
    "stack of nothing",
    lambda: bn.stack([]),
    error=(ValueError, r"stack: needs at least one"),
)
case(
    "messages",
    "stack(axis=3) of 1-D tensors",
    lambda: bn.stack([ones(2), ones(2)], axis=3),
    error=(ValueError, r"stack: axis 3 is out of range"),
)
case(
    "messages", "cat of nothing", lambda: bn.cat([]), error=(ValueError, r"cat: needs at least one")
)
case(
    "messages",
    "cat of different ranks",
    lambda: bn.cat([ones(2), ones(2, 2)]),
    error=(ValueError, r"cat: all tensors need the same number of axes"),
)
case(
    "messages",
    "cat of mismatched shapes",
    lambda: bn.cat([ones(2, 3), ones(2, 4)], axis=0),
    error=(ValueError, r"cat: shapes \[\(2, 3\), \(2, 4\)\] must agree"),
)
case(
    "messages",
    "reshape to a wrong size",
    lambda: ones(2, 3).reshape(4, 2),
    error=(
        ValueError,
        r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)",
    ),
)
case(
    "messages",
    "reshape with two -1",
    lambda: ones(2, 3).reshape(-1, -1),
    error=(ValueError, r"reshape: cannot reshape"),
)
case(
    "messages",
    "permute that is not a permutation",
    lambda: ones(2, 3).permute(0, 0),
    error=(ValueError, r"permute: \(0, 0\) is not a permutation"),
)
case(
    "messages",
    "transpose(0, 2) of a matrix",
    lambda: ones(2, 3).transpose(0, 2),
    error=(ValueError, r"transpose: axis 2 is out of range"),
)
case(
    "messages",
    "squeeze(axis=4)",
    lambda: ones(2, 1).squeeze(4),
    error=(ValueError, r"squeeze: axis 4"),
)
case(
    "messages",
    "unsqueeze(axis=5)",
    lambda: ones(2).unsqueeze(5),
    error=(ValueError, r"unsqueeze: axis 5"),
)
case(
    "messages",
    "flatten(start > end)",
    lambda: ones(2, 3, 4).flatten(2, 1),
    error=(ValueError, r"flatten: start axis 2 comes after end axis 1"),
)
case(
    "messages",
    "broadcast_to an impossible shape",
    lambda: ones(3).broadcast_to((2, 4)),
    error=(ValueError, r"broadcast_to: cannot broadcast shape \(3,\) to \(2, 4\)"),
)
case(
    "messages",
    "indexing out of range",
    lambda: ones(3)[5],
    error=(IndexError, r"getitem: .*tensor shape \(3,\)"),
)
case(
    "messages",
    "linear with the wrong number of features",
    lambda: nn.Linear(4, 2)(ones(8, 3)),
    error=(ValueError, r"linear: input has shape \(8, 3\), so 3 features.*expects 4"),
)
case(
    "messages",
    "Linear(0, 3)",
    lambda: nn.Linear(0, 3),
    error=(ValueError, r"Linear: in_features must be a positive integer"),
)
case(
    "messages",
    "Linear(2.5, 3)",
    lambda: nn.Linear(2.5, 3),
    error=(ValueError, r"Linear: in_features"),
)
case(
    "messages",
    "Embedding(0, 3)",
    lambda: nn.Embedding(0, 3),
    error=(ValueError, r"Embedding: num_embeddings"),
)
case(
    "messages",
    "embedding of an id out of range",
    lambda: nn.Embedding(4, 2)(np.array([4])),
    error=(IndexError, r"embedding: index 4 is out of range for 4 rows"),
)
case(
    "messages",
    "embedding of float ids",
    lambda: nn.Embedding(4, 2)(np.array([1.0])),
    error=(TypeError, r"embedding: indices must be integers"),
)
case(
    "messages",
    "layer_norm of a shape that does not end right",
    lambda: F.layer_norm(ones(2, 3), 4),
    error=(ValueError, r"layer_norm: input shape \(2, 3\) does not end"),
)
case(
    "messages",
    "LayerNorm(0)",
    lambda: nn.LayerNorm(0),
    error=(ValueError, r"LayerNorm: normalized_shape"),
)
case(
    "messages",
    "conv2d of a 3-D input",
    lambda: F.conv2d(ones(1, 5, 5), ones(2, 1, 3, 3)),
    error=(ValueError, r"conv2d: input must be 4-D.*x.reshape\(N, 1, H, W\)"),
)
case(
    "messages",
    "conv2d with channels that disagree",
    lambda: F.conv2d(ones(1, 2, 5, 5), ones(2, 1, 3, 3)),
    error=(ValueError, r"conv2d: input has 2 channel\(s\).*expects 1"),
)
case(
    "messages",
    "conv2d with a kernel larger than the input",
    lambda: F.conv2d(ones(1, 1, 2, 2), ones(1, 1, 3, 3)),
    error=(ValueError, r"conv2d: the kernel 3x3 .*larger than the padded input 2x2"),
)
case(
    "messages",
    "conv2d with stride 0",
    lambda: F.conv2d(ones(1, 1, 5, 5), ones(1, 1, 3, 3), stride=0),
    error=(ValueError, r"conv2d: stride must be at least 1"),
)
case(
    "messages",
    "conv2d with an integer weight",
    lambda: F.conv2d(ones(1, 1, 5, 5), bn.tensor(np.ones((1, 1, 3, 3), int))),
    error=(TypeError, r"conv2d: weight must be floating point"),
)
case(
    "messages",
    "conv2d_naive with an integer weight",
    lambda: (
        bn.ops.conv.conv2d_naive(ones(1, 1, 5, 5), bn.tensor(np.ones((1, 1, 3, 3), int)))
        if hasattr(bn, "ops")
        else __import__("brainnet.conv").conv.conv2d_naive(
            ones(1, 1, 5, 5), bn.tensor(np.ones((1, 1, 3, 3), int))
        )
    ),
    error=(TypeError, r"conv2d_naive: weight must be floating point"),
)
case(
    "messages",
    "conv2d with a bias of the wrong size",
    lambda: F.conv2d(ones(1, 1, 5, 5), ones(2, 1, 3, 3), ones(3)),
    error=(ValueError, r"conv2d: bias must have shape \(2,\)"),
)
case(
    "messages",
    "max_pool2d with a window larger than the input",
    lambda: F.max_pool2d(ones(1, 1, 2, 2), 3),
    error=(ValueError, r"max_pool2d: the pooling window 3x3 is larger"),
)
case(
    "messages",
    "max_pool2d with kernel 0",
    lambda: F.max_pool2d(ones(1, 1, 2, 2), 0),
    error=(ValueError, r"max_pool2d: kernel_size must be at least 1"),
)
case(
    "messages",
    "avg_pool2d of a 2-D input",
    lambda: F.avg_pool2d(ones(4, 4), 2),
    error=(ValueError, r"avg_pool2d: input must be 4-D"),
)
case(
    "messages",
    "Conv2d(0, 3, 3)",
    lambda: nn.Conv2d(0, 3, 3),
    error=(ValueError, r"Conv2d: in_channels"),
)
case(
    "messages",
    "Conv2d with kernel (3, 3, 3)",
    lambda: nn.Conv2d(1, 3, (3, 3, 3)),
    error=(TypeError, r"Conv2d: kernel_size must be an int or a pair"),
)
case(
    "messages",
    "RNN(3, 0)",
    lambda: nn.RNN(3, 0),
    error=(ValueError, r"RNNCell: hidden_size must be a positive integer"),
)
case(
    "messages",
    "LSTM(0, 4)",
    lambda: nn.LSTM(0, 4),
    error=(ValueError, r"LSTM.*: input_size must be"),
)
case(
    "messages",
    "RNN on a zero-length sequence",
    lambda: nn.RNN(2, 3)(np.zeros((1, 0, 2))),
    error=(ValueError, r"RNN: the sequence is empty \(length 0"),
)
case(
    "messages",
    "LSTM on a zero-length sequence",
    lambda: nn.LSTM(2, 3)(np.zeros((1, 0, 2))),
    error=(ValueError, r"LSTM: the sequence is empty"),
)
case(
    "messages",
    "RNN on 2-D input",
    lambda: nn.RNN(2, 3)(np.zeros((4, 2))),
    error=(ValueError, r"RNN: expected input of shape \(N, T, features\)"),
)
case(
    "messages",
    "RNN with the wrong feature count",
    lambda: nn.RNN(2, 3)(np.zeros((1, 4, 5))),
    error=(ValueError, r"RNN: expected input .*with 2 features, got shape \(1, 4, 5\)"),
)
case(
    "messages",
    "LSTM given one tensor as its state",
    lambda: nn.LSTM(2, 3)(np.zeros((1, 4, 2)), bn.zeros(1, 3)),
    error=(TypeError, r"LSTM: the state must be a pair \(h, c\)"),
)
case(
    "messages",
    "LSTM with a state of the wrong shape",
    lambda: nn.LSTM(2, 3)(np.zeros((1, 4, 2)), (bn.zeros(1, 4), bn.zeros(1, 3))),
    error=(ValueError, r"LSTM: hidden state must have shape \(1, 3\), got \(1, 4\)"),
)
case(
    "messages",
    "RNN with an initial state of the wrong shape",
    lambda: nn.RNN(2, 3)(np.zeros((2, 4, 2)), bn.zeros(1, 3)),
    error=(ValueError, r"RNN: hidden state must have shape \(2, 3\)"),
)
case(
    "messages",
    "RNNCell with a bad nonlinearity",
    lambda: nn.RNNCell(2, 3, nonlinearity="sigmoid"),
    error=(ValueError, r"RNNCell: nonlinearity must be 'tanh' or 'relu'"),
)
case(
    "messages",
    "train_test_split with NaN labels",
    lambda: data.train_test_split(np.ones((4, 2)), np.array([0.0, 1.0, np.nan, 1.0])),
    error=(ValueError, r"train_test_split: .*NaN"),
)
case(
    "messages",
    "train_test_split with a class of one example",
    lambda: data.train_test_split(np.ones((5, 2)), np.array([0, 0, 0, 0, 1])),
    error=(ValueError, r"train_test_split: class 1 has 1 example"),
)
case(
    "messages",
    "train_test_split with test_size 1.5",
    lambda: data.train_test_split(np.ones((4, 2)), np.arange(4), test_size=1.5),
    error=(ValueError, r"train_test_split: test_size must be a fraction"),
)
case(
    "messages",
    "train_test_split with X and y of different lengths",
    lambda: data.train_test_split(np.ones((4, 2)), np.arange(3)),
    error=(ValueError, r"train_test_split: X has 4 rows but y has 3"),
)
case(
    "messages",
    "load_digits with an unknown normalisation",
    lambda: data.load_digits(normalise="max"),
    error=(ValueError, r"load_digits: normalise must be"),
)
case(
    "messages",
    "gradcheck_module of a module returning a tuple",
    lambda: bn.gradcheck_module(nn.RNN(2, 2, rng=0), np.zeros((1, 2, 2))),
    error=(TypeError, r"gradcheck: the function must return a brainnet Tensor.*tuple"),
)


# --------------------------------------------------------------- PyTorch names
T = bn.tensor(np.arange(6.0).reshape(2, 3))
case(
    "pytorch names",
    "sum(dim=1)",
    lambda: T.sum(dim=1),
    check=lambda v: np.allclose(v.data, [3, 12]),
)
case(
    "pytorch names",
    "sum(dim=1, keepdim=True)",
    lambda: T.sum(dim=1, keepdim=True),
    check=lambda v: v.shape == (2, 1),
)
case(
    "pytorch names",
    "mean(dim=0)",
    lambda: T.mean(dim=0),
    check=lambda v: np.allclose(v.data, [1.5, 2.5, 3.5]),
)
case(
    "pytorch names", "var(dim=1)", lambda: T.var(dim=1), check=lambda v: np.allclose(v.data, [1, 1])
)
case(
    "pytorch names",
    "max(dim=1) gives (values, indices)",
    lambda: T.max(dim=1),
    check=lambda v: np.allclose(v[0].data, [2, 5]) and np.array_equal(v[1].data, [2, 2]),
)
case(
    "pytorch names",
    "min(dim=0, keepdim=True)",
    lambda: T.min(dim=0, keepdim=True),
    check=lambda v: v.values.shape == (1, 3) and np.array_equal(v.indices.data, [[0, 0, 0]]),
)
case(
    "pytorch names",
    "argmax(dim=1)",
    lambda: T.argmax(dim=1),
    check=lambda v: np.array_equal(v.data, [2, 2]),
)
case(
    "pytorch names",
    "argmin(dim=0, keepdim=True)",
    lambda: T.argmin(dim=0, keepdim=True),
    check=lambda v: v.shape == (1, 3),
)
case(
    "pytorch names",
    "softmax(dim=0)",
    lambda: F.softmax(T, dim=0),
    check=lambda v: np.allclose(v.data.sum(0), 1),
)
case(
    "pytorch names",
    "log_softmax(dim=-1)",
    lambda: T.log_softmax(dim=-1),
    check=lambda v: np.allclose(np.exp(v.data).sum(1), 1),
)
case(
    "pytorch names",
    "bn.cat(dim=1)",
    lambda: bn.cat([T, T], dim=1),
    check=lambda v: v.shape == (2, 6),
)
case(
    "pytorch names",
    "bn.stack(dim=2)",
    lambda: bn.stack([T, T], dim=2),
    check=lambda v: v.shape == (2, 3, 2),
)
case(
    "pytorch names",
    "squeeze(dim=0)",
    lambda: T[None].squeeze(dim=0),
    check=lambda v: v.shape == (2, 3),
)
case(
    "pytorch names",
    "unsqueeze(dim=1)",
    lambda: T.unsqueeze(dim=1),
    check=lambda v: v.shape == (2, 1, 3),
)
case(
    "pytorch names",
    "transpose(dim0=0, dim1=1)",
    lambda: T.transpose(dim0=0, dim1=1),
    check=lambda v: v.shape == (3, 2),
)
case(
    "pytorch names",
    "flatten(start_dim=0)",
    lambda: T.flatten(start_dim=0),
    check=lambda v: v.shape == (6,),
)
case(
    "pytorch names",
    "logsumexp(dim=1)",
    lambda: bn.logsumexp(T, dim=1),
    check=lambda v: np.allclose(v.data, np.log(np.exp(T.data).sum(1))),
)
case(
    "pytorch names", "clamp(min=0.5)", lambda: T.clamp(min=0.5), check=lambda v: v.data.min() == 0.5
)
case(
    "pytorch names",
    "sum(axis=1, dim=1) refused",
    lambda: T.sum(axis=0, dim=1),
    error=(TypeError, r"sum: give axis= or dim=, not both"),
)
case("pytorch names", "size(dim=0)", lambda: T.size(0), check=lambda v: v == 2)
case("pytorch names", "x.T of a matrix", lambda: T.T, check=lambda v: v.shape == (3, 2))
case(
    "pytorch names",
    "x.mT of a batch",
    lambda: bn.ones(4, 2, 3).mT,
    check=lambda v: v.shape == (4, 3, 2),
)
case(
    "pytorch names",
    "clone has its own memory",
    lambda: T.clone(),
    check=lambda v: not np.shares_memory(v.data, T.data) and np.array_equal(v.data, T.data),
)


# ------------------------------------------------------------------------ run
@pytest.mark.parametrize("item", CASES, ids=[f"{c.group}: {c.name}" for c in CASES])
def test_bad_input_gets_a_clear_error_or_the_right_answer(item: Case):
    outcome, detail = item.outcome()
    assert outcome in ("clear error", "handled"), f"{outcome}: {detail}"


def test_there_are_more_than_200_cases():
    assert len(CASES) > 200
    assert len({(c.group, c.name) for c in CASES}) == len(CASES)


def report() -> None:
    counts: dict[str, Counter] = {}
    failures = []
    for c in CASES:
        outcome, detail = c.outcome()
        counts.setdefault(c.group, Counter())[outcome] += 1
        if outcome not in ("clear error", "handled"):
            failures.append(f"  [{outcome}] {c.group}: {c.name}: {detail}")
    print(f"{'group':<15}" + "".join(f"{o:>16}" for o in OUTCOMES))
    total: Counter = Counter()
    for group, counter in counts.items():
        total.update(counter)
        print(f"{group:<15}" + "".join(f"{counter[o]:>16}" for o in OUTCOMES))
    print(f"{'all ' + str(len(CASES)):<15}" + "".join(f"{total[o]:>16}" for o in OUTCOMES))
    if "-v" in sys.argv:
        print("\n".join(failures))


if __name__ == "__main__":
    report()
