"""The book's figures: one house style, and the plots every chapter needs.

    from bookkit import viz
    viz.set_theme()                             # house style for every figure and legend

    fig, ax = viz.figure()                      # house size, dpi and style
    ax.plot(losses, label="train")
    viz.show(fig, alt="Training loss falls from 0.7 to 0.05 over 200 epochs.")

    fig, (left, right) = viz.figure(1, 2, size="wide")
    viz.decision_boundary(left, model_predict, X, y)
    viz.training_curves(right, history)         # {"loss": [...], "val_loss": [...]}

    with viz.style():                           # for plots made with plain pyplot
        fig, ax = plt.subplots()

``style.py`` holds the palette, sizes and layout, ``output.py`` turns figures into
PNGs with alt text, ``plots.py`` the shared plots. matplotlib is imported inside the
functions that draw, so importing this package stays cheap.
"""

from .output import FigureImage, check_text, close, img_html, png, show, smallest_text
from .plots import decision_boundary, image_grid, training_curves, two_class_cmap
from .style import (
    COLUMN_IN,
    DENSITY,
    DIVERGING,
    DPI,
    MARGINS_IN,
    MARKERS,
    MIN_FONT_PT,
    MUTED,
    OKABE_ITO,
    PALETTE,
    SEQUENTIAL,
    SIZES,
    STYLE,
    TEXT,
    fast_margins,
    figure,
    fit_column,
    set_theme,
    style,
)

__all__ = [
    "FigureImage", "check_text", "close", "img_html", "png", "show", "smallest_text",
    "decision_boundary", "image_grid", "training_curves", "two_class_cmap",
    "DIVERGING", "DPI", "MARGINS_IN", "MARKERS", "MUTED", "OKABE_ITO", "PALETTE",
    "SEQUENTIAL", "SIZES", "STYLE", "TEXT", "COLUMN_IN", "DENSITY", "MIN_FONT_PT",
    "fast_margins", "figure", "fit_column", "set_theme", "style",
]
