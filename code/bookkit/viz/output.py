"""Figures out: PNG bytes, inline ``<img>`` tags with alt text, and ``show``."""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .style import DPI


def png(fig, dpi: int = DPI, *, palette: bool = False, fast: bool = False) -> bytes:
    """Render ``fig`` to PNG bytes (white background, house dpi).

    ``palette=True`` quantises to 256 colours: about 3x smaller, quicker to encode than
    full colour, and for plots hard to tell apart; the book's frame players and live
    ``explore`` updates use it. ``fast=True`` compresses lightly (bigger, quicker), for
    live updates.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # Draw straight to an RGBA buffer (savefig would encode, and palette mode decode it
    # again); the figure's own dpi is restored afterwards.
    original_dpi = fig.dpi
    fig.set_dpi(dpi)
    try:
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        image = Image.fromarray(np.asarray(canvas.buffer_rgba()))
    finally:
        fig.set_dpi(original_dpi)
    if palette:
        image = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    if fast:
        image.save(out, format="PNG", compress_level=1)
    elif palette:
        image.save(out, format="PNG", optimize=True)
    else:
        image.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def img_html(data: bytes, alt: str, *, css_class: str = "brainnet-figure") -> str:
    """An ``<img>`` tag holding PNG ``data`` inline, with escaped ``alt`` text."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<img class="{css_class}" src="data:image/png;base64,{b64}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width:100%;height:auto">')


class FigureImage:
    """A rendered figure with alt text, displayed by Jupyter as an ``<img alt=...>``.

    The text/plain form is the alt text itself, which is what nbval and text-only
    front ends see.
    """

    def __init__(self, data: bytes, alt: str):
        self.data, self.alt = data, alt

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": img_html(self.data, self.alt), "text/plain": f"[figure] {self.alt}"}


def show(fig, alt: str, *, dpi: int = DPI, palette: bool = False) -> None:
    """Display ``fig`` with alt text, then close it.

    Use this instead of ``plt.show()`` for every figure in a chapter: the alt text
    ends up in the HTML book (``<img alt="...">``) and in the notebook. Write alt text
    that says what the figure shows, not what it is ("Loss falls fast, then
    plateaus near 0.1", not "A plot of the loss"). Returns None, so that a cell ending
    in ``viz.show(...)`` shows the figure once. ``palette=True`` stores 256 colours,
    about 3x smaller: use it for figures of grey images (noise, textures), which full
    colour stores at nearly a byte per pixel for nothing.
    """
    if not alt or not alt.strip():
        raise ValueError("show() needs alt text that describes the figure for screen readers")
    image = FigureImage(png(fig, dpi=dpi, palette=palette), alt.strip())
    close(fig)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: nothing to display on
        return
    display(image)


def close(fig) -> None:
    """Close ``fig`` if pyplot manages it (figures from ``figure()`` need nothing)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
