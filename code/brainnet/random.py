"""Random number generators for brainnet, seeded only when you ask.

Every function that draws random numbers (weight initialisation, dropout, data
shuffling) takes ``rng``: a ``np.random.Generator``, an int seed, or None. None means
the library's default generator, which ``manual_seed`` resets (like
``torch.manual_seed``). Importing brainnet seeds nothing.
"""

from __future__ import annotations

import numpy as np

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


def generator(rng: np.random.Generator | int | None = None) -> np.random.Generator:
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
