"""Text as a sequence of characters, and the counting models a network must beat.

``CharVocab`` turns text into integer ids and back. ``ngram_bits`` measures how well
an n-gram model (the next character predicted from the n - 1 before it, by counting)
predicts held-out text, in bits per character: the baseline for a character-level
language model. Counts are smoothed by interpolated absolute discounting with a
Kneser-Ney lowest order (both compared by Chen & Goodman 1999): each order's counts
are discounted and the freed probability is spread by the order below; the lowest
order counts *continuation* (in how many contexts a character appears), not raw
frequency.
"""

from __future__ import annotations

import numpy as np


class CharVocab:
    """The characters of a text, each with an integer id (sorted, so ids are stable)."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """int64 ids; a character the vocabulary does not know is an error."""
        try:
            return np.fromiter((self.index[c] for c in text), np.int64, len(text))
        except KeyError as e:
            raise ValueError(f"CharVocab.encode: character {e.args[0]!r} is not in the "
                             f"vocabulary of {len(self)} characters.") from None

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(ids).ravel())


def _keys(ids: np.ndarray, order: int, base: int) -> np.ndarray:
    """For every position t >= order - 1: the (order)-gram ending at t as one integer."""
    n = len(ids) - order + 1
    key = np.zeros(n, np.int64)
    for j in range(order):
        key = key * base + ids[j:j + n]
    return key


def _lookup(table_keys: np.ndarray, table_values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """table_values at keys (0 where a key is absent); table_keys sorted."""
    where = np.searchsorted(table_keys, keys)
    where = np.minimum(where, len(table_keys) - 1)
    found = table_keys[where] == keys
    return np.where(found, table_values[where], 0)


def ngram_bits(train: np.ndarray, test: np.ndarray, n: int, vocab: int,
               discount: float = 0.75) -> float:
    """Bits per character of the smoothed n-gram model fitted on ``train``
    (ids), on ``test`` (ids; its first n - 1 characters only give context).

    n = 1 is the unigram model (add-one smoothed character frequencies).
    """
    if n < 1 or vocab ** n >= 2 ** 62:
        raise ValueError(f"ngram_bits: need 1 <= n and vocab**n < 2**62, got n={n}, "
                         f"vocab={vocab}.")
    if len(test) < n:
        raise ValueError(f"ngram_bits: the test text ({len(test)} ids) is shorter than n={n}.")
    counts1 = np.bincount(train, minlength=vocab).astype(np.float64)
    # order 1 in Kneser-Ney: continuation counts, in how many distinct contexts a
    # character follows (raw frequencies for the plain unigram model)
    if n == 1:
        p = (counts1 + 1) / (counts1.sum() + vocab)
        return float(-np.log2(p[test]).mean())
    bigrams = np.unique(_keys(train, 2, vocab))
    continuation = np.bincount(bigrams % vocab, minlength=vocab).astype(np.float64)
    prob = (continuation + 1) / (continuation.sum() + vocab)            # P_1(c), (V,)
    target = test[n - 1:]
    p = prob[target]                                                     # (M,) at order 1
    for order in range(2, n + 1):
        grams = _keys(train, order, vocab)
        gram_keys, gram_counts = np.unique(grams, return_counts=True)
        ctx_keys_all = gram_keys // vocab                               # the context part
        ctx_keys, ctx_first = np.unique(ctx_keys_all, return_index=True)
        ctx_counts = np.add.reduceat(gram_counts, ctx_first).astype(np.float64)  # C(h)
        ctx_types = np.diff(np.append(ctx_first, len(gram_keys))).astype(np.float64)
        # the n-grams of the test text, and their contexts
        test_grams = _keys(test, order, vocab)[n - order:]               # aligned to target
        test_ctx = test_grams // vocab
        c_hw = _lookup(gram_keys, gram_counts.astype(np.float64), test_grams)
        c_h = _lookup(ctx_keys, ctx_counts, test_ctx)
        types = _lookup(ctx_keys, ctx_types, test_ctx)
        seen = c_h > 0
        safe = np.where(seen, c_h, 1.0)
        higher = np.maximum(c_hw - discount, 0.0) / safe + discount * types / safe * p
        p = np.where(seen, higher, p)          # an unseen context backs off entirely
    return float(-np.log2(p).mean())
