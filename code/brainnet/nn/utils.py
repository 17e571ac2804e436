"""Training utilities that act on a model's gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor


def clip_grad_norm_(parameters: Iterable[Tensor], max_norm: float) -> float:
    """Rescale all gradients together so that their joint L2 norm is at most
    ``max_norm``; returns the norm before clipping.

    Recurrent networks need this: one exploding step can otherwise throw the weights
    far away (Pascanu, Mikolov & Bengio 2013).
    """
    if max_norm <= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be positive, got {max_norm}.")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = float(np.sqrt(sum(float(np.sum(g.data.astype(np.float64) ** 2)) for g in grads)))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        for g in grads:
            g.data = g.data * np.asarray(scale, dtype=g.dtype)
    return total
