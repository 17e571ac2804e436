"""Coding exercises the reader fills in, checked against a reference.

    from bookkit.exercises import check

    def lif_step(v, current, dt):
        ...                       # the reader's code
        return NotImplemented     # until then: the checker says "not yet"

    check(lif_step, reference, cases=[(v0, i0, 0.1), ...])

``check`` calls the reader's function and the reference on every case and compares the
results. It never raises for a wrong or unfinished answer, so a notebook with the
exercise still to do runs top to bottom: it prints one line, "not yet", "correct" or
what went wrong, with the case, the expected value and the value got. It returns a
``CheckResult``; the book's tests assert ``.passed`` on each chapter's reference
solution, so a solution that stops passing fails CI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["check", "CheckResult"]


@dataclass
class CheckResult:
    """``status`` is "correct", "not yet" or "wrong"; ``message`` is what was printed."""

    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        return f"CheckResult({self.status!r})"


def _as_arrays(value: Any) -> list[np.ndarray]:
    """A result as a list of arrays: a tuple or list of results gives one per item;
    brainnet tensors give their data."""
    items = value if isinstance(value, tuple | list) else [value]
    out = []
    for item in items:
        data = getattr(item, "data", item) if hasattr(item, "requires_grad") else item
        out.append(np.asarray(data, dtype=np.float64))
    return out


def _describe(args: Sequence[Any]) -> str:
    parts = []
    for a in args:
        arr = np.asarray(getattr(a, "data", a)) if hasattr(a, "requires_grad") else a
        if isinstance(arr, np.ndarray) and arr.ndim > 0:
            parts.append(f"array of shape {arr.shape}")
        else:
            parts.append(repr(arr))
    return "(" + ", ".join(parts) + ")"


def _short(a: np.ndarray) -> str:
    return np.array2string(a, precision=4, threshold=8, edgeitems=2, suppress_small=True)


def check(fn: Callable, reference: Callable, cases: Sequence[Sequence[Any]], *,
          rtol: float = 1e-5, atol: float = 1e-6, hint: str = "", quiet: bool = False
          ) -> CheckResult:
    """Compare ``fn(*case)`` with ``reference(*case)`` for every case and print a verdict.

    Args:
        fn: the reader's function; returning ``NotImplemented`` or ``None``, or raising
            ``NotImplementedError``, means "not written yet".
        reference: a trusted function with the same signature.
        cases: argument tuples. Arrays are copied for each call, so a function that
            changes its inputs in place does not change the next call's.
        rtol, atol: tolerances of ``np.allclose``.
        hint: one sentence printed with a wrong answer: what to look at first.
        quiet: return the result without printing it.
    """
    name = getattr(fn, "__name__", "your function")

    def finish(status: str, message: str) -> CheckResult:
        if not quiet:
            print(message)
        return CheckResult(status, message)

    for k, case in enumerate(cases, start=1):
        args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in case]
        try:
            got = fn(*args)
        except NotImplementedError:
            got = NotImplemented
        except Exception as error:          # the reader's bug, reported, not raised
            return finish("wrong", f"{name}: case {k} {_describe(case)} raised "
                          f"{type(error).__name__}: {error}")
        if got is NotImplemented or got is None:
            return finish("not yet", f"{name}: not yet written (it returned {got!r}); "
                          f"fill in the function and run this cell again.")
        expected = _as_arrays(reference(*[np.array(a, copy=True) if isinstance(a, np.ndarray)
                                          else a for a in case]))
        got_arrays = _as_arrays(got)
        if len(got_arrays) != len(expected):
            return finish("wrong", f"{name}: case {k} {_describe(case)}: expected "
                          f"{len(expected)} result(s), got {len(got_arrays)}.")
        for j, (e, g) in enumerate(zip(expected, got_arrays, strict=True)):
            which = f" result {j + 1}" if len(expected) > 1 else ""
            if e.shape != g.shape:
                return finish("wrong", f"{name}: case {k} {_describe(case)}{which}: expected "
                              f"shape {e.shape}, got shape {g.shape}."
                              + (f" Hint: {hint}" if hint else ""))
            if not np.allclose(g, e, rtol=rtol, atol=atol):
                worst = np.unravel_index(np.argmax(np.abs(g - e)), e.shape) if e.ndim else ()
                return finish("wrong", f"{name}: case {k} {_describe(case)}{which}: expected "
                              f"{_short(e)}, got {_short(g)} (largest difference at index "
                              f"{tuple(int(i) for i in worst)})."
                              + (f" Hint: {hint}" if hint else ""))
    return finish("correct", f"{name}: correct on all {len(cases)} cases.")
