"""Spectral slope and box-counting dimension (brain/image_statistics.py), each checked
on images whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain import image_statistics as stats


@pytest.mark.parametrize("exponent", [0.0, 1.0, 2.0, 3.0])
def test_spectral_slope_recovers_the_exponent_of_power_law_noise(exponent):
    slopes = [stats.spectral_slope(stats.power_law_noise(256, exponent, rng=seed)).slope
              for seed in range(10)]
    assert abs(np.mean(slopes) + exponent) < 0.05, slopes
    assert np.max(np.abs(np.array(slopes) + exponent)) < 0.2, slopes


def test_power_law_noise_is_standardised_and_seeded():
    a = stats.power_law_noise(64, 2.0, rng=3)
    assert a.shape == (64, 64)
    assert abs(a.mean()) < 1e-12 and abs(a.std() - 1) < 1e-12
    np.testing.assert_array_equal(a, stats.power_law_noise(64, 2.0, rng=3))


def test_radial_power_of_a_grating_peaks_at_its_frequency():
    n = 128
    x = np.arange(n)
    grating = np.tile(np.sin(2 * np.pi * 16 * x / n), (n, 1))         # 16 cycles per image
    f, p = stats.radial_power(grating)
    assert f.shape == p.shape == (n // 2,)
    assert f[np.argmax(p)] == pytest.approx(16 / n)


def test_grey_averages_colour_channels():
    rgb = np.zeros((4, 4, 3))
    rgb[..., 0] = 3.0
    np.testing.assert_allclose(stats.grey(rgb), 1.0)


def test_spectral_slope_refuses_what_it_cannot_measure():
    with pytest.raises(ValueError, match="square"):
        stats.spectral_slope(np.zeros((64, 32)))
    with pytest.raises(ValueError, match="low < high"):
        stats.spectral_slope(np.random.default_rng(0).random((64, 64)), low=0.3, high=0.2)
    with pytest.raises(ValueError, match=r"\(H, W\)"):
        stats.grey(np.zeros((2, 2, 2, 2)))


def test_box_counting_dimension_of_known_sets():
    n = 512
    line = np.zeros((n, n), dtype=bool)
    line[200, :] = True
    assert stats.box_counting_dimension(line) == pytest.approx(1.0, abs=1e-9)
    assert stats.box_counting_dimension(np.ones((n, n), dtype=bool)) == pytest.approx(2.0)
    triangle = stats.sierpinski(n, rng=0)
    assert abs(stats.box_counting_dimension(triangle) - np.log(3) / np.log(2)) < 0.05


def test_boundary_of_a_square_is_its_perimeter():
    mask = np.zeros((16, 16), dtype=bool)
    mask[4:10, 4:10] = True                                          # a 6 x 6 square
    edge = stats.boundary(mask)
    assert edge.sum() == 4 * 6 - 4
    assert not edge[5:9, 5:9].any()


def test_box_counts_refuse_bad_masks():
    with pytest.raises(ValueError, match="multiple"):
        stats.box_counts(np.ones((100, 100), dtype=bool))
    with pytest.raises(ValueError, match="empty"):
        stats.box_counts(np.zeros((64, 64), dtype=bool), sizes=(2, 4))
