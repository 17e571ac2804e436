"""The normalization model of attention (Reynolds & Heeger 2009), in one spatial dimension.

A neuron's response is its stimulus drive, multiplied by an attention field, divided
by the pooled drive of its neighbours (divisive normalization):

    R(x) = A(x) E(x) / (sigma^n + (s * [A E])(x))

E is the stimulus drive (contrast to the power n), A the attention field (1, raised
by ``gain`` where attention is directed), s a Gaussian suppressive pool and * a
convolution. Attention multiplies the drive *before* normalization, so its effect
depends on how the attention field compares with the stimulus: the model's central
prediction, confirmed in its paper's reanalysis of published data.
"""

from __future__ import annotations

import numpy as np


def _gaussian(x: np.ndarray, width: float) -> np.ndarray:
    return np.exp(-0.5 * (x / width) ** 2)


def response(contrast, stimulus_width: float = 1.0, attention_width: float = 1.0,
             gain: float = 1.0, pool_width: float = 4.0, sigma: float = 0.1, n: float = 2.0,
             attended: bool = True, span: float = 20.0, points: int = 801) -> np.ndarray:
    """The response at the stimulus centre for each contrast (0..1).

    A stimulus of width ``stimulus_width`` sits at x = 0; attention (if ``attended``)
    is a Gaussian of width ``attention_width`` centred on it, scaling the drive by up
    to 1 + ``gain``. Widths are in the same units as ``span``, the extent of space.
    """
    c = np.atleast_1d(np.asarray(contrast, dtype=np.float64))
    if np.any(c < 0) or np.any(c > 1):
        raise ValueError("response: contrasts must lie in [0, 1].")
    if min(stimulus_width, attention_width, pool_width, sigma) <= 0:
        raise ValueError("response: widths and sigma must be positive.")
    x = np.linspace(-span / 2, span / 2, points)
    dx = x[1] - x[0]
    field = 1.0 + (gain * _gaussian(x, attention_width) if attended else 0.0)   # A(x)
    pool = _gaussian(x, pool_width)
    pool /= pool.sum() * dx                                            # unit area
    drive = (c[:, None] * _gaussian(x, stimulus_width)) ** n           # E(x), (C, X)
    attended_drive = field * drive
    centre = points // 2
    suppression = (attended_drive * pool[::-1]).sum(axis=1) * dx       # (s * AE)(0)
    return attended_drive[:, centre] / (sigma ** n + suppression)


def c50(contrasts: np.ndarray, responses: np.ndarray) -> float:
    """The contrast at which a response curve reaches half its maximum (interpolated)."""
    half = responses.max() / 2
    return float(np.interp(half, responses, contrasts))
