"""The associative-recall task and its networks (brain/recall.py)."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain.recall import RecallNet, make_recall, query_positions, train_recall


@pytest.mark.parametrize("mirrored", [False, True])
def test_every_answer_is_the_value_paired_with_its_query(mirrored):
    tokens, answers = make_recall(50, pairs=8, mirrored=mirrored, rng=1)
    assert tokens.shape == (50, 32) and answers.shape == (50, 8)
    q = query_positions(8)
    for seq, ans in zip(tokens, answers, strict=True):
        first, second = seq[0:16:2], seq[1:16:2]
        keys, values = (second, first) if mirrored else (first, second)
        pairs = dict(zip(keys.tolist(), values.tolist(), strict=True))
        assert len(set(keys.tolist())) == 8 and len(set(values.tolist())) == 8
        assert np.all(keys < 16) and np.all(values >= 16)
        assert [pairs[k] for k in seq[q].tolist()] == ans.tolist()
        np.testing.assert_array_equal(seq[q + 1], ans)            # the answer follows
        assert sorted(seq[q].tolist()) == sorted(keys.tolist())   # each key asked once


def test_make_recall_is_seeded_and_refuses_too_many_pairs():
    a, _ = make_recall(5, rng=3)
    b, _ = make_recall(5, rng=3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="pairs must be between 1 and"):
        make_recall(5, pairs=17)


@pytest.mark.parametrize("mixer", ["attention", "mean", "none"])
@pytest.mark.parametrize("positions", ["learned", "sinusoidal", "none"])
def test_recall_net_shapes(mixer, positions):
    model = RecallNet(mixer=mixer, positions=positions, d=16)
    tokens, _ = make_recall(3)
    assert model(tokens).shape == (3, 32, 32)


def test_attention_weights_are_causal_and_sum_to_one():
    model = RecallNet(d=16)
    tokens, _ = make_recall(2)
    _, maps = model(tokens, need_weights=True)
    assert len(maps) == 2
    for w in maps:
        assert w.shape == (2, 32, 32)
        np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-5)
        assert np.all(np.triu(w, 1) == 0)


def test_the_causal_mean_looks_only_backwards():
    """Changing the last token must not change any earlier prediction."""
    model = RecallNet(mixer="mean", d=16)
    tokens, _ = make_recall(1)
    other = tokens.copy()
    other[0, -1] = (other[0, -1] + 1) % 32
    a, b = model(tokens).numpy(), model(other).numpy()
    np.testing.assert_allclose(a[:, :-1], b[:, :-1], atol=1e-6)


def test_a_short_training_run_learns_something():
    model = RecallNet(d=32)
    history = train_recall(model, steps=60, lr=3e-3, every=30, test=make_recall(100, rng=9))
    assert history["step"] == [30, 60]
    assert history["accuracy"][-1] > 1 / 16 + 0.02             # above chance


def test_bad_choices_are_refused():
    with pytest.raises(ValueError, match="mixer must be one of"):
        RecallNet(mixer="lstm")
