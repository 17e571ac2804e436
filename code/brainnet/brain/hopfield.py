"""Associative memory: the classical Hopfield network and its modern, softmax form.

Classical (Hopfield 1982). N binary units s_i = +-1 store P patterns xi^mu with the
Hebbian rule, and recall by repeatedly setting each unit to the sign of its input:

    W = (1/N) sum_mu xi^mu xi^mu^T,  W_ii = 0        store
    s_i <- sign(sum_j W_ij s_j)                      update (a unit whose input is
                                                     exactly 0 keeps its state)
    E(s) = -1/2 s^T W s                              energy
    m = (1/N) xi . s                                 overlap with a pattern

Asynchronous updates (one unit at a time, in random order) never raise E, so the
state rolls downhill to a fixed point. Synchronous updates (all units at once) reach a
fixed point or a 2-cycle.

Modern (Ramsauer et al. 2021). Continuous states, patterns as the rows of X (P, d):

    xi <- softmax(beta xi X^T) X

which is one step of attention with the query xi and keys = values = X.

    from brainnet.brain import hopfield

    X = hopfield.random_patterns(50, 1000, rng=0)          # (P, N) of +-1
    net = hopfield.Hopfield(1000).store(X)
    cue = hopfield.corrupt(X[:5], 0.2, rng=1)              # 20% of bits flipped
    out = net.recall(cue)                                  # synchronous by default
    hopfield.overlap(out.final, X[:5])                     # ~1.0 each

Everything is batched: a (B, N) array of states runs B recalls at once, so a capacity
sweep at N = 1000 is a few matrix products per step. Internally the Hebbian weights are
kept as integer counts C = sum xi xi^T (W = C / N): the sign of the input does not
change, and every product of +-1 states with C is exact, so results do not depend on
the BLAS library's order of summation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import numerics
from .. import rng as _rng
from ..tensor import Tensor, as_tensor

__all__ = [
    "Hopfield", "Recall", "CapacityResult", "check_patterns", "random_patterns", "corrupt",
    "occlude", "mixture", "energy", "overlap", "exact_fraction", "capacity_sweep",
    "ags_overlap", "ags_critical_load", "modern_update", "modern_recall",
]
__gradcheck__ = True  # tests/test_gradcheck_coverage.py: every name above has a case or exemption

_EXACT_LIMIT = 2 ** 24
"""float32 represents every integer below this exactly; sums of +-C_ij stay below it
while N * P does."""


def check_patterns(patterns, who: str, n_units: int | None = None,
                   name: str = "patterns") -> np.ndarray:
    """Return ``patterns`` as a float32 (P, N) array of +1/-1, or raise a clear error.

    A single pattern (N,) becomes (1, N). ``who`` names the calling function in the
    message; ``n_units``, if given, is the N the patterns must have.
    """
    arr = np.asarray(patterns)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{who}: {name} must be a numeric array of +1/-1, got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"{who}: {name} must be a non-empty (P, N) array, one +-1 pattern "
                         f"per row (or a single (N,) pattern); got shape {np.shape(patterns)}")
    if n_units is not None and arr.shape[1] != n_units:
        raise ValueError(f"{who}: {name} have N = {arr.shape[1]} units (shape "
                         f"{np.shape(patterns)}), but the network has N = {n_units}")
    bad = (arr != 1) & (arr != -1)
    if bad.any():
        values = np.unique(arr[bad])
        shown = ", ".join(f"{v:g}" for v in values[:5]) + (", ..." if len(values) > 5 else "")
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{who}: {name} must contain only +1 and -1; found {shown} "
                         f"({int(bad.sum())} entries, the first at index {where} of shape "
                         f"{arr.shape}). Binarise first, e.g. np.where(x > threshold, 1, -1).")
    return arr.astype(np.float32)


def random_patterns(n_patterns: int, n_units: int, rng=None) -> np.ndarray:
    """P independent patterns with each unit +1 or -1 at random: float32 (P, N)."""
    if int(n_patterns) < 1 or int(n_units) < 1:
        raise ValueError(f"random_patterns: need n_patterns >= 1 and n_units >= 1, got "
                         f"{n_patterns}, {n_units}")
    gen = _rng.generator(rng)
    return np.where(gen.random((int(n_patterns), int(n_units))) < 0.5, -1, 1).astype(np.float32)


def corrupt(patterns, fraction: float, rng=None) -> np.ndarray:
    """Flip exactly round(fraction * N) randomly chosen units of each pattern (P, N)."""
    X = check_patterns(patterns, "corrupt")
    if not 0 <= fraction <= 1:
        raise ValueError(f"corrupt: fraction must be in [0, 1], got {fraction!r}")
    gen = _rng.generator(rng)
    k = int(round(fraction * X.shape[1]))
    flip = np.argsort(gen.random(X.shape), axis=1)[:, :k]      # k distinct units per row
    out = X.copy()
    np.put_along_axis(out, flip, -np.take_along_axis(X, flip, axis=1), axis=1)
    return out.reshape(np.shape(patterns))


def occlude(patterns, fraction: float, shape: tuple[int, int] | None = None,
            fill: float = -1.0) -> np.ndarray:
    """Cover the last ``fraction`` of each pattern with ``fill`` (+1 or -1).

    With ``shape=(h, w)`` the patterns are images, and the bottom round(fraction * h)
    rows are covered, like a bar across the lower part of a photograph.
    """
    X = check_patterns(patterns, "occlude")
    if not 0 <= fraction <= 1:
        raise ValueError(f"occlude: fraction must be in [0, 1], got {fraction!r}")
    if fill not in (1, -1):
        raise ValueError(f"occlude: fill must be +1 or -1, got {fill!r}")
    out = X.copy()
    if shape is None:
        k = int(round(fraction * X.shape[1]))
        out[:, X.shape[1] - k:] = fill
    else:
        h, w = shape
        if h * w != X.shape[1]:
            raise ValueError(f"occlude: shape {shape} holds {h * w} pixels, but the patterns "
                             f"have N = {X.shape[1]}")
        rows = int(round(fraction * h))
        out.reshape(len(X), h, w)[:, h - rows:, :] = fill
    return out.reshape(np.shape(patterns))


def mixture(patterns, which) -> np.ndarray:
    """The mixture state sign(xi^a + xi^b + xi^c + ...) of an odd number of patterns."""
    X = check_patterns(patterns, "mixture")
    which = list(which)
    if len(which) % 2 == 0 or not which:
        raise ValueError(f"mixture: needs an odd number of patterns (so no sum is 0), got "
                         f"{len(which)}")
    return np.sign(X[which].sum(axis=0)).astype(np.float32)


def overlap(states, patterns) -> np.ndarray:
    """m = (1/N) xi . s, row by row with broadcasting: (B, N) and (B, N) -> (B,)."""
    s, x = np.asarray(states, dtype=np.float64), np.asarray(patterns, dtype=np.float64)
    if s.shape[-1] != x.shape[-1]:
        raise ValueError(f"overlap: states {s.shape} and patterns {x.shape} differ in N")
    return (s * x).mean(axis=-1)


def exact_fraction(states, patterns) -> float:
    """Fraction of rows whose signs match the pattern in every unit (perfect recall)."""
    s, x = np.asarray(states), np.asarray(patterns)
    if s.shape != x.shape:
        raise ValueError(f"exact_fraction: states {s.shape} and patterns {x.shape} differ")
    return float((np.sign(s) == np.sign(x)).all(axis=-1).mean())


def energy(weights, states) -> np.ndarray:
    """E = -1/2 s^T W s for each state: W (N, N), states (N,) -> float or (B, N) -> (B,)."""
    W = np.asarray(weights, dtype=np.float64)
    s = np.asarray(states, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or s.shape[-1] != W.shape[0]:
        raise ValueError(f"energy: weights must be (N, N) and states (..., N); got "
                         f"{W.shape} and {s.shape}")
    return -0.5 * ((s @ W) * s).sum(axis=-1)


@dataclass
class Recall:
    """What ``Hopfield.recall`` returns.

    ``final`` (B, N) the last states; ``states`` (T, B, N) and ``energies`` (T, B) the
    recorded trajectory, the cue first (only the cue and the end if ``record=False``);
    ``time`` (T,) when each was recorded, in sweeps (N unit updates, or one
    synchronous step); ``converged`` (B,) True where a fixed point was reached;
    ``cycled`` (B,) True where synchronous updates ended in a 2-cycle; ``steps`` the
    number of synchronous steps that changed a state, or of asynchronous sweeps run
    (the last of which, once converged, changed nothing). A single (N,) cue gives
    arrays without the B axis.
    """

    final: np.ndarray
    states: np.ndarray
    energies: np.ndarray
    time: np.ndarray
    converged: np.ndarray
    cycled: np.ndarray
    steps: int


class Hopfield:
    """A Hopfield network of ``n_units`` binary units.

    ``Hopfield(N).store(X)`` adds the patterns X (P, N) with the Hebbian rule (call it
    again to add more). ``Hopfield(N, weights=W)`` uses any (N, N) weights instead,
    e.g. a learning rule of your own (then ``store`` is not available).
    """

    def __init__(self, n_units: int, weights=None):
        if int(n_units) < 2:
            raise ValueError(f"Hopfield: needs at least 2 units, got n_units={n_units!r}")
        self.n_units = int(n_units)
        self.patterns = np.zeros((0, self.n_units), dtype=np.float32)
        if weights is None:
            self._counts = np.zeros((self.n_units, self.n_units), dtype=np.float32)
            self._scale = 1.0 / self.n_units
            self._hebbian = True
        else:
            W = np.asarray(weights, dtype=np.float64)
            if W.shape != (self.n_units, self.n_units) or not np.all(np.isfinite(W)):
                raise ValueError(f"Hopfield: weights must be a finite ({self.n_units}, "
                                 f"{self.n_units}) array, got shape {W.shape}")
            self._counts, self._scale, self._hebbian = W, 1.0, False

    @property
    def _columns(self) -> np.ndarray:
        """The columns of the weights as rows: how every input moves when one unit
        changes. The Hebbian weights are symmetric, so they are their own transpose."""
        return self._counts if self._hebbian else np.ascontiguousarray(self._counts.T)

    @property
    def n_patterns(self) -> int:
        return len(self.patterns)

    @property
    def load(self) -> float:
        """alpha = P / N."""
        return self.n_patterns / self.n_units

    @property
    def W(self) -> np.ndarray:  # noqa: N802 (the usual symbol)
        """The weights (N, N), float32: symmetric with a zero diagonal for Hebbian storage."""
        return (self._counts * self._scale).astype(np.float32)

    def store(self, patterns) -> Hopfield:
        """Add patterns (P, N) of +-1 with the Hebbian rule; returns the network."""
        if not self._hebbian:
            raise RuntimeError("Hopfield.store: this network was built from given weights; "
                               "make a Hopfield(N) to store patterns with the Hebbian rule")
        X = check_patterns(patterns, "Hopfield.store", self.n_units)
        self.patterns = np.concatenate([self.patterns, X])
        if self.n_units * self.n_patterns >= _EXACT_LIMIT:
            self._counts = self._counts.astype(np.float64)
        self._counts += X.T.astype(self._counts.dtype) @ X.astype(self._counts.dtype)
        np.fill_diagonal(self._counts, 0.0)
        return self

    def _states(self, states, who: str) -> tuple[np.ndarray, bool]:
        single = np.ndim(states) == 1
        S = check_patterns(states, who, self.n_units, name="states")
        return S.astype(self._counts.dtype), single

    def field(self, states) -> np.ndarray:
        """The input h = W s to every unit, (B, N) (or (N,) for one state)."""
        S, single = self._states(states, "Hopfield.field")
        h = (S @ self._columns) * self._scale         # row b: W @ S[b]
        return h[0] if single else h

    def energy(self, states) -> np.ndarray:
        """E = -1/2 s^T W s for each state, float64: (B,) (or a float for one state)."""
        S, single = self._states(states, "Hopfield.energy")
        e = self._energy(S)
        return e[0] if single else e

    def _energy(self, S: np.ndarray, H: np.ndarray | None = None) -> np.ndarray:
        """Energies of the rows of S; H = S @ counts if it is already known."""
        H = S @ self._counts if H is None else H
        return -0.5 * self._scale * (H.astype(np.float64) * S).sum(axis=1)

    def recall(self, cue, mode: str = "sync", max_steps: int = 100, rng=None,
               record: bool = True, record_every: int | None = None) -> Recall:
        """Run the dynamics from ``cue`` (N,) or (B, N) until every state stops changing
        (or, synchronously, falls into a 2-cycle), or for ``max_steps`` steps/sweeps.

        ``mode`` "sync" updates all units at once; "async" updates them one at a time
        in a random order (a new order each sweep, the same for every cue in the batch;
        ``rng`` seeds it). ``record`` keeps the whole trajectory; asynchronous runs
        record every ``record_every`` unit updates (default: once per sweep).
        """
        if mode not in ("sync", "async"):
            raise ValueError(f"Hopfield.recall: mode must be 'sync' or 'async', got {mode!r}")
        if not isinstance(max_steps, int | np.integer) or max_steps < 0:
            raise ValueError(f"Hopfield.recall: max_steps must be an integer >= 0, got "
                             f"{max_steps!r}")
        S, single = self._states(cue, "Hopfield.recall")
        if mode == "sync":
            out = self._run_sync(S, int(max_steps), record)
        else:
            every = self.n_units if record_every is None else int(record_every)
            if every < 1:
                raise ValueError(f"Hopfield.recall: record_every must be >= 1, got "
                                 f"{record_every!r}")
            out = self._run_async(S, int(max_steps), _rng.generator(rng), record, every)
        if single:
            out = Recall(out.final[0], out.states[:, 0], out.energies[:, 0], out.time,
                         out.converged[0], out.cycled[0], out.steps)
        return out

    def _run_sync(self, S: np.ndarray, max_steps: int, record: bool) -> Recall:
        C = self._columns
        H = S @ C                                     # (B, N) inputs W s, kept up to date
        last_flip = np.zeros(S.shape, bool)           # the units each state flipped last step
        converged = np.zeros(len(S), bool)
        cycled = np.zeros(len(S), bool)
        states, times, energies = [S.copy()], [0.0], [self._energy(S, H)]
        steps = 0
        for step in range(1, max_steps + 1):
            act = np.flatnonzero(~(converged | cycled))
            every = act.size == len(S)
            rows = slice(None) if every else act      # plain slices avoid copies
            s = S[rows]
            flip = H[rows] * s < 0                    # input opposes the state (0 keeps it)
            fixed = ~flip.any(axis=1)
            # flipping the same units as last step undoes it: a 2-cycle
            cycle = ~fixed & (flip == last_flip[rows]).all(axis=1)
            converged[act[fixed]] = True
            cycled[act[cycle]] = True
            move = ~(fixed | cycle)
            if not move.any():
                break
            if not move.all():
                rows, s, flip = act[move], s[move], flip[move]
            delta = np.where(flip, -2 * s, 0).astype(S.dtype)   # new - old: 0 or -+2
            units = np.flatnonzero(flip.any(axis=0))            # only the units that flipped
            H[rows] += delta[:, units] @ C[units]
            S[rows] = s + delta
            last_flip[rows] = flip
            steps = step
            if record:
                states.append(S.copy())
                times.append(float(step))
                energies.append(self._energy(S, H))
        if not record:
            states, times = [states[0], S.copy()], [0.0, float(steps)]
            energies.append(self._energy(S, H))
        return self._finish(S, states, times, converged, cycled, steps, energies)

    def _run_async(self, S: np.ndarray, max_steps: int, gen, record: bool,
                   every: int) -> Recall:
        C, N = self._counts, self.n_units
        cols = self._columns                          # unit i changing moves inputs by cols[i]
        T = np.ascontiguousarray(S.T)                 # (N, B): unit i's states are T[i]
        H = C @ T                                     # (N, B) inputs, kept up to date

        def energy() -> np.ndarray:
            return -0.5 * self._scale * (H.astype(np.float64) * T).sum(axis=0)

        states, times, energies = [S.copy()], [0.0], [energy()]
        converged = np.zeros(len(S), bool)
        done = sweep = 0
        while sweep < max_steps:
            sweep += 1
            changed = np.zeros(len(S), bool)
            h, t = H[:, 0], T[:, 0]                   # one state: scalar tests are faster
            for i in gen.permutation(N).tolist():
                if len(S) == 1:
                    if h[i] * t[i] < 0:               # input opposes the state (0 keeps it)
                        d = -2 * t[i]
                        t[i] += d
                        h += d * cols[i]              # every input moves with unit i
                        changed[0] = True
                else:
                    flip = H[i] * T[i] < 0
                    if flip.any():
                        delta = np.where(flip, -2 * T[i], 0).astype(T.dtype)
                        T[i] += delta
                        H += cols[i][:, None] * delta     # rank-1 update of every input
                        changed |= flip
                done += 1
                if record and done % every == 0:
                    states.append(T.T.copy())
                    times.append(done / N)
                    energies.append(energy())
            converged |= ~changed
            if converged.all():
                break
        final = T.T.copy()
        if not record or times[-1] != done / N:
            states.append(final)
            times.append(done / N)
            energies.append(energy())
        return self._finish(final, states, times, converged, np.zeros(len(S), bool), sweep,
                            energies)

    def _finish(self, S, states, times, converged, cycled, steps, energies=None) -> Recall:
        stack = np.stack(states).astype(np.float32)
        if energies is None:
            energies = [self._energy(s.astype(self._counts.dtype)) for s in states]
        energies = np.stack(energies)
        return Recall(S.astype(np.float32), stack, energies, np.array(times), converged,
                      cycled, int(steps))


@dataclass
class CapacityResult:
    """Final overlaps of a capacity sweep: ``overlaps`` (A, trials, probes) for the
    loads ``alphas`` (A,) at ``n_units``; ``mean`` (A,) averages trials and probes."""

    n_units: int
    alphas: np.ndarray
    overlaps: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        return self.overlaps.mean(axis=(1, 2))


def capacity_sweep(n_units: int, alphas, trials: int = 4, probes: int = 50, rng=None,
                   max_steps: int = 1000) -> CapacityResult:
    """Amit-Gutfreund-Sompolinsky's experiment: final overlap m against the load.

    For each trial, draw random patterns; for each alpha in increasing order, store
    round(alpha N) of them (adding to those already stored), start synchronous recall
    at the first ``probes`` stored patterns, and record the final overlap of each with
    the pattern it started from.
    """
    alphas = np.asarray(alphas, dtype=np.float64)
    if alphas.ndim != 1 or alphas.size == 0 or np.any(np.diff(alphas) <= 0) or alphas[0] <= 0:
        raise ValueError(f"capacity_sweep: alphas must be positive and increasing, got {alphas}")
    counts = np.round(alphas * n_units).astype(int)
    if counts[0] < probes:
        raise ValueError(f"capacity_sweep: the smallest load stores {counts[0]} patterns, fewer "
                         f"than probes={probes}; raise alphas[0] or lower probes")
    gen = _rng.generator(rng)
    out = np.empty((len(alphas), trials, probes))
    for t in range(trials):
        X = random_patterns(counts[-1], n_units, gen)
        net = Hopfield(n_units)
        for a, P in enumerate(counts):
            net.store(X[net.n_patterns:P])
            final = net.recall(X[:probes], max_steps=max_steps, record=False).final
            out[a, t] = overlap(final, X[:probes])
    return CapacityResult(n_units, alphas, out)


_erf = np.vectorize(math.erf, otypes=[float])


def _ags_g(y: np.ndarray) -> np.ndarray:
    """sqrt(2 alpha) as a function of y = m / sqrt(2 alpha r) on the retrieval branch."""
    return _erf(y) / y - 2 / math.sqrt(math.pi) * np.exp(-y * y)


def _ags_peak() -> float:
    """The y at which _ags_g peaks (golden-section search): the critical point."""
    lo, hi = 0.5, 3.0
    for _ in range(80):
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if _ags_g(np.array([a]))[0] < _ags_g(np.array([b]))[0]:
            lo = a
        else:
            hi = b
    return 0.5 * (lo + hi)


def ags_critical_load() -> tuple[float, float]:
    """(alpha_c, m_c): the largest load at which a retrieval state exists in the
    zero-temperature, replica-symmetric theory of Amit, Gutfreund & Sompolinsky
    (1985, 1987), and that state's overlap there: about (0.138, 0.967)."""
    y = _ags_peak()
    return float(_ags_g(np.array([y]))[0] ** 2 / 2), math.erf(y)


def ags_overlap(alpha):
    """The retrieval overlap m(alpha) of the same theory; NaN where no retrieval state
    exists (alpha > alpha_c). A float for a float, an array for an array.

    It solves y (sqrt(2 alpha) + (2/sqrt(pi)) exp(-y^2)) = erf(y) for the largest y and
    returns m = erf(y) (the equations as written in Hertz, Krogh & Palmer 1991, ch. 2).
    """
    scalar = np.ndim(alpha) == 0
    alpha = np.atleast_1d(np.asarray(alpha, dtype=np.float64))
    if np.any(~(alpha > 0)):
        raise ValueError(f"ags_overlap: loads must be positive, got {alpha}")
    y_c = _ags_peak()
    alpha_c = _ags_g(np.array([y_c]))[0] ** 2 / 2
    out = np.full(alpha.shape, np.nan)
    ok = alpha <= alpha_c
    target = np.sqrt(2 * alpha[ok])
    lo, hi = np.full(target.shape, y_c), np.full(target.shape, 50.0)
    for _ in range(60):                  # bisection: g falls from its peak towards 0
        mid = 0.5 * (lo + hi)
        above = _ags_g(mid) > target
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    out[ok] = _erf(0.5 * (lo + hi))
    return float(out[0]) if scalar else out


def modern_update(patterns, state, beta: float):
    """One step of modern Hopfield retrieval: softmax(beta state X^T) X.

    ``patterns`` X (P, d) and ``state`` (d,) or (B, d) may hold any real numbers. If
    either is a brainnet Tensor the step is built from brainnet ops and is
    differentiable; otherwise it runs in numpy.
    """
    if not (np.isscalar(beta) and np.isfinite(beta) and beta > 0):
        raise ValueError(f"modern_update: beta must be a positive number, got {beta!r}")
    if isinstance(patterns, Tensor) or isinstance(state, Tensor):
        X, q = as_tensor(patterns), as_tensor(state)
        _check_modern(X.shape, q.shape)
        return ((q @ X.T) * beta).softmax(axis=-1) @ X
    X, q = np.asarray(patterns), np.asarray(state)
    _check_modern(X.shape, q.shape)
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(q))):
        raise ValueError("modern_update: patterns and state must be finite (no NaN or inf)")
    dtype = np.result_type(X.dtype, q.dtype, np.float32)
    X, q = X.astype(dtype, copy=False), q.astype(dtype, copy=False)
    weights = numerics.softmax((q @ X.T) * dtype.type(beta))   # (B, P): over the patterns
    return weights @ X


def _check_modern(x_shape, q_shape) -> None:
    if len(x_shape) != 2 or 0 in x_shape:
        raise ValueError(f"modern_update: patterns must be a non-empty (P, d) array, got "
                         f"shape {x_shape}")
    if len(q_shape) not in (1, 2) or q_shape[-1] != x_shape[1]:
        raise ValueError(f"modern_update: state must be (d,) or (B, d) with d = {x_shape[1]} "
                         f"to match patterns {x_shape}, got shape {q_shape}")


def modern_recall(patterns, cue, beta: float, steps: int = 1) -> np.ndarray:
    """Apply ``modern_update`` ``steps`` times, starting at ``cue``; returns the state."""
    if not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"modern_recall: steps must be a positive integer, got {steps!r}")
    state = cue
    for _ in range(steps):
        state = modern_update(patterns, state, beta)
    return state
