"""Character vocabularies and the n-gram baselines (brain/language.py)."""

from __future__ import annotations

import numpy as np
import pytest

from brainnet.brain.language import CharVocab, ngram_bits


def test_vocab_round_trip_and_sorted_ids():
    vocab = CharVocab("hello world")
    assert vocab.chars == sorted(set("hello world"))
    ids = vocab.encode("low")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "low"


def test_vocab_refuses_an_unknown_character():
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        CharVocab("abc").encode("abz")


def _probabilities(train, n, vocab, context):
    """The model's full next-character distribution after ``context``, by calling
    ngram_bits once per candidate character (a one-character test text each)."""
    bits = [ngram_bits(train, np.append(context, c), n, vocab) for c in range(vocab)]
    return 2.0 ** -np.array(bits)            # one target: its bits are -log2 p


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_ngram_is_a_distribution(n):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 5, 400)
    context = rng.integers(0, 5, n - 1)
    p = _probabilities(train, n, 5, context)
    assert np.all(p > 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-9)


def test_higher_orders_predict_a_repeating_text_better():
    text = np.tile(np.arange(7), 300)                     # fully predictable from 1 char
    bits = [ngram_bits(text[:1500], text[1500:], n, 7) for n in (1, 2, 3)]
    assert bits[0] == pytest.approx(np.log2(7), abs=0.01)
    assert bits[1] < 0.5 and bits[2] <= bits[1] + 1e-9


def test_unseen_contexts_back_off_instead_of_failing():
    train = np.array([0, 1, 0, 1, 0, 1])
    bits = ngram_bits(train, np.array([2, 2, 2, 2]), 3, 3)       # never-seen context
    assert np.isfinite(bits)


def test_ngram_refuses_bad_orders():
    with pytest.raises(ValueError, match="n=0"):
        ngram_bits(np.arange(5), np.arange(5), 0, 5)
    with pytest.raises(ValueError, match="shorter than n=4"):
        ngram_bits(np.arange(5), np.arange(3), 4, 5)
