"""brainnet.brain.lif: the leaky integrate-and-fire neuron."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain import lif


@pytest.mark.parametrize("params", [lif.NEURONAL_DYNAMICS, lif.DAYAN_ABBOTT],
                         ids=["neuronal_dynamics", "dayan_abbott"])
def test_fi_curve_matches_analytic_rate_within_2_percent(params):
    # Supra-threshold currents up to the rates where Euler's error is largest (~200 Hz):
    # there each interval snaps to the 0.1 ms grid, an error of up to dt * rate.
    currents = np.linspace(1.02 * lif.rheobase(params), 2.5 * lif.rheobase(params), 40)
    simulated = lif.fi_curve(currents, params, dt=0.1, duration=1000.0)
    analytic = lif.analytic_rate(currents, params)
    assert np.all(analytic > 0)
    rel = np.abs(simulated - analytic) / analytic
    assert rel.max() < 0.02, rel.max()


def test_smaller_step_shrinks_the_error():
    currents = np.linspace(2.1, 5.0, 12)
    errors = []
    for dt in (0.1, 0.01):
        rel = lif.fi_curve(currents, dt=dt, duration=500.0) / lif.analytic_rate(currents) - 1
        errors.append(np.abs(rel).max())
    assert errors[1] < errors[0] / 4


def test_below_rheobase_nothing_fires():
    params = lif.NEURONAL_DYNAMICS
    assert lif.rheobase(params) == pytest.approx(2.0)
    run = lif.simulate([0.0, 1.0, 1.99], 500.0, params)
    assert run.spike_counts.tolist() == [0, 0, 0]
    assert lif.analytic_rate([0.0, 1.99, 2.0], params).tolist() == [0.0, 0.0, 0.0]
    # the voltage settles at E_L + R I, below threshold
    assert run.V[-1, 1] == pytest.approx(-70.0 + 10.0 * 1.0, abs=1e-6)


def test_refractory_period_is_respected():
    params = lif.NEURONAL_DYNAMICS.replace(t_ref=5.0)
    run = lif.simulate(50.0, 200.0, params, dt=0.1)            # huge drive
    intervals = np.diff(run.spike_times[0])
    assert len(intervals) > 10
    assert intervals.min() >= 5.0 - 1e-9
    # and the voltage is clamped at reset during the refractory period
    first = int(round(run.spike_times[0][0] / 0.1))
    held = run.V[first:first + 50, 0]
    assert np.all(held == params.V_reset)
    # the rate can never exceed 1 / t_ref
    assert run.rates()[0] < 1000.0 / 5.0


def test_vectorised_over_neurons_equals_one_at_a_time():
    currents = [2.5, 3.0, 4.0]
    together = lif.simulate(currents, 100.0)
    for i, current in enumerate(currents):
        alone = lif.simulate(current, 100.0)
        np.testing.assert_allclose(alone.spike_times[0], together.spike_times[i])
        np.testing.assert_allclose(alone.V[:, 0], together.V[:, i])


def test_time_varying_current():
    n_steps = 1000                                     # 100 ms at dt = 0.1
    current = np.zeros((n_steps, 1))
    current[500:] = 4.0                                # step on at 50 ms
    run = lif.simulate(current, 100.0)
    spikes = run.spike_times[0]
    assert len(spikes) > 0 and spikes[0] > 50.0


def test_bad_parameters_name_the_parameter():
    with pytest.raises(ValueError, match="tau_m"):
        lif.LIFParams(tau_m=0.0)
    with pytest.raises(ValueError, match="R"):
        lif.LIFParams(R=-1.0)
    with pytest.raises(ValueError, match="t_ref"):
        lif.LIFParams(t_ref=-2.0)
    with pytest.raises(ValueError, match="V_reset"):
        lif.LIFParams(V_reset=-40.0, V_th=-50.0)
    with pytest.raises(ValueError, match="E_L"):
        lif.LIFParams(E_L=float("nan"))
    with pytest.raises(TypeError, match="V_th"):
        lif.LIFParams(V_th="-50")
    with pytest.raises(ValueError, match="tau_m"):
        lif.NEURONAL_DYNAMICS.replace(tau_m=-8.0)


def test_bad_simulation_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="dt"):
        lif.simulate(3.0, 100.0, dt=0.0)
    with pytest.raises(ValueError, match="dt=2.0 ms is too coarse"):
        lif.simulate(3.0, 100.0, dt=2.0)
    with pytest.raises(ValueError, match="duration"):
        lif.simulate(3.0, 0.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        lif.simulate([3.0, np.nan], 10.0)
    with pytest.raises(ValueError, match=r"expected \(100, n\)"):
        lif.simulate(np.ones((50, 2)), 10.0)
    with pytest.raises(ValueError, match="shape"):
        lif.simulate(np.ones((2, 2, 2)), 10.0)
    with pytest.raises(TypeError, match="LIFParams"):
        lif.simulate(3.0, 10.0, params={"tau_m": 8.0})
    with pytest.raises(ValueError, match="V0"):
        lif.simulate([3.0, 3.0], 10.0, V0=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="fi_curve"):
        lif.fi_curve([])
    with pytest.raises(ValueError, match="analytic_rate"):
        lif.analytic_rate(np.inf)
