"""Images made by networks: compositional pattern-producing networks (Stanley 2007),
textures from the Gram matrices of random filters (Gatys et al. 2015; Ustyuzhaninov et
al. 2017), and inputs optimised to excite a trained classifier ("dreams").

    from brainnet.brain import art

    picture = art.cppn(256, gain=8.0, rng=0)                    # (256, 256, 3) in [0, 1]
    bank = art.random_filters(rng=0)
    result = art.synthesize_texture(source, bank, rng=0)        # source: (128, 128) in [0, 1]
    result.image, result.loss / result.noise_loss

No pretrained weights are needed: a CPPN's weights are random, the texture model's
filters are random, and the classifier is whatever the caller trained. Images are numpy
arrays; everything random takes ``rng`` (a seed or a Generator).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from .. import numerics
from .. import rng as _rng
from ..autograd import grad
from ..tensor import Tensor, tensor
from .image_statistics import hann_windowed

__all__ = [
    "cppn", "random_filters", "gram_matrices", "gram_loss", "synthesize_texture", "Texture",
    "random_phase", "histogram_distance", "dream", "Dream",
]


# ------------------------------------------------------------------ CPPN
def cppn(n: int = 256, gain: float = 8.0, depth: int = 8, width: int = 32,
         rng: _rng.Seed = None, activation: Callable[[np.ndarray], np.ndarray] = np.tanh
         ) -> np.ndarray:
    """A picture drawn by a random compositional pattern-producing network.

    The network maps each pixel's coordinates (x, y, r = sqrt(x^2 + y^2), 1), with x and
    y in [-1, 1], through ``depth`` layers of ``width`` units to three sigmoid outputs,
    the pixel's red, green and blue. Weights are N(0, gain^2 / fan_in). With gain near 1
    each layer is close to linear and the picture is smooth; a larger gain folds the
    coordinates more at every layer, adding finer and finer detail.

    Returns:
        (n, n, 3) float64 image in [0, 1]. The hidden layers run in float32.
    """
    if n < 2 or depth < 1 or width < 1 or gain <= 0:
        raise ValueError(f"cppn: need n >= 2, depth >= 1, width >= 1 and gain > 0, got "
                         f"n={n}, depth={depth}, width={width}, gain={gain}.")
    g = _rng.generator(rng)
    x, y = np.meshgrid(np.linspace(-1, 1, n), np.linspace(-1, 1, n))
    # (n*n, 4): one row of inputs per pixel; float32 halves the time of a 256 px picture
    h = np.stack([x.ravel(), y.ravel(), np.hypot(x, y).ravel(), np.ones(n * n)],
                 axis=1).astype(np.float32)
    for _ in range(depth):
        w = g.normal(0.0, gain / np.sqrt(h.shape[1]), size=(h.shape[1], width))
        h = activation(h @ w.astype(np.float32))                    # (n*n, width)
    w = g.normal(0.0, gain / np.sqrt(width), size=(width, 3))
    rgb = numerics.sigmoid(h.astype(np.float64) @ w)               # (n*n, 3)
    return rgb.reshape(n, n, 3)


# ------------------------------------------------------------------ textures
def random_filters(sizes: Sequence[int] = (3, 5, 7, 11, 15), per_size: int = 32,
                   rng: _rng.Seed = None) -> list[np.ndarray]:
    """Banks of random filters, one bank per size, for one grey channel.

    Each filter is Gaussian noise scaled to unit L2 norm. The filters are not made zero
    mean: their responses then depend on the grey level as well as on structure, so the
    Gram matrices pin down the image's brightness and contrast too.

    Returns:
        a list of (per_size, 1, s, s) float32 arrays, one per size s.
    """
    g = _rng.generator(rng)
    banks = []
    for s in sizes:
        w = g.standard_normal((per_size, 1, s, s))
        w /= np.linalg.norm(w.reshape(per_size, -1), axis=1)[:, None, None, None]
        banks.append(w.astype(np.float32))
    return banks


def gram_matrices(image: Tensor, filters: Sequence[np.ndarray]) -> list[Tensor]:
    """The Gram matrix of each bank's rectified responses: G[i, j] is the average over
    positions of response i times response j.

    A Gram matrix keeps which features occur together and how strongly, and throws away
    where they occur, which is what makes a texture a texture (Gatys et al. 2015).

    Args:
        image: (1, 1, H, W) tensor; the filters are used in its dtype.
        filters: banks from ``random_filters``.

    Returns:
        one (C, C) tensor per bank.
    """
    grams = []
    for w in filters:
        r = F.relu(F.conv2d(image, tensor(w, dtype=image.dtype)))   # (1, C, h, w)
        c = r.shape[1]
        r = r.reshape(c, -1)                                         # (C, h*w)
        grams.append(r @ r.T / r.shape[1])                           # (C, C)
    return grams


def gram_loss(image: Tensor, targets: Sequence[np.ndarray], filters: Sequence[np.ndarray]
              ) -> Tensor:
    """Sum over banks of the squared distance between the image's Gram matrices and the
    targets, each divided by the target's own squared norm so that every bank counts."""
    total = None
    for gram, target in zip(gram_matrices(image, filters), targets, strict=True):
        term = (((gram - tensor(target, dtype=image.dtype)) ** 2).sum()
                / float((target ** 2).sum()))
        total = term if total is None else total + term
    assert total is not None
    return total


@dataclass
class Texture:
    """The result of ``synthesize_texture``: the image, its Gram loss, the loss of the
    noise image it started from, and the loss at the last evaluation of each iteration."""

    image: np.ndarray
    loss: float
    noise_loss: float
    history: list[float]


class _SpectrumObjective:
    """Half the mean squared distance between the Hann-windowed, mean-removed image and
    its projection onto the images with the source's windowed amplitude spectrum, and
    its gradient: the spectrum constraint of Liu, Gousseau & Xia (2016), on the window
    that ``image_statistics.spectral_slope`` measures through."""

    def __init__(self, source: np.ndarray):
        windowed, self.window = hann_windowed(source)
        self.amplitude = np.abs(np.fft.fft2(windowed))

    def __call__(self, image: np.ndarray) -> tuple[float, np.ndarray]:
        y = hann_windowed(image)[0]
        phase = np.angle(np.fft.fft2(y))
        diff = y - np.fft.ifft2(self.amplitude * np.exp(1j * phase)).real
        gradient = self.window * diff                 # the projection is held fixed
        return 0.5 * float((diff ** 2).mean()), (gradient - gradient.mean()) / diff.size


def synthesize_texture(source: np.ndarray, filters: Sequence[np.ndarray],
                       iterations: int = 80, spectrum_weight: float = 0.0,
                       start: np.ndarray | None = None, rng: _rng.Seed = None) -> Texture:
    """A new image with the same Gram matrices as ``source``, found by L-BFGS-B (scipy)
    on the pixels, kept within [0, 1].

    Args:
        source: (H, W) grey image with values in [0, 1].
        filters: banks from ``random_filters``.
        iterations: L-BFGS iterations.
        spectrum_weight: if positive, also match the source's windowed amplitude
            spectrum (the spectrum constraint of Liu, Gousseau & Xia 2016), weighted
            this much against the Gram loss. ``loss`` and ``history`` stay the Gram
            loss alone. Needs a square source.
        start: the image to start from (default: uniform noise drawn from ``rng``),
            e.g. an earlier synthesis to refine; ``noise_loss`` is then its Gram loss.
    """
    from scipy.optimize import minimize  # scipy is needed only here

    src = np.asarray(source, dtype=np.float64)
    if src.ndim != 2 or src.min() < 0 or src.max() > 1:
        raise ValueError(f"synthesize_texture: source must be an (H, W) grey image in "
                         f"[0, 1], got shape {src.shape} and range "
                         f"[{src.min():.3g}, {src.max():.3g}]; see image_statistics.grey.")
    if spectrum_weight < 0 or (spectrum_weight and src.shape[0] != src.shape[1]):
        raise ValueError(f"synthesize_texture: spectrum_weight must be >= 0, and a "
                         f"positive one needs a square source; got {spectrum_weight} "
                         f"with shape {src.shape}.")
    if start is not None and np.shape(start) != src.shape:
        raise ValueError(f"synthesize_texture: start must have the source's shape "
                         f"{src.shape}, got {np.shape(start)}.")
    shape = (1, 1, *src.shape)
    targets = [g.numpy() for g in gram_matrices(tensor(src.reshape(shape), dtype=np.float32),
                                                 filters)]
    spectrum = _SpectrumObjective(src) if spectrum_weight else None
    evaluations: list[float] = []

    def loss_and_grad(flat: np.ndarray) -> tuple[float, np.ndarray]:
        x = tensor(flat.reshape(shape), dtype=np.float32, requires_grad=True)
        loss = gram_loss(x, targets, filters)
        (g,) = grad(loss, [x])
        evaluations.append(float(loss.item()))
        total, gradient = evaluations[-1], g.numpy().ravel().astype(np.float64)
        if spectrum is not None:
            extra, extra_gradient = spectrum(flat.reshape(src.shape))
            total += spectrum_weight * extra
            gradient += spectrum_weight * extra_gradient.ravel()
        return total, gradient

    first = (_rng.generator(rng).random(src.size) if start is None
             else np.clip(np.asarray(start, dtype=np.float64).ravel(), 0.0, 1.0))

    def gram_only(flat: np.ndarray) -> float:
        loss_and_grad(flat)
        return evaluations[-1]

    noise_loss = gram_only(first)
    history: list[float] = []
    # ftol must be tiny: the loss is small from the start, and the default stops at once
    result = minimize(loss_and_grad, first, jac=True, method="L-BFGS-B",
                      bounds=[(0.0, 1.0)] * src.size,
                      callback=lambda _: history.append(evaluations[-1]),
                      options={"maxiter": iterations, "ftol": 1e-15, "gtol": 1e-12})
    return Texture(result.x.reshape(src.shape), gram_only(result.x), noise_loss, history)


def random_phase(source: np.ndarray, rng: _rng.Seed = None) -> np.ndarray:
    """An image with the source's amplitude spectrum (so its power spectrum and slope)
    and random phases: the texture a model of second-order statistics alone would make.
    Its pixel histogram is close to Gaussian, whatever the source's."""
    src = np.asarray(source, dtype=np.float64)
    phases = np.angle(np.fft.fft2(_rng.generator(rng).standard_normal(src.shape)))
    spectrum = np.abs(np.fft.fft2(src - src.mean())) * np.exp(1j * phases)
    return np.fft.ifft2(spectrum).real + src.mean()


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The distance between two images' grey-level histograms: the mean absolute
    difference between their sorted pixels (the 1-D earth mover's distance)."""
    qa = np.sort(np.asarray(a, dtype=np.float64).ravel())
    qb = np.sort(np.asarray(b, dtype=np.float64).ravel())
    if qa.size != qb.size:
        q = np.linspace(0, 1, min(qa.size, qb.size))
        qa, qb = np.quantile(qa, q), np.quantile(qb, q)
    return float(np.abs(qa - qb).mean())


# ------------------------------------------------------------------ dreams
@dataclass
class Dream:
    """The result of ``dream``: the images after each step, shape (steps + 1, N, C, H, W)
    (``path[0]`` is the start), and the probability the classifier gave each image's
    target class, shape (steps + 1, N)."""

    path: np.ndarray
    probability: np.ndarray

    @property
    def images(self) -> np.ndarray:
        """(N, C, H, W) the final images."""
        return self.path[-1]


def _blur(images: np.ndarray) -> np.ndarray:
    """A light blur: each pixel averaged with its 4 neighbours at weight 1/8 each."""
    p = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    return 0.5 * images + 0.125 * (p[..., :-2, 1:-1] + p[..., 2:, 1:-1]
                                   + p[..., 1:-1, :-2] + p[..., 1:-1, 2:])


def dream(model: Callable[[Tensor], Tensor], targets: Sequence[int], start: np.ndarray,
          steps: int = 100, lr: float = 0.1, decay: float = 0.01, blur_every: int = 10,
          bounds: tuple[float, float] = (0.0, 1.0)) -> Dream:
    """Gradient ascent on a classifier's input: change each image so that the model's
    log probability of its target class rises.

    Each step adds ``lr`` times the gradient of log p(target), shrinks the image by
    ``decay`` towards zero (L2 decay), and clips it to ``bounds``; every ``blur_every``
    steps (but not after the last) the images are blurred a little. Decay, blur and
    clipping keep the dreams image-like: without them, ascent finds high-frequency
    patterns no digit has.

    Args:
        model: maps (N, C, H, W) inputs to (N, classes) logits; put it in eval mode.
        targets: the class each image should become, length N.
        start: (N, C, H, W) initial images, in the model's input units.
        bounds: the range pixels are clipped to, in the same units.
    """
    x = np.array(start, dtype=np.float32)
    t = np.asarray(targets)
    if x.ndim != 4 or len(t) != len(x):
        raise ValueError(f"dream: start must be (N, C, H, W) with one target per image, got "
                         f"start {x.shape} and {len(t)} targets.")
    rows = np.arange(len(t))
    path, probability = [x], []
    for step in range(steps + 1):
        xt = tensor(x, requires_grad=True)
        log_p = F.log_softmax(model(xt), dim=1)                        # (N, classes)
        probability.append(np.exp(log_p.numpy()[rows, t]))
        if step == steps:
            break
        (g,) = grad(log_p[rows, t].sum(), [xt])
        x = np.clip((1 - decay) * x + lr * g.numpy(), *bounds)
        if blur_every and (step + 1) % blur_every == 0 and step + 1 < steps:
            x = _blur(x)
        path.append(x)
    return Dream(np.array(path), np.array(probability))
