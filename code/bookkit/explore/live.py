"""Live controls in a Jupyter kernel: ipywidgets that redraw the figure on change."""

from __future__ import annotations

import time

from .experiment import Experiment, render_png

CONTINUOUS_BELOW_S = 0.05
"""Sliders redraw while dragging if the first draw took less than this (seconds)."""


def show_live(exp: Experiment, continuous: bool | None) -> None:
    import ipywidgets as W
    from IPython.display import display

    from .. import viz

    controls = {name: c.widget(name) for name, c in exp.controls.items()}
    out = W.Output()

    def current() -> dict:
        return {**exp.fixed, **{n: exp.controls[n].snap(w.value) for n, w in controls.items()}}

    def redraw(_change=None) -> None:
        with out:  # errors after the first draw are shown in the output area
            png = render_png(exp, current(), viz.DPI, palette=True, fast=True)
            image = viz.FigureImage(png, exp.alt, viz.DPI)
            out.clear_output(wait=True)
            display(image)

    start = time.perf_counter()
    # may raise: a broken experiment fails here, before any widget is shown
    first = viz.FigureImage(render_png(exp, current(), viz.DPI, palette=True, fast=True),
                            exp.alt, viz.DPI)
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
