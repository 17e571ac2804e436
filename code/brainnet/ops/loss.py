"""Loss functions: how wrong a prediction is, as one number to minimise.

Each is written with plain ops, so its gradient comes from theirs. The two a
classifier spends its time in, ``linear`` and ``cross_entropy``, also have fused twins
with hand-written backward passes in ``fused/basic.py``; ``F.cross_entropy`` is the fused one.
"""

from __future__ import annotations

import numpy as np

from ..tensor import ArrayLike, Tensor, as_float, wrap
from .activation import log_softmax, softplus
from .arith import abs, where

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction: str, op: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}.")


def reduce_loss(losses: Tensor, reduction: str, op: str) -> Tensor:
    """The per-element losses averaged, summed, or kept (``reduction='none'``)."""
    check_reduction(reduction, op)
    if reduction == "mean":
        if losses.data.size == 0:
            raise ValueError(f"{op}: there are no examples (the input is empty, shape "
                             f"{losses.shape}), so the mean loss is undefined.")
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def class_targets(target: ArrayLike, logits: Tensor, op: str) -> tuple[np.ndarray, bool]:
    """Validate targets: integer classes of shape (...,), or probabilities (..., C).

    Returns the target array and whether it holds probabilities.
    """
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    shape = logits._data.shape
    if not shape:
        raise ValueError(f"{op}: input must have a class axis (..., C), got a 0-d tensor.")
    classes = shape[-1]
    if t.dtype.kind in "iu" and t.shape == shape[:-1]:           # class indices, the usual
        # One reduction checks both ends: viewed as unsigned, negative labels become huge.
        unsigned = t.view(_UNSIGNED[t.dtype.itemsize]) if t.dtype.kind == "i" else t
        if t.size and np.maximum.reduce(unsigned, axis=None) >= classes:
            bad = t[(t < 0) | (t >= classes)]
            raise IndexError(f"{op}: target holds class {int(bad.flat[0])} but input has "
                             f"{classes} classes (shape {logits.shape}); classes are "
                             f"0..{classes - 1}.")
        return t, False
    if t.shape == logits.shape and t.dtype.kind == "f":
        if not np.isfinite(t).all() or (t < 0).any():
            raise ValueError(f"{op}: probability targets must be finite and non-negative, "
                             f"got min {t.min()}.")
        return t, True
    if t.shape != logits.shape[:-1]:
        hint = (" A column of labels (N, 1) must be flattened: y.reshape(-1)."
                if t.shape == logits.shape[:-1] + (1,) else "")
        raise ValueError(
            f"{op}: input has shape {logits.shape} (classes on the last axis), so target must "
            f"have shape {logits.shape[:-1]} (class indices) or {logits.shape} "
            f"(probabilities); got {t.shape}.{hint}")
    raise TypeError(f"{op}: class targets must be integers, got dtype {t.dtype}. "
                    "Convert with y.astype(int).")


_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def nll_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood -log p[target], given log-probabilities (..., C) and
    integer classes (...,)."""
    logp = as_float(input)
    check_reduction(reduction, "nll_loss")
    t, soft = class_targets(target, logp, "nll_loss")
    if soft:
        raise TypeError("nll_loss: targets must be integer classes; for probabilities use "
                        "cross_entropy.")
    rows = np.arange(t.size)
    picked = logp.reshape(-1, logp.shape[-1])[rows, t.reshape(-1)]          # (M,)
    return reduce_loss(-picked.reshape(t.shape), reduction, "nll_loss")


def cross_entropy(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy -log p(target) from unnormalised scores (logits), written
    as the two ops it is: ``nll_loss(log_softmax(input))``.

    Shapes: input (..., C) with classes on the LAST axis (PyTorch puts them on axis 1);
    target (...,) integer classes, or (..., C) probabilities (which may require grad).
    Returns a scalar, or (...,) with ``reduction='none'``.
    """
    logits = as_float(input)
    check_reduction(reduction, "cross_entropy")
    t, soft = class_targets(target, logits, "cross_entropy")
    logp = log_softmax(logits)                                             # (..., C)
    if not soft:
        return nll_loss(logp, t, reduction)
    probs = target if isinstance(target, Tensor) else wrap(t)
    probs = as_float(probs, like=logits)
    return reduce_loss(-(probs * logp).sum(axis=-1), reduction, "cross_entropy")


def same_shape(input: ArrayLike, target: ArrayLike, op: str) -> tuple[Tensor, Tensor]:
    """Prediction and target as float tensors of one shape (no broadcasting)."""
    x = as_float(input)
    y = as_float(target, like=x)
    if x.shape != y.shape:
        raise ValueError(
            f"{op}: input shape {x.shape} and target shape {y.shape} differ. Broadcasting "
            "them would compare every prediction with every target (a classic bug with "
            "(N, 1) against (N,)); reshape one of them.")
    return x, y


def mse_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Mean squared error, mean((input - target)^2). Shapes must match exactly."""
    x, y = same_shape(input, target, "mse_loss")
    d = x - y
    return reduce_loss(d * d, reduction, "mse_loss")


def l1_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Mean absolute error, mean(|input - target|)."""
    x, y = same_shape(input, target, "l1_loss")
    return reduce_loss(abs(x - y), reduction, "l1_loss")


def huber_loss(input: ArrayLike, target: ArrayLike, delta: float = 1.0,
               reduction: str = "mean") -> Tensor:
    """Quadratic for |error| <= delta, linear beyond: MSE's smoothness, MAE's robustness."""
    x, y = same_shape(input, target, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}.")
    d = x - y
    a = abs(d)
    loss = where(a.data <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return reduce_loss(loss, reduction, "huber_loss")


def binary_cross_entropy(input: ArrayLike, target: ArrayLike, reduction: str = "mean",
                         eps: float = 1e-7) -> Tensor:
    """-[t log p + (1 - t) log(1 - p)] from probabilities p in [0, 1] (clipped away from
    0 and 1 by ``eps``). Logits belong in ``binary_cross_entropy_with_logits``, which
    is exact and stable."""
    p, t = same_shape(input, target, "binary_cross_entropy")
    if p.data.size and not ((p.data >= 0) & (p.data <= 1)).all():     # NaN fails too
        raise ValueError(
            f"binary_cross_entropy: input must hold probabilities in [0, 1], got values "
            f"from {p.data.min():.3g} to {p.data.max():.3g}. If these are logits (scores "
            "before the sigmoid), use binary_cross_entropy_with_logits.")
    _check_binary_targets(t, "binary_cross_entropy")
    p = p.clip(eps, 1 - eps)
    losses = -(t * p.log() + (1 - t) * (1 - p).log())
    return reduce_loss(losses, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: ArrayLike, target: ArrayLike,
                                     reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(input) against ``target`` in [0, 1], computed as
    softplus(x) - x t, which never overflows. Its gradient is sigmoid(x) - t."""
    x, t = same_shape(input, target, "binary_cross_entropy_with_logits")
    _check_binary_targets(t, "binary_cross_entropy_with_logits")
    return reduce_loss(softplus(x) - x * t, reduction, "binary_cross_entropy_with_logits")


def _check_binary_targets(t: Tensor, op: str) -> None:
    if t.data.size and not ((t.data >= 0) & (t.data <= 1)).all():     # NaN fails too
        raise ValueError(f"{op}: targets must lie in [0, 1] (labels 0/1 or probabilities), "
                         f"got values from {t.data.min():.3g} to {t.data.max():.3g}.")
