"""Two numbers that describe an image's structure across scales: the slope of its power
spectrum (Field 1987) and the box-counting dimension of its edges (Taylor et al. 2011).

    from brainnet.brain import image_statistics as stats

    stats.spectral_slope(stats.power_law_noise(256, 2.0, rng=0)).slope   # about -2
    stats.box_counting_dimension(stats.sierpinski(512, rng=0))           # about 1.58

Natural scenes and many artworks have power falling as 1/f^2 with spatial frequency f,
a slope near -2 on log-log axes. The slope is measured here the way the aesthetics
literature does (Graham & Field 2007; Redies et al. 2007): grey levels minus their
mean, a 2-D Hann window against edge artefacts, the power averaged over rings of equal
frequency, and a straight line fitted in log-log coordinates. Images are numpy arrays,
(H, W) grey or (H, W, 3) colour, square for the spectrum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import numerics
from .. import rng as _rng

__all__ = [
    "grey", "power_law_noise", "hann_windowed", "radial_power", "spectral_slope",
    "SpectralSlope",
    "sierpinski", "boundary", "box_counts", "box_counting_dimension",
]


def grey(image: np.ndarray) -> np.ndarray:
    """(H, W) float64 grey levels: a colour image's channels are averaged."""
    a = np.asarray(image, dtype=np.float64)
    if a.ndim == 3 and a.shape[-1] in (3, 4):
        return a[..., :3].mean(axis=-1)
    if a.ndim != 2:
        raise ValueError(f"grey: expected an (H, W) or (H, W, 3) image, got shape {a.shape}.")
    return a


def _square(image: np.ndarray, name: str) -> np.ndarray:
    a = grey(image)
    if a.shape[0] != a.shape[1] or a.shape[0] < 16:
        raise ValueError(f"{name}: needs a square image of side 16 or more, got shape "
                         f"{a.shape}; crop it, e.g. image[:256, :256].")
    return a


def _rings(n: int) -> tuple[np.ndarray, np.ndarray]:
    """For an (n, n) spectrum: each coefficient's ring, k = round(n * radius), and the
    number of coefficients in rings 1 .. n/2."""
    ring = np.rint(numerics.frequency_radius((n, n)) * n).astype(int)     # (n, n)
    return ring, np.bincount(ring.ravel(), minlength=n)[1:n // 2 + 1]


def power_law_noise(n: int, exponent: float, rng: _rng.Seed = None) -> np.ndarray:
    """(n, n) Gaussian noise whose power falls as 1/f^exponent: random phases, amplitude
    f^(-exponent / 2), zero mean and unit standard deviation. exponent = 0 is white
    noise; 2 has the statistics of natural scenes."""
    white = np.fft.fft2(_rng.generator(rng).standard_normal((n, n)))
    radius = numerics.frequency_radius((n, n))
    radius[0, 0] = np.inf                                    # no power at zero frequency
    noise = np.fft.ifft2(white * radius ** (-exponent / 2)).real
    return (noise - noise.mean()) / noise.std()


def hann_windowed(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(window * (a - mean), window) for a square (n, n) array: the mean removed and a 2-D
    Hann window applied, so that the image's edges add no spurious stripes of power.
    Every spectrum in this module, and the spectrum constraint of ``art``, is taken so."""
    n = a.shape[0]
    window = np.outer(np.hanning(n), np.hanning(n))
    return (a - a.mean()) * window, window


def radial_power(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Power averaged over rings of equal spatial frequency, after removing the mean and
    applying a 2-D Hann window.

    Returns:
        (frequencies, power): ring k holds the coefficients with radius in
        [k - 0.5, k + 0.5) / n cycles/pixel, for k = 1 .. n/2; both arrays (n/2,).
    """
    a = _square(image, "radial_power")
    n = a.shape[0]
    power = np.abs(np.fft.fft2(hann_windowed(a)[0])) ** 2           # (n, n)
    ring, count = _rings(n)
    total = np.bincount(ring.ravel(), weights=power.ravel(), minlength=n)[1:n // 2 + 1]
    return np.arange(1, n // 2 + 1) / n, total / count


@dataclass
class SpectralSlope:
    """A straight line fitted to log10 power against log10 frequency.

    ``slope`` is the exponent (about -2 for natural scenes), ``intercept`` the line's
    log10 power at 1 cycle/pixel, and ``frequencies`` and ``power`` the ring averages
    the line was fitted to (the rings inside the fitting range only).
    """

    slope: float
    intercept: float
    frequencies: np.ndarray
    power: np.ndarray


def spectral_slope(image: np.ndarray, low: float | None = None, high: float = 0.25
                   ) -> SpectralSlope:
    """The slope of the radially averaged power spectrum on log-log axes.

    Args:
        image: square (n, n) grey or (n, n, 3) colour image.
        low, high: the fitting range in cycles/pixel. The default low, 4/n, skips the
            few lowest rings, which hold too few coefficients and the window's blur;
            the default high, 0.25, stops before the pixel grid's own aliasing and
            noise (Nyquist is 0.5).

    Each ring's log power is weighted by the square root of its number of coefficients
    (least squares weighted by the inverse variance), so the few coarse rings at low
    frequency, whose averages are noisy, do not tilt the line.
    """
    a = _square(image, "spectral_slope")
    low = 4 / a.shape[0] if low is None else low
    if not 0 < low < high <= 0.5:
        raise ValueError(f"spectral_slope: need 0 < low < high <= 0.5 cycles/pixel, got "
                         f"low={low}, high={high}.")
    f, p = radial_power(a)
    keep = (f >= low) & (f <= high) & (p > 0)
    if keep.sum() < 3:
        raise ValueError(f"spectral_slope: only {keep.sum()} frequency rings between "
                         f"{low} and {high} cycles/pixel; use a larger image or range.")
    weight = np.sqrt(_rings(a.shape[0])[1][keep])
    slope, intercept = np.polyfit(np.log10(f[keep]), np.log10(p[keep]), 1, w=weight)
    return SpectralSlope(float(slope), float(intercept), f[keep], p[keep])


# ------------------------------------------------------------------ fractal dimension
def sierpinski(n: int = 512, points: int = 200_000, rng: _rng.Seed = None) -> np.ndarray:
    """(n, n) boolean image of a Sierpinski triangle, drawn by the chaos game: jump half
    way towards a randomly chosen corner, over and over. Its dimension is
    log 3 / log 2 = 1.585."""
    corners = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])
    choice = _rng.generator(rng).integers(0, 3, size=points + 40)
    # After 40 jumps the start is forgotten (2^-40), so point k is the sum over the
    # last 40 corners chosen, the most recent weighted 1/2, the one before 1/4, ...
    xy = sum(corners[choice[40 - j:points + 40 - j]] / 2 ** (j + 1) for j in range(40))
    image = np.zeros((n, n), dtype=bool)
    ij = np.minimum((xy * n).astype(int), n - 1)
    image[n - 1 - ij[:, 1], ij[:, 0]] = True       # row 0 at the top
    return image


def boundary(mask: np.ndarray) -> np.ndarray:
    """The pixels of a boolean region that touch a pixel outside it (4-neighbours).

    Box counting measures the complexity of edges, so measure the boundary of a
    thresholded image, not the filled region (whose dimension is simply 2)."""
    m = np.asarray(mask, dtype=bool)
    if m.ndim != 2:
        raise ValueError(f"boundary: expected an (H, W) boolean mask, got shape {m.shape}.")
    inside = np.pad(m, 1, mode="edge")
    interior = (inside[:-2, 1:-1] & inside[2:, 1:-1] & inside[1:-1, :-2] & inside[1:-1, 2:])
    return m & ~interior


def box_counts(mask: np.ndarray, sizes=(2, 4, 8, 16, 32, 64)) -> np.ndarray:
    """For each box size s, the number of s x s boxes of a square grid that hold at
    least one True pixel. The image side must be a multiple of every size."""
    m = np.asarray(mask, dtype=bool)
    n = m.shape[0]
    if m.ndim != 2 or m.shape[1] != n or any(n % s for s in sizes):
        raise ValueError(f"box_counts: needs a square mask whose side is a multiple of "
                         f"every box size {tuple(sizes)}, got shape {m.shape}; crop or pad "
                         f"it to 512 x 512.")
    if not m.any():
        raise ValueError("box_counts: the mask is empty, so it has no dimension.")
    # (n, n) -> (n/s, s, n/s, s): one row of boxes per first index
    return np.array([m.reshape(n // s, s, n // s, s).any(axis=(1, 3)).sum() for s in sizes])


def box_counting_dimension(mask: np.ndarray, sizes=(2, 4, 8, 16, 32, 64)) -> float:
    """The fractal (box-counting) dimension: the slope of log N(s) against log(1/s),
    where N(s) is the number of boxes of side s that the set touches. A line gives 1, a
    filled area 2, and a Sierpinski triangle 1.585."""
    counts = box_counts(mask, sizes)
    slope, _ = np.polyfit(np.log(1 / np.asarray(sizes, float)), np.log(counts), 1)
    return float(slope)
