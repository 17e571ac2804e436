"""Harlow's discrimination problems and the recurrent actor-critic (brain/harlow.py)."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet import optim
from brainnet.brain import harlow
from brainnet.gradcheck import gradcheck


def test_problems_show_both_objects_with_the_correct_one_on_its_side():
    p = harlow.Problems.sample(50, rng=0, trials=4, size=5)
    assert p.objects.shape == (50, 2, 5) and p.correct_side.shape == (50, 4) and p.trials == 4
    view = p.view(2)                                                  # (50, 10)
    left, right = view[:, :5], view[:, 5:]
    on_left = p.correct_side[:, 2] == 0
    np.testing.assert_array_equal(left[on_left], p.objects[on_left, 0])
    np.testing.assert_array_equal(right[~on_left], p.objects[~on_left, 0])
    with pytest.raises(ValueError, match="trials"):
        harlow.Problems.sample(3, trials=0)


def test_rollout_rewards_the_correct_object_and_feeds_back_action_and_reward():
    agent = harlow.ActorCritic(hidden_size=8, size=5, rng=0)
    p = harlow.Problems.sample(200, rng=1, trials=5, size=5)
    ep = harlow.rollout(agent, p, rng=2)
    assert ep.inputs.shape == (200, 5, 13) and ep.actions.shape == ep.rewards.shape == (200, 5)
    np.testing.assert_array_equal(ep.rewards, ep.actions == p.correct_side)
    np.testing.assert_array_equal(ep.inputs[:, 0, 10:], 0)            # nothing before trial 1
    np.testing.assert_array_equal(ep.inputs[:, 1:, 10:12], np.eye(2)[ep.actions[:, :-1]])
    np.testing.assert_array_equal(ep.inputs[:, 1:, 12], ep.rewards[:, :-1])
    reversed_ = harlow.rollout(agent, p, rng=2, reversal=3)
    np.testing.assert_array_equal(reversed_.rewards[:, 3:], reversed_.actions[:, 3:]
                                  != p.correct_side[:, 3:])


def test_actor_critic_passes_a_gradient_check():
    agent = harlow.ActorCritic(hidden_size=3, size=2, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 3, 7))
    agent.double()
    result = gradcheck(lambda inp: _joint(agent, inp), x)
    assert result.ok, result


def _joint(agent, inp):
    logits, values = agent(inp)
    return (logits * logits).sum() + values.sum()


def test_a2c_makes_a_better_than_expected_choice_likelier():
    agent = harlow.ActorCritic(hidden_size=8, size=3, rng=0)
    p = harlow.Problems.sample(32, rng=0, trials=2, size=3)
    ep = harlow.rollout(agent, p, rng=0)
    ep.actions[:] = 0                                                  # always left ...
    ep.rewards[:] = 1.0                                                # ... and always paid
    before = _p_left(agent, ep)
    opt = optim.SGD(agent.parameters(), lr=0.5)
    for _ in range(5):
        loss = harlow.a2c_loss(agent, ep, entropy_weight=0.0)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert _p_left(agent, ep) > before + 0.05, (before, _p_left(agent, ep))


def _p_left(agent, ep):
    import brainnet as bn
    import brainnet.functional as F
    with bn.no_grad():
        logits, _ = agent(bn.tensor(ep.inputs))
        return float(F.softmax(logits, dim=-1).numpy()[..., 0].mean())
