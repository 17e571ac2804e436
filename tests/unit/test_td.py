"""TD learning with a tapped delay line: the error moves from the reward to the cue,
and an omitted reward gives a dip."""

import numpy as np
import pytest

from brainnet.brain import td


def test_error_moves_from_reward_to_cue_and_dips_on_omission():
    run = td.simulate(200, cue=5, reward_at=20, alpha=0.2, omit=[199])
    first, trained, omitted = run.delta[0], run.delta[198], run.delta[199]
    assert first[20] == pytest.approx(1.0) and np.abs(np.delete(first, 20)).max() == 0
    assert trained[5] == pytest.approx(1.0, abs=1e-3) and abs(trained[20]) < 1e-3
    assert omitted[20] == pytest.approx(-1.0, abs=1e-3) and omitted[5] == pytest.approx(1, abs=1e-3)
    assert not run.rewarded[199] and run.rewarded[:199].all()
    # The learned prediction is the reward to come: 1 between cue and reward, 0 elsewhere.
    np.testing.assert_allclose(run.value[198, 5:20], 1.0, atol=1e-3)
    assert np.all(run.value[198, :5] == 0) and np.all(run.value[198, 20:] == 0)


def test_discounting_scales_the_cue_response():
    run = td.simulate(400, cue=5, reward_at=15, gamma=0.9, alpha=0.3)
    assert run.delta[-1, 5] == pytest.approx(0.9 ** 10, abs=1e-3)


@pytest.mark.parametrize("kwargs, message", [
    (dict(cue=0), "0 < cue < reward_at < n_steps"),
    (dict(reward_at=30), "0 < cue < reward_at < n_steps"),
    (dict(alpha=0.0), "0 < alpha <= 1"),
    (dict(omit=[50]), "outside 0..9"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        td.simulate(10, **kwargs)
