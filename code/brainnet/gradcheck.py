"""Check backpropagated gradients against finite differences.

A hand-derived gradient can look plausible and still be wrong. The check is simple:
nudge each input element by +-h, see how the output moves, and compare that slope with
what ``backward()`` says:

    dL/dx_i  ~  (L(x + h e_i) - L(x - h e_i)) / 2h        (error ~ h^2)

Everything runs in float64 with h = 1e-5, where the central difference is accurate to
about 1e-10, so a correct gradient agrees to better than 1e-6 and a wrong one does not.

    >>> result = gradcheck(lambda x, w: (x @ w).tanh(), x, w)
    >>> result.ok, result.max_rel_error
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .autograd import enable_grad, grad, no_grad
from .tensor import Tensor

#: Entries smaller than this fraction of the largest gradient entry are measured
#: against that floor, so that rounding noise in near-zero entries is not reported as
#: a relative error of 100%.
RELATIVE_FLOOR = 1e-4


@dataclass
class GradcheckResult:
    """Outcome of a gradient check.

    Attributes:
        max_rel_error: worst relative error over every checked element.
        errors: worst relative error for each checked input, in order.
        analytic, numeric: the two gradients for each checked input.
        tolerance: the threshold ``ok`` is judged against.
    """

    max_rel_error: float
    errors: list[float]
    analytic: list[np.ndarray] = field(repr=False)
    numeric: list[np.ndarray] = field(repr=False)
    tolerance: float = 1e-6

    @property
    def ok(self) -> bool:
        return self.max_rel_error < self.tolerance

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        return (f"gradcheck: worst relative error {self.max_rel_error:.2e} "
                f"({verdict}; tolerance {self.tolerance:.0e})")


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """Worst elementwise |a - n| / max(|a|, |n|, floor) (floor explained above)."""
    scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
    if scale == 0.0:
        return 0.0
    denom = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), RELATIVE_FLOOR * scale)
    return float((np.abs(analytic - numeric) / denom).max())


DEFAULT_ORDER = 1
"""The derivative ``order=None`` checks. The test suite sets it to 2 to run every
gradient-check case again as a second-order check."""


def check_leaves(f: Callable[[], Tensor], leaves: Sequence[Tensor], h: float = 1e-5,
                 tolerance: float = 1e-6, seed: int = 0, order: int | None = None
                 ) -> GradcheckResult:
    """Compare autograd and finite differences for the tensors ``leaves`` (float64,
    requires_grad) that ``f()`` reads. ``f`` may return any shape: the check uses the
    scalar L = sum(f() * v) with a fixed random v, which catches errors in any entry.
    A scalar ``f()`` is used as it is (v = 1), so ``numeric`` then holds its plain
    finite-difference gradient, which a reader can compare with a hand derivation.

    ``order=2`` checks second derivatives instead: the Hessian of L times a random
    direction u, from ``create_graph=True``, against the finite difference of the
    gradient along u.
    """
    order = DEFAULT_ORDER if order is None else order
    if order not in (1, 2):
        raise ValueError(f"gradcheck: order must be 1 or 2, got {order!r}.")
    with enable_grad():
        out = f()
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: the function must return a brainnet Tensor computed "
                        f"from its inputs, but it returned a {type(out).__name__}. Compute "
                        "with tensor ops (x.tanh(), x @ w, F.relu(x)), not numpy functions.")
    if not out.requires_grad:
        raise ValueError("gradcheck: the output does not depend on the inputs through "
                         "recorded ops (it does not require grad), so there is no gradient "
                         "to check. Was it computed under no_grad(), or from .data?")
    v = Tensor(np.ones(out.shape) if out.data.size == 1
               else np.random.default_rng(seed).standard_normal(out.shape))
    if order == 2:
        return _check_second_order(f, leaves, v, h, tolerance, seed)

    def objective() -> float:
        with no_grad():
            return float(np.sum(f().data * v.data))

    analytic = _gradients(f, leaves, v)
    numeric = []
    for t in leaves:
        # Perturb t through a flat view, which needs a C-contiguous array (a parameter
        # made from a transposed array is not, and reshape would silently copy it).
        t.data = np.ascontiguousarray(t.data)
        flat = t.data.reshape(-1)  # a view: perturbing it perturbs t
        slope = np.empty(flat.size)
        for i in range(flat.size):
            original = flat[i]
            flat[i] = original + h
            up = objective()
            flat[i] = original - h
            down = objective()
            flat[i] = original
            slope[i] = (up - down) / (2 * h)
        numeric.append(slope.reshape(t.shape))
    return _result(analytic, numeric, tolerance)


def _gradients(f: Callable[[], Tensor], leaves: Sequence[Tensor], v: Tensor) -> list:
    """dL/dleaf for L = sum(f() * v), by backward(), as float64 arrays."""
    for t in leaves:
        t.grad = None
    with enable_grad():
        (f() * v).sum().backward()
    return [np.zeros(t.shape) if t.grad is None else t.grad.data.copy() for t in leaves]


def _check_second_order(f, leaves, v, h, tolerance, seed) -> GradcheckResult:
    """H u by double backward against (grad(x + h u) - grad(x - h u)) / 2h."""
    rng = np.random.default_rng(seed + 1)
    u = [rng.standard_normal(t.shape) for t in leaves]
    with enable_grad():
        grads = grad((f() * v).sum(), list(leaves), create_graph=True, allow_unused=True)
        terms = [(g * Tensor(ui)).sum() for g, ui in zip(grads, u, strict=True)
                 if g is not None and g.requires_grad]
    hu: Sequence[Tensor | None]
    if terms:
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        hu = grad(total, list(leaves), allow_unused=True)
    else:                                      # the gradient is constant: H = 0
        hu = [None] * len(leaves)
    analytic = [np.zeros(t.shape) if g is None else g.data.copy()
                for t, g in zip(leaves, hu, strict=True)]
    base = [np.ascontiguousarray(t.data).copy() for t in leaves]

    def gradients_at(step: float) -> list:
        for t, b, ui in zip(leaves, base, u, strict=True):
            t.data = b + step * ui
        return _gradients(f, leaves, v)

    up, down = gradients_at(h), gradients_at(-h)
    for t, b in zip(leaves, base, strict=True):
        t.data = b
        t.grad = None
    numeric = [(a - b) / (2 * h) for a, b in zip(up, down, strict=True)]
    return _result(analytic, numeric, tolerance)


def _result(analytic: list, numeric: list, tolerance: float) -> GradcheckResult:
    errors = [relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)]
    return GradcheckResult(max(errors, default=0.0), errors, analytic, numeric, tolerance)


def _float64_leaves(inputs) -> tuple[list[Tensor], list]:
    """float64 copies (requiring grad) of the float inputs; other inputs unchanged."""
    leaves, args = [], []
    for x in inputs:
        array = x.data if isinstance(x, Tensor) else np.asarray(x)
        if array.dtype.kind == "f":
            leaf = Tensor(array.astype(np.float64), requires_grad=True)
            leaves.append(leaf)
            args.append(leaf)
        else:
            args.append(x)
    return leaves, args


def gradcheck(fn: Callable[..., Tensor], *inputs, h: float = 1e-5, tolerance: float = 1e-6,
              seed: int = 0, order: int | None = None) -> GradcheckResult:
    """Check the gradient of ``fn(*inputs)`` with respect to every floating-point input.

    Inputs may be tensors or arrays; they are copied to float64 (the originals are not
    touched). Integer inputs (class labels, indices) are passed through unchanged.
    """
    leaves, args = _float64_leaves(inputs)
    if not leaves:
        raise ValueError("gradcheck: no floating-point input to check.")
    return check_leaves(lambda: fn(*args), leaves, h, tolerance, seed, order)


def gradcheck_module(module, *inputs, h: float = 1e-5, tolerance: float = 1e-6,
                     seed: int = 0, order: int | None = None) -> GradcheckResult:
    """Check a module's gradients with respect to its parameters and its float inputs.
    The module is converted to float64 in place (call ``.float()`` to go back)."""
    module.double()
    leaves, args = _float64_leaves(inputs)
    return check_leaves(lambda: module(*args), leaves + list(module.parameters()), h,
                        tolerance, seed, order)
