"""The engine (autograd.py): graph traversal, accumulation, gradient modes, errors, and
higher-order gradients checked against finite differences of the gradient.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F


def r(seed: int, *shape: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# ---------------------------------------------------------------------- engine
def test_long_chain_does_not_hit_the_recursion_limit():
    x = bn.tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    assert sys.getrecursionlimit() < 10_000 * 2
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001 ** 10_000, rtol=1e-9)


def test_recurrent_chain_of_200_steps_matches_finite_differences():
    """h_t = tanh(W h_{t-1} + U x_t): shared W and U, 200 steps, 5 ops per step."""
    xs = r(1, 200, 3)
    h0 = bn.tensor(np.zeros(3))

    def run(W, U):
        h = h0
        for t in range(200):
            h = (W @ h + U @ xs[t]).tanh()
        return h

    result = bn.gradcheck(run, r(2, 3, 3) * 0.4, r(3, 3, 3) * 0.5)
    assert result.ok, result


def test_diamond_graph_accumulates_both_paths():
    x = bn.tensor(np.array(2.0), requires_grad=True)
    a = x * 3
    b = x * x
    (a * b + a).backward()          # 3x^3 + 3x -> 9x^2 + 3
    assert x.grad.item() == pytest.approx(39.0)


def test_shared_subexpression_is_visited_once():
    x = bn.tensor(np.array(1.5), requires_grad=True)
    h = x.exp()
    y = h + h + h                   # three edges into one node
    y.backward()
    assert x.grad.item() == pytest.approx(3 * np.exp(1.5))


def test_retain_grad_keeps_intermediate_gradients():
    x = bn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = (x * 2).retain_grad()
    other = x * 3
    (h * h + other).sum().backward()
    np.testing.assert_allclose(h.grad.data, [4.0, 8.0])   # 2h
    assert other.grad is None                             # not retained


def test_gradients_accumulate_across_backward_calls():
    x = bn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 7.0])
    x.zero_grad()
    assert x.grad is None


def test_leaf_gradients_are_independent_arrays():
    """Two leaves that receive the same upstream gradient do not share storage, and
    neither shares the caller's seed array."""
    a = bn.tensor(np.zeros(3), requires_grad=True)
    b = bn.tensor(np.zeros(3), requires_grad=True)
    seed = np.ones(3)
    (a + b).backward(seed)
    assert a.grad is not b.grad
    a.grad.data[0] = 5.0
    assert b.grad.data[0] == 1.0 and seed[0] == 1.0


def test_retained_and_leaf_gradients_are_independent():
    """An op that passes its gradient straight through must not make a retained
    intermediate and a leaf share one gradient tensor."""
    x = bn.tensor(np.zeros(3), requires_grad=True)
    y = x.reshape(3)
    y.retain_grad()
    y.sum().backward()
    assert y.grad is not x.grad
    x.grad.data[0] = 5.0
    assert y.grad.data[0] == 1.0


def test_backward_on_a_leaf():
    x = bn.tensor(np.array(3.0), requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0


def test_no_grad_blocks_recording():
    x = bn.tensor(np.ones(2), requires_grad=True)
    with bn.no_grad():
        y = x * 2
        assert not bn.is_grad_enabled()
        with bn.enable_grad():
            z = x * 2
    assert bn.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    assert z.requires_grad
    with bn.set_grad_enabled(False):
        assert not (x + 1).requires_grad


def test_no_grad_restores_mode_after_an_exception():
    with pytest.raises(RuntimeError), bn.no_grad():
        raise RuntimeError
    assert bn.is_grad_enabled()


def test_constants_do_not_require_grad():
    x = bn.tensor(np.ones(2))
    assert not (x * 2).requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).sum().backward()


def test_backward_on_a_non_scalar_says_what_to_pass():
    x = bn.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match=r"backward: the output has shape \(2, 3\), not a "
                                           r"single number.*loss.mean\(\).backward\(\).*gradient="):
        (x * 2).backward()


def test_backward_with_an_explicit_gradient():
    x = bn.tensor(np.ones((2, 3)), requires_grad=True)
    (x * 2).backward(np.full((2, 3), 0.5))
    np.testing.assert_allclose(x.grad.data, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\) but the output has shape "
                                         r"\(2, 3\)"):
        (x * 2).backward(np.ones(3))


def test_grad_returns_without_accumulating():
    x = bn.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    gx, gh = bn.grad(y, [x, h])
    np.testing.assert_allclose(gx.data, [6.0, 12.0])
    np.testing.assert_allclose(gh.data, [3.0, 3.0])
    assert x.grad is None
    (single,) = bn.grad(y, x)
    np.testing.assert_allclose(single.data, gx.data)


def test_grad_unused_inputs():
    x = bn.tensor(np.ones(2), requires_grad=True)
    unused = bn.tensor(np.ones(2), requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"input 1 \(shape \(2,\)\) was not used.*"
                                           r"allow_unused=True"):
        bn.grad(y, [x, unused])
    assert bn.grad(y, [x, unused], allow_unused=True)[1] is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        bn.grad(bn.tensor(1.0), [x])


def test_backward_twice_through_the_same_graph():
    x = bn.tensor(np.array(2.0), requires_grad=True)
    y = x ** 3
    y.backward()
    y.backward()
    assert x.grad.item() == pytest.approx(24.0)


# ----------------------------------------------------------- higher order
def gradient_fn(fn):
    """x -> d fn(x) / dx, built with create_graph=True so that it can be checked by
    gradcheck: that compares its derivative (a Hessian) with finite differences of it."""
    def gradient(*args):
        with bn.enable_grad():
            grads = bn.grad(fn(*args), list(args), create_graph=True)
        return bn.cat([g.reshape(-1) for g in grads])
    return gradient


LABELS = np.array([2, 0, 1])
PROBS = np.random.default_rng(9).dirichlet(np.ones(4), size=3)
SECOND_ORDER = {
    "tanh": (lambda x: (x.tanh() * x).sum(), [r(0, 3, 4)]),
    "sigmoid": (lambda x: (x.sigmoid() ** 2).sum(), [r(1, 3, 4)]),
    "softmax": (lambda x: (x.softmax() * r(2, 3, 4)).sum(), [r(3, 3, 4)]),
    "log_softmax": (lambda x: (x.log_softmax(0) * r(4, 3, 4)).sum(), [r(5, 3, 4)]),
    "cross_entropy": (lambda x: F.cross_entropy(x, LABELS), [r(6, 3, 4)]),
    "cross_entropy[sum]": (lambda x: F.cross_entropy(x, LABELS, reduction="sum"), [r(6, 3, 4)]),
    "cross_entropy[none]": (lambda x: (F.cross_entropy(x, LABELS, reduction="none")
                                       * np.arange(1.0, 4.0)).sum(), [r(6, 3, 4)]),
    "cross_entropy[probabilities]": (lambda x, t: F.cross_entropy(x, t.softmax()),
                                     [r(7, 3, 4), r(8, 3, 4)]),
    "mlp": (lambda x, w1, b1, w2: F.linear(F.linear(x, w1, b1).tanh(), w2).pow(2).sum(),
            [r(10, 4, 2), r(11, 5, 2) * 0.5, r(12, 5), r(13, 1, 5)]),
    "mse": (lambda x, y: F.mse_loss(x * x, y), [r(14, 3, 2), r(15, 3, 2)]),
    "gelu": (lambda x: F.gelu(x).sum() * 1.0, [r(16, 5)]),
    "exp log sqrt div pow": (lambda x, y: ((x.exp() + y * y).log() / (x * x + 1).sqrt()
                                           + x ** 3 / y + 2.0 ** x).sum(),
                             [r(17, 4), np.abs(r(18, 4)) + 0.5]),
    "matmul batched": (lambda a, b: ((a @ b) ** 2).sum(), [r(19, 2, 3, 4), r(20, 4, 2)]),
    "reductions": (lambda x: (x.mean(0) ** 2).sum() * x.var() + x.max(1).sum() ** 2
                   + (x.sum(axis=(0, 1)) ** 2).sum(), [r(21, 3, 4) + np.arange(4.0)]),
    "indexing and cat": (lambda x: (bn.cat([x[[0, 0, 2]], x[1:]]) ** 3).sum(), [r(22, 3, 2)]),
    "layer_norm": (lambda x, w: (F.layer_norm(x, 4, w) ** 3).sum(), [r(23, 2, 4), r(24, 4)]),
    "bce_with_logits": (lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid()),
                        [r(25, 6), r(26, 6)]),
    "embedding": (lambda w: (F.embedding(np.array([1, 1, 0]), w) ** 3).sum(), [r(27, 3, 2)]),
    "where clip abs": (lambda x: (bn.where(x.data > 0, x ** 3, x.abs() ** 3).clip(-5, 5)
                                  ** 2).sum(), [r(28, 6) * 0.8 + 0.1]),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives_via_grad(name):
    fn, inputs = SECOND_ORDER[name]
    result = bn.gradcheck(gradient_fn(fn), *inputs)
    assert result.ok, f"{name}: {result}"


def _numeric_gradient(fn, x: np.ndarray) -> np.ndarray:
    t = bn.tensor(x, requires_grad=True)
    fn(t).backward()
    return t.grad.data


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "softmax", "log_softmax", "cross_entropy",
                                  "mse", "gelu"])
def test_second_derivatives_via_backward_create_graph(name):
    """x.grad built by backward(create_graph=True), then differentiated along v, equals
    the finite difference of plain gradients along v (a Hessian-vector product)."""
    fn, inputs = SECOND_ORDER[name]
    if len(inputs) > 1:     # differentiate with respect to the first input only
        rest = [bn.tensor(a) for a in inputs[1:]]
        fn = (lambda f, rest: lambda x: f(x, *rest))(fn, rest)
    x0 = inputs[0]
    v = r(99, *x0.shape)
    x = bn.tensor(x0, requires_grad=True)
    fn(x).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    (g * v).sum().backward()
    eps = 1e-5
    up, down = _numeric_gradient(fn, x0 + eps * v), _numeric_gradient(fn, x0 - eps * v)
    numeric = (up - down) / (2 * eps)
    np.testing.assert_allclose(x.grad.data, numeric, rtol=1e-6, atol=1e-8)


def test_hvp_matches_finite_differences_of_gradients():
    rng = np.random.default_rng(0)
    w1, b1, w2 = rng.standard_normal((6, 2)), rng.standard_normal(6), rng.standard_normal((1, 6))
    X, y = rng.standard_normal((10, 2)), rng.standard_normal((10, 1))
    params = [bn.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    vector = [rng.standard_normal(p.shape) for p in params]

    def loss_of(ps):
        return F.mse_loss(F.linear(F.linear(X, ps[0], ps[1]).tanh(), ps[2]), y)

    hv = bn.hvp(lambda: loss_of(params), params, vector)

    def grads_at(shift):
        ps = [bn.tensor(p.data + shift * v, requires_grad=True)
              for p, v in zip(params, vector, strict=True)]
        loss_of(ps).backward()
        return [p.grad.data for p in ps]

    eps = 1e-5
    for h, up, down in zip(hv, grads_at(eps), grads_at(-eps), strict=True):
        np.testing.assert_allclose(h.data, (up - down) / (2 * eps), rtol=1e-6, atol=1e-9)
    assert all(p.grad is None for p in params)           # hvp does not touch .grad


def test_hvp_of_a_linear_function_is_zero():
    w = bn.tensor(np.ones(3), requires_grad=True)
    (hv,) = bn.hvp(lambda: (w * 2.0).sum(), [w], [np.ones(3)])
    np.testing.assert_array_equal(hv.data, np.zeros(3))


def test_maml_meta_gradient_matches_finite_differences():
    """One inner SGD step on a support set, then the loss on a query set: the gradient
    of that with respect to the initial weights needs second derivatives (MAML)."""
    rng = np.random.default_rng(5)
    xs, ys = rng.uniform(-2, 2, (10, 1)), None
    ys = np.sin(xs)
    xq = rng.uniform(-2, 2, (10, 1))
    yq = np.sin(xq)
    alpha = 0.1

    def mlp(x, w1, b1, w2, b2):
        return F.linear(F.linear(x, w1, b1).tanh(), w2, b2)

    def meta_loss(w1, b1, w2, b2, first_order=False):
        params = [w1, b1, w2, b2]
        with bn.enable_grad():
            inner = F.mse_loss(mlp(xs, *params), ys)
            grads = bn.grad(inner, params, create_graph=not first_order)
            adapted = [p - alpha * g for p, g in zip(params, grads, strict=True)]
            return F.mse_loss(mlp(xq, *adapted), yq)

    init = [rng.standard_normal((8, 1)), rng.standard_normal(8),
            rng.standard_normal((1, 8)) * 0.5, rng.standard_normal(1)]
    result = bn.gradcheck(meta_loss, *init)
    assert result.ok, result
    # The second-order term matters: first-order MAML (inner gradients treated as
    # constants) gives a different meta-gradient.
    params = [bn.tensor(a, requires_grad=True) for a in init]
    meta_loss(*params, first_order=True).backward()
    gap = max(np.abs(p.grad.data - a).max() for p, a in zip(params, result.analytic,
                                                            strict=True))
    assert gap > 1e-3


# ------------------------------------------------- gradients never share memory
def _shared_pair(how: str):
    """Two leaves that receive one and the same upstream gradient: y = tanh(a + b)."""
    a = bn.tensor(np.array([0.1, 0.2, 0.3]), requires_grad=True)
    b = bn.tensor(np.array([0.3, -0.1, 0.2]), requires_grad=True)
    y = (a + b).tanh().sum()
    if how == "backward":
        y.backward(create_graph=True)
        return a, b, a.grad, b.grad
    ga, gb = bn.grad(y, [a, b], create_graph=True)
    return a, b, ga, gb


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_create_graph_gradients_are_separate_tensors(how):
    a, b, ga, gb = _shared_pair(how)
    np.testing.assert_allclose(ga.data, gb.data)
    assert ga is not gb and not np.shares_memory(ga.data, gb.data)
    assert ga.requires_grad and gb.requires_grad          # still part of a graph
    a.grad, b.grad = ga, gb
    total = np.sqrt((ga.data ** 2).sum() + (gb.data ** 2).sum())
    assert bn.nn.utils.clip_grad_norm_([a, b], 0.1) == pytest.approx(total)
    joint = np.sqrt((a.grad.data ** 2).sum() + (b.grad.data ** 2).sum())
    assert joint == pytest.approx(0.1, rel=1e-5)          # each scaled once, not twice
    before = b.grad.data.copy()
    a.grad.data[...] = 0.0                                # zeroing one leaves the other
    np.testing.assert_array_equal(b.grad.data, before)


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_create_graph_gradients_survive_an_in_place_step(how):
    a, b, ga, gb = _shared_pair(how)
    a.grad, b.grad = ga, gb
    expected_b = b.data - 0.5 * gb.data
    opt = bn.optim.SGD([a, b], lr=0.5)
    opt.step()
    np.testing.assert_allclose(b.data, expected_b)
    np.testing.assert_allclose(a.data, np.array([0.1, 0.2, 0.3]) - 0.5 * ga.data)


def test_first_order_gradients_are_separate_too():
    a = bn.tensor(np.ones(3), requires_grad=True)
    b = bn.tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.data, b.grad.data)
    ga, gb = bn.grad((a + b).sum(), [a, b])
    assert not np.shares_memory(ga.data, gb.data)


def test_a_mixed_precision_create_graph_gradient_keeps_the_leaf_dtype():
    a = bn.tensor(np.ones(3, np.float32), requires_grad=True)
    w = bn.tensor(np.ones(3, np.float64), requires_grad=True)
    (a * w).sum().backward(create_graph=True)
    assert a.grad.dtype == np.float32 and w.grad.dtype == np.float64
