"""Controls: the finite list of values each parameter of an experiment may take.

====================================  =====================================================
``(low, high)`` or ``(low, high, s)`` ``Range``: ints -> integer slider (step 1 or s);
                                      floats -> slider over 11 values (or step s)
``Range(low, high, num=, log=True)``  explicit ranges, log-spaced values, ``default=``
``[a, b, c]`` / ``{"label": value}``  ``Choice``: a dropdown
``True`` / ``False``                  ``Toggle``: a checkbox starting there
``Fixed(value)``                      passed to the function unchanged, no control
====================================  =====================================================

Every control has a finite list of ``values``; widgets offer only those, so the
function never sees a value the author did not plan for, and tests can run each
control at both of its extremes. ipywidgets is imported only by ``widget()``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)


class Control:
    """A parameter's finite list of ``values``, a ``default`` among them, and a label."""

    values: list
    default: Any
    label: str | None

    def _check_default(self, default, fallback_index: int = 0):
        if default is None:
            return self.values[fallback_index]
        for v in self.values:
            if v is default or v == default or (isinstance(v, float) and np.isclose(v, default)):
                return v
        raise ValueError(f"default {default!r} is not one of the values {self.values}")

    def describe(self, value) -> str:
        """How a value reads in the player (``"0.1"``, ``"relu"``, ``"on"``)."""
        return _fmt(value)

    def snap(self, value):
        """The allowed value nearest to what a widget reports."""
        return value

    def widget(self, name: str):
        raise NotImplementedError


class Range(Control):
    """Numbers from ``low`` to ``high`` inclusive: by ``step``, ``num`` of them, or log-spaced.

    All-integer arguments give integers (step 1 by default). Floats without step or
    num give 11 evenly spaced values; ``log=True`` spaces ``num`` values (default:
    two per decade) geometrically and rounds them to 3 significant digits.
    """

    def __init__(self, low, high, step=None, *, num=None, log=False, default=None, label=None):
        if not low < high:
            raise ValueError(f"Range needs low < high, got {low!r}, {high!r}")
        if step is not None and (num is not None or step <= 0):
            raise ValueError("Range takes a positive step or num, not both")
        ints = [low, high] + ([step] if step is not None else [])
        self.integer = (not log and num is None
                        and all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                                for v in ints))
        if log:
            if low <= 0:
                raise ValueError(f"a log Range needs low > 0, got {low!r}")
            num = num or max(3, int(round(2 * np.log10(high / low))) + 1)
            values = [float(f"{v:.3g}") for v in np.geomspace(low, high, num)]
        elif self.integer:
            values = list(range(int(low), int(high) + 1, int(step or 1)))
        elif step is not None:
            count = int(np.floor((high - low) / step + 1e-9)) + 1
            values = [float(f"{low + k * step:.12g}") for k in range(count)]
        else:
            values = [float(f"{v:.12g}") for v in np.linspace(low, high, num or 11)]
        if len(values) < 2:
            raise ValueError(f"Range({low!r}, {high!r}) holds fewer than two values")
        self.values, self.step, self.label = values, step, label
        self.default = self._check_default(default, (len(values) - 1) // 2)  # the middle

    def snap(self, value):
        return self.values[int(np.argmin([abs(v - value) for v in self.values]))]

    def widget(self, name: str):
        import ipywidgets as W

        common = dict(description=self.label or name, value=self.default,
                      style={"description_width": "initial"})
        if self.integer:
            return W.IntSlider(min=self.values[0], max=self.values[-1], step=self.step or 1,
                               **common)
        return W.SelectionSlider(options=[(self.describe(v), v) for v in self.values], **common)


class Choice(Control):
    """One of several options: a list of values, ``(label, value)`` pairs, or a dict."""

    def __init__(self, options, default=None, *, label=None):
        items = list(options.items()) if isinstance(options, dict) else list(options)
        if not items:
            raise ValueError("Choice needs at least one option")
        self.pairs = [item if isinstance(item, tuple) and len(item) == 2
                      and isinstance(item[0], str) else (_fmt(item), item) for item in items]
        self.values, self.label = [v for _, v in self.pairs], label
        self.default = self._check_default(default)

    def describe(self, value) -> str:
        return next(lbl for lbl, v in self.pairs if v is value or v == value)

    def widget(self, name: str):
        import ipywidgets as W

        return W.Dropdown(options=self.pairs, value=self.default, description=self.label or name,
                          style={"description_width": "initial"})


class Toggle(Control):
    """On or off; starts at ``default``."""

    def __init__(self, default: bool = False, *, label=None):
        self.values, self.default, self.label = [False, True], bool(default), label

    def widget(self, name: str):
        import ipywidgets as W

        return W.Checkbox(value=self.default, description=self.label or name, indent=False)


@dataclasses.dataclass(frozen=True)
class Fixed:
    """A value passed to the function as it is, with no control (like ``ipywidgets.fixed``)."""

    value: Any


def as_control(spec):
    """Turn the shorthand of the table in the module docstring into a Control."""
    if isinstance(spec, Control | Fixed):
        return spec
    if isinstance(spec, bool):
        return Toggle(spec)
    if isinstance(spec, tuple) and len(spec) in (2, 3) and all(
            isinstance(v, int | float | np.number) for v in spec):
        return Range(*spec)
    if isinstance(spec, list | dict):
        return Choice(spec)
    raise TypeError(f"cannot make a control from {spec!r}: use (low, high[, step]), a list, a "
                    "bool, Range(...), Choice(...), Toggle(...) or Fixed(value)")
