"""brainnet.brain.perceptron: McCulloch-Pitts units and Rosenblatt's perceptron."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from brainnet.brain.perceptron import (
    AND,
    NOT,
    OR,
    McCullochPitts,
    Perceptron,
    first_repeat,
    novikoff_bound,
    separable_data,
    xor_data,
)

TWO_BITS = np.array(list(itertools.product([0, 1], repeat=2)))


def test_mcculloch_pitts_logic_gates():
    assert AND(TWO_BITS).tolist() == [0, 0, 0, 1]
    assert OR(TWO_BITS).tolist() == [0, 1, 1, 1]
    assert NOT([[0], [1]]).tolist() == [1, 0]
    assert AND([1, 1]).tolist() == [1]                         # a single input row


def test_inhibition_is_an_absolute_veto():
    # x0 AND NOT x1, with x1 inhibitory: fires only for (1, 0)
    unit = McCullochPitts(weights=(1, 0), threshold=1, inhibitory=(1,))
    assert unit(TWO_BITS).tolist() == [0, 0, 1, 0]
    # strong excitation cannot overcome the veto
    unit = McCullochPitts(weights=(5, 5, 0), threshold=1, inhibitory=(2,))
    assert unit([[1, 1, 1]]).tolist() == [0]


def test_mcculloch_pitts_input_validation():
    with pytest.raises(ValueError, match="0 or 1"):
        AND([[0.5, 1]])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        AND([[1, 0, 1]])
    with pytest.raises(ValueError, match="non-negative integers"):
        McCullochPitts(weights=(1, -1), threshold=1)
    with pytest.raises(ValueError, match="inhibitory"):
        McCullochPitts(weights=(1, 1), threshold=1, inhibitory=(2,))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("init", ["zeros", "normal"])
def test_perceptron_converges_on_separable_data(seed, init):
    X, y, (w, b) = separable_data(100, margin=0.1, rng=seed)
    p = Perceptron(2, lr=0.5, init=init, rng=seed)
    history = p.fit(X, y, epochs=200)
    assert history["converged_epoch"] is not None
    assert p.accuracy(X, y) == 1.0
    assert history["mistakes"][-1] == 0
    if init == "zeros":  # Novikoff's theorem is for a start at zero
        assert history["updates"] <= novikoff_bound(X, y, w, b)


def test_learning_rate_is_irrelevant_from_zero_weights():
    X, y, _ = separable_data(60, margin=0.05, rng=3)
    h1 = Perceptron(2, lr=1.0).fit(X, y, epochs=100)
    h2 = Perceptron(2, lr=0.01).fit(X, y, epochs=100)
    assert h1["mistakes"] == h2["mistakes"]
    np.testing.assert_allclose(h1["states"] * 0.01, h2["states"], atol=1e-12)


def test_perceptron_cannot_learn_xor():
    X, y = xor_data()
    for seed in range(10):
        p = Perceptron(2, lr=0.1, init="normal", rng=seed)
        history = p.fit(X, y, epochs=500, shuffle=True, rng=seed)
        assert history["converged_epoch"] is None
        assert max(history["accuracy"]) <= 0.75
        assert min(history["mistakes"]) >= 1
        assert np.abs(history["states"]).max() < 10          # bounded: the weights cycle
    p = Perceptron(2, lr=1.0)
    history = p.fit(X, y, epochs=50)
    assert first_repeat(history["states"]) is not None


def test_no_line_gets_xor_right():
    X, y = xor_data()
    rng = np.random.default_rng(0)
    wb = rng.normal(size=(20000, 3))
    predictions = (X @ wb[:, :2].T + wb[:, 2] > 0)
    accuracy = (predictions == y[:, None]).mean(axis=0)
    assert accuracy.max() == 0.75


def test_novikoff_bound_rejects_a_non_separator():
    X, y, (w, b) = separable_data(50, margin=0.1, rng=0)
    assert novikoff_bound(X, y, w, b) > 1
    with pytest.raises(ValueError, match="does not separate"):
        novikoff_bound(X, y, -w, -b)


def test_first_repeat():
    states = np.array([[0, 0], [1, 0], [1, 1], [1, 0]])
    assert first_repeat(states) == (1, 3)
    assert first_repeat(np.eye(3)) is None


def test_perceptron_input_validation():
    with pytest.raises(ValueError, match="lr"):
        Perceptron(2, lr=0.0)
    with pytest.raises(ValueError, match="n_inputs"):
        Perceptron(0)
    with pytest.raises(ValueError, match="init"):
        Perceptron(2, init="ones")
    p = Perceptron(2)
    X, y = xor_data()
    with pytest.raises(ValueError, match="labels y must be 0 or 1"):
        p.fit(X, 2 * y - 1)
    with pytest.raises(ValueError, match="3 features"):
        p.fit(np.ones((4, 3)), y)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        p.fit(X, y[:3])
    with pytest.raises(ValueError, match="epochs"):
        p.fit(X, y, epochs=0)
    with pytest.raises(ValueError, match="NaN"):
        p.fit(np.array([[np.nan, 0.0]] * 4), y)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        p.predict(np.ones(2))
    with pytest.raises(ValueError, match="margin"):
        separable_data(10, margin=0.7)
