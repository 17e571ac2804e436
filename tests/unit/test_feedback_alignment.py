"""Feedback alignment trains with a fixed random feedback matrix, and its error signal
comes to point within 90 degrees of backprop's."""

import numpy as np
import pytest

from brainnet import data
from brainnet.brain import feedback_alignment as fa


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()


def test_backprop_and_fa_both_learn_digits(digits):
    s = digits
    bp = fa.train(s.X_train, s.y_train, s.X_test, s.y_test, rule="backprop", epochs=15, lr=0.2)
    fb = fa.train(s.X_train, s.y_train, s.X_test, s.y_test, rule="feedback_alignment",
                  epochs=15, lr=0.2)
    assert bp.test_accuracy[0] < 0.3 and fb.test_accuracy[0] < 0.3      # chance at the start
    assert bp.test_accuracy[-1] > 0.94 and fb.test_accuracy[-1] > 0.93
    assert bp.angle == [0.0] * 15
    assert fb.angle[0] > 60 and fb.angle[-1] < 60                       # the signals align
    # B never changes: it is the fixed feedback matrix drawn at the start.
    again = fa.train(s.X_train[:10], s.y_train[:10], s.X_test, s.y_test,
                     rule="feedback_alignment", epochs=0)
    np.testing.assert_array_equal(again.weights["B"], fb.weights["B"])


def test_same_seed_same_start(digits):
    s = digits
    a = fa.train(s.X_train, s.y_train, s.X_test, s.y_test, rule="backprop", epochs=0, seed=3)
    b = fa.train(s.X_train, s.y_train, s.X_test, s.y_test, rule="feedback_alignment", epochs=0,
                 seed=3)
    np.testing.assert_array_equal(a.weights["W1"], b.weights["W1"])
    assert a.test_accuracy == b.test_accuracy


def test_angle_between():
    assert fa.angle_between(np.array([1.0, 0]), np.array([0, 2.0])) == pytest.approx(90)
    assert fa.angle_between(np.array([1.0, 1]), np.array([2.0, 2])) == pytest.approx(0, abs=1e-5)
    assert fa.angle_between(np.zeros(3), np.ones(3)) == 90.0


def test_bad_input_is_named(digits):
    s = digits
    with pytest.raises(ValueError, match="rule must be one of"):
        fa.train(s.X_train, s.y_train, s.X_test, s.y_test, rule="hebb")
    with pytest.raises(ValueError, match=r"training inputs must be \(N, features\)"):
        fa.train(s.X_train, s.y_train[:5], s.X_test, s.y_test)
    with pytest.raises(TypeError, match="labels must be integers"):
        fa.train(s.X_train, s.y_train.astype(float), s.X_test, s.y_test)
    with pytest.raises(FloatingPointError, match="smaller lr"):
        with np.errstate(all="ignore"):
            fa.train(s.X_train, s.y_train, s.X_test, s.y_test, lr=1e38, epochs=3)


def test_a_frozen_output_layer_keeps_its_initial_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 5)).astype(np.float32), rng.integers(0, 3, 40)
    frozen = fa.train(X, y, X, y, rule="feedback_alignment", hidden=6, epochs=2,
                      seed=1, train_output=False)
    fresh = fa.train(X, y, X, y, rule="feedback_alignment", hidden=6, epochs=0, seed=1)
    np.testing.assert_array_equal(frozen.weights["W2"], fresh.weights["W2"])
    np.testing.assert_array_equal(frozen.weights["b2"], fresh.weights["b2"])
    assert not np.array_equal(frozen.weights["W1"], fresh.weights["W1"])
