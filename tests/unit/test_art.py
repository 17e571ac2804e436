"""CPPNs, Gram-matrix textures and dreams (brain/art.py)."""

from __future__ import annotations

import numpy as np
import pytest

import brainnet as bn
from brainnet import nn
from brainnet.brain import art
from brainnet.brain import image_statistics as stats
from brainnet.gradcheck import gradcheck


def test_cppn_draws_a_seeded_colour_picture():
    a = art.cppn(64, gain=8.0, rng=0)
    assert a.shape == (64, 64, 3) and a.dtype == np.float64
    assert 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, art.cppn(64, gain=8.0, rng=0))
    assert not np.array_equal(a, art.cppn(64, gain=8.0, rng=1))


def test_cppn_gain_sets_the_spectral_slope():
    smooth = stats.spectral_slope(art.cppn(256, gain=1.0, rng=0)).slope
    natural = stats.spectral_slope(art.cppn(256, gain=8.0, rng=0)).slope
    assert smooth < -5 and -2.5 < natural < -1.6, (smooth, natural)


def test_cppn_refuses_bad_settings():
    with pytest.raises(ValueError, match="gain"):
        art.cppn(32, gain=0.0)


def test_random_filters_have_unit_norm():
    banks = art.random_filters(sizes=(3, 5), per_size=4, rng=0)
    assert [b.shape for b in banks] == [(4, 1, 3, 3), (4, 1, 5, 5)]
    for b in banks:
        np.testing.assert_allclose(np.linalg.norm(b.reshape(4, -1), axis=1), 1, rtol=1e-6)


def test_gram_matrices_match_their_definition():
    rng = np.random.default_rng(0)
    image = rng.random((1, 1, 10, 10))
    (bank,) = art.random_filters(sizes=(3,), per_size=2, rng=1)
    (gram,) = art.gram_matrices(bn.tensor(image), [bank])
    w = bank.astype(np.float64)
    responses = np.stack([                                           # (2, 8, 8)
        np.maximum(0, np.array([[np.sum(image[0, 0, i:i + 3, j:j + 3] * w[c, 0])
                                 for j in range(8)] for i in range(8)])) for c in range(2)])
    flat = responses.reshape(2, -1)
    np.testing.assert_allclose(gram.numpy(), flat @ flat.T / 64, rtol=1e-10)


def test_gram_loss_is_zero_at_the_source_and_passes_a_gradient_check():
    rng = np.random.default_rng(0)
    source = rng.random((1, 1, 9, 9))
    banks = art.random_filters(sizes=(3, 5), per_size=3, rng=2)
    targets = [g.numpy() for g in art.gram_matrices(bn.tensor(source), banks)]
    assert art.gram_loss(bn.tensor(source), targets, banks).item() == pytest.approx(0.0, abs=1e-20)
    result = gradcheck(lambda x: art.gram_loss(x, targets, banks), rng.random((1, 1, 9, 9)))
    assert result.ok, result


def test_synthesize_texture_lowers_the_gram_loss_within_bounds():
    source = np.random.default_rng(0).random((24, 24)) ** 2
    banks = art.random_filters(sizes=(3, 5), per_size=8, rng=0)
    result = art.synthesize_texture(source, banks, iterations=15, rng=0)
    assert result.image.shape == (24, 24)
    assert 0 <= result.image.min() and result.image.max() <= 1
    assert result.loss < 0.01 * result.noise_loss
    assert len(result.history) >= 1 and result.history[-1] == pytest.approx(result.loss)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        art.synthesize_texture(source * 255, banks)


def test_random_phase_keeps_the_amplitude_spectrum_and_mean():
    source = np.random.default_rng(0).random((32, 32))
    scrambled = art.random_phase(source, rng=1)
    np.testing.assert_allclose(np.abs(np.fft.fft2(scrambled - scrambled.mean())),
                               np.abs(np.fft.fft2(source - source.mean())), atol=1e-9)
    assert scrambled.mean() == pytest.approx(source.mean())
    assert not np.allclose(scrambled, source)


def test_histogram_distance():
    a = np.random.default_rng(0).random((16, 16))
    assert art.histogram_distance(a, a[::-1]) == 0.0
    assert art.histogram_distance(a, a + 0.25) == pytest.approx(0.25)


def test_dream_raises_the_target_probability():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3, rng=rng)).eval()
    start = np.zeros((3, 1, 4, 4), dtype=np.float32)
    d = art.dream(model, targets=[0, 1, 2], start=start, steps=20, lr=0.5, decay=0.0,
                  blur_every=5, bounds=(-1.0, 1.0))
    assert d.path.shape == (21, 3, 1, 4, 4) and d.probability.shape == (21, 3)
    np.testing.assert_array_equal(d.path[0], start)
    assert np.all(d.probability[-1] > d.probability[0])
    assert np.abs(d.images).max() <= 1.0
    with pytest.raises(ValueError, match="one target per image"):
        art.dream(model, targets=[0], start=start)


def test_the_spectrum_objective_is_zero_at_the_source_and_has_the_right_gradient():
    rng = np.random.default_rng(4)
    source, image = rng.random((16, 16)), rng.random((16, 16))
    objective = art._SpectrumObjective(source)
    assert objective(source)[0] == pytest.approx(0.0, abs=1e-20)
    loss, gradient = objective(image)
    # the projection onto a fixed amplitude spectrum is locally constant in the
    # direction it projects, so central differences see the same gradient
    step, numeric = 1e-6, np.zeros_like(image)
    for i, j in [(0, 0), (3, 7), (8, 8), (15, 2)]:
        bump = np.zeros_like(image)
        bump[i, j] = step
        numeric[i, j] = (objective(image + bump)[0] - objective(image - bump)[0]) / (2 * step)
        assert numeric[i, j] == pytest.approx(gradient[i, j], rel=1e-4, abs=1e-10)


def test_the_spectrum_weight_brings_the_synthesis_closer_to_the_source_spectrum():
    source = np.random.default_rng(0).random((24, 24)) ** 2
    banks = art.random_filters(sizes=(3, 5), per_size=8, rng=0)
    distance = art._SpectrumObjective(source)
    plain = art.synthesize_texture(source, banks, iterations=15, rng=0)
    matched = art.synthesize_texture(source, banks, iterations=15, spectrum_weight=10.0, rng=0)
    assert distance(matched.image)[0] < 0.5 * distance(plain.image)[0]
    assert matched.loss < 0.05 * matched.noise_loss       # still a Gram match
    with pytest.raises(ValueError, match="spectrum_weight"):
        art.synthesize_texture(source, banks, spectrum_weight=-1.0)
    with pytest.raises(ValueError, match="square"):
        art.synthesize_texture(source[:, :20], banks, spectrum_weight=1.0)
    refined = art.synthesize_texture(source, banks, iterations=5, start=plain.image)
    assert refined.noise_loss == pytest.approx(plain.loss, rel=1e-6)
    assert refined.loss <= plain.loss
    with pytest.raises(ValueError, match="start"):
        art.synthesize_texture(source, banks, start=plain.image[:10])
