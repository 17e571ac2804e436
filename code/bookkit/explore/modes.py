"""``explore``, and where it draws: live widgets, a static frame player, or nothing.

The mode comes from ``mode=``, else ``recording()``, else the ``BOOKKIT_EXPLORE``
environment variable, else ``live``:

- ``live`` (in a Jupyter kernel): ipywidgets controls that redraw on change. If the
  first draw takes over 50 ms, sliders redraw on release rather than on every step.
  Outside a kernel (plain Python) nothing is drawn; the Experiment is returned.
- ``static`` (``make book`` sets it): the book has no kernel, so explore renders a
  frame player: one pre-rendered frame per value of the *main* control (and, if
  ``second`` is given, per pair of main and second values), the other controls at
  their defaults, and a note that running the notebook unlocks them all.
- ``record``: render nothing; remember the Experiment (``recording()``, and the
  harness's ``collect_experiments``, which the tests and benchmarks use).
"""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable

from brainnet.train import in_kernel

from .controls import Fixed, as_control
from .experiment import MAX_SECOND_VALUES, Experiment
from .live import show_live
from .player import render_static

ENV_VAR = "BOOKKIT_EXPLORE"
MODES = ("live", "static", "record")
_recorders: list[list] = []


def current_mode(mode: str | None = None) -> str:
    """The mode explore will use: ``mode``, else record while ``recording()``, else
    ``$BOOKKIT_EXPLORE``, else live."""
    if mode is None:
        mode = "record" if _recorders else os.environ.get(ENV_VAR, "").strip() or "live"
    if mode not in MODES:
        raise ValueError(f"{ENV_VAR}/mode must be one of {MODES}, got {mode!r}")
    return mode


@contextlib.contextmanager
def recording():
    """Inside this block explore draws nothing and appends its Experiment to the list
    this yields."""
    found: list = []
    _recorders.append(found)
    try:
        yield found
    finally:
        _recorders.remove(found)


def explore(fn: Callable, /, *, main: str | None = None, second: str | None = None,
            alt: str | None = None,
            mode: str | None = None, continuous: bool | None = None, **controls) -> Experiment:
    """Show ``fn(**params) -> Figure`` with a control per keyword (see the module docstring).

    ``main`` names the control the static frame player sweeps (default: the first).
    ``second`` names a control with a few values (at most ``MAX_SECOND_VALUES``) that
    the player offers as buttons beside the slider: it pre-draws every pair of values.
    ``alt`` describes the figure for screen readers. ``continuous`` forces sliders to
    redraw while dragging (True) or on release (False); by default it is decided by
    how long the first draw takes.
    """
    specs = {name: as_control(spec) for name, spec in controls.items()}
    fixed = {n: s.value for n, s in specs.items() if isinstance(s, Fixed)}
    live = {n: s for n, s in specs.items() if not isinstance(s, Fixed)}
    if not live:
        raise ValueError("explore needs at least one control, e.g. n=(1, 10)")
    params = inspect.signature(fn).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        unknown = sorted(set(specs) - set(params))
        if unknown:
            raise TypeError(f"{fn.__name__}() has no parameter(s) {unknown}")
    main = main or next(iter(live))
    if main not in live:
        raise ValueError(f"main={main!r} is not one of the controls {list(live)}")
    if second is not None and (second == main or second not in live):
        raise ValueError(f"second={second!r} must be a control other than main={main!r}; "
                         f"the controls are {list(live)}")
    if second is not None and len(live[second].values) > MAX_SECOND_VALUES:
        raise ValueError(f"second={second!r} has {len(live[second].values)} values; the frame "
                         f"player draws every pair, so give it at most {MAX_SECOND_VALUES}")
    label = live[main].label or main
    alt = alt or f"Figure drawn by {fn.__name__} as {label} varies."
    exp = Experiment(fn=fn, controls=live, fixed=fixed, main=main, alt=alt, second=second)
    chosen = current_mode(mode)
    if chosen == "record" or (chosen == "live" and not in_kernel()):
        for found in _recorders:
            found.append(exp)
        return exp
    from IPython.display import HTML, display

    if chosen == "static":
        display(HTML(render_static(exp)))
    else:
        show_live(exp, continuous)
    return exp
