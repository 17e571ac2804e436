"""Functions of tensors that layers and training use: activations, ``linear``, losses,
dropout, layer normalisation and embedding lookup. Import it as ``F``, as in PyTorch:

    import brainnet.functional as F
    loss = F.cross_entropy(model(x), y)

Hot compositions are fused into one op with a hand-written backward (``linear``,
``cross_entropy``, ``binary_cross_entropy_with_logits``, ``embedding``); the rest are
built from tensor ops, so their gradients come for free. The two hottest, ``linear``
and ``cross_entropy``, compute their backward on raw arrays when no graph is being
recorded, and with tensor ops when one is (``create_graph=True``): same formulas, one
fast and one differentiable.
"""

from __future__ import annotations

import numpy as np

from . import arith, autograd, random
from .activation import gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from .conv import avg_pool2d, conv2d, max_pool2d
from .tensor import Tensor, _result, _wrap, as_tensor

__all__ = [
    "relu", "tanh", "sigmoid", "leaky_relu", "gelu", "softmax", "log_softmax",
    "linear", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "dropout", "layer_norm", "embedding", "one_hot",
    "conv2d", "max_pool2d", "avg_pool2d",
]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}.")


def _floating(x, op: str, like: Tensor | None = None) -> Tensor:
    """``x`` as a float tensor: integers are converted to ``like``'s dtype (or float32)."""
    x = as_tensor(x)
    if x.dtype.kind != "f":
        x = x.astype(like.dtype if like is not None else np.float32)
    elif like is not None and x.dtype != like.dtype:
        x = x.astype(like.dtype)
    return x


# ------------------------------------------------------------------------ linear
def linear(x, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, PyTorch's layout.

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out).
    Integer or other-precision inputs are cast to the weight's dtype.
    """
    x = _floating(x, "linear", like=weight)
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(
            f"linear: input has shape {x.shape}, so {x.shape[-1] if x.ndim else 0} features, "
            f"but the weight of shape {weight.shape} expects {weight.shape[1]}."
        )
    data = x.data @ weight.data.T
    if bias is not None:
        data += bias.data
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        if autograd._grad_enabled:           # double backward: build the graph
            return _linear_backward(g, x, weight, bias)
        # Fast path, same formulas on the raw arrays.
        gd = g.data.reshape(-1, weight.shape[0])                         # (N, out)
        gx = _wrap(g.data @ weight.data) if x.requires_grad else None    # (..., in)
        gw = (_wrap(gd.T @ x.data.reshape(-1, weight.shape[1]))          # (out, in)
              if weight.requires_grad else None)
        if bias is None:
            return gx, gw
        return gx, gw, (_wrap(gd.sum(axis=0)) if bias.requires_grad else None)

    return _result(data, parents, backward, "linear")


def _linear_backward(g: Tensor, x: Tensor, weight: Tensor, bias: Tensor | None):
    """The gradients of ``linear`` as tensor ops, so that they can be differentiated."""
    g2 = g.reshape(-1, weight.shape[0])                       # (N, out)
    gx = g @ weight if x.requires_grad else None              # (..., in)
    gw = g2.T @ x.reshape(-1, weight.shape[1]) if weight.requires_grad else None
    if bias is None:
        return gx, gw
    return gx, gw, (g2.sum(axis=0) if bias.requires_grad else None)


# ------------------------------------------------------------------------ losses
def _class_targets(target, logits: Tensor, op: str) -> tuple[np.ndarray, bool]:
    """Validate targets: integer classes of shape (...,) or probabilities (..., C)."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    classes = logits.shape[-1]
    if t.shape == logits.shape and t.dtype.kind == "f":
        return t.astype(logits.dtype, copy=False), True
    if t.shape != logits.shape[:-1]:
        raise ValueError(
            f"{op}: input has shape {logits.shape} (classes on the last axis), so target must "
            f"have shape {logits.shape[:-1]} (class indices) or {logits.shape} "
            f"(probabilities); got {t.shape}."
        )
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: class targets must be integers, got dtype {t.dtype}. "
                        "Convert with y.astype(int).")
    # One reduction checks both ends: viewed as unsigned, negative labels become huge.
    unsigned = t.view(f"u{t.dtype.itemsize}") if t.dtype.kind == "i" else t
    if t.size and unsigned.max() >= classes:
        bad = t[(t < 0) | (t >= classes)]
        raise IndexError(f"{op}: target holds class {int(bad.flat[0])} but input has "
                         f"{classes} classes (shape {logits.shape}).")
    return t, False


def cross_entropy(input, target, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy, -log p(target), from unnormalised scores (logits).

    Shapes: input (..., C) with classes on the LAST axis (PyTorch puts them on axis 1);
    target (...,) integer classes, or (..., C) probabilities. Returns a scalar, or
    (...,) with ``reduction='none'``.

    Fused: the gradient with respect to the logits is (softmax - onehot) / N, one
    subtraction instead of backpropagating through exp, sum, log and indexing.
    Probability targets that require grad get their gradient too, -log_softmax / N.
    """
    logits = _floating(input, "cross_entropy")
    t, soft = _class_targets(target, logits, "cross_entropy")
    target = target if soft and isinstance(target, Tensor) and target.requires_grad else None
    if reduction not in _REDUCTIONS:
        raise ValueError(f"cross_entropy: reduction must be one of {_REDUCTIONS}.")
    classes = logits.shape[-1]
    shifted = logits.data - logits.data.max(axis=-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))   # (..., C)
    if soft:
        losses = -(t * logp).sum(axis=-1)                     # (...,)
    else:
        rows, cols = np.arange(t.size), t.reshape(-1)
        losses = -logp.reshape(-1, classes)[rows, cols].reshape(t.shape)
    n = max(losses.size, 1)
    # sum / n rather than mean(): the same number, without numpy's mean() overhead.
    data = losses.sum() / n if reduction == "mean" else losses.sum() if reduction == "sum" \
        else losses

    def minus_target(p):
        """p - target, where target is one-hot for class labels."""
        if soft:
            return p - (t if target is None else target)
        onehot = np.zeros(logp.shape, dtype=logp.dtype)
        onehot.reshape(-1, classes)[rows, cols] = 1.0
        return p - onehot

    def backward(g):
        # dL/dlogits = (softmax - target) * dL/dloss, divided by N for the mean.
        if autograd._grad_enabled:           # double backward: build the graph
            scale = g / n if reduction == "mean" else g if reduction == "sum" \
                else g.unsqueeze(-1)
            grad_logits = minus_target(softmax(logits)) * scale
            if target is None:
                return (grad_logits,)
            return grad_logits, -log_softmax(logits) * scale
        # Fast path: reuse the forward's log-probabilities, in place, on raw arrays.
        scale = g.data / n if reduction == "mean" else g.data if reduction == "sum" \
            else g.data[..., None]
        p = np.exp(logp)
        if soft:
            p -= t
        else:
            p.reshape(-1, classes)[rows, cols] -= 1.0
        p *= scale
        if target is None:
            return (_wrap(p),)
        return _wrap(p), _wrap(-logp * scale)

    parents = (logits,) if target is None else (logits, target)
    return _result(np.asarray(data, dtype=logp.dtype), parents, backward, "cross_entropy")


def nll_loss(input, target, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of integer targets, given log-probabilities (..., C)."""
    logp = _floating(input, "nll_loss")
    t, soft = _class_targets(target, logp, "nll_loss")
    if soft:
        raise TypeError("nll_loss: targets must be integer classes.")
    picked = logp.reshape(-1, logp.shape[-1])[np.arange(t.size), t.reshape(-1)]
    return _reduce(-picked.reshape(t.shape), reduction, "nll_loss")


def _same_shape(input, target, op: str) -> tuple[Tensor, Tensor]:
    x = _floating(input, op)
    y = _floating(target, op, like=x)
    if x.shape != y.shape:
        raise ValueError(
            f"{op}: input shape {x.shape} and target shape {y.shape} differ. Broadcasting "
            "them would compare every prediction with every target (a classic bug with "
            "(N, 1) against (N,)); reshape one of them."
        )
    return x, y


def mse_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean squared error, mean((input - target)^2). Shapes must match exactly."""
    x, y = _same_shape(input, target, "mse_loss")
    d = x - y
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input, target, reduction: str = "mean") -> Tensor:
    """Mean absolute error, mean(|input - target|)."""
    x, y = _same_shape(input, target, "l1_loss")
    return _reduce(arith.abs(x - y), reduction, "l1_loss")


def huber_loss(input, target, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """Quadratic for |error| <= delta, linear beyond: MSE's smoothness, MAE's robustness."""
    x, y = _same_shape(input, target, "huber_loss")
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}.")
    d = x - y
    a = arith.abs(d)
    loss = arith.where(a.data <= delta, 0.5 * d * d, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input, target, reduction: str = "mean", eps: float = 1e-7) -> Tensor:
    """-[t log p + (1 - t) log(1 - p)] from probabilities p (clipped away from 0 and 1).
    Prefer ``binary_cross_entropy_with_logits``: it is exact and stable."""
    p, t = _same_shape(input, target, "binary_cross_entropy")
    p = p.clip(eps, 1 - eps)
    return _reduce(-(t * p.log() + (1 - t) * (1 - p).log()), reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of sigmoid(input) against ``target`` in [0, 1], computed as
    max(x, 0) - x t + log(1 + e^-|x|), which never overflows. Fused gradient:
    sigmoid(x) - t with respect to x, and -x with respect to t."""
    x, t = _same_shape(input, target, "binary_cross_entropy_with_logits")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"binary_cross_entropy_with_logits: reduction must be one of "
                         f"{_REDUCTIONS}.")
    xd, td = x.data, t.data
    losses = np.maximum(xd, 0) - xd * td + np.log1p(np.exp(-np.abs(xd)))
    n = max(losses.size, 1)
    data = {"mean": losses.mean(), "sum": losses.sum(), "none": losses}[reduction]

    def backward(g):
        scale = g / n if reduction == "mean" else g
        return ((sigmoid(x) - t) * scale if x.requires_grad else None,
                -x * scale if t.requires_grad else None)

    return _result(np.asarray(data, dtype=xd.dtype), (x, t), backward,
                   "binary_cross_entropy_with_logits")


# ------------------------------------------------------------------------ layers
def dropout(x, p: float = 0.5, training: bool = True,
            rng: np.random.Generator | None = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), so the
    expected value is unchanged and evaluation needs no rescaling (inverted dropout)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}.")
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    keep = random.generator(rng).random(x.shape) >= p
    return x * (keep / (1.0 - p)).astype(x.dtype)


def layer_norm(x, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` axes to mean 0 and variance 1,
    then scale by ``weight`` and shift by ``bias``.

    Shapes: x (..., *normalized_shape) -> same.
    """
    x = _floating(x, "layer_norm")
    normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                        else tuple(normalized_shape))
    k = len(normalized_shape)
    if x.shape[x.ndim - k:] != normalized_shape:
        raise ValueError(f"layer_norm: input shape {x.shape} does not end with "
                         f"normalized_shape {normalized_shape}.")
    axes = tuple(range(x.ndim - k, x.ndim))
    centred = x - x.mean(axis=axes, keepdims=True)
    variance = (centred * centred).mean(axis=axes, keepdims=True)
    y = centred / (variance + eps).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def embedding(indices, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by integer ``indices``.

    Shapes: indices (...,), weight (V, D) -> (..., D). The gradient adds each output
    row's gradient into its source row, as a one-hot matmul (fast, and repeated
    indices accumulate correctly).
    """
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}.")
    vocab = weight.shape[0]
    bad = idx[(idx < 0) | (idx >= vocab)]
    if bad.size:
        raise IndexError(f"embedding: index {int(bad.flat[0])} is out of range for a table of "
                         f"{vocab} rows (weight {weight.shape}).")
    flat = idx.reshape(-1)

    def backward(g):
        onehot_t = np.zeros((vocab, flat.size), dtype=weight.dtype)    # (V, M)
        onehot_t[flat, np.arange(flat.size)] = 1.0
        return (Tensor(onehot_t) @ g.reshape(flat.size, weight.shape[1]),)

    return _result(weight.data[idx], (weight,), backward, "embedding")


def one_hot(indices, num_classes: int, dtype=np.float32) -> Tensor:
    """(...,) integer classes -> (..., num_classes) indicator vectors (no gradient)."""
    idx = indices.data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise IndexError(f"one_hot: classes must be in [0, {num_classes}).")
    return Tensor(np.eye(num_classes, dtype=dtype)[idx])
