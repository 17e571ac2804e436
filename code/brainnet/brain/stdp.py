"""Spike-timing-dependent plasticity (STDP): a synapse strengthens when the presynaptic
spike comes just before the postsynaptic one, and weakens when it comes just after.

Bi & Poo (1998) measured this in cultured hippocampal neurons: pairings with the input
leading by up to about 20 ms potentiated, lagging by up to about 20 ms depressed. The
pair-based model below is the usual summary, with exponential windows; the defaults are
those of Song, Miller & Abbott (2000): A+ = 0.005, A- = 1.05 A+, tau+ = tau- = 20 ms.
Times are in milliseconds; dt = t_post - t_pre.
"""

from __future__ import annotations

import numpy as np

A_PLUS = 0.005
A_MINUS = 1.05 * A_PLUS
TAU_PLUS = 20.0
TAU_MINUS = 20.0


def _check(tau_plus: float, tau_minus: float, a_plus: float, a_minus: float) -> None:
    if not (tau_plus > 0 and tau_minus > 0 and a_plus >= 0 and a_minus >= 0):
        raise ValueError(f"stdp: time constants must be positive and amplitudes non-negative; "
                         f"got tau_plus={tau_plus}, tau_minus={tau_minus}, a_plus={a_plus}, "
                         f"a_minus={a_minus}.")


def window(dt, *, a_plus: float = A_PLUS, a_minus: float = A_MINUS,
           tau_plus: float = TAU_PLUS, tau_minus: float = TAU_MINUS) -> np.ndarray:
    """Weight change for one pre/post spike pair separated by dt = t_post - t_pre (ms).

    dt > 0 (pre before post): +a_plus * exp(-dt / tau_plus), potentiation;
    dt < 0 (post before pre): -a_minus * exp(dt / tau_minus), depression; dt = 0: 0.
    """
    _check(tau_plus, tau_minus, a_plus, a_minus)
    dt = np.asarray(dt, dtype=np.float64)
    return np.where(dt > 0, a_plus * np.exp(-np.abs(dt) / tau_plus),
                    np.where(dt < 0, -a_minus * np.exp(-np.abs(dt) / tau_minus), 0.0))


def net_drift(*, a_plus: float = A_PLUS, a_minus: float = A_MINUS,
              tau_plus: float = TAU_PLUS, tau_minus: float = TAU_MINUS) -> float:
    """The window's integral, a_plus tau_plus - a_minus tau_minus (per ms of rate product).

    For pre and post spike trains that are independent Poisson processes the expected
    weight change is proportional to it: negative means that uncorrelated activity
    weakens a synapse, so only causally related spikes strengthen it.
    """
    _check(tau_plus, tau_minus, a_plus, a_minus)
    return a_plus * tau_plus - a_minus * tau_minus


def pairing_protocol(dt: float, n_pairs: int = 60, w0: float = 1.0, **params) -> float:
    """Relative weight change after ``n_pairs`` pairings at offset dt (ms), applied
    multiplicatively to a weight w0, as in a slice experiment repeated at a low rate
    (pairs far apart, so each pair interacts only with itself)."""
    if n_pairs < 1:
        raise ValueError(f"stdp.pairing_protocol: n_pairs must be at least 1, got {n_pairs}.")
    w = w0 * float(np.prod(np.full(n_pairs, 1.0 + float(window(dt, **params)))))
    return w / w0 - 1.0
