"""The static book's frame player: pre-rendered frames and a slider, no kernel needed.

The HTML and script are in ``player.html`` beside this file (a ``string.Template``).
"""

from __future__ import annotations

import functools
import html
import io
import json
import uuid
from importlib import resources
from string import Template

from .experiment import Experiment, render_png

FRAME_DPI = 90


@functools.cache
def _template() -> Template:
    return Template(resources.files(__package__).joinpath("player.html").read_text())


def render_static(exp: Experiment) -> str:
    """The frame player's HTML: frames of the main control, others at their defaults."""
    import base64

    from PIL import Image

    control = exp.controls[exp.main]
    label = control.label or exp.main
    values = exp.frames()
    pngs = [render_png(exp, exp.params(**{exp.main: v}), FRAME_DPI, True) for v in values]
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
    return _template().substitute(
        uid="bnp-" + uuid.uuid4().hex[:12], first=uris[start], width=width, height=height,
        alt_now=html.escape(f"{exp.alt} ({words[start]})", quote=True),
        label=html.escape(label), last=len(values) - 1, start=start,
        value_now=html.escape(words[start], quote=True), note=note,
        frames=json.dumps(frames), values=_js(words), alt_js=_js(exp.alt))


def _js(obj) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")
