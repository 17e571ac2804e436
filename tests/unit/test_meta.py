"""Task families and per-task networks for meta-learning (brain/meta.py)."""

from __future__ import annotations

import numpy as np
import pytest

import brainnet.functional as F
from brainnet import tensor
from brainnet.autograd import enable_grad, grad
from brainnet.brain import meta
from brainnet.gradcheck import check_leaves


def test_sine_tasks_sample_the_published_ranges():
    tasks = meta.SineTasks.sample(1000, rng=0)
    assert len(tasks) == 1000
    assert 0.1 <= tasks.amplitude.min() and tasks.amplitude.max() <= 5.0
    assert 0.0 <= tasks.phase.min() and tasks.phase.max() <= np.pi
    np.testing.assert_array_equal(tasks.frequency, 1.0)
    x, y = tasks.points(7, rng=1)
    assert x.shape == y.shape == (1000, 7, 1) and x.dtype == y.dtype == np.float32
    assert -5 <= x.min() and x.max() <= 5
    np.testing.assert_allclose(y[3, :, 0], tasks.amplitude[3] * np.sin(x[3, :, 0] - tasks.phase[3]),
                               rtol=1e-5, atol=1e-5)
    xg, _ = tasks.grid(11)
    np.testing.assert_allclose(xg[0, :, 0], np.linspace(-5, 5, 11))


def test_sine_tasks_refuse_inputs_of_the_wrong_shape():
    tasks = meta.SineTasks.sample(3, rng=0)
    with pytest.raises(ValueError, match=r"\(3, K, 1\)"):
        tasks(np.zeros((2, 5, 1), np.float32))


def test_per_task_copies_compute_what_the_shared_weights_do():
    params = meta.init_mlp((1, 8, 1), rng=0)
    x, _ = meta.SineTasks.sample(4, rng=1).points(5, rng=2)
    shared = meta.mlp(params, x).numpy()
    copies = meta.mlp(meta.per_task(params, 4), x).numpy()
    np.testing.assert_allclose(copies, shared, rtol=1e-6)


def test_per_task_gradients_are_each_tasks_own_and_sum_into_the_originals():
    params = meta.init_mlp((1, 8, 1), rng=0)
    tasks = meta.SineTasks.sample(3, rng=1)
    x, y = tasks.points(5, rng=2)
    copies = meta.per_task(params, 3)
    per = grad(meta.task_losses(copies, x, y), copies)
    for t in range(3):
        alone = meta.init_mlp((1, 8, 1), rng=0)
        own = grad(((meta.mlp(alone, x[t:t + 1]) - y[t:t + 1]) ** 2).mean(), alone)
        for g_all, g_one in zip(per, own, strict=True):
            np.testing.assert_allclose(g_all.numpy()[t], g_one.numpy(), rtol=1e-4, atol=1e-6)
    meta.task_losses(meta.per_task(params, 3), x, y).backward()
    np.testing.assert_allclose(params[0].grad.numpy(), per[0].numpy().sum(0), rtol=1e-4,
                               atol=1e-6)


@pytest.mark.parametrize("activation", [F.tanh, F.relu])
def test_one_maml_step_has_the_right_second_order_gradient(activation):
    """The meta-gradient through one inner step (create_graph=True) against finite
    differences, in float64: this is the gradient second-order MAML follows."""
    rng = np.random.default_rng(0)
    params = [tensor(p.numpy().astype(np.float64), requires_grad=True)
              for p in meta.init_mlp((1, 6, 1), rng=3)]
    tasks = meta.SineTasks.sample(2, rng=4)
    xs, ys = (a.astype(np.float64) for a in tasks.points(4, rng))
    xq, yq = (a.astype(np.float64) for a in tasks.points(4, rng))

    def meta_loss():
        with enable_grad():          # the inner step needs a gradient even when the
            fast = meta.per_task(params, 2)          # check's finite differences run
            inner = ((meta.mlp(fast, xs, activation) - ys) ** 2).mean(axis=(1, 2)).sum()
            g = grad(inner, fast, create_graph=True)
            fast = [w - 0.1 * gw for w, gw in zip(fast, g, strict=True)]
            return ((meta.mlp(fast, xq, activation) - yq) ** 2).mean()

    result = check_leaves(meta_loss, params, tolerance=1e-5)
    assert result.ok, result


def test_init_mlp_per_task_draws_independent_networks():
    params = meta.init_mlp((1, 4, 1), rng=0, tasks=3)
    assert [p.shape for p in params] == [(3, 1, 4), (3, 4), (3, 4, 1), (3, 1)]
    assert not np.allclose(params[0].numpy()[0], params[0].numpy()[1])
    assert np.abs(params[2].numpy()).max() <= 0.5                # bound 1/sqrt(4)
