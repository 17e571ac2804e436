"""Temporal-difference learning of reward prediction, the model of dopamine responses
of Schultz, Dayan & Montague (1997).

A trial is a row of ``n_steps`` time steps. A cue appears at step ``cue`` and a reward
of size ``reward`` arrives at step ``reward_at``. The learner represents the time since
the cue with a tapped delay line (the "complete serial compound"): one feature per step
after the cue, so it can learn a separate prediction for each moment. Before the cue it
has nothing to go on, so its prediction there stays 0: the cue itself comes unannounced.

With V_t the predicted sum of future rewards after step t, the TD error at step t is

    delta_t = r_t + gamma * V_t - V_{t-1}

and each step moves the prediction V_{t-1} by ``alpha * delta_t``. Dopamine neurons fire
like delta_t: at first to the reward, after learning to the cue, and they dip below
baseline when an expected reward is omitted.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class TDRun:
    """TD errors and predictions of every trial, shape (n_trials, n_steps) each."""

    delta: np.ndarray
    value: np.ndarray
    rewarded: np.ndarray          # (n_trials,) bool: was the reward delivered?
    cue: int
    reward_at: int


def simulate(n_trials: int, *, n_steps: int = 25, cue: int = 5, reward_at: int = 20,
             reward: float = 1.0, alpha: float = 0.2, gamma: float = 1.0,
             omit=()) -> TDRun:
    """Run TD(0) with a tapped delay line over ``n_trials`` trials of ``n_steps`` steps.

    ``omit`` lists trial indices in which the reward is withheld (they still learn).
    Returns a :class:`TDRun` with delta and value of shape (n_trials, n_steps).
    """
    if not 0 < cue < reward_at < n_steps:
        raise ValueError(f"td.simulate: need 0 < cue < reward_at < n_steps, got cue={cue}, "
                         f"reward_at={reward_at}, n_steps={n_steps}.")
    if n_trials < 1:
        raise ValueError(f"td.simulate: n_trials must be at least 1, got {n_trials}.")
    if not 0 < alpha <= 1 or not 0 <= gamma <= 1:
        raise ValueError(f"td.simulate: need 0 < alpha <= 1 and 0 <= gamma <= 1, got "
                         f"alpha={alpha}, gamma={gamma}.")
    omitted = {int(i) for i in omit}
    if any(not 0 <= i < n_trials for i in omitted):
        raise ValueError(f"td.simulate: omit holds trial indices outside 0..{n_trials - 1}: "
                         f"{sorted(omitted)}.")
    # w[k] is the prediction made k steps after the cue (steps cue .. reward_at - 1).
    w = np.zeros(reward_at - cue)
    delta = np.zeros((n_trials, n_steps))
    value = np.zeros((n_trials, n_steps))
    rewarded = np.ones(n_trials, dtype=bool)
    for trial in range(n_trials):
        rewarded[trial] = trial not in omitted
        v = np.zeros(n_steps + 1)           # v[t] = V_t; 0 before the cue and from the reward on
        v[cue:reward_at] = w
        r = np.zeros(n_steps)
        r[reward_at] = reward if rewarded[trial] else 0.0
        for t in range(1, n_steps):
            d = r[t] + gamma * v[t] - v[t - 1]
            delta[trial, t] = d
            if cue <= t - 1 < reward_at:    # only the delay-line features learn
                w[t - 1 - cue] += alpha * d
        value[trial] = v[:n_steps]
    return TDRun(delta, value, rewarded, cue, reward_at)
