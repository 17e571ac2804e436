"""Figures out: PNG bytes, inline ``<img>`` tags with alt text, and ``show``."""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .style import DENSITY, DPI, MIN_FONT_PT


def texts(fig) -> list:
    """Every text a drawn ``fig`` shows: figure texts and legends, and per axes its
    titles, texts, legend and, if its axes are on, axis labels and tick labels.

    (``fig.findobj`` would find them too, but it creates the ticks of axes drawn
    without axes, which costs tens of milliseconds in a live update.)
    """
    found = list(fig.texts)
    legends = list(fig.legends)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        found += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        legends.append(ax.get_legend())
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                found += [axis.label, axis.offsetText, *axis.get_ticklabels(),
                          *axis.get_ticklabels(minor=True)]
    for legend in legends:
        if legend is not None:
            found += [*legend.get_texts(), legend.get_title()]
    return found


def smallest_text(fig) -> tuple[float, str]:
    """The smallest visible text of a drawn ``fig``: ``(size in points, the text)``."""
    sizes = [(t.get_fontsize(), t.get_text()) for t in texts(fig)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=(float("inf"), ""))


def check_text(fig) -> None:
    """Refuse figure text below ``MIN_FONT_PT``: in the book it would be too small to read."""
    size, text = smallest_text(fig)
    if size < MIN_FONT_PT - 1e-9:
        raise ValueError(
            f"figure text {text[:40]!r} is {size:g} pt, below the house minimum of "
            f"{MIN_FONT_PT:g} pt (the book's small print at a 1280 px window). Give it "
            f"fontsize={MIN_FONT_PT:g} or more, and make room by shortening the text or "
            "drawing fewer labels.")


def png(fig, dpi: int = DPI * DENSITY, *, palette: bool = False, fast: bool = False) -> bytes:
    """Render ``fig`` to PNG bytes (white background, the house pixel density).

    Raises ``ValueError`` if any text is smaller than ``MIN_FONT_PT`` (``check_text``).

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
        check_text(fig)
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


def css_width(data: bytes, dpi: int) -> int:
    """The CSS width (px) of PNG ``data`` drawn at ``dpi``: ``DPI`` px per figure inch."""
    width = int.from_bytes(data[16:20], "big")       # the IHDR chunk's width field
    return round(width * DPI / dpi)


def img_html(data: bytes, alt: str, *, dpi: int = DPI * DENSITY,
             css_class: str = "brainnet-figure") -> str:
    """An ``<img>`` tag holding PNG ``data`` (drawn at ``dpi``) inline, with ``alt`` text.

    The image is shown ``DPI`` CSS px per figure inch, never wider than its column; its
    extra pixels make it sharp on high-density screens.
    """
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<img class="{css_class}" src="data:image/png;base64,{b64}" '
            f'alt="{html.escape(alt, quote=True)}" width="{css_width(data, dpi)}" '
            'style="max-width:100%;height:auto">')


class FigureImage:
    """A rendered figure with alt text, displayed by Jupyter as an ``<img alt=...>``,
    inside a numbered ``<figure>`` when it has a caption.

    The text/plain form is the alt text itself, which is what nbval and text-only
    front ends see.
    """

    def __init__(self, data: bytes, alt: str, dpi: int = DPI * DENSITY,
                 caption: str | None = None, number: int | None = None):
        self.data, self.alt, self.dpi = data, alt, dpi
        self.caption, self.number = caption, number

    def _repr_mimebundle_(self, include=None, exclude=None):
        tag = img_html(self.data, self.alt, dpi=self.dpi)
        if self.caption:
            label = f"Figure {self.number}." if self.number else "Figure."
            tag = (f'<figure class="brainnet-figure-card">{tag}'
                   f'<figcaption class="brainnet-caption"><span class="brainnet-caption-label">'
                   f"{label}</span> "
                   f"{html.escape(self.caption)}</figcaption></figure>")
        return {"text/html": tag, "text/plain": f"[figure] {self.alt}"}


_captioned = 0
"""Captioned figures shown so far in this kernel: one notebook's figure numbers."""


def needs_full_colour(fig) -> bool:
    """Whether ``fig`` shows a true-colour image, which 256 colours would band."""
    return any(np.ndim(im.get_array()) == 3 for ax in fig.axes for im in ax.images)


def show(fig, alt: str, *, caption: str | None = None, dpi: int = DPI * DENSITY,
         palette: bool | None = None) -> None:
    """Display ``fig`` with alt text (and a numbered caption), then close it.

    Use this instead of ``plt.show()`` for every figure in a chapter: the alt text
    ends up in the HTML book (``<img alt="...">``) and in the notebook. Write alt text
    that says what the figure shows, not what it is ("Loss falls fast, then
    plateaus near 0.1", not "A plot of the loss"). A ``caption`` is for every reader:
    one or two sentences on what to see, printed under the figure as "Figure N."
    with N counted through the notebook. Returns None, so that a cell ending in
    ``viz.show(...)`` shows the figure once.

    ``palette`` stores 256 colours, about 3x smaller than full colour and, for plots,
    colour-mapped and grey images, hard to tell apart. By default it is used unless the
    figure holds a true-colour image (``needs_full_colour``).
    """
    global _captioned
    if not alt or not alt.strip():
        raise ValueError("show() needs alt text that describes the figure for screen readers")
    if palette is None:
        palette = not needs_full_colour(fig)
    data = png(fig, dpi=dpi, palette=palette)
    close(fig)
    number = None
    if caption:
        _captioned += 1
        number = _captioned
    image = FigureImage(data, alt.strip(), dpi, caption and caption.strip(), number)
    try:
        from IPython.display import display
    except ImportError:  # plain Python: nothing to display on
        return
    display(image)


def close(fig) -> None:
    """Close ``fig`` if pyplot manages it (figures from ``figure()`` need nothing)."""
    import matplotlib.pyplot as plt

    plt.close(fig)
