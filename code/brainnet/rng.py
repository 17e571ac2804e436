"""Random number generators for brainnet, seeded only when you ask.

Every function that draws random numbers (weight initialisation, dropout, data
shuffling) takes ``rng``: a ``np.random.Generator``, an int seed, or None. None means
the library's default generator, which ``manual_seed`` resets (like
``torch.manual_seed``). Importing brainnet seeds nothing.
"""

from __future__ import annotations

import numpy as np

Seed = np.random.Generator | int | None
"""What every ``rng=`` argument accepts: a generator, an int seed, or None."""

_default: np.random.Generator | None = None


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the default generator, so that code that passes no ``rng`` repeats.

    The generator is reset in place, not replaced: layers and loaders that already hold
    it (a ``Dropout`` built before the call) repeat too, as with ``torch.manual_seed``.
    """
    global _default
    fresh = np.random.default_rng(seed)
    if _default is None:
        _default = fresh
    else:
        _default.bit_generator.state = fresh.bit_generator.state
    return _default


def generator(rng: Seed = None) -> np.random.Generator:
    """The generator to draw from: ``rng`` itself, a new one seeded with it, or the
    default one."""
    global _default
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is not None:
        return np.random.default_rng(rng)
    if _default is None:
        _default = np.random.default_rng()
    return _default


def uniform_fan_in(shape: tuple[int, ...], fan_in: int, rng: Seed = None,
                   dtype=np.float32) -> np.ndarray:
    """An array drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default
    initialisation of Linear, Conv2d, RNN and LSTM weights (``brainnet.nn.init``)."""
    if fan_in <= 0:
        raise ValueError(f"uniform_fan_in: fan_in must be positive, got {fan_in}.")
    bound = 1.0 / np.sqrt(fan_in)
    return generator(rng).uniform(-bound, bound, size=shape).astype(dtype)
