"""Numerically stable formulas on numpy arrays, each written once.

The ops in ``brainnet.ops`` compute their forward values with these, and so do the
chapters' numpy models (Hopfield retrieval, feedback alignment) and the book's
plotting helpers. They take and return plain arrays and keep the input's float dtype.
"""

from __future__ import annotations

import functools

import numpy as np


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + e^-x), accurate on both sides; written into ``out`` if given.

    The exponent is capped where e^-x would overflow, so sigmoid(-100) is a tiny
    positive number rather than a warning and 0. (The popular 0.5 tanh(x/2) + 0.5 is
    faster but loses every digit for negative x in float32: sigmoid(-20) comes out as
    exactly 0, and log(sigmoid(x)) as -inf.)
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    if out is None:
        out = np.empty_like(x)                 # an array even for 0-d input
    np.negative(x, out=out)
    np.minimum(out, x.dtype.type(_EXP_CAP[x.dtype.char]), out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


_EXP_CAP = {"e": 11.0, "f": 88.0, "d": 709.0, "g": 709.0}
"""The largest exponent whose exp() is still finite, per float dtype character."""


@functools.lru_cache(maxsize=128)
def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """n ones, read-only and made once. numpy sums the rows or columns of a matrix
    several times faster as a matrix-vector product than with ``sum(axis=...)``:
    ``x @ ones(C)`` sums each row, ``ones(N) @ x`` each column (0.7 against 1.7 us for
    64 x 10)."""
    vector = np.ones(n, dtype)
    vector.flags.writeable = False
    return vector


_LEAST_SHIFTED_SUM = float(np.exp(-60.0))
"""The smallest row sum of exp(x - c) accepted with c the array's maximum: a row whose
maximum lies 60 below the array's; below it, each row is shifted by its own."""


def one_shift_serves(sums: np.ndarray) -> bool:
    """True if ``sums``, the row sums of exp(x - c) with c the maximum of the whole
    array, show that the one shift served every row.

    Shifting by the array's maximum instead of each row's is much faster in numpy
    (which reduces along a short last axis one row at a time: 64 rows of 10 logits take
    4.5 us for the row maxima, 0.9 us for the array's). It serves while every row comes
    within 60 of c: e^-60 = 1e-26 is far above float32's smallest normal number, 1e-38,
    so no row sum loses digits. A NaN fails the test too. float16's normal numbers end
    at 6e-5, too near for one shift to serve rows far apart, so it always fails.
    """
    return sums.dtype.char in "fd" and \
        bool(np.minimum.reduce(sums, axis=None) >= _LEAST_SHIFTED_SUM)


def _shifted_exp(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(c, x - c, the sums of exp(x - c) along ``axis``, kept), for a shift c that keeps
    exp from overflowing and every sum from underflowing: the array's maximum for the
    last axis when ``one_shift_serves``, with the row sums as one matrix-vector product;
    otherwise the maximum along ``axis``, the textbook choice."""
    if axis in (-1, x.ndim - 1) and x.size:
        c = np.maximum.reduce(x, axis=None)      # the ufunc itself: x.max() adds a call
        shifted = x - c
        sums = (np.exp(shifted) @ ones(x.shape[-1], x.dtype))[..., None]   # (..., 1)
        if one_shift_serves(sums):
            return c, shifted, sums
    c = x.max(axis=axis, keepdims=True)
    shifted = x - c
    return c, shifted, np.exp(shifted).sum(axis=axis, keepdims=True)


def logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """log(sum(exp(x))) along ``axis`` (kept, length 1), shifted so that exp never
    overflows. Shapes: (..., C) -> (..., 1) for axis=-1."""
    c, _, sums = _shifted_exp(x, axis)
    return np.log(sums) + c


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """x - logsumexp(x): log-probabilities without ever forming a tiny probability."""
    _, shifted, sums = _shifted_exp(x, axis)
    shifted -= np.log(sums)
    return shifted


def softmax(x: np.ndarray, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the maximum (same shape as x);
    written into ``out`` if given (which may be ``x`` itself)."""
    z = np.subtract(x, x.max(axis=axis, keepdims=True), out=out)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z


def frequency_radius(shape: tuple[int, int]) -> np.ndarray:
    """(H, W) distance of each 2-D FFT coefficient from zero frequency, in cycles per
    pixel, in ``np.fft.fft2``'s order."""
    return np.hypot(np.fft.fftfreq(shape[0])[:, None], np.fft.fftfreq(shape[1])[None, :])


def angle(a: np.ndarray, b: np.ndarray) -> float:
    """Angle in degrees, in [0, 180], between two arrays read as flat vectors; 90 if
    either is zero (no direction to compare)."""
    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0 or nb == 0:
        return 90.0
    return float(np.degrees(np.arccos(np.clip(a @ b / (na * nb), -1.0, 1.0))))


def principal_axes(X: np.ndarray, ddof: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """PCA: the eigenvalues (largest first) and unit eigenvectors (as rows) of the
    covariance of the rows of ``X`` (n, d) about their mean, dividing by n - ddof.
    Returns ((d,), (d, d)) in float64. Each vector's sign is arbitrary."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) <= ddof:
        raise ValueError(f"principal_axes: X must be 2-D with more than {ddof} row(s), got "
                         f"shape {X.shape}.")
    centred = X - X.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred / (len(X) - ddof))
    return values[::-1], vectors[:, ::-1].T
