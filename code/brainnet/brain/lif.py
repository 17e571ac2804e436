"""The leaky integrate-and-fire (LIF) neuron, simulated with Euler steps.

The membrane is a leaky capacitor: with input current I(t), the voltage V obeys

    tau_m dV/dt = E_L - V + R I(t)

and whenever V reaches the threshold V_th the neuron emits a spike, V jumps to
V_reset and stays there for the refractory period t_ref. Units throughout: mV, ms,
MOhm and nA (so R I is in mV), rates in Hz.

    from brainnet.brain import lif

    run = lif.simulate(I=[1.5, 2.5, 4.0], duration=200.0)   # three neurons at once
    run.spike_times[2]                                        # ms, neuron 2
    lif.analytic_rate(4.0)                                    # Hz, constant input
    lif.fi_curve(np.linspace(2.1, 5.0, 50))                   # simulated f-I curve

Every function is vectorised over neurons: one Euler step updates all of them, so a
whole f-I curve costs one simulation. Two parameter sets are provided:
``NEURONAL_DYNAMICS`` (the default; Gerstner et al. 2014: rest -70 mV, reset -65 mV,
threshold -50 mV, tau_m 8 ms, R 10 MOhm, refractory 2 ms) and ``DAYAN_ABBOTT``
(Dayan & Abbott 2001, chapter 5: E_L = V_reset = -65 mV, threshold -50 mV, tau_m 10 ms,
R 10 MOhm, no refractory period).

Simulations run in float64: near the rheobase the voltage creeps towards threshold in
steps far below float32's resolution at -50 mV.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LIFParams", "NEURONAL_DYNAMICS", "DAYAN_ABBOTT", "LIFRun", "simulate",
           "analytic_rate", "rheobase", "fi_curve"]


@dataclass(frozen=True)
class LIFParams:
    """Parameters of a leaky integrate-and-fire neuron (mV, ms, MOhm).

    ``E_L`` resting (leak reversal) potential; ``V_reset`` the voltage after a spike;
    ``V_th`` the threshold; ``tau_m`` the membrane time constant; ``R`` the membrane
    resistance; ``t_ref`` the absolute refractory period. Invalid values raise a
    ValueError that names the parameter.
    """

    E_L: float = -70.0
    V_reset: float = -65.0
    V_th: float = -50.0
    tau_m: float = 8.0
    R: float = 10.0
    t_ref: float = 2.0

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise TypeError(f"LIFParams: {field.name} must be a number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"LIFParams: {field.name} must be finite, got {value!r}")
        if self.tau_m <= 0:
            raise ValueError(f"LIFParams: tau_m (membrane time constant) must be > 0 ms, "
                             f"got {self.tau_m!r}")
        if self.R <= 0:
            raise ValueError(f"LIFParams: R (membrane resistance) must be > 0 MOhm, "
                             f"got {self.R!r}")
        if self.t_ref < 0:
            raise ValueError(f"LIFParams: t_ref (refractory period) must be >= 0 ms, "
                             f"got {self.t_ref!r}")
        if self.V_reset >= self.V_th:
            raise ValueError(f"LIFParams: V_reset ({self.V_reset!r} mV) must be below the "
                             f"threshold V_th ({self.V_th!r} mV), or the neuron fires forever")

    def replace(self, **changes) -> LIFParams:
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)


NEURONAL_DYNAMICS = LIFParams(E_L=-70.0, V_reset=-65.0, V_th=-50.0, tau_m=8.0, R=10.0,
                              t_ref=2.0)
"""Gerstner, Kistler, Naud & Paninski (2014), *Neuronal Dynamics*, exercises' LIF."""

DAYAN_ABBOTT = LIFParams(E_L=-65.0, V_reset=-65.0, V_th=-50.0, tau_m=10.0, R=10.0,
                         t_ref=0.0)
"""Dayan & Abbott (2001), *Theoretical Neuroscience*, chapter 5 (no refractory period)."""


@dataclass
class LIFRun:
    """The result of ``simulate`` for n neurons over n_steps Euler steps.

    ``t`` (n_steps + 1,) times in ms; ``V`` (n_steps + 1, n) voltages in mV (None if not
    recorded; a spiking step shows V_reset, the value after the reset);
    ``spike_times`` a list of n arrays of spike times in ms; ``dt`` the step.
    """

    t: np.ndarray
    V: np.ndarray | None
    spike_times: list
    dt: float
    params: LIFParams

    @property
    def spike_counts(self) -> np.ndarray:
        """Number of spikes per neuron, shape (n,)."""
        return np.array([len(s) for s in self.spike_times])

    def rates(self, min_spikes: int = 2) -> np.ndarray:
        """Steady firing rate per neuron in Hz, from the mean inter-spike interval
        (last spike minus first, over the number of intervals). The first interval
        from the initial voltage to the first spike is not counted. Neurons with fewer
        than ``min_spikes`` spikes get NaN, or 0.0 if they never fired."""
        if min_spikes < 2:
            raise ValueError(f"LIFRun.rates: min_spikes must be >= 2, got {min_spikes}")
        out = np.full(len(self.spike_times), np.nan)
        for i, s in enumerate(self.spike_times):
            if len(s) == 0:
                out[i] = 0.0
            elif len(s) >= min_spikes:
                out[i] = 1000.0 * (len(s) - 1) / (s[-1] - s[0])
        return out


def _check_step(dt: float, duration: float, params: LIFParams) -> int:
    if not (isinstance(dt, int | float | np.number) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"lif.simulate: dt must be a positive number of ms, got {dt!r}")
    if dt > params.tau_m / 10:
        raise ValueError(f"lif.simulate: dt={dt} ms is too coarse for tau_m={params.tau_m} ms; "
                         "Euler integration needs dt <= tau_m / 10")
    if not (isinstance(duration, int | float | np.number) and math.isfinite(duration)
            and duration >= dt):
        raise ValueError(f"lif.simulate: duration must be at least one step (dt={dt} ms), "
                         f"got {duration!r}")
    return int(round(duration / dt))


def _as_current(I, n_steps: int) -> tuple[np.ndarray, bool]:
    """Constant currents (n,) or a time course (n_steps, n); returns (array, varying)."""
    arr = np.asarray(I, dtype=np.float64)
    if arr.ndim > 2:
        raise ValueError(f"lif.simulate: I must be a number, an array (n,) of constant "
                         f"currents or a time course (n_steps, n); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("lif.simulate: I (input current, nA) contains NaN or inf")
    if arr.ndim == 2:
        if arr.shape[0] != n_steps:
            raise ValueError(f"lif.simulate: a time-varying I needs one row per step: "
                             f"expected ({n_steps}, n) for this duration and dt, "
                             f"got {arr.shape}")
        return arr, True
    return np.atleast_1d(arr), False


def simulate(I, duration: float, params: LIFParams = NEURONAL_DYNAMICS, *, dt: float = 0.1,
             V0=None, record: bool = True) -> LIFRun:
    """Simulate LIF neurons with forward-Euler steps of ``dt`` ms for ``duration`` ms.

    ``I`` (nA): a number or an array (n,) of constant currents, one neuron each, or a
    time course (n_steps, n) with n_steps = round(duration / dt). ``V0`` is the
    starting voltage (default ``params.E_L``). Each step updates every neuron at once:

        V <- V + dt / tau_m * (E_L - V + R I)      (neurons not refractory)
        if V >= V_th: record a spike, V <- V_reset, hold it for t_ref

    The refractory period is rounded to a whole number of steps. ``record=False`` keeps
    only spike times (an f-I curve does not need the voltages).
    """
    if not isinstance(params, LIFParams):
        raise TypeError(f"lif.simulate: params must be a LIFParams, got {type(params).__name__}")
    n_steps = _check_step(dt, duration, params)
    current, varying = _as_current(I, n_steps)
    n = current.shape[-1]
    p = params
    start = np.asarray(p.E_L if V0 is None else V0, dtype=np.float64)
    if start.ndim > 1 or start.size not in (1, n) or not np.all(np.isfinite(start)):
        raise ValueError(f"lif.simulate: V0 must be a finite number or an array of shape "
                         f"({n},), got {np.shape(V0)}")
    V = np.broadcast_to(start, (n,)).copy()
    ref_steps = int(round(p.t_ref / dt))
    refractory = np.zeros(n, dtype=np.int64)
    k = dt / p.tau_m
    drive = p.E_L + p.R * current              # V_inf: where V would settle, (n,) or (T, n)
    trace = np.empty((n_steps + 1, n)) if record else None
    if record:
        trace[0] = V
    spikes_step, spikes_neuron = [], []
    for step in range(n_steps):
        target = drive[step] if varying else drive
        frozen = refractory > 0
        V = np.where(frozen, V, V + k * (target - V))      # Euler step, skip refractory
        refractory -= frozen
        fired = V >= p.V_th
        if fired.any():
            idx = np.flatnonzero(fired)
            spikes_step.append(np.full(len(idx), step + 1))
            spikes_neuron.append(idx)
            V[idx] = p.V_reset
            refractory[idx] = ref_steps
        if record:
            trace[step + 1] = V
    t = np.arange(n_steps + 1) * dt
    if spikes_step:
        steps, neurons = np.concatenate(spikes_step), np.concatenate(spikes_neuron)
    else:
        steps = neurons = np.zeros(0, dtype=np.int64)
    spike_times = [t[steps[neurons == i]] for i in range(n)]
    return LIFRun(t=t, V=trace, spike_times=spike_times, dt=dt, params=params)


def rheobase(params: LIFParams = NEURONAL_DYNAMICS) -> float:
    """The smallest constant current (nA) that makes the neuron fire: (V_th - E_L) / R."""
    return (params.V_th - params.E_L) / params.R


def analytic_rate(I, params: LIFParams = NEURONAL_DYNAMICS) -> np.ndarray:
    """Exact firing rate (Hz) of the continuous-time LIF under constant current I (nA):

        r = 1 / (t_ref + tau_m ln((R I + E_L - V_reset) / (R I + E_L - V_th)))

    for R I + E_L > V_th, and 0 otherwise (Dayan & Abbott 2001, ch. 5, plus t_ref).
    """
    current = np.asarray(I, dtype=np.float64)
    if not np.all(np.isfinite(current)):
        raise ValueError("lif.analytic_rate: I (input current, nA) contains NaN or inf")
    p = params
    v_inf = p.R * current + p.E_L
    above = v_inf > p.V_th
    safe = np.where(above, v_inf, p.V_th + 1.0)              # avoid log of <= 0 below
    isi = p.t_ref + p.tau_m * np.log((safe - p.V_reset) / (safe - p.V_th))
    return np.where(above, 1000.0 / isi, 0.0)


def fi_curve(currents, params: LIFParams = NEURONAL_DYNAMICS, *, dt: float = 0.1,
             duration: float = 1000.0, min_spikes: int = 3) -> np.ndarray:
    """Simulated steady firing rate (Hz) for each constant current (nA), in one run.

    Rates come from the mean inter-spike interval (``LIFRun.rates``); currents that
    give fewer than ``min_spikes`` spikes in ``duration`` ms return NaN (too few
    intervals to measure), or 0.0 if the neuron never fired.
    """
    currents = np.asarray(currents, dtype=np.float64)
    if currents.ndim != 1 or currents.size == 0:
        raise ValueError(f"lif.fi_curve: currents must be a non-empty 1-D array, "
                         f"got shape {currents.shape}")
    run = simulate(currents, duration, params, dt=dt, record=False)
    return run.rates(min_spikes=min_spikes)
