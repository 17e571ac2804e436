"""The reverse-mode engine: gradient mode switches and the backward pass.

Every op in brainnet records, on its output tensor, the tensors it was computed from
(``_parents``) and a closure ``_backward(g)`` that turns the gradient of the output
into one gradient per parent. ``backward()`` and ``grad()`` walk that graph from the
output back to the leaves, in reverse topological order, adding up gradients where
paths meet.

The closures are written with Tensor ops themselves. Run with gradient recording off
(the default), they are plain numpy arithmetic. Run with ``create_graph=True``, they
record a graph of their own, so a gradient can be differentiated again: that is how
the meta-learning chapter differentiates through an SGD step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

# tensor.py imports this module first; binding the (still loading) module object here is
# safe because its names are looked up only when the functions below run.
from . import tensor as _t

if TYPE_CHECKING:
    from .tensor import Tensor

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True while ops record the graph that ``backward()`` needs."""
    return _grad_enabled


class set_grad_enabled:  # noqa: N801 (PyTorch's name; used like a function)
    """Turn graph recording on or off inside a ``with`` block."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)

    def __enter__(self) -> None:
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.mode

    def __exit__(self, *exc) -> None:
        global _grad_enabled
        _grad_enabled = self.previous


def no_grad():
    """``with no_grad():`` runs ops without recording a graph (evaluation, updates)."""
    return set_grad_enabled(False)


def enable_grad():
    """``with enable_grad():`` records a graph even inside a ``no_grad`` block."""
    return set_grad_enabled(True)


def _topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on, each after all of its parents.

    Iterative depth-first search: a recursive one would hit Python's recursion limit
    on the long graphs of recurrent networks (one node per time step and op).
    """
    order: list[Tensor] = []
    visited = {id(root)}
    stack = [(root, iter(root._parents))]        # (node, parents not yet looked at)
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent.requires_grad and id(parent) not in visited:
                visited.add(id(parent))
                if not parent._parents:          # a leaf: nothing above it to place first
                    order.append(parent)
                    continue
                stack.append((parent, iter(parent._parents)))
                break
        else:                                    # every parent is placed: place the node
            stack.pop()
            order.append(node)
    return order


def _run_backward(
    root: Tensor, seed: Tensor, create_graph: bool, wanted: set[int] | None = None
) -> dict[int, tuple[Tensor, Tensor]]:
    """Propagate ``seed`` (dL/droot) back through the graph.

    Returns ``(tensor, gradient)`` for every leaf (tensor with no ``_backward``),
    every tensor that asked to ``retain_grad()`` and every tensor whose id is in
    ``wanted``, keyed by ``id(tensor)``.
    """
    global _grad_enabled
    grads: dict[int, Tensor] = {id(root): seed}
    kept: dict[int, tuple[Tensor, Tensor]] = {}
    previous, _grad_enabled = _grad_enabled, create_graph   # set_grad_enabled, inlined: hot
    try:
        for node in reversed(_topological_order(root)):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:                      # a leaf
                kept[id(node)] = (node, g)
                continue
            if node._retain or (wanted is not None and id(node) in wanted):
                kept[id(node)] = (node, g)
            for parent, pg in zip(node._parents, node._backward(g), strict=False):
                if pg is not None and parent.requires_grad:
                    key = id(parent)
                    grads[key] = grads[key] + pg if key in grads else pg
    finally:
        _grad_enabled = previous
    return kept


def _seed_gradient(output: Tensor, gradient, op: str) -> Tensor:
    """dL/doutput to start from: 1 for a scalar, otherwise the caller must say."""
    if gradient is None:
        if output.data.size != 1:
            raise RuntimeError(
                f"{op}: the output has shape {output.shape}, not a scalar, so its gradient "
                "is ambiguous. Reduce it first (e.g. loss.mean().backward()) or pass "
                "gradient=<array of the same shape>, the gradient of your objective "
                "with respect to this output."
            )
        return _t._wrap(np.ones(output.data.shape, output.data.dtype))
    gradient = _t.as_tensor(gradient, dtype=output.dtype)
    if gradient.shape != output.shape:
        raise ValueError(
            f"{op}: gradient has shape {gradient.shape} but the output has shape "
            f"{output.shape}; they must match."
        )
    return gradient


def backward(output: Tensor, gradient=None, create_graph: bool = False) -> None:
    """Add d(output)/d(leaf) into ``leaf.grad`` for every leaf that requires grad."""
    if not output.requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad, so there is nothing to "
            "differentiate. Did you compute it under no_grad(), or from tensors created "
            "without requires_grad=True?"
        )
    seed = _seed_gradient(output, gradient, "backward")
    handed_out = {id(seed.data)}
    for node, g in _run_backward(output, seed, create_graph).values():
        _accumulate(node, g, create_graph, handed_out)


def _accumulate(t: Tensor, g: Tensor, create_graph: bool, handed_out: set[int]) -> None:
    """``t.grad += g``, keeping ``t``'s dtype.

    ``.grad`` must never share memory with anything else, so ``g`` is copied if it is a
    view, the caller's own ``gradient``, or an array already given to another tensor in
    this pass (``a + b`` hands the same gradient to both). Fresh arrays, the common
    case, are kept as they are: copying every gradient costs ~10% of an MLP step.
    ``handed_out`` holds the ids of those arrays.
    """
    if not create_graph:
        data = g.data
        if (data.base is not None or id(data) in handed_out or data.dtype != t.data.dtype
                or data.shape != t.data.shape):
            data = np.array(np.broadcast_to(data, t.data.shape), dtype=t.data.dtype)
        handed_out.add(id(data))
        if data is not g.data or g._backward is not None:   # a fresh, graph-free tensor
            g = _t._wrap(data)
    t.grad = g if t.grad is None else t.grad + g


def grad(
    outputs: Tensor,
    inputs: Sequence[Tensor] | Tensor,
    grad_outputs=None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    Mirrors ``torch.autograd.grad``. With ``create_graph=True`` the returned gradients
    are themselves part of a graph and can be differentiated again (second-order
    MAML, Hessian-vector products).
    """
    single = isinstance(inputs, _t.Tensor)
    inputs = [inputs] if single else list(inputs)
    if not outputs.requires_grad:
        raise RuntimeError("grad: outputs does not require grad; nothing to differentiate.")
    seed = _seed_gradient(outputs, grad_outputs, "grad")
    kept = _run_backward(outputs, seed, create_graph, wanted={id(t) for t in inputs})
    result = []
    for i, t in enumerate(inputs):
        g = kept[id(t)][1] if id(t) in kept else None
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used to compute outputs. "
                "Pass allow_unused=True to get None for it."
            )
        if g is not None and not create_graph:
            g = _t._wrap(np.array(np.broadcast_to(g.data, t.shape), dtype=t.dtype))
        result.append(g)
    return tuple(result)


def hvp(fn, params: Iterable[Tensor], vector: Iterable[Tensor]) -> tuple[Tensor, ...]:
    """Hessian-vector product H v of the scalar ``fn()`` with respect to ``params``.

    Computed exactly by double backward: the gradient g(params) is built as a graph,
    then g . v is differentiated once more. Returns one tensor per parameter (zeros
    where the gradient does not depend on that parameter); ``.grad`` is not touched.
    """
    params = list(params)
    with enable_grad():
        loss = fn()
        grads = grad(loss, params, create_graph=True)
        dot = sum(((g * v).sum() for g, v in zip(grads, vector, strict=True)))
    hv = grad(dot, params, allow_unused=True) if dot.requires_grad else [None] * len(params)
    return tuple(_t.zeros(p.shape, dtype=p.dtype) if h is None else h
                 for p, h in zip(params, hv, strict=True))
