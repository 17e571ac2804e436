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

FRAME_DENSITY = 1.5
"""Image pixels per CSS pixel of a frame: sharper than 1x, lighter than the figures' 2x
(a player holds up to 36 frames)."""


@functools.cache
def _template() -> Template:
    return Template(resources.files(__package__).joinpath("player.html").read_text())


def render_static(exp: Experiment) -> str:
    """The frame player's HTML: a frame per main value (per pair with ``second``), the
    other controls at their defaults."""
    import base64

    from PIL import Image

    from .. import viz

    main = exp.controls[exp.main]
    label = main.label or exp.main
    values = exp.frames()
    name = exp.second or ""
    second = exp.controls[name] if exp.second is not None else None
    choices = second.values if second is not None else [None]
    dpi = round(viz.DPI * FRAME_DENSITY)

    def params(value, choice) -> dict:
        return exp.params(**{exp.main: value}, **({name: choice} if second else {}))

    pngs = [render_png(exp, params(v, c), dpi, True)
            for c in choices for v in values]                # frame j * len(values) + i
    width, height = Image.open(io.BytesIO(pngs[0])).size
    uris = ["data:image/png;base64," + base64.b64encode(p).decode("ascii") for p in pngs]
    start = next(i for i, v in enumerate(values) if v == main.default)
    chosen = 0 if second is None else next(
        j for j, c in enumerate(choices) if c is second.default or c == second.default)
    words = [f"{label} = {main.describe(v)}" for v in values]
    choice_words = [] if second is None else [second.describe(c) for c in choices]
    shown = [exp.main, name]
    others = [c.label or n for n, c in exp.controls.items() if n not in shown]
    what = html.escape(label) + (f" and choose {html.escape(second.label or name)}"
                                 if second else "")
    note = (f"Static preview: drag the slider to step through {what}"
            + (f"; {html.escape(', '.join(others))} "
               f"{'stays at its default' if len(others) == 1 else 'stay at their defaults'}"
               if others else "")
            + ". Run this notebook in Jupyter to unlock every control.")
    first = chosen * len(values) + start
    frames = [None if k == first else uri for k, uri in enumerate(uris)]
    now = words[start] + (f", {choice_words[chosen]}" if second else "")
    return _template().substitute(
        uid=(uid := "bnp-" + uuid.uuid4().hex[:12]), first=uris[first],
        width=round(width / FRAME_DENSITY), height=round(height / FRAME_DENSITY),
        alt_now=html.escape(f"{exp.alt} ({now})", quote=True),
        label=html.escape(label), last=len(values) - 1, start=start, chosen=chosen,
        value_now=html.escape(words[start], quote=True), note=note,
        choices=_choices(uid, second.label or name, choice_words, chosen) if second else "",
        frames=json.dumps(frames), values=_js(words), choice_words=_js(choice_words),
        alt_js=_js(exp.alt))


def _choices(uid: str, label: str, words: list[str], chosen: int) -> str:
    """The second control: a group of radio buttons, one per value."""
    buttons = "".join(
        f'<label><input type="radio" name="{uid}-choice" value="{j}"'
        f'{" checked" if j == chosen else ""}> {html.escape(word)}</label>'
        for j, word in enumerate(words))
    return (f'<fieldset class="brainnet-player-choices"><legend>{html.escape(label)}</legend>'
            f"{buttons}</fieldset>")


def _js(obj) -> str:
    """JSON that is safe inside a <script> element."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")
