"""Embedding lookup: a learned vector per token id, and one-hot codes."""

from __future__ import annotations

import numpy as np

from ..tensor import ArrayLike, Tensor, wrap


def token_ids(indices: ArrayLike, vocab: int, op: str, what: str = "rows") -> np.ndarray:
    """Integer ids, each in [0, vocab) (``what`` names the vocab in errors)."""
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: indices must be integers, got dtype {idx.dtype}.")
    if idx.size and (idx.min() < 0 or idx.max() >= vocab):
        bad = idx[(idx < 0) | (idx >= vocab)]
        raise IndexError(f"{op}: index {int(bad.flat[0])} is out of range for {vocab} "
                         f"{what} (valid ids are 0..{vocab - 1}).")
    return idx


def embedding(indices: ArrayLike, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by integer ``indices``: ``weight[indices]``, whose
    gradient (``getitem``'s) adds each output row's gradient into its source row.
    ``F.embedding`` is the fused twin (``fused/basic.py``).

    Shapes: indices (...,), weight (V, D) -> (..., D).
    """
    idx = token_ids(indices, weight.shape[0], "embedding",
                    f"rows of the table (weight {weight.shape})")
    return weight[idx]


def one_hot(indices: ArrayLike, num_classes: int, dtype=np.float32) -> Tensor:
    """(...,) integer classes -> (..., num_classes) indicator vectors (no gradient)."""
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"one_hot: num_classes must be a positive integer, got "
                         f"{num_classes!r}.")
    idx = token_ids(indices, int(num_classes), "one_hot", "classes")
    return wrap(np.eye(num_classes, dtype=dtype)[idx])
