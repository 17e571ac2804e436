"""The second derivative of a fused op, through its readable twin.

A fused op's hand-written backward runs on raw arrays, which autograd cannot
differentiate. When a graph is being recorded (``create_graph=True``), the fused ops
that have no tensor-op backward of their own hand the job to their readable twin:
recompute it with the same inputs, recorded, and take its vector-Jacobian product
with ``grad(..., create_graph=True)``. The twin is the definition, so this is exact;
it is slow, and it is only used when differentiating twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...autograd import enable_grad, partial_grads
from ...tensor import Tensor


def backward_through(twin: Callable[..., Tensor], inputs: Sequence, g: Tensor
                     ) -> tuple[Tensor | None, ...]:
    """dL/dinput for each of ``inputs``, given dL/doutput = ``g``, computed through
    ``twin(*inputs)`` with the graph kept (None for inputs that need no gradient).

    The inputs are taken as independent and ``g`` as given (``partial_grads``): this is
    the op's own vector-Jacobian product, not a walk down the rest of the graph, which
    may well contain this very op again (the gradient g depends on its output).
    """
    tensors = [t for t in inputs if isinstance(t, Tensor)]
    with enable_grad():
        total = (twin(*inputs) * g).sum()
    grads = dict(zip(map(id, tensors), partial_grads(total, tensors, given=[g]), strict=False))
    # A tensor passed twice (attention(x, x, x)) gets its whole gradient once: the
    # engine adds up what each parent slot returns.
    return tuple(grads.pop(id(t), None) if isinstance(t, Tensor) else None for t in inputs)
