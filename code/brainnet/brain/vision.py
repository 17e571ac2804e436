"""Models of early vision: Gabor receptive fields, whitened natural images, and sparse
coding (Olshausen & Field 1996), with the two numbers that say how V1-like a set of
filters is.

    from brainnet.brain import vision

    images = [vision.whiten(im) for im in vision.natural_images()]
    patches = vision.sample_patches(images, size=10, n=20_000, rng=0)
    result = vision.sparse_coding(patches, n_atoms=100, lam=0.5, rng=0)
    vision.localisation(result.atoms).mean(), vision.orientation_concentration(result.atoms).mean()

Arrays here are plain numpy (no autograd): patches and atoms are stacks of small
images, shape (n, size, size). Everything random takes ``rng`` (a seed or a Generator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import numerics
from .. import rng as _rng

__all__ = [
    "gabor", "gabor_bank", "natural_images", "whiten", "zca_whiten", "sample_patches",
    "soft_threshold", "fista", "sparse_coding", "SparseCoding", "pca_basis", "random_basis",
    "localisation", "orientation_concentration", "NATURAL_IMAGES",
]

#: Photographs bundled with scikit-image (no download needed) that show natural scenes,
#: animals, people and textures.
NATURAL_IMAGES = ("camera", "astronaut", "coffee", "chelsea", "rocket", "grass", "gravel")


# ------------------------------------------------------------------ receptive fields
def gabor(frequency: float = 0.2, theta: float = 0.0, phase: float = 0.0, sigma: float = 2.0,
          aspect: float = 0.5, size: int | None = None, zero_mean: bool = True,
          dtype=np.float32) -> np.ndarray:
    """A Gabor function: a sinusoidal grating under a Gaussian envelope, the classic
    model of a V1 simple cell's receptive field (Jones & Palmer 1987).

        g(x, y) = exp(-(a^2 + aspect^2 b^2) / (2 sigma^2)) * cos(2 pi frequency a + phase)

    where b runs along the stripes and a across them.

    Args:
        frequency: cycles per pixel of the grating (0 < frequency <= 0.5, Nyquist).
        theta: orientation of the stripes in radians, anticlockwise from horizontal as
            the image is displayed (row 0 at the top): 0 gives horizontal stripes, pi/2
            vertical ones. The cell prefers a bar or edge at this orientation.
        phase: 0 gives an even (bar-detecting) cell with a bright centre stripe, pi/2 an
            odd (edge-detecting) one.
        sigma: width of the envelope across the stripes, in pixels.
        aspect: ratio of the envelope's width across to along the stripes; below 1 the
            field is elongated along the stripes.
        size: side of the square kernel (odd); default 2*ceil(3*sigma/aspect_min)+1, large
            enough to hold the envelope out to 3 sigma in both directions.
        zero_mean: subtract the mean, so a uniform image gives no response.

    Returns:
        (size, size) array, scaled to unit L2 norm.
    """
    if not 0 < frequency <= 0.5:
        raise ValueError(f"gabor: frequency must be in (0, 0.5] cycles/pixel, got {frequency}.")
    if sigma <= 0 or aspect <= 0:
        raise ValueError(f"gabor: sigma and aspect must be positive, got {sigma}, {aspect}.")
    if size is None:
        size = 2 * int(np.ceil(3 * sigma / min(aspect, 1.0))) + 1
    if size < 1 or size % 2 == 0:
        raise ValueError(f"gabor: size must be a positive odd integer, got {size}.")
    r = np.arange(size) - size // 2
    x, y = np.meshgrid(r, -r)                       # y points up, as the image is displayed
    across = -x * np.sin(theta) + y * np.cos(theta)  # varies across the stripes
    along = x * np.cos(theta) + y * np.sin(theta)
    g = np.exp(-(across**2 + (aspect * along) ** 2) / (2 * sigma**2)) \
        * np.cos(2 * np.pi * frequency * across + phase)
    if zero_mean:
        g = g - g.mean()
    norm = np.linalg.norm(g)
    return (g / norm if norm > 0 else g).astype(dtype)


def gabor_bank(n_orientations: int = 8, frequencies: Sequence[float] = (0.25,),
               phases: Sequence[float] = (0.0, np.pi / 2), sigma: float = 2.0,
               aspect: float = 0.5, size: int | None = None, dtype=np.float32) -> np.ndarray:
    """Gabors at ``n_orientations`` evenly spaced orientations in [0, pi), for every
    frequency and phase: (n_orientations * len(frequencies) * len(phases), size, size),
    ordered orientation-major."""
    if n_orientations < 1:
        raise ValueError(f"gabor_bank: n_orientations must be at least 1, got {n_orientations}.")
    thetas = np.arange(n_orientations) * np.pi / n_orientations
    return np.stack([gabor(f, t, p, sigma, aspect, size, dtype=dtype)
                     for t in thetas for f in frequencies for p in phases])


# ---------------------------------------------------------------- natural images
def natural_images(names: Sequence[str] = NATURAL_IMAGES, downscale: int = 2) -> list[np.ndarray]:
    """Grey-scale photographs from ``skimage.data`` as float64 arrays in [0, 1].

    Only images bundled with scikit-image work (camera, astronaut, coffee, chelsea,
    rocket, grass, gravel, brick, moon, ...); the ones it downloads on demand do not,
    because the book never downloads. ``downscale`` averages blocks of that many pixels,
    which removes compression artefacts and camera noise at the finest scale.
    """
    import skimage.data
    from skimage.color import rgb2gray
    from skimage.transform import downscale_local_mean

    images = []
    for name in names:
        loader = getattr(skimage.data, name, None)
        if loader is None:
            raise ValueError(f"natural_images: skimage.data has no image {name!r}; bundled "
                             f"ones include {', '.join(NATURAL_IMAGES)}.")
        image = np.asarray(loader())
        image = rgb2gray(image) if image.ndim == 3 else image / 255.0
        if downscale > 1:
            image = downscale_local_mean(image, (downscale, downscale))
        images.append(image.astype(np.float64))
    return images


def whiten(image: np.ndarray, f0: float = 0.4) -> np.ndarray:
    """Flatten the power spectrum of an image, as Olshausen & Field (1996) did.

    Natural images have amplitude spectra falling as about 1/f (Field 1987): most of
    their variance sits in coarse, strongly correlated structure. Multiplying the
    Fourier transform by

        R(f) = f * exp(-(f / f0)^4)            (f in cycles/pixel)

    undoes the 1/f fall-off (``f``), and the second factor rolls off the highest
    frequencies, where noise and the pixel grid dominate. The result has zero mean and
    unit variance.

    Shapes: (H, W) -> (H, W), float64.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"whiten: expected a 2-D grey-scale image, got shape {image.shape}.")
    if f0 <= 0:
        raise ValueError(f"whiten: f0 must be positive, got {f0}.")
    f = numerics.frequency_radius(image.shape)
    spectrum = np.fft.fft2(image - image.mean()) * (f * np.exp(-((f / f0) ** 4)))
    out = np.real(np.fft.ifft2(spectrum))
    std = out.std()
    return out / std if std > 0 else out


def zca_whiten(patches: np.ndarray, eps: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """Whiten patches with ZCA: decorrelate the pixels and give each unit variance,
    changing them as little as possible (W = C^-1/2, symmetric).

    Args:
        patches: (n, size, size) or (n, d).
        eps: added to the eigenvalues of the covariance, so that directions with almost
            no variance (fine pixel noise) are not blown up.

    Returns:
        (whitened patches in the input's shape, W of shape (d, d)).
    """
    patches = np.asarray(patches, dtype=np.float64)
    flat = patches.reshape(len(patches), -1)
    if len(flat) < 2:
        raise ValueError(f"zca_whiten: need at least 2 patches, got shape {patches.shape}.")
    centred = flat - flat.mean(axis=0)
    values, vectors = numerics.principal_axes(flat, ddof=0)        # vectors as rows
    w = (vectors.T / np.sqrt(values + eps)) @ vectors
    return (centred @ w).reshape(patches.shape), w


def sample_patches(images: Sequence[np.ndarray], size: int, n: int, rng=None,
                   remove_mean: bool = True) -> np.ndarray:
    """``n`` square patches of side ``size`` from random positions of random images.

    With ``remove_mean`` each patch loses its own mean (its DC component), and the set is
    scaled to unit variance per pixel. Returns (n, size, size), float64.
    """
    if size < 1 or n < 1:
        raise ValueError(f"sample_patches: size and n must be positive, got {size}, {n}.")
    images = [np.asarray(im, dtype=np.float64) for im in images]
    if not images:
        raise ValueError("sample_patches: no images given.")
    for im in images:
        if im.ndim != 2 or min(im.shape) < size:
            raise ValueError(f"sample_patches: every image must be 2-D and at least "
                             f"{size}x{size}; got shape {im.shape}.")
    rng = _rng.generator(rng)
    which = rng.integers(0, len(images), size=n)
    out = np.empty((n, size, size))
    for i, im in enumerate(images):
        picks = np.flatnonzero(which == i)
        rows = rng.integers(0, im.shape[0] - size + 1, size=len(picks))
        cols = rng.integers(0, im.shape[1] - size + 1, size=len(picks))
        windows = np.lib.stride_tricks.sliding_window_view(im, (size, size))
        out[picks] = windows[rows, cols]
    if remove_mean:
        out -= out.mean(axis=(1, 2), keepdims=True)
        out /= out.std() or 1.0
    return out


# ------------------------------------------------------------------- sparse coding
def soft_threshold(z: np.ndarray, t: float) -> np.ndarray:
    """sign(z) * max(|z| - t, 0): the proximal step of t*|a|_1 (shrinks towards 0)."""
    return np.sign(z) * np.maximum(np.abs(z) - t, 0)


def fista(X: np.ndarray, D: np.ndarray, lam: float, n_iter: int = 50) -> np.ndarray:
    """Sparse codes by FISTA (Beck & Teboulle 2009): for each row x of ``X``,

        a* = argmin_a  1/2 |x - a D|^2 + lam |a|_1 .

    Each iteration takes a gradient step on the squared error with step 1/L (L, the
    largest eigenvalue of D D^T, bounds the curvature), soft-thresholds the result,
    and extrapolates with Nesterov's momentum, which brings the error down as 1/k^2
    instead of ISTA's 1/k.

    Shapes: X (B, d), D (K, d) with one atom per row -> codes (B, K).
    """
    X, D = np.asarray(X), np.asarray(D)
    if X.ndim != 2 or D.ndim != 2 or X.shape[1] != D.shape[1]:
        raise ValueError(f"fista: X must be (B, d) and D (K, d) with the same d; got X "
                         f"{X.shape} and D {D.shape}.")
    if lam < 0:
        raise ValueError(f"fista: lam must be non-negative, got {lam}.")
    gram = D @ D.T                                   # (K, K)
    step = 1.0 / max(float(np.linalg.eigvalsh(gram)[-1]), 1e-12)
    xd = X @ D.T                                     # (B, K): the constant part of the gradient
    a = np.zeros((X.shape[0], D.shape[0]), dtype=X.dtype)
    y, t = a, 1.0
    for _ in range(n_iter):
        a_next = soft_threshold(y - step * (y @ gram - xd), lam * step)
        t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y = a_next + ((t - 1) / t_next) * (a_next - a)
        a, t = a_next, t_next
    return a


@dataclass
class SparseCoding:
    """A learned dictionary: ``atoms`` (K, size, size), unit norm, and per-batch
    ``history`` of the mean squared error, the L1 penalty and the fraction of non-zero
    coefficients."""

    atoms: np.ndarray
    history: dict = field(default_factory=dict, repr=False)


def sparse_coding(patches: np.ndarray, n_atoms: int = 100, lam: float = 0.5,
                  n_batches: int = 1000, batch_size: int = 100, lr: float = 0.5,
                  n_iter: int = 30, rng=None, dtype=np.float32) -> SparseCoding:
    """Learn a dictionary in which every patch is a sparse sum of atoms
    (Olshausen & Field 1996), by alternating two steps on minibatches:

    1. inference: the sparse codes A of the batch X by ``fista`` (lam |a|_1 penalty);
    2. learning: one gradient step on the reconstruction error, D += lr * A^T (X - A D)/B,
       then every atom is rescaled to unit norm (otherwise atoms would grow and codes
       shrink to dodge the penalty).

    Args:
        patches: (n, size, size), ideally whitened (``whiten`` + ``sample_patches``).
        n_atoms: number of atoms K; K = size*size gives a complete dictionary.

    Returns:
        ``SparseCoding`` with atoms (K, size, size).
    """
    patches = np.asarray(patches)
    if patches.ndim != 3 or patches.shape[1] != patches.shape[2]:
        raise ValueError(f"sparse_coding: patches must be (n, size, size), got {patches.shape}.")
    if n_atoms < 1 or n_batches < 1 or batch_size < 1:
        raise ValueError("sparse_coding: n_atoms, n_batches and batch_size must be positive.")
    rng = _rng.generator(rng)
    size = patches.shape[1]
    X_all = patches.reshape(len(patches), -1).astype(dtype)
    D = rng.standard_normal((n_atoms, size * size)).astype(dtype)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    history: dict[str, list] = {"mse": [], "l1": [], "active": []}
    for _ in range(n_batches):
        X = X_all[rng.integers(0, len(X_all), size=batch_size)]
        A = fista(X, D, lam, n_iter)                         # (B, K)
        residual = X - A @ D                                 # (B, d)
        D += np.asarray(lr / batch_size, dtype=dtype) * (A.T @ residual)
        D /= np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-12)
        history["mse"].append(float((residual**2).sum(axis=1).mean()))
        history["l1"].append(float(lam * np.abs(A).sum(axis=1).mean()))
        history["active"].append(float((A != 0).mean()))
    return SparseCoding(D.reshape(n_atoms, size, size), history)


def pca_basis(patches: np.ndarray, n: int | None = None) -> np.ndarray:
    """The principal components of the patches, largest variance first: (n, size, size),
    unit norm. Each is a global, wave-like pattern (the Fourier basis, for images)."""
    patches = np.asarray(patches, dtype=np.float64)
    flat = patches.reshape(len(patches), -1)
    components = numerics.principal_axes(flat, ddof=0)[1][: n or flat.shape[1]]
    return components.reshape(-1, *patches.shape[1:])


def random_basis(n: int, size: int, rng=None) -> np.ndarray:
    """``n`` random unit-norm atoms with independent Gaussian pixels: (n, size, size)."""
    rng = _rng.generator(rng)
    atoms = rng.standard_normal((n, size * size))
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    return atoms.reshape(n, size, size)


# ------------------------------------------------------------------------- metrics
def _atoms(atoms, op: str) -> np.ndarray:
    atoms = np.asarray(atoms, dtype=np.float64)
    if atoms.ndim == 2:
        atoms = atoms[None]
    if atoms.ndim != 3:
        raise ValueError(f"{op}: atoms must be (n, h, w) or one (h, w) image, got "
                         f"{atoms.shape}.")
    return atoms


def localisation(atoms, top: float = 0.1) -> np.ndarray:
    """How concentrated in space each atom is: the fraction of its energy (sum of
    squared pixel values) held by its ``top`` fraction of pixels (the ceil(top * h * w)
    pixels with the largest squares).

    Values lie in [top, 1]: ``top`` for a perfectly flat atom, 1 when all energy sits in
    that many pixels. For 10x10 atoms and top = 0.1 (the 10 strongest pixels), a plane
    wave scores about 0.2, an atom of independent Gaussian pixels about 0.43, and a
    Gabor whose envelope has sigma = 1.5 pixels about 0.6. Shapes: (n, h, w) -> (n,).
    """
    atoms = _atoms(atoms, "localisation")
    if not 0 < top <= 1:
        raise ValueError(f"localisation: top must be in (0, 1], got {top}.")
    energy = np.sort((atoms**2).reshape(len(atoms), -1), axis=1)[:, ::-1]
    k = int(np.ceil(top * energy.shape[1]))
    total = energy.sum(axis=1)
    return np.divide(energy[:, :k].sum(axis=1), total, out=np.zeros(len(atoms)),
                     where=total > 0)


def orientation_concentration(atoms, pad: int = 32) -> np.ndarray:
    """How much each atom prefers one orientation: the length of the mean resultant of
    its power spectrum over doubled angles,

        R = | sum_k P(k) exp(2 i phi_k) | / sum_k P(k),

    where P(k) = |FFT(atom)|^2 at spatial frequency k (zero-padded to ``pad`` x ``pad``,
    the DC term excluded) and phi_k the direction of k. Doubling the angle makes k and
    -k (the same orientation) count together. R is near 1 when the power lies along one
    orientation (a grating: 0.7 to 0.9 in a 10x10 window, whose edges spread a little
    power; an elongated Gabor: about 0.9), and near 0 when it is spread evenly over
    orientations (a dot: 0; white noise: about 0.1). Shapes: (n, h, w) -> (n,).
    """
    atoms = _atoms(atoms, "orientation_concentration")
    if pad < max(atoms.shape[1:]):
        raise ValueError(f"orientation_concentration: pad ({pad}) must be at least the atom "
                         f"size {atoms.shape[1:]}.")
    power = np.abs(np.fft.fft2(atoms, s=(pad, pad))) ** 2         # (n, pad, pad)
    fy = np.fft.fftfreq(pad)[:, None]
    fx = np.fft.fftfreq(pad)[None, :]
    phase = np.exp(2j * np.arctan2(fy, fx))
    power[:, 0, 0] = 0.0                                          # drop DC
    total = power.sum(axis=(1, 2))
    resultant = np.abs((power * phase).sum(axis=(1, 2)))
    return np.divide(resultant, total, out=np.zeros(len(atoms)), where=total > 0)
