"""Threshold units: McCulloch-Pitts logic (1943) and Rosenblatt's perceptron (1958).

    from brainnet.brain.perceptron import AND, OR, NOT, Perceptron

    AND([[0, 0], [0, 1], [1, 0], [1, 1]])        # array([0, 0, 0, 1])
    p = Perceptron(2, lr=1.0)
    history = p.fit(X, y, epochs=20)              # mistakes per epoch, weights, ...

A McCulloch-Pitts unit sums binary excitatory inputs and fires (outputs 1) when the sum
reaches its threshold, unless an inhibitory input is active: in the 1943 model one
active inhibitory synapse vetoes firing outright. A perceptron has real-valued weights
and a bias and learns them from labelled examples with Rosenblatt's error-correction
rule; its labels are 0 and 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import rng as _rng

__all__ = ["McCullochPitts", "AND", "OR", "NOT", "Perceptron", "separable_data",
           "xor_data", "novikoff_bound", "first_repeat"]


def _binary_inputs(x, n_inputs: int, who: str) -> np.ndarray:
    arr = np.asarray(x)
    arr2 = arr.reshape(1, -1) if arr.ndim == 1 else arr
    if arr2.ndim != 2 or arr2.shape[1] != n_inputs:
        raise ValueError(f"{who}: expected inputs of shape (n, {n_inputs}) or "
                         f"({n_inputs},), got {arr.shape}")
    if not np.isin(arr2, (0, 1)).all():
        bad = np.unique(arr2[~np.isin(arr2, (0, 1))])[:5]
        raise ValueError(f"{who}: inputs must be 0 or 1 (all-or-none), got values {bad}")
    return arr2.astype(np.int64)


@dataclass(frozen=True)
class McCullochPitts:
    """A McCulloch-Pitts threshold unit with binary inputs and output.

    ``weights``: one non-negative integer per input (how many excitatory synapses
    that input makes; 0 for none). ``threshold``: the unit fires when the weighted
    sum of active excitatory inputs is at least this. ``inhibitory``: indices of inputs
    whose activity vetoes firing (absolute inhibition, as in the 1943 paper).
    Calling the unit on x (n, n_inputs) of 0/1 returns (n,) of 0/1.
    """

    weights: tuple
    threshold: int
    inhibitory: tuple = ()

    def __post_init__(self):
        w = np.asarray(self.weights)
        if w.ndim != 1 or w.size == 0 or not np.issubdtype(w.dtype, np.integer) or (w < 0).any():
            raise ValueError(f"McCullochPitts: weights must be non-negative integers, one per "
                             f"input, got {self.weights!r}")
        if any(not 0 <= i < w.size for i in self.inhibitory):
            raise ValueError(f"McCullochPitts: inhibitory indices {self.inhibitory!r} must "
                             f"lie in 0..{w.size - 1}")

    @property
    def n_inputs(self) -> int:
        return len(self.weights)

    def __call__(self, x) -> np.ndarray:
        x = _binary_inputs(x, self.n_inputs, "McCullochPitts")
        excitation = x @ np.asarray(self.weights, dtype=np.int64)
        vetoed = x[:, list(self.inhibitory)].any(axis=1) if self.inhibitory else False
        return ((excitation >= self.threshold) & ~vetoed).astype(np.int64)


AND = McCullochPitts(weights=(1, 1), threshold=2)
OR = McCullochPitts(weights=(1, 1), threshold=1)
NOT = McCullochPitts(weights=(0,), threshold=0, inhibitory=(0,))


def _as_data(X, y, who: str, n_inputs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{who}: X must be 2-D (n, n_inputs), got shape {X.shape}")
    if n_inputs is not None and X.shape[1] != n_inputs:
        raise ValueError(f"{who}: X has {X.shape[1]} features but the perceptron has "
                         f"{n_inputs} inputs")
    if y.shape != (X.shape[0],):
        raise ValueError(f"{who}: y must have shape ({X.shape[0]},) to match X {X.shape}, "
                         f"got {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"{who}: labels y must be 0 or 1, got {np.unique(y)[:5]}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{who}: X contains NaN or inf")
    return X, y.astype(np.int64)


class Perceptron:
    """Rosenblatt's perceptron: output 1 if w.x + b > 0, else 0.

    Learning rule, applied to one example at a time (Rosenblatt 1958):

        w <- w + lr (y - y_hat) x,   b <- b + lr (y - y_hat)

    so nothing changes on a correct answer. ``init="zeros"`` starts from w = 0, b = 0
    (then the learning rate only rescales w and never changes a prediction);
    ``init="normal"`` draws w and b from N(0, 1) with ``rng``.
    """

    def __init__(self, n_inputs: int, lr: float = 1.0, *, init: str = "zeros", rng=None):
        if not isinstance(n_inputs, int | np.integer) or n_inputs < 1:
            raise ValueError(f"Perceptron: n_inputs must be a positive integer, got {n_inputs!r}")
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"Perceptron: lr (learning rate) must be positive, got {lr!r}")
        if init == "zeros":
            self.w, self.b = np.zeros(n_inputs), 0.0
        elif init == "normal":
            gen = _rng.generator(rng)
            self.w, self.b = gen.standard_normal(n_inputs), float(gen.standard_normal())
        else:
            raise ValueError(f"Perceptron: init must be 'zeros' or 'normal', got {init!r}")
        self.n_inputs, self.lr = int(n_inputs), float(lr)

    def decision_function(self, X) -> np.ndarray:
        """w.x + b for each row of X (n, n_inputs)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"Perceptron: expected X of shape (n, {self.n_inputs}), "
                             f"got {X.shape}")
        return X @ self.w + self.b

    def predict(self, X) -> np.ndarray:
        """Labels 0/1, shape (n,)."""
        return (self.decision_function(X) > 0).astype(np.int64)

    def accuracy(self, X, y) -> float:
        X, y = _as_data(X, y, "Perceptron.accuracy", self.n_inputs)
        return float((self.predict(X) == y).mean())

    def fit(self, X, y, epochs: int = 10, *, shuffle: bool = False, rng=None,
            stop_when_converged: bool = True) -> dict:
        """Run the perceptron rule for up to ``epochs`` passes over (X, y).

        Returns a history dict: ``mistakes`` (per epoch, counted during the pass),
        ``accuracy`` (on all of X after each epoch), ``states`` (array (epochs + 1,
        n_inputs + 1) of [w, b] at the start and after every epoch), ``updates`` (total
        weight changes) and ``converged_epoch`` (the first epoch with no mistake, or
        None). With ``stop_when_converged`` training stops after that epoch.
        """
        X, y = _as_data(X, y, "Perceptron.fit", self.n_inputs)
        if not isinstance(epochs, int | np.integer) or epochs < 1:
            raise ValueError(f"Perceptron.fit: epochs must be a positive integer, got {epochs!r}")
        gen = _rng.generator(rng) if shuffle else None
        history = {"mistakes": [], "accuracy": [], "states": [np.append(self.w, self.b)],
                   "updates": 0, "converged_epoch": None}
        for epoch in range(1, epochs + 1):
            order = gen.permutation(len(y)) if shuffle else range(len(y))
            mistakes = 0
            for i in order:
                error = y[i] - int(X[i] @ self.w + self.b > 0)       # -1, 0 or +1
                if error:
                    self.w = self.w + self.lr * error * X[i]
                    self.b = self.b + self.lr * error
                    mistakes += 1
            history["mistakes"].append(mistakes)
            history["accuracy"].append(float((self.predict(X) == y).mean()))
            history["states"].append(np.append(self.w, self.b))
            history["updates"] += mistakes
            if mistakes == 0 and history["converged_epoch"] is None:
                history["converged_epoch"] = epoch
                if stop_when_converged:
                    break
        history["states"] = np.array(history["states"])
        return history


def separable_data(n: int = 100, margin: float = 0.1, rng=0):
    """Points in [-1, 1]^2 labelled by a random line, none closer to it than ``margin``.

    Returns X (n, 2), y (n,) of 0/1, and the separating line as (w, b) with |w| = 1,
    so that w.x + b is each point's signed distance from the line.
    """
    if not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"separable_data: n must be an integer >= 2, got {n!r}")
    if not 0 <= margin < 0.5:
        raise ValueError(f"separable_data: margin must be in [0, 0.5), got {margin!r}")
    gen = _rng.generator(rng)
    angle = gen.uniform(0, 2 * np.pi)
    w = np.array([np.cos(angle), np.sin(angle)])
    b = gen.uniform(-0.3, 0.3)
    points = []
    while sum(len(p) for p in points) < n:
        cand = gen.uniform(-1, 1, size=(4 * n, 2))
        points.append(cand[np.abs(cand @ w + b) >= margin])
    X = np.concatenate(points)[:n]
    y = (X @ w + b > 0).astype(np.int64)
    return X, y, (w, float(b))


def xor_data():
    """The four XOR points: X (4, 2) of 0/1 and y = x1 XOR x2."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array([0, 1, 1, 0])


def novikoff_bound(X, y, w, b: float = 0.0) -> float:
    """Novikoff's (1962) bound (R / gamma)^2 on the perceptron's number of mistakes.

    The bound holds for a perceptron started at zero weights, on the inputs augmented
    with a constant 1 (the bias): R is the largest norm of an augmented input and gamma
    the margin of the separator (w, b) normalised to unit length in that augmented
    space. Any separator gives a valid bound; a wider margin gives a tighter one.
    Raises a ValueError if (w, b) does not separate the data.
    """
    X, y = _as_data(X, y, "novikoff_bound")
    aug = np.column_stack([X, np.ones(len(X))])
    v = np.append(np.asarray(w, dtype=np.float64), b)
    if v.shape != (aug.shape[1],):
        raise ValueError(f"novikoff_bound: w must have {X.shape[1]} entries, got "
                         f"{np.shape(w)}")
    signed = (2 * y - 1) * (aug @ v) / np.linalg.norm(v)
    gamma = signed.min()
    if gamma <= 0:
        raise ValueError(f"novikoff_bound: (w, b) does not separate the data "
                         f"(worst signed margin {gamma:.3g})")
    R = np.linalg.norm(aug, axis=1).max()
    return float((R / gamma) ** 2)


def first_repeat(states, atol: float = 1e-9):
    """The first pair (i, j), i < j, with states[j] equal to an earlier states[i].

    ``states`` is (T, d), e.g. ``history["states"]`` from ``Perceptron.fit``. A repeat
    means training has entered a cycle of period j - i. Returns None if no state repeats.
    """
    states = np.asarray(states, dtype=np.float64)
    if states.ndim != 2:
        raise ValueError(f"first_repeat: states must be 2-D (T, d), got {states.shape}")
    for j in range(1, len(states)):
        same = np.flatnonzero(np.all(np.abs(states[:j] - states[j]) <= atol, axis=1))
        if same.size:
            return int(same[0]), j
    return None
