"""The book's house style for figures: palette, fonts, sizes and layout.

Choices, and why:
- Colours are the Okabe-Ito palette, designed to stay distinguishable with the common
  colour-vision deficiencies. The cycle starts with blue and orange, the pair that
  separates best; yellow comes late because it is faint on white. Classes also get
  different marker shapes, so colour is never the only cue.
- Figures are opaque, white cards with dark grey text. The book's dark theme shows
  images on a light card anyway, and JupyterLab's dark theme cannot make a transparent
  figure with dark text readable; a white card reads the same everywhere.
- Colormaps: ``SEQUENTIAL`` ("viridis") for magnitudes, ``DIVERGING`` ("RdBu_r",
  blue negative, red positive, white zero) for signed quantities such as weights.
- Text is never smaller than the body's small print. A cell's output is 672 CSS px
  wide at a 1280 px window, and a figure inch is shown as ``DPI`` = 100 CSS px, so a
  figure up to ``COLUMN_IN`` = 6.7 in wide is shown at full size and its
  10.5-pt tick labels are 14.6 px, against 14.4 px small print. ``figure()`` shrinks a
  wider request to the column (text keeps its point size, so it grows relative to the
  drawing), and ``png()`` refuses text below ``MIN_FONT_PT``.
- Pixels are drawn at ``DENSITY`` times the CSS size (200 dpi), so figures stay sharp
  on high-density screens; ``png()``'s 256-colour palette keeps the pages light.
- Style is applied with ``matplotlib.rc_context`` (``style()``), or for a whole
  notebook with ``set_theme()``, which the chapters call. ``figure()`` builds a
  ``matplotlib.figure.Figure`` without pyplot, so figures never pop up twice.
"""

from __future__ import annotations

import contextlib

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
"""Okabe & Ito (2008), "Color Universal Design": eight colours, in their order."""

PALETTE = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish green", "vermillion", "reddish purple",
                 "sky blue", "yellow", "black")
]
"""The colour cycle: Okabe-Ito reordered so that the first colours contrast most."""

MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
"""One marker shape per class, paired with ``PALETTE`` (colour is never the only cue)."""

SEQUENTIAL = "viridis"
DIVERGING = "RdBu_r"
TEXT = "#333333"
MUTED = "#666666"
DPI = 100
"""CSS pixels per figure inch: a figure ``w`` inches wide is shown ``100 * w`` px wide."""
DENSITY = 2
"""Image pixels per CSS pixel of the book's figures (sharp on high-density screens)."""
COLUMN_IN = 6.7
"""The width of a cell's output in the book at a 1280 px window, in figure inches."""
MIN_FONT_PT = 10.5
"""The smallest figure text: 10.5 pt at ``DPI`` is 14.6 CSS px, the body's small print."""
SIZES = {"small": (4.0, 3.0), "default": (6.4, 3.6), "wide": (6.7, 2.9), "square": (5.0, 5.0)}

STYLE = {
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT,
    "axes.titlecolor": TEXT,
    "axes.titlesize": 12,
    "axes.titlepad": 9.0,              # clear of a top tick label in fixed layouts
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": TEXT,
    "ytick.labelcolor": TEXT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "text.color": TEXT,
    "font.size": 11,
    "lines.linewidth": 1.8,
    "image.cmap": SEQUENTIAL,
}
"""rcParams of the house style, applied by ``style()`` and ``set_theme()``."""


def _rc_params() -> dict:
    """``STYLE`` plus the colour cycle (which needs matplotlib's cycler)."""
    from cycler import cycler

    return {**STYLE, "axes.prop_cycle": cycler(color=PALETTE)}


def set_theme() -> None:
    """Make the house style matplotlib's default, for every figure and text from now on.

    ``figure()`` applies the style to the figure it builds, but matplotlib reads some
    settings when an artist is made, later: a legend's or an annotation's font size. The
    book's chapters call this once, so that those, too, are in the house style (and no
    smaller than ``MIN_FONT_PT``). A library that draws into a reader's figures should
    use ``style()`` instead, which changes nothing outside its block.
    """
    import matplotlib as mpl

    mpl.rcParams.update(_rc_params())


@contextlib.contextmanager
def style():
    """Apply the house style to the figures made inside the ``with`` block only."""
    import matplotlib as mpl

    with mpl.rc_context(_rc_params()):
        yield


def figure(nrows: int = 1, ncols: int = 1, *, size="default", squeeze: bool = True,
           layout: str | None = "constrained", **kwargs):
    """Return ``(fig, axes)`` like ``plt.subplots``, in the house style.

    ``size`` is a name from ``SIZES`` or a ``(width, height)`` in inches; a size wider
    than the column (``COLUMN_IN``) is scaled down to it, aspect kept. The figure is
    a ``matplotlib.figure.Figure`` made without pyplot, so it is not shown unless you
    call ``show(fig, alt=...)`` (or return it from an ``explore`` function).

    ``layout="constrained"`` (the default) fits every label, but it draws the figure
    twice: a two-panel figure takes about twice as long to render. ``layout="fast"``
    uses fixed margins sized for the house fonts instead, and about 5 ticks per axis
    (each tick label costs ~1 ms to draw); use it in ``explore`` functions, which must
    redraw within 100 ms.
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    figsize = fit_column(SIZES[size] if isinstance(size, str) else tuple(size))
    # A fixed title height (axes.titley) skips matplotlib's search for a free spot above
    # the top tick labels at every draw, a third of an empty figure's drawing time; the
    # house style has no top ticks, so titles sit where they would anyway.
    fixed_title = {"axes.titley": 1.0} if layout == "fast" else {}
    with style(), mpl.rc_context(fixed_title):
        fig = Figure(figsize=figsize, dpi=DPI, layout=None if layout == "fast" else layout)
        axes = fig.subplots(nrows, ncols, squeeze=squeeze, **kwargs)
    if layout == "fast":
        fast_margins(fig, nrows, ncols)
        for ax in fig.axes:          # every tick label costs ~1 ms to draw; 5 per axis read well
            ax.locator_params(nbins=5)
    return fig, axes


def fit_column(figsize: tuple[float, float]) -> tuple[float, float]:
    """``figsize`` scaled down, aspect kept, so that it is at most ``COLUMN_IN`` wide."""
    width, height = figsize
    scale = min(1.0, COLUMN_IN / width)
    return width * scale, height * scale


MARGINS_IN = {"left": 0.8, "right": 0.2, "bottom": 0.6, "top": 0.4, "wspace": 0.85,
              "hspace": 0.8}
"""Fixed margins (inches) of ``layout="fast"``: room for tick labels, an axis label and
a title at the house font sizes."""


def fast_margins(fig, nrows: int = 1, ncols: int = 1, **override_in) -> None:
    """Place a grid of axes with the fixed margins ``MARGINS_IN`` (inches), no layout pass."""
    m = {**MARGINS_IN, **override_in}
    width, height = fig.get_size_inches()
    axis_w = (width - m["left"] - m["right"] - (ncols - 1) * m["wspace"]) / ncols
    axis_h = (height - m["bottom"] - m["top"] - (nrows - 1) * m["hspace"]) / nrows
    fig.subplots_adjust(left=m["left"] / width, right=1 - m["right"] / width,
                        bottom=m["bottom"] / height, top=1 - m["top"] / height,
                        wspace=m["wspace"] / max(axis_w, 0.1),
                        hspace=m["hspace"] / max(axis_h, 0.1))
