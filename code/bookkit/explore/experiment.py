"""An experiment: a function that draws a Figure, and the controls of its parameters.

``Experiment`` is what ``explore`` builds, what the frame player renders, and what the
tests and benchmarks drive (``extremes``, ``sweeps``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

MAX_FRAMES = 15
MAX_GRID_FRAMES = 36
"""At most this many frames when a second control multiplies them (page weight)."""
MAX_SECOND_VALUES = 6


@dataclasses.dataclass
class Experiment:
    """A figure function and its controls: what explore shows, and what tests drive."""

    fn: Callable
    controls: dict
    fixed: dict
    main: str
    alt: str
    second: str | None = None

    def defaults(self) -> dict:
        """Every parameter at its default (fixed values included)."""
        return {**self.fixed, **{n: c.default for n, c in self.controls.items()}}

    def params(self, **changes) -> dict:
        """Defaults with ``changes`` applied; refuses names and values it does not know."""
        for name, value in changes.items():
            if name not in self.controls:
                raise KeyError(f"{name!r} is not a control of this experiment")
            if not any(value is v or value == v for v in self.controls[name].values):
                raise ValueError(f"{name}={value!r} is not one of {self.controls[name].values}")
        return {**self.defaults(), **changes}

    def __call__(self, **changes):
        """Call the function with ``params(**changes)``; returns its Figure."""
        return self.fn(**self.params(**changes))

    def frames(self, limit: int | None = None) -> list:
        """The main control's values that the frame player shows (both ends and the
        default kept): at most ``MAX_FRAMES``, or with a second control at most
        ``MAX_GRID_FRAMES`` in all."""
        if limit is None:
            limit = MAX_FRAMES if self.second is None else max(
                3, min(MAX_FRAMES, MAX_GRID_FRAMES // len(self.controls[self.second].values)))
        control = self.controls[self.main]
        values = control.values
        if len(values) <= limit:
            return list(values)
        keep = set(np.linspace(0, len(values) - 1, limit - 1).round().astype(int).tolist())
        keep.add(values.index(control.default))
        return [values[i] for i in sorted(keep)]

    def extremes(self) -> list[dict]:
        """Parameter sets for tests: defaults, each control at its first and last value
        with the rest at defaults, then every control low together and high together."""
        runs = [self.defaults()]
        for name, c in self.controls.items():
            runs += [self.params(**{name: c.values[0]}), self.params(**{name: c.values[-1]})]
        runs.append({**self.defaults(), **{n: c.values[0] for n, c in self.controls.items()}})
        runs.append({**self.defaults(), **{n: c.values[-1] for n, c in self.controls.items()}})
        unique = []
        for run in runs:
            if not any(run == seen for seen in unique):
                unique.append(run)
        return unique

    def sweeps(self) -> list[dict]:
        """Every value of every control, one control at a time (the benchmark's grid)."""
        runs = [self.params(**{n: v}) for n, c in self.controls.items() for v in c.values]
        return runs or [self.defaults()]

    def _ipython_display_(self):
        """explore has already drawn it; showing the return value again does nothing."""


def render_png(exp: Experiment, params: dict, dpi: int, palette: bool = False,
            fast: bool = False) -> bytes:
    """Call the experiment and return its figure as PNG bytes; the figure is closed."""
    from matplotlib.figure import Figure

    from .. import viz

    fig = exp.fn(**params)
    if not isinstance(fig, Figure):
        raise TypeError(f"{exp.fn.__name__}() must return a matplotlib Figure, "
                        f"got {type(fig).__name__}")
    try:
        return viz.png(fig, dpi=dpi, palette=palette, fast=fast)
    finally:
        viz.close(fig)
