"""The STDP window: potentiation for pre-before-post, depression for post-before-pre."""

import numpy as np
import pytest

from brainnet.brain import stdp


def test_window_signs_and_decay():
    dts = np.array([-40.0, -10.0, 0.0, 10.0, 40.0])
    w = stdp.window(dts)
    assert w[3] > 0 and w[1] < 0 and w[2] == 0
    assert w[3] == pytest.approx(stdp.A_PLUS * np.exp(-0.5))
    assert abs(w[4]) < abs(w[3]) and abs(w[0]) < abs(w[1])


def test_net_drift_is_negative_by_default_and_matches_the_integral():
    dt = np.linspace(-500, 500, 200001)
    integral = np.trapezoid(stdp.window(dt), dt)
    assert stdp.net_drift() == pytest.approx(integral, rel=1e-3)
    assert stdp.net_drift() < 0
    assert stdp.net_drift(tau_plus=30.0) > 0


def test_pairing_protocol():
    assert stdp.pairing_protocol(10.0) > 0.1 and stdp.pairing_protocol(-10.0) < -0.1
    assert stdp.pairing_protocol(200.0) == pytest.approx(0.0, abs=1e-3)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="time constants must be positive"):
        stdp.window(1.0, tau_plus=0)
    with pytest.raises(ValueError, match="n_pairs must be at least 1"):
        stdp.pairing_protocol(5.0, n_pairs=0)
