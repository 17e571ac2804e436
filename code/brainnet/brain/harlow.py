"""Harlow's two-object discrimination problems, and a recurrent actor-critic that learns
to solve them by meta-reinforcement learning (Wang et al. 2018).

    from brainnet.brain import harlow

    agent = harlow.ActorCritic(hidden_size=48, rng=0)
    episodes = harlow.rollout(agent, harlow.Problems.sample(256, rng=0), rng=0)
    loss = harlow.a2c_loss(agent, episodes)

A *problem* is a pair of objects the agent has never seen, shown for ``trials`` trials.
On each trial the two objects appear in random places, left and right; choosing one of
them is rewarded (1) if it is the problem's correct object and not (0) otherwise. The
correct object stays the same for the whole problem. Objects are random patterns of
+1 and -1, new in every problem, so no weight can store which object pays: the agent
must find out within each problem, from the rewards, and remember it in its activity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import nn
from .. import rng as _rng
from ..autograd import no_grad
from ..tensor import Tensor, tensor

__all__ = ["Problems", "Episodes", "ActorCritic", "rollout", "a2c_loss"]


@dataclass
class Problems:
    """A batch of problems: ``objects`` (n, 2, size), object 0 the correct one, and
    ``correct_side`` (n, trials), 0 if the correct object is on the left on that
    trial, 1 if on the right."""

    objects: np.ndarray
    correct_side: np.ndarray

    @classmethod
    def sample(cls, n: int, rng: _rng.Seed = None, trials: int = 6, size: int = 8
               ) -> Problems:
        """``n`` new problems of ``trials`` trials, with objects of ``size`` +-1 features."""
        if n < 1 or trials < 1 or size < 1:
            raise ValueError(f"Problems.sample: need n, trials and size >= 1, got {n}, "
                             f"{trials}, {size}.")
        g = _rng.generator(rng)
        return cls(g.choice([-1.0, 1.0], size=(n, 2, size)),
                   g.integers(0, 2, size=(n, trials)))

    @property
    def trials(self) -> int:
        return self.correct_side.shape[1]

    def view(self, t: int) -> np.ndarray:
        """(n, 2 * size) what the agent sees on trial t: the left object, then the right."""
        on_left = (self.correct_side[:, t] == 0)[:, None]          # (n, 1)
        correct, other = self.objects[:, 0], self.objects[:, 1]
        return np.concatenate([np.where(on_left, correct, other),
                               np.where(on_left, other, correct)], axis=1)


@dataclass
class Episodes:
    """What happened in a batch of problems: the agent's ``inputs`` (n, trials, features),
    its ``actions`` (n, trials; 0 left, 1 right) and ``rewards`` (n, trials)."""

    inputs: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray


class ActorCritic(nn.Module):
    """An LSTM whose hidden state feeds a policy (logits for left and right) and a value
    (the reward it expects on this trial).

    Its input on each trial is the two objects, the previous trial's action (one-hot)
    and the previous trial's reward: everything it needs to learn within a problem.
    Shapes: (N, T, 2 * size + 3) -> logits (N, T, 2), values (N, T).
    """

    def __init__(self, hidden_size: int = 48, size: int = 8, rng: _rng.Seed = None):
        super().__init__()
        g = _rng.generator(rng)
        self.lstm = nn.LSTM(2 * size + 3, hidden_size, rng=g)
        self.policy = nn.Linear(hidden_size, 2, rng=g)
        self.value = nn.Linear(hidden_size, 1, rng=g)

    def forward(self, x) -> tuple[Tensor, Tensor]:
        h, _ = self.lstm(x)                                          # (N, T, H)
        values = self.value(h)                                       # (N, T, 1)
        return self.policy(h), values.reshape(values.shape[0], values.shape[1])


def rollout(agent: ActorCritic, problems: Problems, rng: _rng.Seed = None,
            greedy: bool = False, reversal: int | None = None) -> Episodes:
    """Let the agent play a batch of problems, one trial at a time, without gradients.

    Actions are sampled from the policy (``greedy=True`` takes the likelier one). With
    ``reversal=t`` the other object becomes the correct one from trial t on.
    """
    g = _rng.generator(rng)
    n, trials = problems.correct_side.shape
    features = problems.objects.shape[2] * 2 + 3
    inputs = np.zeros((n, trials, features), dtype=np.float32)
    actions = np.zeros((n, trials), dtype=np.int64)
    rewards = np.zeros((n, trials), dtype=np.float32)
    last_action, last_reward = np.zeros((n, 2)), np.zeros((n, 1))
    state = None
    with no_grad():
        for t in range(trials):
            inputs[:, t] = np.concatenate([problems.view(t), last_action, last_reward], axis=1)
            state = agent.lstm.cell(tensor(inputs[:, t]), state)    # ((n, H), (n, H))
            p_right = F.softmax(agent.policy(state[0]), dim=1).numpy()[:, 1]
            a = (p_right > 0.5) if greedy else (g.random(n) < p_right)
            actions[:, t] = a
            correct = problems.correct_side[:, t]
            if reversal is not None and t >= reversal:
                correct = 1 - correct
            rewards[:, t] = actions[:, t] == correct
            last_action, last_reward = np.eye(2)[actions[:, t]], rewards[:, t, None]
    return Episodes(inputs, actions, rewards)


def a2c_loss(agent: ActorCritic, episodes: Episodes, entropy_weight: float = 0.05,
             value_weight: float = 0.5) -> Tensor:
    """The advantage actor-critic loss of a batch of episodes.

        loss = -mean[log pi(a_t) (r_t - V_t)] + value_weight mean[(r_t - V_t)^2]
               - entropy_weight mean[H(pi_t)]

    Each trial's return is its own reward (a discount factor of 0). In Harlow's task
    that costs nothing: rewards are certain and either choice on trial 1 reveals which
    object pays, so no choice is worth more for what it teaches. The advantage
    r_t - V_t is a constant in the policy term, so the policy learns from how much
    better than expected its choice turned out.
    """
    logits, values = agent(tensor(episodes.inputs))                 # (N, T, 2), (N, T)
    log_p = F.log_softmax(logits, dim=-1)                            # (N, T, 2)
    chosen = (log_p * tensor(np.eye(2, dtype=np.float32)[episodes.actions])).sum(-1)
    rewards = tensor(episodes.rewards)                               # (N, T)
    advantage = tensor(episodes.rewards - values.numpy())
    entropy = -(log_p.exp() * log_p).sum(-1).mean()
    return (-(chosen * advantage).mean() + value_weight * ((values - rewards) ** 2).mean()
            - entropy_weight * entropy)
