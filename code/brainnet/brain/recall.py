"""Associative recall in a sequence: the task that shows what attention is for.

A sequence lists key-value pairs, then asks for some of the keys again; after each
query the network must produce the value that was paired with it (multi-query
associative recall, after Ba et al. 2016 and Olsson et al. 2022):

    k1 v1 k2 v2 ... k8 v8   q1 a1 q2 a2 ... q8 a8        (each q is one of the k's)

Every query needs a different earlier position, chosen by content: a fixed mixing of
the past cannot do it. ``RecallNet`` mixes positions by attention, by a causal
running mean (every earlier token counted equally: a bag of tokens) or not at all,
so the three can be compared on the same task.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from .. import nn, optim
from .. import rng as _rng
from ..autograd import no_grad
from ..tensor import Tensor, wrap

MIXERS = ("attention", "mean", "none")
POSITIONS = ("learned", "sinusoidal", "sinusoidal unscaled", "none")


def make_recall(n: int, pairs: int = 8, n_keys: int = 16, n_values: int = 16,
                mirrored: bool = False, rng: _rng.Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` recall sequences: tokens (n, 4 pairs) and the answers (n, pairs).

    Keys are tokens 0..n_keys-1 and values n_keys..n_keys+n_values-1; the keys of a
    sequence are distinct, and so are its values. The queries ask for every key once,
    in a random order, each followed by its answer. ``mirrored`` puts each value
    before its key in the first half (v1 k1 v2 k2 ...). The answer to the query at
    position 2 pairs + 2 i is the token at position 2 pairs + 2 i + 1.
    """
    if pairs > min(n_keys, n_values) or pairs < 1:
        raise ValueError(f"make_recall: pairs must be between 1 and min(n_keys, n_values) "
                         f"= {min(n_keys, n_values)} (keys and values are distinct), got "
                         f"{pairs}.")
    g = _rng.generator(rng)
    keys = np.argsort(g.random((n, n_keys)), axis=1)[:, :pairs]             # (n, pairs)
    values = n_keys + np.argsort(g.random((n, n_values)), axis=1)[:, :pairs]
    order = np.argsort(g.random((n, pairs)), axis=1)                        # query order
    rows = np.arange(n)[:, None]
    tokens = np.empty((n, 4 * pairs), np.int64)
    first, second = (values, keys) if mirrored else (keys, values)
    tokens[:, 0:2 * pairs:2], tokens[:, 1:2 * pairs:2] = first, second
    tokens[:, 2 * pairs::2] = keys[rows, order]
    answers = values[rows, order]
    tokens[:, 2 * pairs + 1::2] = answers
    return tokens, answers


def query_positions(pairs: int = 8) -> np.ndarray:
    """Where the queries sit; the network's prediction there must be the answer."""
    return 2 * pairs + 2 * np.arange(pairs)


class CausalMean(nn.Module):
    """Each position gets the mean of the tokens up to and including it: a mixing of
    the past that cannot choose by content (a bag of tokens)."""

    def forward(self, x):                                      # (N, T, d) -> (N, T, d)
        T = x.shape[1]
        weights = np.tril(np.ones((T, T), x.dtype)) / np.arange(1, T + 1, dtype=x.dtype)[:, None]
        return wrap(weights) @ x


class RecallNet(nn.Module):
    """Token and position embeddings, then ``layers`` residual mixing layers (pre-LN,
    no MLP), a final LayerNorm and a linear read-out to the vocabulary.

    ``mixer``: "attention" (one head per layer, causal), "mean" (``CausalMean``) or
    "none". ``positions``: "learned" (init std 0.1), "sinusoidal" (scaled to an RMS of
    ``sinusoid_rms`` times the token embeddings' initial std ``std``), "sinusoidal
    unscaled" (RMS 1/sqrt 2) or "none".
    """

    def __init__(self, vocab: int = 32, length: int = 32, d: int = 64, layers: int = 2,
                 mixer: str = "attention", positions: str = "learned", std: float = 0.1,
                 sinusoid_rms: float = 0.5, rng: _rng.Seed = 0):
        super().__init__()
        if mixer not in MIXERS or positions not in POSITIONS:
            raise ValueError(f"RecallNet: mixer must be one of {MIXERS} and positions one of "
                             f"{POSITIONS}; got {mixer!r}, {positions!r}.")
        g = _rng.generator(rng)
        self.mixer, self.positions = mixer, positions
        self.tokens = nn.Embedding(vocab, d, std=std, rng=g)
        if positions == "learned":
            self.pos = nn.PositionalEmbedding(length, d, std=0.1, rng=g)
        elif positions.startswith("sinusoidal"):
            rms = sinusoid_rms * std if positions == "sinusoidal" else None
            self.pos = nn.SinusoidalPositionalEncoding(length, d, rms=rms)
        else:
            self.pos = nn.Identity()
        self.norms = nn.ModuleList([nn.LayerNorm(d) for _ in range(layers)])
        self.mix = nn.ModuleList([
            nn.MultiheadAttention(d, 1, rng=g) if mixer == "attention" else CausalMean()
            for _ in range(layers if mixer != "none" else 0)])
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, rng=g)

    def forward(self, tokens, need_weights: bool = False):
        """Logits (N, T, vocab); with ``need_weights``, also each layer's attention
        weights (N, T, T) as numpy arrays."""
        x = self.pos(self.tokens(tokens))                          # (N, T, d)
        maps = []
        for norm, mix in zip(self.norms, self.mix, strict=False):
            h = norm(x)
            if self.mixer == "attention":
                h, w = mix(h, h, h, is_causal=True, need_weights=need_weights)
                if need_weights:
                    maps.append(w.numpy())
            else:
                h = mix(h)
            x = x + h                                              # the residual stream
        logits = self.head(self.norm(x))
        return (logits, maps) if need_weights else logits


def recall_loss(model: RecallNet, tokens: np.ndarray, answers: np.ndarray) -> Tensor:
    """Cross-entropy of the answers, predicted at the query positions."""
    logits = model(tokens)[:, query_positions(answers.shape[1])]      # (N, pairs, vocab)
    return F.cross_entropy(logits, answers)


def recall_accuracy(model: RecallNet, tokens: np.ndarray, answers: np.ndarray) -> float:
    with no_grad():
        logits = model(tokens)[:, query_positions(answers.shape[1])]
    return float((logits.numpy().argmax(-1) == answers).mean())


def train_recall(model: RecallNet, steps: int = 300, lr: float = 1e-3, batch: int = 32,
                 mirrored: bool = False, every: int = 25, rng: _rng.Seed = 0,
                 test: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Adam on fresh batches, gradients clipped to norm 1; test accuracy every
    ``every`` steps. Returns {"step": [...], "accuracy": [...]}."""
    g = _rng.generator(rng)
    if test is None:
        test = make_recall(500, mirrored=mirrored, rng=12345)
    opt = optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list] = {"step": [], "accuracy": []}
    for step in range(1, steps + 1):
        tokens, answers = make_recall(batch, mirrored=mirrored, rng=g)
        loss = recall_loss(model, tokens, answers)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % every == 0 or step == steps:
            history["step"].append(step)
            history["accuracy"].append(recall_accuracy(model, *test))
    return history
