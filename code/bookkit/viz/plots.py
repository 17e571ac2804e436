"""The plots several chapters need: decision boundaries, training curves, image grids."""

from __future__ import annotations

import numpy as np

from brainnet import numerics

from .style import DIVERGING, DPI, MARKERS, PALETTE, TEXT, fit_column, style


def _tidy(ax) -> None:
    """House touches that rcParams cannot express for an existing Axes."""
    ax.spines[["top", "right"]].set_visible(False)


def _to_numpy(out) -> np.ndarray:
    """Numpy arrays, brainnet Tensors (which convert themselves) or anything array-like."""
    return np.asarray(out)


def _class_scores(out: np.ndarray):
    """Interpret a predictor's output on the grid.

    Returns ``("binary", p)`` with p = P(class 1) in [0, 1], or ``("labels", k)`` with
    integer class labels. Accepted outputs: labels (integers), one probability or
    logit per point (shape (m,) or (m, 1)), or per-class scores (m, k).
    """
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.ndim == 1:
        if np.issubdtype(out.dtype, np.integer) or np.issubdtype(out.dtype, np.bool_):
            return "labels", out.astype(int)
        if out.min() < 0 or out.max() > 1:  # logits: squash them
            out = numerics.sigmoid(out)
        return "binary", out
    if out.ndim == 2 and out.shape[1] == 2:
        looks_like_probs = out.min() >= 0 and np.allclose(out.sum(axis=1), 1, atol=1e-3)
        probs = out if looks_like_probs else numerics.softmax(out, axis=1)
        return "binary", probs[:, 1]
    if out.ndim == 2:
        return "labels", out.argmax(axis=1)
    raise ValueError(f"decision_boundary: predictions of shape {out.shape} are not "
                     "labels (m,), probabilities/logits (m,) or class scores (m, k)")


def two_class_cmap():
    """Blue (class 0) to white to orange (class 1): the palette's first two colours."""
    from matplotlib.colors import LinearSegmentedColormap

    colours = [PALETTE[0], "white", PALETTE[1]]
    return LinearSegmentedColormap.from_list("brainnet_two_class", colours)


def decision_boundary(ax, predict_fn, X, y, *, resolution: int = 150, margin: float = 0.1,
                      show_points: bool = True, point_size: float = 22):
    """Shade what ``predict_fn`` says over the plane, and draw the data on top.

    ``predict_fn`` maps a float32 array of shape (m, 2) to labels, a probability or
    logit per point, or class scores (m, k); numpy arrays and brainnet Tensors both
    work. ``X`` is (n, 2) and ``y`` holds integer labels (n,). ``margin`` pads the view
    by that fraction of the data's range. Two classes are shaded by P(class 1) with
    the 0.5 contour drawn; more classes get one light tint each. Returns the filled
    contour set (usable with ``fig.colorbar``).
    """
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y).astype(int).ravel()
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"decision_boundary: X must be (n, 2) and y (n,); got X {X.shape}, "
                         f"y {y.shape}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-6)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution, dtype=np.float32)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    kind, values = _class_scores(_to_numpy(predict_fn(grid)))
    values = values.reshape(gx.shape)
    if kind == "binary":
        filled = ax.contourf(gx, gy, values, levels=np.linspace(0, 1, 11), cmap=two_class_cmap(),
                             alpha=0.8)
        if values.min() < 0.5 < values.max():
            ax.contour(gx, gy, values, levels=[0.5], colors=[TEXT], linewidths=1.2)
    else:
        from matplotlib.colors import ListedColormap

        k = int(max(values.max(), y.max())) + 1
        tints = ListedColormap([PALETTE[i % len(PALETTE)] for i in range(k)])
        filled = ax.contourf(gx, gy, values, levels=np.arange(k + 1) - 0.5, cmap=tints, alpha=0.25)
    if show_points:
        for c in np.unique(y):
            pts = X[y == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=point_size, c=PALETTE[c % len(PALETTE)],
                       marker=MARKERS[c % len(MARKERS)], edgecolors="white", linewidths=0.6,
                       label=f"class {c}", zorder=3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.locator_params(nbins=5)   # a map needs few ticks, and each one costs ~1 ms to draw
    _tidy(ax)
    return filled


def training_curves(ax, history: dict, *, keys=None, logy: bool | None = None,
                    xlabel: str = "epoch"):
    """Plot a training history such as ``{"loss": [...], "val_loss": [...], "acc": [...]}``.

    Loss-like series go on ``ax``; accuracy-like series (names containing "acc") go on
    a second y axis on the right, in [0, 1]. A ``val_`` series shares its training
    series' colour and is dashed. ``keys`` picks and orders the series to plot
    (default: every list of numbers). ``logy`` puts the losses on a log scale
    (default: when they span more than two decades). Returns ``(ax, acc_ax or None)``.
    """
    series = {k: np.asarray(v, dtype=float) for k, v in history.items()
              if (keys is None or k in keys) and np.ndim(v) == 1 and len(v) > 0}
    if keys is not None:
        missing = [k for k in keys if k not in series]
        if missing:
            raise KeyError(f"training_curves: history has no series {missing}; "
                           f"it has {sorted(history)}")
    if not series:
        raise ValueError("training_curves: history holds no series to plot")

    def base(name: str) -> str:
        return name[4:] if name.startswith("val_") else name

    colours: dict[str, str] = {}
    for name in series:
        colours.setdefault(base(name), PALETTE[len(colours) % len(PALETTE)])
    acc_ax = None
    for name, values in series.items():
        is_acc = "acc" in base(name)
        if is_acc and acc_ax is None:
            fig = ax.get_figure()
            if fig.get_layout_engine() is None and ax.get_subplotspec().is_last_col():
                right = fig.subplotpars.right - 0.5 / fig.get_figwidth()   # room for its labels
                fig.subplots_adjust(right=right)
            acc_ax = ax.twinx()
            acc_ax.set_ylim(0, 1.02)
            acc_ax.set_ylabel("accuracy")
            acc_ax.spines[["top", "left"]].set_visible(False)
        target = acc_ax if is_acc else ax
        epochs = np.arange(1, len(values) + 1)
        target.plot(epochs, values, color=colours[base(name)],
                    linestyle="--" if name.startswith("val_") else "-", label=name)
    losses = [v for k, v in series.items() if "acc" not in base(k)]
    if losses:
        positive = np.concatenate(losses)
        positive = positive[np.isfinite(positive) & (positive > 0)]
        if logy is None:
            logy = positive.size > 0 and positive.max() / max(positive.min(), 1e-12) > 100
        if logy:  # plain "0.01" labels at decades: mathtext and minor labels cost ~50 ms
            from matplotlib.ticker import FuncFormatter, NullLocator

            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylabel("loss")
    ax.set_xlabel(xlabel)
    handles, labels = ax.get_legend_handles_labels()
    if acc_ax is not None:
        more = acc_ax.get_legend_handles_labels()
        handles, labels = handles + more[0], labels + more[1]
    ax.legend(handles, labels, loc="best")
    _tidy(ax)
    return ax, acc_ax


def image_grid(images, *, ncols: int | None = None, titles=None, cmap=None,
               shared_scale: bool = True, size: float = 1.1, fig=None):
    """Show a stack of small images (digits, filters, patches) in a grid.

    ``images`` may be (n, h, w), or 4-D: NCHW like brainnet's conv weights when axis 1
    holds 1 or 3 channels ((n, 1, h, w), (n, 3, h, w)), otherwise NHWC (n, h, w, 3).
    Signed data (weights, filters) is drawn with the diverging colormap centred on
    zero; non-negative data in grey, ink dark on white.
    ``shared_scale`` uses one colour scale for all images (compare them) instead of
    one per image (see each one's structure). Returns ``(fig, axes)``.
    """
    arr = _to_numpy(images).astype(np.float32)
    if arr.ndim == 4 and arr.shape[1] in (1, 3):
        arr = np.moveaxis(arr, 1, -1)                      # NCHW (brainnet's) -> NHWC
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (3, 4):
        raise ValueError(f"image_grid: expected (n, h, w) or (n, h, w, 3) images, got {arr.shape}")
    n = len(arr)
    ncols = ncols or int(min(n, max(1, np.ceil(np.sqrt(n * 1.5)))))
    nrows = int(np.ceil(n / ncols))
    signed = arr.min() < 0 < arr.max()
    with style():
        if fig is None:
            from matplotlib.figure import Figure

            height = size * nrows + (0.25 * nrows if titles is not None else 0)
            fig = Figure(figsize=fit_column((size * ncols, height)), dpi=DPI,
                         layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
    vmax_all = float(np.abs(arr).max()) or 1.0
    for i, ax in enumerate(axes.ravel()):
        ax.set_axis_off()
        if i >= n:
            continue
        img = arr[i]
        if img.ndim == 3:                                  # colour: rescale to [0, 1]
            lo, hi = (arr.min(), arr.max()) if shared_scale else (img.min(), img.max())
            ax.imshow((img - lo) / ((hi - lo) or 1.0))
        else:
            vmax = vmax_all if shared_scale else (float(np.abs(img).max()) or 1.0)
            if signed:
                ax.imshow(img, cmap=cmap or DIVERGING, vmin=-vmax, vmax=vmax)
            else:
                lo = 0.0 if shared_scale else float(img.min())
                ax.imshow(img, cmap=cmap or "gray_r", vmin=lo, vmax=vmax)
        if titles is not None:
            ax.set_title(str(titles[i]))
    return fig, axes
