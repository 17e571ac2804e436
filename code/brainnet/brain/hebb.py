"""Hebbian learning for one linear neuron: plain Hebb, and Oja's normalised rule.

A linear neuron with weights w answers input x with y = w.x. Hebb's postulate (1949),
in its simplest mathematical form, strengthens each synapse in proportion to the
product of its input and the neuron's output:

    plain Hebb:  w <- w + lr * y * x
    Oja (1982):  w <- w + lr * y * (x - y * w)

Plain Hebb only grows: |w| increases without bound. Oja's extra term -lr y^2 w is a
local, activity-dependent decay that keeps |w| near 1, and w then converges to the
first principal component of the inputs (for centred inputs; for raw inputs, to the
top eigenvector of E[x x^T]).

    from brainnet.brain import hebb

    trace = hebb.oja(X - X.mean(0), lr=0.01, epochs=5, rng=0)
    hebb.angle(trace.w, hebb.principal_component(X))        # degrees, near 0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import numerics
from .. import rng as _rng

__all__ = ["HebbTrace", "hebb", "oja", "principal_component", "angle"]

BLOW_UP = 1e100
"""Plain Hebb stops (and says so) once |w| passes this: the next steps would overflow."""


@dataclass
class HebbTrace:
    """What a Hebbian run returns.

    ``w`` (d,) the final weights; ``weights`` (k, d) snapshots, the first being the
    initial weights, then one every ``record_every`` updates; ``steps`` (k,) the
    number of updates at each snapshot; ``diverged_at`` the update at which |w| passed
    ``BLOW_UP`` (plain Hebb only), or None.
    """

    w: np.ndarray
    weights: np.ndarray
    steps: np.ndarray
    diverged_at: int | None = None

    @property
    def norms(self) -> np.ndarray:
        """|w| at each snapshot, shape (k,)."""
        return np.linalg.norm(self.weights, axis=1)


def _check(X, lr, epochs, w0, rng, record_every, who):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{who}: X must be a non-empty 2-D array (n_samples, n_inputs), "
                         f"got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{who}: X contains NaN or inf")
    if not (np.isscalar(lr) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"{who}: lr (learning rate) must be a positive number, got {lr!r}")
    if not isinstance(epochs, int | np.integer) or epochs < 1:
        raise ValueError(f"{who}: epochs must be a positive integer, got {epochs!r}")
    if not isinstance(record_every, int | np.integer) or record_every < 1:
        raise ValueError(f"{who}: record_every must be a positive integer, got {record_every!r}")
    gen = _rng.generator(rng)
    if w0 is None:
        w = gen.standard_normal(X.shape[1])
        w /= np.linalg.norm(w)
    else:
        w = np.array(w0, dtype=np.float64)
        if w.shape != (X.shape[1],):
            raise ValueError(f"{who}: w0 must have shape ({X.shape[1]},) to match X "
                             f"{X.shape}, got {w.shape}")
    return X, w, gen


def _run(X, lr, epochs, w0, rng, shuffle, record_every, who, oja_term):
    X, w, gen = _check(X, lr, epochs, w0, rng, record_every, who)
    snapshots, steps = [w.copy()], [0]
    step, diverged = 0, None
    for _ in range(epochs):
        order = gen.permutation(len(X)) if shuffle else np.arange(len(X))
        for x in X[order]:
            y = x @ w
            w = w + lr * y * (x - y * w) if oja_term else w + lr * y * x
            step += 1
            if step % record_every == 0:
                snapshots.append(w.copy())
                steps.append(step)
            if not oja_term and not np.linalg.norm(w) < BLOW_UP:
                diverged = step
                break
        if diverged is not None:
            break
    if steps[-1] != step:
        snapshots.append(w.copy())
        steps.append(step)
    return HebbTrace(w=w, weights=np.array(snapshots), steps=np.array(steps),
                     diverged_at=diverged)


def hebb(X, lr: float, epochs: int = 1, *, w0=None, rng=None, shuffle: bool = True,
         record_every: int = 1) -> HebbTrace:
    """Plain Hebbian learning, w <- w + lr (w.x) x, one sample at a time.

    ``X`` (n, d) inputs; ``w0`` the starting weights (default: a random unit vector
    from ``rng``); ``shuffle`` visits samples in a new random order each epoch. |w|
    grows without bound; the run stops once it passes ``BLOW_UP`` and records where
    (``diverged_at``).
    """
    return _run(X, lr, epochs, w0, rng, shuffle, record_every, "hebb", oja_term=False)


def oja(X, lr: float, epochs: int = 1, *, w0=None, rng=None, shuffle: bool = True,
        record_every: int = 1) -> HebbTrace:
    """Oja's rule, w <- w + lr y (x - y w) with y = w.x, one sample at a time.

    With centred inputs and a small enough ``lr`` (lr times the largest input variance
    well below 1), w converges to a unit vector along the first principal component.
    Arguments as in ``hebb``.
    """
    return _run(X, lr, epochs, w0, rng, shuffle, record_every, "oja", oja_term=True)


def principal_component(X) -> np.ndarray:
    """The first principal component of X (n, d): the unit eigenvector of the covariance
    of the centred data with the largest eigenvalue (its sign is arbitrary)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(f"principal_component: X must be 2-D with at least 2 rows, "
                         f"got shape {X.shape}")
    return numerics.principal_axes(X)[1][0]


def angle(u, v) -> float:
    """Angle in degrees between the lines along u and v, in [0, 90]: the sign of a
    principal component is arbitrary, so u and -u count as the same direction."""
    u, v = np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    if u.shape != v.shape or u.ndim != 1:
        raise ValueError(f"angle: u and v must be 1-D of the same length, got {u.shape} "
                         f"and {v.shape}")
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if nu == 0 or nv == 0 or not np.isfinite(nu * nv):
        raise ValueError("angle: u and v must be finite, non-zero vectors")
    between = numerics.angle(u, v)
    return min(between, 180.0 - between)
