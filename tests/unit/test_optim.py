"""Optimisers and learning-rate schedules (optim.py).

The expected numbers are computed by hand (the arithmetic is in the comments), not by
calling the update formula again. They also agree with PyTorch 2.x's optimisers, which
were run once, offline, on the same gradients (PyTorch is not a test dependency).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import brainnet as bn
import brainnet.functional as F
from brainnet import nn, optim

P0 = [1.0, -2.0]
GRADS = [[0.5, -1.0], [0.2, 0.4], [-0.3, 0.1]]


def run(make, steps: int = 3) -> list[list[float]]:
    """Apply ``steps`` updates with the fixed gradients GRADS; the values after each."""
    p = nn.Parameter(np.array(P0))
    opt = make([p])
    history = []
    for g in GRADS[:steps]:
        opt.zero_grad()
        p.grad = bn.tensor(np.array(g))
        opt.step()
        history.append(p.data.tolist())
    return history


def test_sgd_matches_hand_computed_updates():
    # p <- p - 0.1 g
    # 1: [1 - 0.05, -2 + 0.1]; 2: [0.95 - 0.02, -1.9 - 0.04]; 3: [0.93 + 0.03, -1.94 - 0.01]
    np.testing.assert_allclose(run(lambda ps: optim.SGD(ps, lr=0.1)),
                               [[0.95, -1.9], [0.93, -1.94], [0.96, -1.95]], rtol=1e-12)


def test_sgd_momentum_matches_hand_computed_updates():
    # v1 = g1 = [0.5, -1];                          p1 = [1 - 0.05, -2 + 0.1]
    # v2 = 0.9 [0.5, -1] + [0.2, 0.4] = [0.65, -0.5];  p2 = [0.95 - 0.065, -1.9 + 0.05]
    # v3 = 0.9 [0.65, -0.5] + [-0.3, 0.1] = [0.285, -0.35]
    #                                               p3 = [0.885 - 0.0285, -1.85 + 0.035]
    np.testing.assert_allclose(run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)),
                               [[0.95, -1.9], [0.885, -1.85], [0.8565, -1.815]], rtol=1e-12)


def test_sgd_nesterov_matches_hand_computed_updates():
    # step = g + 0.9 v, with v as above
    # 1: [0.5 + 0.45, -1 - 0.9] = [0.95, -1.9];        p1 = [0.905, -1.81]
    # 2: [0.2 + 0.585, 0.4 - 0.45] = [0.785, -0.05];   p2 = [0.8265, -1.805]
    # 3: [-0.3 + 0.2565, 0.1 - 0.315] = [-0.0435, -0.215]; p3 = [0.83085, -1.7835]
    np.testing.assert_allclose(
        run(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True)),
        [[0.905, -1.81], [0.8265, -1.805], [0.83085, -1.7835]], rtol=1e-12)


def test_sgd_weight_decay_matches_hand_computed_updates():
    # g' = g + 0.1 p
    # 1: [0.5 + 0.1, -1 - 0.2] = [0.6, -1.2];                p1 = [0.94, -1.88]
    # 2: [0.2 + 0.094, 0.4 - 0.188] = [0.294, 0.212];        p2 = [0.9106, -1.9012]
    # 3: [-0.3 + 0.09106, 0.1 - 0.19012] = [-0.20894, -0.09012]
    #                                                        p3 = [0.931494, -1.892188]
    np.testing.assert_allclose(
        run(lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.1)),
        [[0.94, -1.88], [0.9106, -1.9012], [0.931494, -1.892188]], rtol=1e-12)


def test_adam_first_three_steps_match_hand_computed_numbers():
    # lr 0.1, betas (0.9, 0.999), eps 1e-8; m_hat = m / (1 - 0.9^t), v_hat = v / (1 - 0.999^t)
    # first element, gradients 0.5, 0.2, -0.3:
    #  t=1: m = 0.05, v = 0.00025, m_hat = 0.5, v_hat = 0.25
    #       p = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002
    #  t=2: m = 0.9*0.05 + 0.1*0.2 = 0.065, v = 0.999*0.00025 + 0.001*0.04 = 0.00028975
    #       m_hat = 0.065 / 0.19 = 0.3421052632, v_hat = 0.00028975 / 0.001999 = 0.1449474737
    #       p = 0.900000002 - 0.1 * 0.3421052632 / (0.3807203 + 1e-8) = 0.8101424839
    #  t=3: m = 0.9*0.065 - 0.1*0.3 = 0.0285, v = 0.999*0.00028975 + 0.001*0.09 = 0.00037946025
    #       m_hat = 0.0285 / 0.271 = 0.1051660517
    #       v_hat = 0.00037946025 / 0.002997001 = 0.1266133211
    #       p = 0.8101424839 - 0.1 * 0.1051660517 / (0.3558276 + 1e-8) = 0.7805871509
    # second element, gradients -1, 0.4, 0.1:
    #  t=1: m_hat = -1, v_hat = 1: p = -2 + 0.1 / (1 + 1e-8) = -1.900000001
    #  t=2: m = -0.09 + 0.04 = -0.05, v = 0.000999 + 0.00016 = 0.001159
    #       m_hat = -0.2631578947, v_hat = 0.5797898949: p = -1.8654394167
    #  t=3: m = -0.045 + 0.01 = -0.035, v = 0.001157841 + 0.00001 = 0.001167841
    #       m_hat = -0.1291512915, v_hat = 0.3896698733: p = -1.8447499007
    np.testing.assert_allclose(run(lambda ps: optim.Adam(ps, lr=0.1)),
                               [[0.900000002, -1.900000001],
                                [0.810142483903, -1.86543941666],
                                [0.780587150924, -1.84474990065]], rtol=1e-10)


def test_rmsprop_matches_hand_computed_numbers():
    # lr 0.01, alpha 0.99, eps 1e-8
    #  t=1: s = 0.01 * [0.25, 1] = [0.0025, 0.01]; sqrt(s) = [0.05, 0.1]
    #       p = [1 - 0.01*0.5/0.05, -2 + 0.01*1/0.1] = [0.90000002, -1.90000001] (eps)
    #  t=2: s = 0.99 s + 0.01 [0.04, 0.16] = [0.002875, 0.0115]
    #       p = [0.90000002 - 0.01*0.2/0.0536190265, -1.90000001 - 0.01*0.4/0.1072380529]
    np.testing.assert_allclose(run(lambda ps: optim.RMSprop(ps, lr=0.01), steps=2),
                               [[0.900000019999996, -1.900000009999999],
                                [0.8626998346269039, -1.937300198851351]], rtol=1e-12)


def test_adamw_decays_outside_the_adaptive_step():
    # p <- p (1 - lr wd) = [0.99, -1.98], then the Adam step of t=1: -+ 0.1 (1 - 2e-8)
    np.testing.assert_allclose(run(lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.1), 1),
                               [[0.890000002, -1.880000001]], rtol=1e-12)
    # Adam's L2 form instead adds wd p to the gradient, g' = [0.5 + 0.1, -1 - 0.2], which
    # the first step normalises away: p = [1 - 0.1 * 0.6 / (0.6 + 1e-8), -2 + 0.1 * 1.2 /
    # (1.2 + 1e-8)]
    np.testing.assert_allclose(run(lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1), 1),
                               [[0.9000000016666667, -1.9000000008333334]], rtol=1e-12)


def test_adam_counts_steps_per_parameter():
    """A parameter whose first gradient arrives on the second step still takes a full
    first Adam step (lr * sign(g)), as in PyTorch: its bias correction starts with it."""
    a, b = nn.Parameter(np.array([1.0])), nn.Parameter(np.array([1.0]))
    opt = optim.Adam([a, b], lr=0.1)
    b.grad = bn.tensor(np.array([1.0]))
    opt.step()
    assert a.data[0] == 1.0                                  # no gradient: untouched
    a.grad = bn.tensor(np.array([1.0]))
    opt.step()
    assert a.data[0] == pytest.approx(0.9, abs=1e-7)


def test_parameters_without_gradients_are_skipped():
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    for opt in (optim.SGD([p, q], lr=0.1, momentum=0.9), optim.RMSprop([p, q]),
                optim.Adam([p, q])):
        p.grad, q.grad = bn.tensor(np.ones(2)), None
        opt.step()
        np.testing.assert_array_equal(q.data, np.ones(2))
        assert opt.state[1] == {}


def test_zero_grad():
    p = nn.Parameter(np.ones(2))
    p.grad = bn.tensor(np.ones(2))
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad()
    assert p.grad is None


# ---------------------------------------------------------------- convergence
THETA = math.pi / 6
ROTATION = np.array([[math.cos(THETA), -math.sin(THETA)], [math.sin(THETA), math.cos(THETA)]])
A = ROTATION @ np.diag([1.0, 100.0]) @ ROTATION.T      # condition number 100, not axis-aligned


@pytest.mark.parametrize("name, make, steps, schedule", [
    ("SGD", lambda ps: optim.SGD(ps, lr=0.015), 1000, None),
    ("SGD momentum", lambda ps: optim.SGD(ps, lr=0.01, momentum=0.9), 300, None),
    ("SGD nesterov", lambda ps: optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True), 300, None),
    # RMSprop's normalised steps hover at ~lr around the minimum; anneal them.
    ("RMSprop", lambda ps: optim.RMSprop(ps, lr=0.1), 1000, 1000),
    ("Adam", lambda ps: optim.Adam(ps, lr=0.1), 1000, None),
    ("AdamW", lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.0), 1000, None),
])
def test_reaches_the_minimum_of_an_ill_conditioned_quadratic(name, make, steps, schedule):
    """f(x) = x^T A x / 2 from (1, 1): every optimiser gets within 1e-4 of the minimum
    at 0 (f < 1e-6) within its step budget."""
    x = bn.tensor(np.array([1.0, 1.0]), requires_grad=True)
    opt = make([x])
    scheduler = optim.CosineAnnealingLR(opt, schedule) if schedule else None
    for _ in range(steps):
        loss = 0.5 * (x @ (bn.tensor(A) @ x))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if scheduler:
            scheduler.step()
    assert np.abs(x.data).max() < 1e-4, f"{name}: stopped at {x.data}"
    assert 0.5 * x.data @ A @ x.data < 1e-6


# ------------------------------------------------------------------- state
def _trained(make, seed=0):
    model = nn.Sequential(nn.Linear(3, 4, rng=seed), nn.Tanh(), nn.Linear(4, 2, rng=seed + 1))
    opt = make(model.parameters())
    x, y = np.random.default_rng(9).standard_normal((8, 3)), np.arange(8) % 2
    for _ in range(3):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return model, opt, (x, y)


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: optim.RMSprop(ps), lambda ps: optim.Adam(ps),
                                  lambda ps: optim.AdamW(ps)])
def test_state_dict_round_trip(make):
    model, opt, (x, y) = _trained(make)
    saved_model, saved_opt = model.state_dict(), opt.state_dict()
    copy_model, copy_opt = _trained(make, seed=5)[:2]          # different weights and state
    copy_model.load_state_dict(saved_model)
    copy_opt.load_state_dict(saved_opt)
    for m, o in ((model, opt), (copy_model, copy_opt)):       # one more step on each
        o.zero_grad()
        F.cross_entropy(m(x), y).backward()
        o.step()
    for (name, a), b in zip(model.state_dict().items(), copy_model.state_dict().values(),
                            strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    # the saved state is a copy: the step above did not change it
    assert saved_opt["steps"] == 3
    assert any(not np.array_equal(v, opt.state[0][k]) for k, v in saved_opt["state"][0].items()
               if isinstance(v, np.ndarray))


def test_load_state_dict_checks_the_parameter_count():
    _, opt, _ = _trained(lambda ps: optim.Adam(ps))
    other = optim.Adam([nn.Parameter(np.ones(1))])
    with pytest.raises(ValueError, match="Adam.load_state_dict: state has 4 parameters, "
                                         "optimiser has 1"):
        other.load_state_dict(opt.state_dict())


@pytest.mark.parametrize("call, message", [
    (lambda: optim.SGD([], lr=0.1), "SGD: got an empty parameter list"),
    (lambda: optim.Adam([nn.Parameter([1.0])], lr=0.0), "Adam: lr must be positive, got 0.0"),
    (lambda: optim.SGD([nn.Parameter([1.0])], lr=0.1, nesterov=True), "nesterov=True needs "
                                                                     "momentum > 0"),
    (lambda: optim.Adam([nn.Parameter([1.0])], betas=(0.9, 1.0)), r"betas must be in \[0, 1\)"),
])
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_repr():
    assert repr(optim.Adam([nn.Parameter([1.0])], lr=0.01)) == "Adam(lr=0.01, 1 tensors)"


# --------------------------------------------------------------- schedules
def _lrs(make_scheduler, steps):
    opt = optim.SGD([nn.Parameter([1.0])], lr=1.0)
    scheduler = make_scheduler(opt)
    values = []
    for _ in range(steps):
        scheduler.step()
        values.append(opt.lr)
        assert scheduler.get_last_lr() == opt.lr
    return values


def test_step_lr():
    # halved every 2 steps: 1, 0.5, 0.5, 0.25, 0.25, 0.125 after steps 1..6
    assert _lrs(lambda o: optim.StepLR(o, step_size=2, gamma=0.5), 6) == [
        1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    with pytest.raises(ValueError, match="StepLR: step_size must be positive"):
        optim.StepLR(optim.SGD([nn.Parameter([1.0])], lr=1.0), 0)


def test_cosine_annealing_lr():
    # (1 + cos(pi t / 4)) / 2 for t = 1..4, then held at eta_min
    np.testing.assert_allclose(_lrs(lambda o: optim.CosineAnnealingLR(o, T_max=4), 6),
                               [0.8535533905932737, 0.5, 0.14644660940672624, 0.0, 0.0, 0.0],
                               atol=1e-15)
    # with eta_min 0.1: 0.1 + 0.9 (1 + cos(pi/2)) / 2 = 0.55 at t = 2
    assert _lrs(lambda o: optim.CosineAnnealingLR(o, T_max=4, eta_min=0.1), 2)[1] == \
        pytest.approx(0.55)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be positive"):
        optim.CosineAnnealingLR(optim.SGD([nn.Parameter([1.0])], lr=1.0), 0)
