"""Initial weights: how a layer's parameters are drawn before training."""

from __future__ import annotations

import numpy as np

from .. import rng as _rng
from .module import Parameter


def uniform_fan_in(shape: tuple[int, ...], fan_in: int, rng: _rng.Seed = None,
                   dtype=np.float32) -> Parameter:
    """U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for Linear, Conv2d, RNN and
    LSTM (what ``kaiming_uniform_(a=sqrt(5))`` works out to for weights). It keeps the
    variance of a unit's summed input near 1/3 of its inputs' whatever the fan-in."""
    return Parameter(_rng.uniform_fan_in(shape, fan_in, rng, dtype))


def normal(shape: tuple[int, ...], std: float = 1.0, rng: _rng.Seed = None,
           dtype=np.float32) -> Parameter:
    """N(0, std^2), e.g. for embeddings (PyTorch's default there is std 1)."""
    return Parameter((std * _rng.generator(rng).standard_normal(shape)).astype(dtype))
