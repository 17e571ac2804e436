"""The normalization model of attention (brain/normalization.py, Reynolds & Heeger 2009).

Its central prediction: with a small stimulus and a wide attention field, attention
shifts the contrast-response curve sideways (contrast gain); with a large stimulus
and a narrow attention field, it scales the curve up (response gain).
"""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain.normalization import c50, response

CONTRASTS = np.logspace(-3, 0, 200)


def _curves(stimulus_width, attention_width):
    args = dict(stimulus_width=stimulus_width, attention_width=attention_width, gain=1.0)
    return (response(CONTRASTS, attended=False, **args),
            response(CONTRASTS, attended=True, **args))


def test_small_stimulus_wide_attention_gives_contrast_gain():
    plain, attended = _curves(1.0, 10.0)
    assert attended.max() / plain.max() < 1.05                  # the ceiling stays
    assert c50(CONTRASTS, plain) / c50(CONTRASTS, attended) > 1.3   # the curve shifts left


def test_large_stimulus_narrow_attention_gives_response_gain():
    plain, attended = _curves(10.0, 1.0)
    assert attended.max() / plain.max() > 1.5                   # the ceiling rises
    assert c50(CONTRASTS, plain) / c50(CONTRASTS, attended) < 1.2


def test_responses_rise_with_contrast_and_saturate():
    r = response(CONTRASTS)
    assert np.all(np.diff(r) > 0)
    assert r[-1] - r[-20] < 0.1 * r[-1]                         # 0.5 -> 1 adds < 10%
    assert r[100] - r[80] > 0.5 * r[100]          # while 0.016 -> 0.032 more than doubles it


def test_without_attention_the_gain_does_not_matter():
    a = response(CONTRASTS, gain=0.0)
    b = response(CONTRASTS, gain=5.0, attended=False)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("kwargs, message", [
    (dict(contrast=[1.5]), r"\[0, 1\]"),
    (dict(contrast=[0.5], sigma=0.0), "positive"),
])
def test_bad_parameters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        response(**kwargs)
