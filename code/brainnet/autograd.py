"""The reverse-mode engine: recording the graph, the grad mode, backward and grad.

Every op follows one pattern (see ``brainnet/ops/arith.py``): compute the output with
numpy, write a closure ``backward(g)`` that maps the gradient of the output to one
gradient per input, and hand both to ``record``. ``record`` wires the output into the
graph (its parents, its closure, its tick on the shared clock) when the grad mode is
on and some input requires a gradient; otherwise the output is a plain tensor.

``backward()`` then walks the graph from the output back to the leaves. It needs no
separate topological sort: every op's output is newer than its inputs, so visiting
ops newest first (a heap keyed on the tick) reaches each op only after every op that
used it has sent its gradient. The closures are written with tensor ops. Run with the
grad mode off (the default inside backward), they are plain numpy arithmetic; run
with ``create_graph=True``, they record a graph of their own, so that a gradient can
be differentiated again (second-order MAML, Hessian-vector products).
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from .tensor import ArrayLike, Backward, Tensor, as_tensor, clock, last_change, wrap

_F = TypeVar("_F", bound=Callable[..., Any])

# ------------------------------------------------------------------- grad mode
_grad_enabled = True


def is_grad_enabled() -> bool:
    """True while ops record the graph that ``backward()`` needs. Inside a backward
    pass it is True exactly when ``create_graph=True``."""
    return _grad_enabled


def _set_mode(mode: bool) -> bool:
    """Switch recording on or off; return the previous mode."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, bool(mode)
    return previous


class set_grad_enabled:  # noqa: N801 (PyTorch's name; it is used like a function)
    """Turn recording on or off: ``set_grad_enabled(False)`` switches it at once, and
    ``with set_grad_enabled(False):`` switches it back at the end of the block."""

    def __init__(self, mode: bool):
        self.previous = _set_mode(mode)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _set_mode(self.previous)


class _Mode:
    """A context manager and decorator that runs code with recording on or off."""

    mode = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_set_mode(self.mode))

    def __exit__(self, *exc: object) -> None:
        _set_mode(self._previous.pop())

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with type(self)():
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]


class no_grad(_Mode):  # noqa: N801
    """``with no_grad():`` (or ``@no_grad()``) runs ops without recording a graph:
    for evaluation and for weight updates."""

    mode = False


class enable_grad(_Mode):  # noqa: N801
    """``with enable_grad():`` records a graph even inside a ``no_grad`` block."""

    mode = True


# ------------------------------------------------------------------- recording
def record(out: Tensor, parents: tuple[Tensor, ...], backward: Backward, op: str) -> Tensor:
    """Make ``out`` the result of op ``op`` applied to ``parents``, and return it.

    If the grad mode is on and a parent requires a gradient, ``out`` joins the graph:
    ``backward(g)`` will be called with dL/d``out`` and must return one gradient (or
    None) per parent, each of its parent's shape.
    """
    out._op = op
    if _grad_enabled:
        for p in parents:
            if p._requires_grad:
                out._requires_grad = True
                out._parents = parents
                out._backward = backward
                out._tick = next(clock)
                break
    return out


def copy(t: Tensor) -> Tensor:
    """A new tensor with a copy of ``t``'s values; the gradient passes straight through.
    ``.grad`` must never share memory with another tensor, and this is how it is made
    its own in a recorded (``create_graph``) pass."""
    return record(wrap(t._data.copy()), (t,), lambda g: (g,), "copy")


# -------------------------------------------------------------------- backward
def _propagate(root: Tensor, seed: Tensor, create_graph: bool,
               keep: set[Tensor] | None = None,
               stop: set[Tensor] | None = None) -> dict[Tensor, Tensor]:
    """Send ``seed`` (dL/droot) back through the graph below ``root``.

    Returns the gradient of every leaf reached, of every tensor that asked to
    ``retain_grad()``, of every tensor in ``keep`` and of every tensor in ``stop``,
    below which nothing is propagated.
    """
    pending: dict[Tensor, Tensor] = {root: seed}   # gradient sums not yet passed on
    if root._backward is None:
        return pending
    found: dict[Tensor, Tensor] = {}
    heap = [(-root._tick, root)]                   # the newest op first
    changed = last_change[0]                       # the newest assignment to any .data
    pop, push = heapq.heappop, heapq.heappush
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, bool(create_graph)
    try:
        while heap:
            node = pop(heap)[1]
            g = pending.pop(node)
            if node._retain or (keep is not None and node in keep):
                found[node] = g
            if stop is not None and node in stop:
                found[node] = g
                continue
            if changed > node._tick:               # some data changed since: check ours
                _check_unchanged(node)
            for parent, pg in zip(node._parents, node._backward(g), strict=True):  # type: ignore[misc]
                if pg is None or not parent._requires_grad:
                    continue
                if pg._data.shape != parent._data.shape:
                    raise _shape_error(node, parent, pg)
                earlier = pending.get(parent)
                if earlier is None:
                    pending[parent] = pg
                    if parent._backward is not None:
                        push(heap, (-parent._tick, parent))
                else:                              # paths meet: add the gradients
                    pending[parent] = (earlier + pg if create_graph
                                       else wrap(earlier._data + pg._data))
    finally:
        _grad_enabled = previous
    found.update(pending)                          # what is left are the leaves
    return found


def _check_unchanged(node: Tensor) -> None:
    """Refuse to differentiate an op whose inputs or output changed after it ran."""
    for t in (node, *node._parents):
        if t._changed > node._tick:
            which = ("its own output" if t is node
                     else f"an input of shape {t.shape} (dtype {t.dtype})")
            raise RuntimeError(
                f"backward: {which} of the op '{node._op}' was changed after the op used "
                "it (its .data was assigned, or changed in place, e.g. by an optimiser "
                "step). The gradient would be computed from the new values, not the ones "
                "the loss came from. Run the forward pass again after changing the "
                "weights, or change them only after backward().")


def _shape_error(node: Tensor, parent: Tensor, pg: Tensor) -> RuntimeError:
    return RuntimeError(
        f"backward: the op '{node._op}' returned a gradient of shape {pg.shape} for an "
        f"input of shape {parent.shape}. This is a bug in the op's backward closure "
        "(CONTRIBUTING.md, 'Adding an op': each gradient has its input's shape).")


def _own(g: Tensor, like: Tensor, handed_out: set[int], create_graph: bool) -> Tensor:
    """``g`` as a gradient that ``like`` may keep: its dtype, its own memory.

    A gradient must not share memory with anything else, or clipping or zeroing one
    tensor's ``.grad`` would change another's: ``a + b`` hands one gradient to both
    parents, and a reshape hands on a view. Fresh arrays, the common case, are kept.
    """
    data = g._data
    if data.dtype != like._data.dtype:
        g = g.astype(like._data.dtype) if create_graph else wrap(data.astype(like._data.dtype))
    elif id(data) in handed_out or data.base is not None:
        g = copy(g) if create_graph else wrap(data.copy())
    elif not create_graph and g._backward is not None:
        g = wrap(data)                                 # first order: outside any graph
    handed_out.add(id(g._data))
    return g


def _seed(output: Tensor, gradient: ArrayLike | None, op: str) -> Tensor:
    """dL/doutput to start from: 1 for a scalar, otherwise the caller must say."""
    if gradient is None:
        if output._data.size != 1:
            raise RuntimeError(
                f"{op}: the output has shape {output.shape}, not a single number, so its "
                "gradient is ambiguous. Reduce it first (e.g. loss.mean().backward()) or "
                "pass gradient=<array of the same shape>, the gradient of your objective "
                "with respect to this output.")
        return wrap(np.array(1, output._data.dtype).reshape(output._data.shape))
    seed = as_tensor(gradient, dtype=output.dtype)
    if seed.shape != output.shape:
        raise ValueError(f"{op}: gradient has shape {seed.shape} but the output has shape "
                         f"{output.shape}; they must match.")
    return seed


def backward(output: Tensor, gradient: ArrayLike | None = None,
             create_graph: bool = False) -> None:
    """Add d(output)/d(leaf) into ``leaf.grad`` for every leaf that requires grad.

    ``gradient`` is needed when ``output`` is not a scalar: it is dL/doutput for
    whatever scalar L you have in mind. ``create_graph=True`` records the backward
    pass itself, so that the gradients can be differentiated again.
    """
    if not output._requires_grad:
        raise RuntimeError(
            "backward: this tensor does not require grad, so there is nothing to "
            "differentiate. Did you compute it under no_grad(), or only from tensors "
            "made without requires_grad=True?")
    seed = _seed(output, gradient, "backward")
    handed_out = {id(seed._data)}
    for t, g in _propagate(output, seed, create_graph).items():
        g = _own(g, t, handed_out, create_graph)
        if t.grad is None:
            t.grad = g
        else:
            t.grad = t.grad + g if create_graph else wrap(t.grad._data + g._data)


def grad(outputs: Tensor, inputs: Sequence[Tensor] | Tensor,
         grad_outputs: ArrayLike | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    Mirrors ``torch.autograd.grad``. With ``create_graph=True`` the returned gradients
    are part of a graph and can be differentiated again (second-order MAML,
    Hessian-vector products). ``.grad`` is not touched.
    """
    wanted: list[Tensor] = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(wanted):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, not a Tensor.")
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad, so "
                               "no gradient can reach it. Create it with "
                               "requires_grad=True.")
    if not outputs._requires_grad:
        raise RuntimeError("grad: outputs does not require grad; nothing to differentiate. "
                           "Was it computed under no_grad()?")
    seed = _seed(outputs, grad_outputs, "grad")
    found = _propagate(outputs, seed, create_graph, keep=set(wanted))
    handed_out = {id(seed._data)}
    result: list[Tensor | None] = []
    for i, t in enumerate(wanted):
        g = found.get(t)
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute "
                               "outputs. Pass allow_unused=True to get None for it.")
        result.append(None if g is None else _own(g, t, handed_out, create_graph))
    return tuple(result)


def partial_grads(output: Tensor, inputs: Sequence[Tensor], given: Sequence[Tensor] = ()
                  ) -> tuple[Tensor | None, ...]:
    """Recorded gradients of the scalar ``output`` with respect to ``inputs``, each taken
    as an independent variable: the pass stops at the inputs and at the tensors in
    ``given``, instead of following them further down their own graphs.

    This is the vector-Jacobian product of one op: a fused op differentiates its
    readable twin this way when a graph is being recorded (``ops/fused/twin.py``), and
    the incoming gradient is one of the ``given``.
    """
    if not output._requires_grad:
        return tuple(None for _ in inputs)
    wanted = [t for t in inputs if t._requires_grad]
    found = _propagate(output, _seed(output, None, "partial_grads"), True,
                       stop=set(wanted) | {t for t in given if isinstance(t, Tensor)})
    return tuple(found.get(t) if t._requires_grad else None for t in inputs)


def hvp(fn: Callable[[], Tensor], params: Iterable[Tensor], vector: Iterable[ArrayLike]
        ) -> tuple[Tensor, ...]:
    """Hessian-vector product H v of the scalar ``fn()`` with respect to ``params``.

    Exact, by double backward: the gradient g(params) is built as a graph, then
    g . v is differentiated once more. Returns one tensor per parameter (zeros where
    the gradient does not depend on that parameter); ``.grad`` is not touched.
    """
    params = list(params)
    vectors = [as_tensor(v) for v in vector]
    if len(vectors) != len(params):
        raise ValueError(f"hvp: {len(params)} parameters but {len(vectors)} vectors.")
    with enable_grad():
        loss = fn()
        grads = grad(loss, params, create_graph=True)
        dot = wrap(np.zeros((), params[0].dtype))
        for g, v in zip(grads, vectors, strict=True):
            if g is not None:
                dot = dot + (g * v).sum()
    if not dot.requires_grad:
        return tuple(wrap(np.zeros(p.shape, p.dtype)) for p in params)
    hv = grad(dot, params, allow_unused=True)
    return tuple(wrap(np.zeros(p.shape, p.dtype)) if h is None else h
                 for p, h in zip(params, hv, strict=True))
