"""Experiments readers drive: live controls in Jupyter, a frame player in the book.

Write the experiment as a function of its parameters that returns a matplotlib
Figure, then describe each parameter's values:

    from brainnet import viz
    from brainnet.widgets import explore, Range, Choice

    def xor_experiment(hidden=4, lr=0.5, activation="tanh", show_data=True):
        model = cached_models[hidden, lr, activation]   # train heavy things once, outside
        fig, ax = viz.figure()
        viz.decision_boundary(ax, model.predict, X, y, show_points=show_data)
        return fig

    explore(xor_experiment,
            hidden=(1, 8),                               # ints -> slider 1, 2, ..., 8
            lr=Range(0.01, 1.0, num=5, log=True),        # 0.01, 0.0316, 0.1, 0.316, 1
            activation=["tanh", "relu", "sigmoid"],      # list -> dropdown
            show_data=True,                              # bool -> checkbox
            main="hidden",
            alt="Decision boundary of a small MLP on XOR; with more hidden units the "
                "boundary bends to separate the four points.")

How a control is written (mirroring ``ipywidgets.interact`` where it is sensible):

====================================  =====================================================
``(low, high)`` or ``(low, high, s)`` ``Range``: ints -> integer slider (step 1 or s);
                                      floats -> slider over 11 values (or step s)
``Range(low, high, num=, log=True)``  explicit ranges, log-spaced values, ``default=``
``[a, b, c]`` / ``{"label": value}``  ``Choice``: a dropdown
``True`` / ``False``                  ``Toggle``: a checkbox starting there
``Fixed(value)``                      passed to ``fn`` unchanged, no control
====================================  =====================================================

Every control has a finite list of ``values``; widgets offer only those, so ``fn``
never sees a value the author did not plan for, and tests can run each control at both
of its extremes (``Experiment.extremes()``, ``check_extremes``).

Where explore runs (``BRAINNET_EXPLORE`` environment variable, or ``mode=``):

- ``live`` (default, in a Jupyter kernel): ipywidgets controls that redraw on change.
  If the first draw takes over 50 ms, sliders redraw on release rather than on every
  step. Outside a kernel (plain Python) nothing is drawn; the Experiment is returned.
- ``static`` (``make book`` sets it): the book has no kernel, so explore renders a
  frame player: one pre-rendered frame per value of the *main* control (the first, or
  ``main=``; at most 15 frames), the other controls at their defaults, a slider and a
  play button, and a note that running the notebook unlocks every control.
- ``record``: render nothing; remember the Experiment (``recording()``,
  ``collect_experiments``). The widget benchmark and the chapter tests use it.

``alt=`` describes the figure for screen readers; it becomes the frames' alt text.
explore returns the ``Experiment``; displaying that object again shows nothing.
ipywidgets and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import inspect
import io
import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from string import Template
from typing import Any

import numpy as np

ENV_VAR = "BRAINNET_EXPLORE"
MODES = ("live", "static", "record")
MAX_FRAMES = 15
FRAME_DPI = 90
CONTINUOUS_BELOW_S = 0.05
_recorders: list[list] = []


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


@dataclasses.dataclass
class Experiment:
    """A figure function and its controls: what explore shows, and what tests drive."""

    fn: Callable
    controls: dict
    fixed: dict
    main: str
    alt: str

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

    def frames(self, limit: int = MAX_FRAMES) -> list:
        """The main control's values that the frame player shows (both ends kept)."""
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


def current_mode(mode: str | None = None) -> str:
    """The mode explore will use: ``mode``, else record while ``recording()``, else
    ``$BRAINNET_EXPLORE``, else live."""
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


def explore(fn: Callable, /, *, main: str | None = None, alt: str | None = None,
            mode: str | None = None, continuous: bool | None = None, **controls) -> Experiment:
    """Show ``fn(**params) -> Figure`` with a control per keyword (see the module docstring).

    ``main`` names the control the static frame player sweeps (default: the first).
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
    label = live[main].label or main
    alt = alt or f"Figure drawn by {fn.__name__} as {label} varies."
    exp = Experiment(fn=fn, controls=live, fixed=fixed, main=main, alt=alt)
    chosen = current_mode(mode)
    if chosen == "record" or (chosen == "live" and not _in_kernel()):
        for found in _recorders:
            found.append(exp)
        return exp
    from IPython.display import HTML, display

    if chosen == "static":
        display(HTML(render_static(exp)))
    else:
        _show_live(exp, continuous)
    return exp


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _render(exp: Experiment, params: dict, dpi: int, palette: bool = False,
            fast: bool = False) -> bytes:
    """Call the experiment and return its figure as PNG bytes; the figure is closed."""
    from matplotlib.figure import Figure

    from . import viz

    fig = exp.fn(**params)
    if not isinstance(fig, Figure):
        raise TypeError(f"{exp.fn.__name__}() must return a matplotlib Figure, "
                        f"got {type(fig).__name__}")
    try:
        return viz.png(fig, dpi=dpi, palette=palette, fast=fast)
    finally:
        viz._close(fig)


def _show_live(exp: Experiment, continuous: bool | None) -> None:
    import ipywidgets as W
    from IPython.display import display

    from . import viz

    controls = {name: c.widget(name) for name, c in exp.controls.items()}
    out = W.Output()

    def current() -> dict:
        return {**exp.fixed, **{n: exp.controls[n].snap(w.value) for n, w in controls.items()}}

    def redraw(_change=None) -> None:
        with out:  # errors after the first draw are shown in the output area
            png = _render(exp, current(), viz.DPI, palette=True, fast=True)
            image = viz.FigureImage(png, exp.alt)
            out.clear_output(wait=True)
            display(image)

    start = time.perf_counter()
    # may raise: a broken experiment fails here, before any widget is shown
    first = viz.FigureImage(_render(exp, current(), viz.DPI, palette=True, fast=True),
                            exp.alt)
    elapsed = time.perf_counter() - start
    with out:
        display(first)
    fast = elapsed < CONTINUOUS_BELOW_S if continuous is None else continuous
    for w in controls.values():
        if hasattr(w, "continuous_update"):
            w.continuous_update = fast
        w.observe(redraw, names="value")
    row = W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap"))
    display(W.VBox([row, out]))


_PLAYER = Template("""\
<figure class="brainnet-player" id="$uid" style="margin:0.25em 0;color:#222">
<img class="brainnet-player-frame" src="$first" alt="$alt_now" width="$width" height="$height"
 style="max-width:100%;height:auto;display:block">
<div class="brainnet-player-controls"
 style="display:flex;flex-wrap:wrap;align-items:center;gap:0.6em;margin-top:0.3em">
<button type="button" class="brainnet-player-play">\
<span aria-hidden="true">&#9654;</span> Play</button>
<label>$label <input type="range" min="0" max="$last" step="1" value="$start"
 aria-valuetext="$value_now" style="vertical-align:middle"></label>
<output aria-live="polite">$value_now</output>
</div>
<figcaption class="brainnet-player-note"
 style="font-size:0.85em;margin-top:0.3em;color:#444;text-align:left">$note</figcaption>
</figure>
<script>
(function () {
  var root = document.getElementById("$uid"), frames = $frames, values = $values;
  var alt = $alt_js, img = root.querySelector("img"), slider = root.querySelector("input");
  var out = root.querySelector("output"), play = root.querySelector("button"), timer = null;
  frames[$start] = img.getAttribute("src");
  function show(i) {
    img.src = frames[i]; img.alt = alt + " (" + values[i] + ")";
    out.textContent = values[i]; slider.setAttribute("aria-valuetext", values[i]);
  }
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  play.addEventListener("click", function () {
    if (timer !== null) {
      clearInterval(timer); timer = null;
      play.innerHTML = '<span aria-hidden="true">&#9654;</span> Play';
    } else {
      play.innerHTML = '<span aria-hidden="true">&#10074;&#10074;</span> Pause';
      timer = setInterval(function () {
        var i = (Number(slider.value) + 1) % frames.length; slider.value = i; show(i);
      }, 800);
    }
  });
})();
</script>""")


def render_static(exp: Experiment) -> str:
    """The frame player's HTML: frames of the main control, others at their defaults."""
    import base64

    from PIL import Image

    control = exp.controls[exp.main]
    label = control.label or exp.main
    values = exp.frames()
    pngs = [_render(exp, exp.params(**{exp.main: v}), FRAME_DPI, True) for v in values]
    width, height = Image.open(io.BytesIO(pngs[0])).size
    uris = ["data:image/png;base64," + base64.b64encode(p).decode("ascii") for p in pngs]
    start = next(i for i, v in enumerate(values) if v == control.default)
    words = [f"{label} = {control.describe(v)}" for v in values]
    others = [c.label or n for n, c in exp.controls.items() if n != exp.main]
    note = (f"Static preview: drag the slider to step through {html.escape(label)}"
            + (f"; {html.escape(', '.join(others))} "
               f"{'stays at its default' if len(others) == 1 else 'stay at their defaults'}"
               if others else "")
            + ". Run this notebook in Jupyter to unlock every control.")
    frames = [None if i == start else uri for i, uri in enumerate(uris)]
    return _PLAYER.substitute(
        uid="bnp-" + uuid.uuid4().hex[:12], first=uris[start], width=width, height=height,
        alt_now=html.escape(f"{exp.alt} ({words[start]})", quote=True),
        label=html.escape(label), last=len(values) - 1, start=start,
        value_now=html.escape(words[start], quote=True), note=note,
        frames=json.dumps(frames), values=_js(words), alt_js=_js(exp.alt))


def _js(obj) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")


def check_extremes(exp: Experiment) -> list[tuple[dict, float]]:
    """Call the experiment at each of ``exp.extremes()``; every call must return a Figure.

    Returns ``(params, seconds)`` per call. A chapter test needs only:
    ``for exp in collect_experiments("chapters/02_backprop.ipynb"): check_extremes(exp)``.
    """
    from matplotlib.figure import Figure

    from . import viz

    timings = []
    for params in exp.extremes():
        start = time.perf_counter()
        fig = exp.fn(**params)
        timings.append((params, time.perf_counter() - start))
        if not isinstance(fig, Figure):
            raise AssertionError(f"{exp.fn.__name__}({params}) returned {type(fig).__name__}, "
                                 "not a Figure")
        viz._close(fig)
    return timings


def collect_experiments(notebook: str | os.PathLike, *, stop_after_last: bool = True) -> list:
    """Run a notebook's code in this process, in record mode, and return its Experiments.

    Code cells run in order in one fresh namespace, from the notebook's folder, up to the
    last cell that calls ``explore`` (all cells if ``stop_after_last`` is False). IPython
    syntax is translated; line magics are skipped, and cell magics run their body.
    """
    import matplotlib

    path = Path(notebook).resolve()
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells]
    if stop_after_last:
        last = max((i for i, s in enumerate(sources) if "explore(" in s), default=-1)
        sources = sources[: last + 1]
    if not _in_kernel():
        matplotlib.use("Agg")  # headless: tests and benchmarks
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__main__", "get_ipython": lambda: _NoMagic(namespace)}
    cwd = os.getcwd()
    with recording() as found, contextlib.redirect_stdout(io.StringIO()):
        os.chdir(path.parent)
        try:
            for i, source in enumerate(sources):
                code = compile(_to_python(source), f"{path.name}[code cell {i}]", "exec")
                exec(code, namespace)  # noqa: S102 (running the book's own notebooks)
                plt.close("all")
        finally:
            os.chdir(cwd)
    return found


def _to_python(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return TransformerManager().transform_cell(source)


class _NoMagic:
    """Stands in for get_ipython() outside IPython: cell magics run their body, and
    everything else (line magics, shell commands) does nothing."""

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def run_cell_magic(self, name, line, body):
        exec(compile(_to_python(body), f"%%{name}", "exec"), self.namespace)  # noqa: S102

    def __getattr__(self, name):
        return lambda *args, **kwargs: None
