"""Fast twins of the ops every network step runs: relu, gelu, linear, layer_norm,
cross-entropy, embedding.

Each is one graph node whose first-order backward runs on raw arrays; when a graph is
recorded (``create_graph=True``) the backward uses tensor ops instead, so that second
derivatives still work. See ``fused/__init__.py`` for the list of twins.
"""

from __future__ import annotations

import math

import numpy as np

from ... import numerics
from ...autograd import is_grad_enabled, record
from ...tensor import ArrayLike, Tensor, as_float, wrap
from .. import activation, norm
from ..activation import GELU_C, GELU_K, log_softmax, softmax
from ..embedding import token_ids
from ..loss import check_reduction, class_targets
from .scratch import CACHE_FLOATS, blocks, scratch
from .twin import backward_through


# -------------------------------------------------------------------------- relu
def relu(x: ArrayLike) -> Tensor:
    """max(x, 0); the gradient at exactly 0 is taken to be 0."""
    x = as_float(x)
    xd = x._data
    out = wrap(np.maximum(xd, 0))

    def backward(g):
        if is_grad_enabled():
            return (g * (xd > 0),)
        return (wrap(g._data * (xd > 0)),)

    return record(out, (x,), backward, "relu")


# -------------------------------------------------------------------------- gelu
def gelu(x: ArrayLike, approximate: str = "tanh") -> Tensor:
    """GELU in its tanh approximation, as one node; the backward reuses the forward's
    tanh (the readable form, ``activation.gelu``, recomputes it with tensor ops).

    Both passes run block by block (``scratch.blocks``): each formula takes nine or
    more passes over the data, and a block stays in the cache through all of them.
    """
    if approximate != "tanh":
        return activation.gelu(x, approximate)          # raises the clear error
    x = as_float(x)
    xd = x._data
    flat = xd.reshape(-1)                               # (n,), a view if contiguous
    k, c, k3 = (x.dtype.type(v) for v in (GELU_K, GELU_C, 3 * GELU_K))
    t, y = np.empty_like(flat), np.empty_like(flat)     # tanh(c (x + k x^3)), the output
    for b in blocks(flat.size):
        xb, tb, yb = flat[b], t[b], y[b]
        np.multiply(xb, xb, out=tb)
        tb *= xb
        tb *= k
        tb += xb
        tb *= c
        np.tanh(tb, out=tb)
        np.add(tb, 1.0, out=yb)
        yb *= xb
        yb *= 0.5                                       # 0.5 x (1 + t)
    out = wrap(y.reshape(xd.shape))

    def backward(g):
        if is_grad_enabled():
            return backward_through(activation.gelu, (x,), g)
        # slope = 0.5 (1 + t + x (1 - t^2) c (1 + 3 k x^2))
        gd = g._data.reshape(-1)
        slope = np.empty_like(flat)
        du = scratch("gelu du", (min(flat.size, CACHE_FLOATS),), flat.dtype)
        for b in blocks(flat.size):
            xb, tb, sb, db = flat[b], t[b], slope[b], du[:b.stop - b.start]
            np.multiply(xb, xb, out=db)
            db *= k3
            db += 1.0
            db *= c
            np.multiply(tb, tb, out=sb)
            np.subtract(1.0, sb, out=sb)
            sb *= xb
            sb *= db
            sb += tb
            sb += 1.0
            sb *= 0.5
            sb *= gd[b]
        return (wrap(slope.reshape(xd.shape)),)

    return record(out, (x,), backward, "gelu")


# -------------------------------------------------------------------- layer_norm
def layer_norm(x: ArrayLike, normalized_shape, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """``norm.layer_norm`` as one node. With xhat = (x - mean) / std over the last axes,
    the backward is dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / std, where
    dxhat = dy * weight; dweight = sum(dy xhat), dbias = sum(dy)."""
    shape = norm.normalized_shape_arg(normalized_shape, "layer_norm")
    x = as_float(x, like=as_float(weight)) if weight is not None else as_float(x)
    weight = None if weight is None else as_float(weight, like=x)
    bias = None if bias is None else as_float(bias, like=x)
    k = len(shape)
    if x.shape[x.ndim - k:] != shape:
        raise ValueError(f"layer_norm: input shape {x.shape} does not end with "
                         f"normalized_shape {shape}.")
    K = math.prod(shape)
    xd = x._data
    x2 = xd.reshape(-1, K)                                         # (M, K): rows to normalise
    per_row = np.full(K, 1.0 / K, xd.dtype)                        # row means as one GEMV,
    xhat = x2 - (x2 @ per_row)[:, None]                            # 5x faster than mean()
    rstd = 1.0 / np.sqrt(np.square(xhat) @ per_row + eps)[:, None]  # (M, 1)
    xhat *= rstd                                                   # (M, K)
    w2 = None if weight is None else weight._data.reshape(K)
    y = xhat * w2 if w2 is not None else xhat.copy()
    if bias is not None:
        y += bias._data.reshape(K)
    out = wrap(y.reshape(xd.shape))
    parents = tuple(t for t in (x, weight, bias) if t is not None)

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda *a: norm.layer_norm(a[0], shape, *_unpack(a[1:], weight, bias), eps),
                parents, g)
        g2 = g._data.reshape(-1, K)
        dxhat = (np.multiply(g2, w2, out=scratch("layer_norm dxhat", g2.shape, g2.dtype))
                 if w2 is not None else g2)
        tmp = np.multiply(dxhat, xhat, out=scratch("layer_norm tmp", g2.shape, g2.dtype))
        dx = dxhat - (dxhat @ per_row)[:, None]
        dx -= np.multiply(xhat, (tmp @ per_row)[:, None], out=tmp)
        dx *= rstd
        grads = [wrap(dx.reshape(xd.shape)) if x._requires_grad else None]
        if weight is not None:
            grads.append(wrap((numerics.ones(len(g2), g2.dtype) @ np.multiply(g2, xhat, out=tmp))
                              .reshape(shape)) if weight._requires_grad else None)
        if bias is not None:
            grads.append(wrap((numerics.ones(len(g2), g2.dtype) @ g2).reshape(shape))
                         if bias._requires_grad else None)
        return tuple(grads)

    return record(out, parents, backward, "layer_norm")


def _unpack(rest: tuple, weight, bias) -> tuple:
    """(weight or None, bias or None) from the parents after x."""
    items = list(rest)
    w = items.pop(0) if weight is not None else None
    b = items.pop(0) if bias is not None else None
    return w, b


# ------------------------------------------------------------------------ linear
def linear(x: ArrayLike, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, PyTorch's layout, as one node.

    Shapes: x (..., in), weight (out, in), bias (out,) -> y (..., out). Integer or
    other-precision inputs are cast to the weight's dtype.
    """
    weight = as_float(weight)
    x = as_float(x, like=weight)
    bias = None if bias is None else as_float(bias, like=weight)
    xd, w = x._data, weight._data             # fast twins read the fields directly
    n_out, n_in = w.shape
    if xd.ndim == 0 or xd.shape[-1] != n_in:
        raise ValueError(
            f"linear: input has shape {x.shape}, so {x.shape[-1] if x.ndim else 0} features, "
            f"but the weight of shape {weight.shape} expects {n_in}. The input must end "
            "with in_features; check the layer sizes.")
    two_d = xd.ndim == 2                      # (N, in) already: no reshapes needed
    x2 = xd if two_d else xd.reshape(-1, n_in)                     # (N, in): one GEMM
    y = x2 @ w.T                                                  # (N, out)
    if bias is not None:
        y += bias._data
    out = wrap(y if two_d else y.reshape(xd.shape[:-1] + (n_out,)))  # (..., out)
    parents = (x, weight) if bias is None else (x, weight, bias)

    def backward(g):
        if is_grad_enabled():                                     # create_graph: tensor ops
            g2 = g.reshape(-1, n_out)                             # (N, out)
            gx = g @ weight if x.requires_grad else None
            gw = g2.T @ x.reshape(-1, n_in) if weight.requires_grad else None
            gb = g2.sum(axis=0) if bias is not None and bias.requires_grad else None
        else:                                                     # the same, on arrays
            g2 = g._data if two_d else g._data.reshape(-1, n_out)  # (N, out)
            gx = None
            if x._requires_grad:
                gx = wrap(g2 @ w if two_d else (g2 @ w).reshape(xd.shape))   # (..., in)
            gw = wrap(g2.T @ x2) if weight._requires_grad else None  # (out, in)
            gb = None
            if bias is not None and bias._requires_grad:          # column sums as a GEMV
                gb = wrap(numerics.ones(len(g2), g2.dtype) @ g2)  # (out,)
        return (gx, gw) if bias is None else (gx, gw, gb)

    return record(out, parents, backward, "linear")


# ----------------------------------------------------------------- cross-entropy
def cross_entropy(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits, as one node (see ``loss.cross_entropy``).

    Shapes: input (..., C), classes on the last axis; target (...,) integer classes or
    (..., C) probabilities. The gradient with respect to the logits is
    softmax * sum(target) - target (softmax - onehot for class labels), divided by N
    for the mean; a probability target that requires grad gets -log_softmax.
    """
    logits = as_float(input)
    check_reduction(reduction, "cross_entropy")
    t, soft = class_targets(target, logits, "cross_entropy")
    target_t = (as_float(target, like=logits)
                if soft and isinstance(target, Tensor) and target._requires_grad else None)
    # C order, so that the flat view below shares logp's memory and the backward's
    # in-place edit lands (an input sliced by an index array can come in another order)
    logp = np.ascontiguousarray(numerics.log_softmax(logits._data))   # (..., C)
    classes = logp.shape[-1]
    if soft:
        t = t.astype(logp.dtype, copy=False)
        loglik = (t * logp).sum(axis=-1)                          # (...,)
    else:
        # where each example's target sits in logp read flat: 1-D indexing is 3-5x
        # faster than indexing rows and columns
        flat = np.arange(0, t.size * classes, classes) + t.reshape(-1)   # (M,)
        loglik = logp.reshape(-1)[flat]                           # (M,)
    n = loglik.size
    if reduction == "mean" and n == 0:
        raise ValueError(f"cross_entropy: there are no examples (input shape "
                         f"{logits.shape}), so the mean loss is undefined.")
    if reduction == "none":
        out = wrap(-loglik.reshape(logp.shape[:-1]))              # (...,)
    else:
        total = -np.add.reduce(loglik, axis=None)
        out = wrap(np.asarray(total / n if reduction == "mean" else total, dtype=logp.dtype))

    def scale(g):
        """dL/dloss for each example, broadcastable against (..., C)."""
        if reduction == "mean":
            return g / n if isinstance(g, Tensor) else float(g) / n   # a number: 1 op fewer
        return g if reduction == "sum" else g.unsqueeze(-1) if isinstance(g, Tensor) \
            else g[..., None]

    def backward(g):
        if is_grad_enabled():                                     # create_graph: tensor ops
            s = scale(g)
            if soft:
                probs = target_t if target_t is not None else wrap(t)
                grad_logits = (softmax(logits) * probs.sum(axis=-1, keepdims=True)
                               - probs) * s
            else:
                onehot = np.zeros(logp.shape, dtype=logp.dtype)
                onehot.reshape(-1)[flat] = 1.0
                grad_logits = (softmax(logits) - onehot) * s
            grad_target = -log_softmax(logits) * s if target_t is not None else None
        else:                                                     # the same, on arrays
            s = scale(g._data)
            p = np.exp(logp)
            if soft:
                p *= t.sum(axis=-1, keepdims=True)
                p -= t
            else:
                p.reshape(-1)[flat] -= 1.0
            p *= s
            grad_logits = wrap(p)
            grad_target = wrap(-logp * s) if target_t is not None else None
        return (grad_logits,) if target_t is None else (grad_logits, grad_target)

    parents = (logits,) if target_t is None else (logits, target_t)
    return record(out, parents, backward, "cross_entropy")


# ---------------------------------------------------------------------- embedding
def embedding(indices: ArrayLike, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by integer ``indices``, as one node whose backward is
    a one-hot matmul (``np.add.at``, the readable scatter, is several times slower).

    Shapes: indices (...,), weight (V, D) -> (..., D).
    """
    idx = token_ids(indices, weight.shape[0], "embedding",
                    f"rows of the table (weight {weight.shape})")
    flat = idx.reshape(-1)
    vocab, dim = weight.shape
    out = wrap(weight.data[idx])

    def backward(g):
        onehot_t = np.zeros((vocab, flat.size), dtype=weight.dtype)  # (V, M)
        onehot_t[flat, np.arange(flat.size)] = 1.0
        if is_grad_enabled():
            return (wrap(onehot_t) @ g.reshape(flat.size, dim),)
        return (wrap(onehot_t @ g.data.reshape(flat.size, dim)),)

    return record(out, (weight,), backward, "embedding")
