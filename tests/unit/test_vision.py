"""brainnet.brain.vision: Gabor filters, whitening, patches, FISTA, sparse coding, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain import vision


# ----------------------------------------------------------------------------- gabor
def test_gabor_is_normalised_and_zero_mean():
    g = vision.gabor(0.2, 0.3, 0.5, sigma=2.0)
    assert g.dtype == np.float32 and g.shape[0] == g.shape[1] and g.shape[0] % 2 == 1
    assert np.linalg.norm(g) == pytest.approx(1.0, rel=1e-5)
    assert abs(g.mean()) < 1e-6


def test_gabor_orientation_convention():
    """theta = 0: horizontal stripes (values change down the rows, not along them)."""
    horizontal = vision.gabor(0.2, 0.0, 0.0, sigma=2.0, aspect=1.0)
    vertical = vision.gabor(0.2, np.pi / 2, 0.0, sigma=2.0, aspect=1.0)
    centre = horizontal.shape[0] // 2
    assert np.ptp(horizontal[:, centre]) > 10 * np.ptp(horizontal[centre, centre - 1:centre + 2])
    np.testing.assert_allclose(vertical, horizontal.T, atol=1e-6)
    # theta = 45 degrees: stripes run from bottom-left to top-right as displayed
    diagonal = vision.gabor(0.2, np.pi / 4, 0.0, sigma=2.0, aspect=1.0, zero_mean=False)
    up_right, down_right = diagonal[centre - 2, centre + 2], diagonal[centre + 2, centre + 2]
    assert up_right == pytest.approx(diagonal[centre + 2, centre - 2])
    assert up_right > 0 > down_right          # along the stripe: bright; across: dark


def test_gabor_phase_gives_even_and_odd_cells():
    even = vision.gabor(0.25, 0.0, 0.0, sigma=1.5, zero_mean=False)
    odd = vision.gabor(0.25, 0.0, np.pi / 2, sigma=1.5, zero_mean=False)
    np.testing.assert_allclose(even, even[::-1], atol=1e-6)     # symmetric across the stripes
    np.testing.assert_allclose(odd, -odd[::-1], atol=1e-6)      # antisymmetric
    assert abs(float((even * odd).sum())) < 1e-3                  # a quadrature pair


def test_gabor_bank_shape():
    bank = vision.gabor_bank(4, frequencies=(0.2, 0.3), phases=(0.0, 1.0), size=7)
    assert bank.shape == (16, 7, 7)


@pytest.mark.parametrize("kwargs, words", [
    (dict(frequency=0.0), ["gabor", "frequency", "(0, 0.5]"]),
    (dict(frequency=0.7), ["gabor", "frequency"]),
    (dict(sigma=-1.0), ["gabor", "sigma"]),
    (dict(size=6), ["gabor", "odd", "6"]),
])
def test_gabor_bad_arguments(kwargs, words):
    with pytest.raises(ValueError) as info:
        vision.gabor(**kwargs)
    for word in words:
        assert word in str(info.value)


# ------------------------------------------------------------------ images and patches
def _radial_power(image):
    power = np.abs(np.fft.fft2(image)) ** 2
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(image.shape[0]), np.fft.fftfreq(image.shape[1]),
                              indexing="ij"))
    bands = [(0.02, 0.05), (0.05, 0.1), (0.1, 0.2)]
    return np.array([power[(f >= lo) & (f < hi)].mean() for lo, hi in bands])


def test_whiten_flattens_a_one_over_f_spectrum():
    rng = np.random.default_rng(0)
    n = 128
    f = np.hypot(*np.meshgrid(np.fft.fftfreq(n), np.fft.fftfreq(n), indexing="ij"))
    f[0, 0] = 1.0
    pink = np.real(np.fft.ifft2(np.fft.fft2(rng.standard_normal((n, n))) / f))  # amplitude 1/f
    before, after = _radial_power(pink), _radial_power(vision.whiten(pink))
    assert before[0] / before[-1] > 10                  # 1/f^2 power: steeply falling
    assert 0.5 < after[0] / after[-1] < 2.0             # whitened: about flat
    white = vision.whiten(pink)
    assert white.std() == pytest.approx(1.0) and abs(white.mean()) < 1e-9


def test_whiten_rejects_colour_images():
    with pytest.raises(ValueError, match="whiten: expected a 2-D grey-scale image"):
        vision.whiten(np.zeros((4, 4, 3)))


def test_natural_images_are_bundled_and_grey():
    images = vision.natural_images(("camera", "coffee"), downscale=4)
    assert [im.shape for im in images] == [(128, 128), (100, 150)]
    assert all(0.0 <= im.min() and im.max() <= 1.0 for im in images)
    with pytest.raises(ValueError, match="natural_images: skimage.data has no image 'nope'"):
        vision.natural_images(("nope",))


def test_sample_patches():
    rng = np.random.default_rng(1)
    images = [rng.standard_normal((20, 30)), rng.standard_normal((12, 12))]
    a = vision.sample_patches(images, 5, 50, rng=3)
    b = vision.sample_patches(images, 5, 50, rng=3)
    assert a.shape == (50, 5, 5)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.mean(axis=(1, 2)), 0.0, atol=1e-12)
    assert a.std() == pytest.approx(1.0)
    raw = vision.sample_patches([np.arange(100.0).reshape(10, 10)], 3, 5, rng=0,
                                remove_mean=False)
    for patch in raw:   # a real window of the image: rows step by 10, columns by 1
        np.testing.assert_array_equal(np.diff(patch, axis=0), 10.0)
        np.testing.assert_array_equal(np.diff(patch, axis=1), 1.0)
    with pytest.raises(ValueError, match=r"sample_patches: every image .* at least 15x15"):
        vision.sample_patches(images, 15, 3)


def test_zca_whitening_decorrelates():
    rng = np.random.default_rng(2)
    mix = rng.standard_normal((6, 6))
    data = rng.standard_normal((5000, 6)) @ mix
    white, w = vision.zca_whiten(data, eps=1e-6)
    cov = np.cov(white.T, bias=True)
    np.testing.assert_allclose(cov, np.eye(6), atol=1e-3)
    np.testing.assert_allclose(w, w.T, atol=1e-10)                # ZCA: symmetric


# ---------------------------------------------------------------------- sparse coding
def test_soft_threshold():
    np.testing.assert_array_equal(vision.soft_threshold(np.array([-3.0, -0.5, 0.2, 2.0]), 1.0),
                                  [-2.0, 0.0, 0.0, 1.0])


def test_fista_solves_the_orthonormal_case_exactly():
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.standard_normal((8, 8)))
    x = rng.standard_normal((4, 8))
    codes = vision.fista(x, q.T, lam=0.3, n_iter=200)
    np.testing.assert_allclose(codes, vision.soft_threshold(x @ q, 0.3), atol=1e-8)


def test_fista_meets_the_optimality_conditions():
    """At the lasso optimum: |D(x - aD)^T| <= lam everywhere, = lam*sign(a) where a != 0."""
    rng = np.random.default_rng(4)
    d = rng.standard_normal((20, 10))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    x = rng.standard_normal((3, 10))
    a = vision.fista(x, d, lam=0.2, n_iter=3000)
    corr = (x - a @ d) @ d.T
    assert np.abs(corr).max() <= 0.2 + 1e-6
    active = a != 0
    np.testing.assert_allclose(corr[active], 0.2 * np.sign(a[active]), atol=1e-6)


def test_fista_bad_shapes():
    with pytest.raises(ValueError, match=r"fista: X must be \(B, d\) and D \(K, d\).*\(3, 5\)"):
        vision.fista(np.zeros((2, 4)), np.zeros((3, 5)), 0.1)


def test_sparse_coding_recovers_a_planted_dictionary():
    """Patches made of 1 to 2 atoms from a known dictionary: the learned atoms match them."""
    rng = np.random.default_rng(5)
    truth = rng.standard_normal((12, 16))
    truth /= np.linalg.norm(truth, axis=1, keepdims=True)
    codes = np.zeros((4000, 12))
    for row in codes:
        row[rng.choice(12, size=rng.integers(1, 3), replace=False)] = rng.normal(0, 2, 1)
    patches = (codes @ truth).reshape(-1, 4, 4)
    result = vision.sparse_coding(patches, n_atoms=12, lam=0.1, n_batches=600, batch_size=50,
                                  lr=0.5, n_iter=40, rng=6)
    learned = result.atoms.reshape(12, 16)
    np.testing.assert_allclose(np.linalg.norm(learned, axis=1), 1.0, rtol=1e-5)
    best = np.abs(truth @ learned.T).max(axis=1)
    assert np.median(best) > 0.95, best
    assert result.history["mse"][-1] < result.history["mse"][0]


def test_sparse_coding_bad_input():
    with pytest.raises(ValueError, match=r"sparse_coding: patches must be \(n, size, size\)"):
        vision.sparse_coding(np.zeros((10, 16)))


# ---------------------------------------------------------------------------- metrics
def test_localisation_extremes():
    dot = np.zeros((10, 10))
    dot[3, 4] = 2.0
    flat = np.ones((10, 10))
    np.testing.assert_allclose(vision.localisation(np.stack([dot, flat])), [1.0, 0.1])
    rand = vision.random_basis(500, 10, rng=0)
    assert 0.40 < vision.localisation(rand).mean() < 0.46


def test_orientation_concentration_extremes():
    dot = np.zeros((10, 10))
    dot[5, 5] = 1.0
    stripes = vision.gabor(0.25, 0.7, 0.0, sigma=2.0, aspect=0.3, size=15)
    values = vision.orientation_concentration(np.stack([dot, np.zeros((10, 10))]))
    np.testing.assert_allclose(values, [0.0, 0.0], atol=2e-3)   # 0.001: Nyquist row
    assert vision.orientation_concentration(stripes)[0] > 0.9
    assert vision.orientation_concentration(vision.random_basis(200, 10, rng=1)).mean() < 0.2


def test_metrics_reject_bad_shapes():
    with pytest.raises(ValueError, match="localisation: atoms must be"):
        vision.localisation(np.zeros((2, 3, 4, 5)))
    with pytest.raises(ValueError, match=r"orientation_concentration: pad \(8\)"):
        vision.orientation_concentration(np.zeros((2, 10, 10)), pad=8)


def test_pca_and_random_bases_are_orthonormal_and_unit():
    rng = np.random.default_rng(7)
    patches = rng.standard_normal((500, 4, 4)) * np.linspace(1, 2, 16).reshape(4, 4)
    pcs = vision.pca_basis(patches).reshape(16, 16)
    np.testing.assert_allclose(pcs @ pcs.T, np.eye(16), atol=1e-10)
    variance = ((patches.reshape(500, 16) - patches.reshape(500, 16).mean(0)) @ pcs.T).var(0)
    assert np.all(np.diff(variance) <= 1e-9)                       # largest variance first
    atoms = vision.random_basis(5, 3, rng=0)
    np.testing.assert_allclose(np.linalg.norm(atoms.reshape(5, 9), axis=1), 1.0)
