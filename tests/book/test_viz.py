"""bookkit.viz: a colour-blind-safe palette, helpers that work on small inputs, and no
change to matplotlib's global state."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from bookkit import viz  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from skimage.color import rgb2lab  # noqa: E402

# Machado, Oliveira & Fernandes (2009), severity 1.0, in linear RGB.
CVD = {
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def srgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def simulate(rgb: np.ndarray, matrix) -> np.ndarray:
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    out = np.clip(np.asarray(matrix) @ lin, 0, 1)
    return np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)


def test_palette_is_okabe_ito():
    assert viz.OKABE_ITO == {
        "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9",
        "bluish green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
        "vermillion": "#D55E00", "reddish purple": "#CC79A7"}
    assert sorted(viz.PALETTE) == sorted(viz.OKABE_ITO.values())
    assert viz.PALETTE[:2] == ["#0072B2", "#E69F00"]
    assert len(set(viz.MARKERS)) == len(viz.PALETTE)


@pytest.mark.parametrize("deficiency", sorted(CVD))
def test_palette_stays_distinct_under_colour_blindness(deficiency):
    """Every pair of palette colours stays at least 15 CIELAB units apart when seen
    with a simulated dichromacy (tab10, by contrast, drops to about 3)."""
    lab = rgb2lab(np.array([[simulate(srgb(c), CVD[deficiency]) for c in viz.PALETTE]]))[0]
    dist = np.linalg.norm(lab[:, None] - lab[None], axis=-1) + np.diag([np.inf] * len(lab))
    assert dist.min() >= 15, f"{deficiency}: two colours {dist.min():.1f} apart"


def test_colormaps_are_perceptual_or_diverging():
    assert viz.SEQUENTIAL == "viridis" and viz.DIVERGING == "RdBu_r"
    cmap = viz.two_class_cmap()
    assert matplotlib.colors.to_hex(cmap(0.0)).upper() == viz.PALETTE[0]
    assert matplotlib.colors.to_hex(cmap(1.0)).upper() == viz.PALETTE[1]


@pytest.fixture
def untouched_rcparams():
    """The helpers must leave matplotlib's global style exactly as they found it."""
    before = dict(matplotlib.rcParams)
    figures = plt.get_fignums()
    yield
    after = dict(matplotlib.rcParams)
    changed = {k for k in before if str(before[k]) != str(after[k])}
    assert not changed, f"rcParams changed: {sorted(changed)}"
    assert plt.get_fignums() == figures, "a helper left a pyplot figure open"


class FakeTensor:
    """Stands in for a brainnet Tensor: converts itself with __array__."""

    def __init__(self, array):
        self.array = array

    def __array__(self, dtype=None, copy=None):
        return self.array if dtype is None else self.array.astype(dtype)


XY = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
LABELS = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("predict", [
    lambda g: (g[:, 0] > 0.5).astype(int),                         # labels
    lambda g: 1 / (1 + np.exp(-(g[:, 0] - g[:, 1]))),             # probability
    lambda g: 3 * (g[:, 0] - 0.5),                                 # logit
    lambda g: np.stack([g[:, 0], g[:, 1]], axis=1),                # 2 class scores
    lambda g: np.stack([g[:, 0], g[:, 1], 1 - g[:, 0]], axis=1),   # 3 class scores
    lambda g: FakeTensor(g[:, :1] - 0.5),                          # Tensor, (m, 1)
], ids=["labels", "proba", "logit", "two-scores", "three-scores", "tensor"])
def test_decision_boundary(predict, untouched_rcparams):
    fig, ax = viz.figure()
    filled = viz.decision_boundary(ax, predict, XY, LABELS, resolution=30)
    assert filled is not None and len(ax.collections) >= 2
    assert isinstance(fig, Figure) and len(viz.png(fig)) > 1000


def test_decision_boundary_rejects_bad_shapes():
    fig, ax = viz.figure()
    with pytest.raises(ValueError, match="X must be"):
        viz.decision_boundary(ax, lambda g: g[:, 0], XY[:, :1], LABELS)


def test_training_curves(untouched_rcparams):
    history = {"loss": list(np.exp(-np.arange(30) / 3)), "val_loss": list(np.linspace(1, .3, 30)),
               "acc": list(np.linspace(.5, 1, 30)), "val_acc": list(np.linspace(.5, .9, 30)),
               "note": "ignored: not a series"}
    fig, ax = viz.figure()
    loss_ax, acc_ax = viz.training_curves(ax, history)
    assert acc_ax is not None and loss_ax.get_yscale() == "log"
    labels = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    assert labels == ["loss", "val_loss", "acc", "val_acc"]
    colour = {line.get_label(): line.get_color() for line in loss_ax.lines + acc_ax.lines}
    assert colour["loss"] == colour["val_loss"] != colour["acc"]
    fig, ax = viz.figure()
    _, none = viz.training_curves(ax, {"loss": [1.0, 0.5, 0.4]}, keys=["loss"])
    assert none is None and ax.get_yscale() == "linear"
    with pytest.raises(KeyError):
        viz.training_curves(ax, {"loss": [1.0]}, keys=["val_loss"])


@pytest.mark.parametrize("shape,signed", [((5, 8, 8), False), ((6, 1, 3, 3), True),
                                          ((4, 3, 5, 5), True), ((3, 6, 6, 3), False)])
def test_image_grid(shape, signed, untouched_rcparams):
    rng = np.random.default_rng(0)
    images = rng.normal(size=shape) if signed else rng.uniform(0, 16, size=shape)
    fig, axes = viz.image_grid(images, titles=[f"#{i}" for i in range(shape[0])])
    shown = [ax for ax in axes.ravel() if ax.images]
    assert len(shown) == shape[0]
    if signed and shape[1] == 1:
        vmin, vmax = shown[0].images[0].get_clim()
        assert vmin == -vmax                                        # centred on zero
    with pytest.raises(ValueError):
        viz.image_grid(np.zeros((2, 3)))


def test_show_embeds_alt_text(monkeypatch, untouched_rcparams):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = viz.figure(size="small")
    ax.plot([0, 1], [1, 0])
    assert viz.show(fig, alt='Loss falls "fast" <then> flattens.') is None   # shown once
    assert len(shown) == 1 and isinstance(shown[0], viz.FigureImage)
    bundle = shown[0]._repr_mimebundle_()
    assert 'alt="Loss falls &quot;fast&quot; &lt;then&gt; flattens."' in bundle["text/html"]
    assert bundle["text/plain"].endswith("flattens.")
    with pytest.raises(ValueError, match="alt text"):
        viz.show(fig, alt="  ")


def test_figure_is_styled_but_global_state_is_not(untouched_rcparams):
    fig, axes = viz.figure(2, 2, size=(4, 4))
    assert axes.shape == (2, 2) and fig.get_figwidth() == 4
    assert fig.dpi == viz.DPI and matplotlib.colors.to_hex(fig.get_facecolor()) == "#ffffff"
    line, = axes[0, 0].plot([0, 1])
    assert line.get_color().upper() == viz.PALETTE[0]
    assert not axes[0, 0].spines["top"].get_visible()
    with viz.style():
        assert matplotlib.rcParams["axes.spines.top"] is False


def test_palette_png_is_smaller():
    fig, ax = viz.figure()
    viz.decision_boundary(ax, lambda g: g[:, 0] - g[:, 1], XY, LABELS, resolution=60)
    assert len(viz.png(fig, palette=True)) < len(viz.png(fig))


def test_fast_layout_keeps_axes_inside_and_makes_room_for_a_twin_axis(untouched_rcparams):
    fig, (left, right) = viz.figure(1, 2, size="wide", layout="fast")
    assert fig.get_layout_engine() is None
    width, height = fig.get_size_inches()
    for ax in (left, right):
        box = ax.get_position()
        assert 0 < box.x0 < box.x1 < 1 and 0 < box.y0 < box.y1 < 1
    assert left.get_position().x0 * width == pytest.approx(viz.MARGINS_IN["left"])
    gap = (right.get_position().x0 - left.get_position().x1) * width
    assert gap == pytest.approx(viz.MARGINS_IN["wspace"], rel=1e-3)
    before = fig.subplotpars.right
    viz.training_curves(right, {"loss": [1.0, 0.5], "acc": [0.5, 0.9]})
    assert fig.subplotpars.right < before


def test_figures_fit_the_column_and_keep_their_aspect(untouched_rcparams):
    fig, _ = viz.figure(1, 3, size=(2 * viz.COLUMN_IN, 4.0))
    assert fig.get_figwidth() == pytest.approx(viz.COLUMN_IN)
    assert fig.get_figheight() == pytest.approx(2.0)
    narrow, _ = viz.figure(size=(4.0, 3.0))
    assert tuple(narrow.get_size_inches()) == (4.0, 3.0)
    assert all(w <= viz.COLUMN_IN for w, _ in viz.SIZES.values())


def test_house_text_is_at_least_the_minimum(untouched_rcparams):
    fig, ax = viz.figure()
    ax.plot([0, 1], [1, 0], label="train")
    ax.set(xlabel="epoch", ylabel="loss", title="Training")
    with viz.style():
        ax.legend()
        ax.text(0.5, 0.5, "a note")
    viz.png(fig)                                             # draws, and checks
    assert viz.smallest_text(fig)[0] >= viz.MIN_FONT_PT


def test_png_refuses_text_too_small_to_read(untouched_rcparams):
    fig, ax = viz.figure()
    ax.text(0.5, 0.5, "tiny label", fontsize=8)
    with pytest.raises(ValueError, match=r"'tiny label' is 8 pt.*10.5 pt.*fontsize"):
        viz.png(fig)
    ax.texts[0].set_visible(False)                           # hidden text is not read
    assert len(viz.png(fig)) > 1000


def test_figures_are_drawn_dense_and_shown_at_their_css_size(untouched_rcparams):
    from PIL import Image

    fig, ax = viz.figure(size=(5.0, 3.0))
    ax.plot([0, 1])
    data = viz.png(fig)
    assert Image.open(io.BytesIO(data)).size == (5 * viz.DPI * viz.DENSITY,
                                                 3 * viz.DPI * viz.DENSITY)
    tag = viz.img_html(data, "A line.")
    assert 'width="500"' in tag and "max-width:100%" in tag
    assert 'width="250"' in viz.img_html(viz.png(fig, dpi=200), "A line.", dpi=400)


def test_show_keeps_full_colour_only_for_true_colour_images(untouched_rcparams):
    from bookkit.viz.output import needs_full_colour

    colour, ax = viz.figure(size="small")
    ax.imshow(np.zeros((4, 4, 3)))
    grey, ax = viz.figure(size="small")
    ax.imshow(np.zeros((4, 4)))
    assert needs_full_colour(colour) and not needs_full_colour(grey)
