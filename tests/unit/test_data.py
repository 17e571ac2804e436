"""Datasets and batching (data.py): toy sets, the digits split, DataLoader."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import brainnet.functional as F
from brainnet import data, fit, nn, optim

TOYS = {
    "xor": data.make_xor, "moons": data.make_moons, "circles": data.make_circles,
    "spirals": data.make_spirals,
}


# ----------------------------------------------------------------- toy sets
@pytest.mark.parametrize("name", sorted(TOYS))
def test_toy_sets_shapes_dtypes_and_seeding(name):
    make = TOYS[name]
    X, y = make(n=200, rng=3)
    assert X.shape == (200, 2) and X.dtype == np.float32
    assert y.shape == (200,) and y.dtype == np.int64
    X2, y2 = make(n=200, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n=200, rng=4)
    assert not np.array_equal(X, X3)
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", sorted(TOYS))
def test_toy_sets_are_class_balanced_and_shuffled(name):
    X, y = TOYS[name](n=200)
    counts = Counter(y.tolist())
    assert max(counts.values()) - min(counts.values()) <= 1
    assert len(counts) == (2 if name != "spirals" else 2)
    assert len(set(y[:10].tolist())) > 1                      # not sorted by class


def test_spirals_with_more_classes_and_noise_levels():
    _, y = data.make_spirals(n=301, n_classes=3)
    assert sorted(Counter(y.tolist()).values()) == [100, 100, 101]
    clean, _ = data.make_xor(n=100, noise=0.0)
    assert set(np.unique(np.abs(clean))) == {1.0}             # exactly on the corners
    with pytest.raises(ValueError, match="noise must be non-negative"):
        data.make_moons(noise=-1.0)
    with pytest.raises(ValueError, match="make_xor: n must be at least 4, got 2"):
        data.make_xor(n=2)
    with pytest.raises(ValueError, match=r"make_circles: factor must be in \(0, 1\)"):
        data.make_circles(factor=1.5)


def test_circles_radii():
    X, y = data.make_circles(n=400, noise=0.0, factor=0.3)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)


def _train(model, X, y, epochs):
    fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, epochs=epochs, batch_size=50,
        progress=False)
    return (model(X).data.argmax(1) == y).mean()


def test_xor_is_not_linearly_separable():
    """The best straight line gets 3 of the 4 clusters right: ~0.75. One hidden layer
    solves it."""
    X, y = data.make_xor(n=400, noise=0.2)
    linear = _train(nn.Linear(2, 2, rng=0), X, y, epochs=60)
    assert linear <= 0.8
    mlp = _train(nn.Sequential(nn.Linear(2, 8, rng=0), nn.Tanh(), nn.Linear(8, 2, rng=1)),
                 X, y, epochs=60)
    assert mlp >= 0.95


# -------------------------------------------------------------------- digits
def test_load_digits_stratified_75_25():
    split = data.load_digits(normalise=None)
    X_train, y_train, X_test, y_test = split                  # unpacks
    assert X_train.shape == (1347, 64) and X_test.shape == (450, 64)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    total = Counter(np.concatenate([y_train, y_test]).tolist())
    test = Counter(y_test.tolist())
    for c, n in total.items():
        assert abs(test[c] - 0.25 * n) <= 1, f"class {c}: {test[c]} of {n} in test"
    # every image lands on exactly one side
    from sklearn.datasets import load_digits
    rows = Counter(map(bytes, np.concatenate([X_train, X_test]).astype(np.uint8)))
    assert rows == Counter(map(bytes, load_digits().data.astype(np.uint8)))
    assert X_train.min() == 0 and X_train.max() == 16


def test_digits_table_is_scikit_learns_copy_row_for_row():
    # load_digits reads the file itself, to skip importing scikit-learn (over a second)
    from sklearn.datasets import load_digits

    reference = load_digits()
    table = data._digits_table()
    np.testing.assert_array_equal(table[:, :-1], reference.data)
    np.testing.assert_array_equal(table[:, -1].astype(np.int64), reference.target)


def test_a_missing_data_package_is_named(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ImportError, match="load_digits: the data come with the package "
                                          "sklearn, which is not installed"):
        data.load_digits()


def test_load_digits_normalisation_and_images():
    std = data.load_digits()                                  # "standard" by default
    used = std.X_train.std(0) > 0.1                           # some border pixels are always 0
    np.testing.assert_allclose(std.X_train.mean(0), 0, atol=1e-5)
    # std + 1e-3 guards always-blank pixels, so rarely-inked ones come out slightly below 1
    assert (std.X_train.std(0)[used] <= 1).all() and (std.X_train.std(0)[used] > 0.95).all()
    assert np.median(std.X_train.std(0)[used]) > 0.999
    unit = data.load_digits(normalise="unit")
    assert unit.X_train.min() == 0.0 and unit.X_train.max() == 1.0
    images = data.load_digits(images=True, normalise="unit")
    assert images.X_train.shape == (1347, 1, 8, 8) and images.X_test.shape == (450, 1, 8, 8)
    np.testing.assert_array_equal(images.X_train.reshape(-1, 64), unit.X_train)
    with pytest.raises(ValueError, match="normalise must be 'unit', 'standard' or None"):
        data.load_digits(normalise="minmax")


def test_load_digits_split_is_seeded():
    a, b, c = data.load_digits(rng=0), data.load_digits(rng=0), data.load_digits(rng=1)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.ones((4, 1)), y=np.arange(4) % 2, test_size=0.0), r"test_size must be a "
                                                                 r"fraction in \(0, 1\)"),
    (dict(X=np.ones((4, 1)), y=np.arange(4) % 2, test_size=1.0), "fraction"),
    (dict(X=np.ones((4, 1)), y=np.arange(4) % 2, test_size=50), "fraction"),
    (dict(X=np.ones((5, 1)), y=np.array([0, 0, 0, 0, 1])), r"class 1 has 1 example\(s\); "
                                                           r"test_size=0.25 leaves none of "
                                                           r"them on one side.*stratify=False"),
    (dict(X=np.ones((3, 1)), y=np.arange(3), stratify=False, test_size=0.1),
     r"the data has 3 example\(s\); test_size=0.1 leaves none"),
    (dict(X=np.ones((0, 1)), y=np.zeros(0)), "no data to split"),
    (dict(X=np.ones((3, 1)), y=np.arange(4)), "X has 3 rows but y has 4"),
])
def test_impossible_splits_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.train_test_split(**kwargs)


def test_unstratified_split():
    split = data.train_test_split(np.arange(20)[:, None], np.arange(20) % 2, 0.3,
                                  stratify=False)
    assert len(split.y_test) == 6 and len(split.y_train) == 14
    assert set(split.X_train[:, 0]) | set(split.X_test[:, 0]) == set(range(20))


# ---------------------------------------------------------------- DataLoader
def _epoch(loader):
    return [(xb.data.copy(), yb.data.copy()) for xb, yb in loader]


@pytest.mark.parametrize("shuffle", [True, False])
def test_every_example_once_per_epoch(shuffle):
    X, y = np.arange(103, dtype=np.float32)[:, None], np.arange(103)
    loader = data.DataLoader(X, y, batch_size=10, shuffle=shuffle, rng=0)
    assert len(loader) == 11
    for _ in range(2):
        batches = _epoch(loader)
        assert [len(b[1]) for b in batches] == [10] * 10 + [3]
        seen = np.concatenate([b[1] for b in batches])
        assert sorted(seen.tolist()) == list(range(103))
        for xb, yb in batches:                                 # x and y stay paired
            np.testing.assert_array_equal(xb[:, 0], yb)
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(103))


def test_drop_last():
    loader = data.DataLoader(np.zeros((103, 2)), np.zeros(103), batch_size=10, drop_last=True,
                             rng=0)
    assert len(loader) == 10
    assert [len(yb) for _, yb in loader] == [10] * 10


def test_shuffle_is_reproducible_and_changes_each_epoch():
    X = np.arange(50)[:, None]
    first = [yb.data.tolist() for _, yb in data.DataLoader(X, np.arange(50), 8, rng=4)]
    again = [yb.data.tolist() for _, yb in data.DataLoader(X, np.arange(50), 8, rng=4)]
    assert first == again
    loader = data.DataLoader(X, np.arange(50), 8, rng=4)
    e1, e2 = _epoch(loader), _epoch(loader)
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(e1, e2, strict=True))


def test_loader_without_labels_and_errors():
    batches = list(data.DataLoader(np.ones((5, 2)), batch_size=2, shuffle=False))
    assert [b.shape for b in batches] == [(2, 2), (2, 2), (1, 2)]
    with pytest.raises(ValueError, match="DataLoader: X has 5 rows but y has 4"):
        data.DataLoader(np.ones((5, 2)), np.ones(4))
    with pytest.raises(ValueError, match="DataLoader: batch_size must be positive, got 0"):
        data.DataLoader(np.ones((5, 2)), batch_size=0)


def test_loader_feeds_a_model():
    X, y = data.make_moons(n=64)
    model = nn.Linear(2, 2, rng=0)
    for xb, yb in data.DataLoader(X, y, batch_size=16, rng=0):
        assert F.cross_entropy(model(xb), yb).shape == ()


# ----------------------------------------------------------------- Shakespeare
def test_shakespeare_is_plain_ascii_with_speakers_and_two_plays_held_out():
    train, held_out = data.shakespeare()
    assert len(train) > 4_000_000 and 150_000 < len(held_out) < 250_000
    assert train.isascii() and held_out.isascii()
    assert "MACBETH:" in held_out and "MACBETH:" not in train
    assert "PROSPERO:" in held_out
    assert "#" not in train and "**" not in train
    assert len(set(train)) < 100


def test_shakespeare_names_a_missing_play():
    with pytest.raises(ValueError, match="no play named"):
        data.shakespeare(held_out=("hamlett",))


def test_grasshopper_recording_is_the_published_one():
    from brainnet.data import grasshopper

    rec = grasshopper()
    assert rec.dt == 0.05 and len(rec.stimulus) == 200_000 and rec.duration == 10_000
    assert len(rec.spikes) == 929 and 0 < rec.spikes.min() and rec.spikes.max() < 10_000
    assert abs(rec.stimulus.max() - 76.4286) < 1e-9
    assert 5.5 < rec.stimulus.std() < 6.5                     # the header's SD of 6 dB
    assert len(grasshopper(2).spikes) > 0
    with pytest.raises(ValueError, match="cell must be 1 or 2"):
        grasshopper(3)


def test_mt_bold_is_the_documented_experiment():
    from brainnet.data import mt_bold

    rec = mt_bold()
    assert rec.bold.shape == rec.events.shape == (3360,) and rec.tr == 2.0
    assert rec.duration == 6720.0
    types, counts = np.unique(rec.events[rec.events > 0], return_counts=True)
    np.testing.assert_array_equal(types, np.arange(1, 7))
    np.testing.assert_array_equal(counts, 96)
    assert abs(rec.bold.mean()) < 0.01


def test_rest_bold_has_the_documented_regions():
    from brainnet.data import rest_bold

    rec = rest_bold()
    assert rec.bold.shape == (250, 28) and len(rec.regions) == 28 and rec.tr == 1.89
    assert {"LHip", "RHip", "LPCC", "RPCC"} <= set(rec.regions)
    assert not {"WM", "Vent", "Brain"} & set(rec.regions)
