"""The training loop (train.py): history, accuracy on digits, divergence, early stopping,
progress display."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

import brainnet as bn
import brainnet.functional as F
from brainnet import TrainingDiverged, data, evaluate, fit, nn, optim


def mlp(seed: int = 0, hidden: int = 16, inputs: int = 2, classes: int = 2):
    return nn.Sequential(nn.Linear(inputs, hidden, rng=seed), nn.ReLU(),
                         nn.Linear(hidden, classes, rng=seed + 100))


@pytest.fixture(scope="module")
def digits():
    return data.load_digits()            # normalise="standard"


# ------------------------------------------------------------------- history
def test_history_keys_and_lengths():
    X, y = data.make_moons(n=100)
    Xv, yv = data.make_moons(n=40, rng=1)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, opt, X, y, epochs=4, batch_size=32, val_data=(Xv, yv),
                  scheduler=optim.StepLR(opt, 2, 0.5), progress=False)
    assert set(history) == {"loss", "acc", "val_loss", "val_acc", "lr", "time"}
    assert all(len(v) == 4 for v in history.values())
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05]            # the rate used in each epoch
    assert history["time"] == sorted(history["time"])
    assert all(0 <= a <= 1 for a in history["acc"] + history["val_acc"])
    assert history["loss"][-1] < history["loss"][0]
    assert model.training                                     # evaluate restored the mode


def test_history_without_validation_or_classes():
    X = np.random.default_rng(0).standard_normal((50, 3)).astype(np.float32)
    y = X @ np.array([[1.0], [-2.0], [0.5]], np.float32)      # regression target (50, 1)
    model = nn.Linear(3, 1, rng=0)
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, epochs=30,
                  loss_fn=F.mse_loss, progress=False)
    assert set(history) == {"loss", "lr", "time"}
    assert history["loss"][-1] < 0.05 * history["loss"][0]
    assert evaluate(model, X, y, loss_fn=F.mse_loss)[1] is None


def test_fit_argument_errors():
    X, y = data.make_moons(n=20)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="fit: epochs must be a positive integer, got 0"):
        fit(model, opt, X, y, epochs=0)
    with pytest.raises(ValueError, match=r"fit: early stopping \(patience\) needs val_data"):
        fit(model, opt, X, y, patience=3)


def test_evaluate_and_accuracy():
    logits = np.array([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]])
    assert bn.accuracy(logits, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert bn.accuracy(bn.tensor(logits), bn.tensor(np.array([0, 1, 0]))) == 1.0
    model = mlp()
    X, y = data.make_moons(n=30)
    loss, acc = evaluate(model.train(), X, y, batch_size=7)
    assert loss == pytest.approx(F.cross_entropy(model(X), y).item(), rel=1e-5)
    assert acc == bn.accuracy(model(X), y) and model.training


# ----------------------------------------------------------------- accuracy
def test_digits_mlp_reaches_97_percent(digits):
    """MLP 64-128-10 (ReLU), Adam lr 1e-3, batch 64, 60 epochs, standardised pixels.

    Measured over 12 seeds: test accuracy 0.967 to 0.978, mean 0.974. A single seed can
    land just under 0.97 (450 test images: one image is 0.0022), so the claim tested is
    the mean over five seeds (0.975 for seeds 0-4), with a floor of 0.96 for each."""
    # One BLAS thread: as fast as two at these sizes, and 10x steadier under load.
    with threadpool_limits(1, user_api="blas"):
        accuracies = [_digits_accuracy(digits, seed) for seed in range(5)]
    assert np.mean(accuracies) >= 0.97, accuracies
    assert min(accuracies) >= 0.96, accuracies


def _digits_accuracy(digits, seed: int) -> float:
    model = nn.Sequential(nn.Linear(64, 128, rng=seed), nn.ReLU(),
                          nn.Linear(128, 10, rng=seed + 100))
    fit(model, optim.Adam(model.parameters(), lr=1e-3), digits.X_train, digits.y_train,
        epochs=60, batch_size=64, rng=seed, progress=False)
    return evaluate(model, digits.X_test, digits.y_test)[1]


# --------------------------------------------------------------- divergence
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("lr, batch_size", [(1e30, 16), (1e39, 32)])
def test_divergence_raises_with_a_hint_and_restores_finite_weights(lr, batch_size):
    """lr 1e30: the loss turns NaN mid-training. lr 1e39: the very last step of the
    first epoch overflows the weights themselves (one batch per epoch)."""
    X = np.random.default_rng(0).standard_normal((32, 4)).astype(np.float32)
    y = np.arange(32) % 2
    model = mlp(inputs=4)
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, optim.SGD(model.parameters(), lr=lr), X, y, epochs=5,
            batch_size=batch_size, progress=False)
    message = str(caught.value)
    assert "in epoch 1" in message or "in epoch 2" in message
    assert "Try a smaller learning rate" in message and f"{lr / 10:g}" in message
    assert "restored" in message
    assert all(np.isfinite(p.data).all() for p in model.parameters())
    assert isinstance(caught.value, FloatingPointError)
    history = caught.value.history
    assert len(history["loss"]) in (0, 1) and all(np.isfinite(history["loss"]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_after_good_epochs_restores_the_last_good_epoch():
    X, y = data.make_moons(n=64)
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    fit(model, opt, X, y, epochs=2, batch_size=16, progress=False)
    good = model.state_dict()

    class Explode(optim.SGD):
        """SGD that blows up in the second epoch of the next run."""
        calls = 0

        def step(self):
            Explode.calls += 1
            if Explode.calls > 4:
                self.lr = 1e39
            super().step()

    with pytest.raises(TrainingDiverged, match=r"epoch 2.*restored to the end of epoch 1"):
        fit(model, Explode(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=16,
            progress=False)
    after_first = model.state_dict()
    assert all(np.isfinite(v).all() for v in after_first.values())
    assert any(not np.array_equal(good[k], after_first[k]) for k in good)   # epoch 1 kept


# ------------------------------------------------------------ early stopping
def test_early_stopping_restores_the_best_epoch():
    """Validation labels are the training labels flipped, so validation loss rises as
    training improves: the best epoch is the first, and patience 2 stops at epoch 3."""
    X, y = data.make_moons(n=200, noise=0.05)
    model = mlp()
    history = fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, epochs=20,
                  batch_size=50, val_data=(X, 1 - y), patience=2, progress=False)
    best = int(np.argmin(history["val_loss"]))
    assert history["stopped_epoch"] == best + 1 + 2
    assert len(history["loss"]) == history["stopped_epoch"]
    assert evaluate(model, X, 1 - y)[0] == pytest.approx(history["val_loss"][best], rel=1e-6)


# ------------------------------------------------------------------ progress
def test_progress_line_on_a_terminal(capsys):
    X, y = data.make_moons(n=40)
    model = mlp()
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert err.count("\r") == 3 and err.endswith("\n")       # one line, updated in place
    assert "epoch 3/3  loss" in err


def test_progress_is_silent_by_default_on_short_runs(capsys):
    X, y = data.make_moons(n=40)
    model = mlp()
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2)
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_in_a_kernel_updates_one_display(monkeypatch):
    """In Jupyter the line is one display that is updated, not printed again."""
    import IPython
    import IPython.display

    shown = []

    class Handle:
        def update(self, obj, raw):
            shown.append(("update", obj["text/plain"]))

    def display(obj, raw, display_id):
        shown.append(("display", obj["text/plain"]))
        return Handle()

    monkeypatch.setattr(IPython, "get_ipython", lambda: type("Shell", (), {"kernel": 1})())
    monkeypatch.setattr(IPython.display, "display", display)
    X, y = data.make_moons(n=40)
    model = mlp()
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, progress=True)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    assert shown[-1][1].startswith("epoch 3/3")


def test_progress_is_silenced_by_the_environment(monkeypatch, capsys):
    from brainnet.train import Progress

    monkeypatch.setenv("BRAINNET_PROGRESS", "0")
    bar = Progress(True)
    bar.update("step 1/2", final=True)
    assert capsys.readouterr().err == ""
    monkeypatch.delenv("BRAINNET_PROGRESS")
    Progress(True).update("step 2/2", final=True)
    assert "step 2/2" in capsys.readouterr().err


def test_progress_yields_every_item_and_ends_the_line(capsys):
    from brainnet.train import progress

    assert list(progress(range(5), "steps", enabled=True, every=0.0)) == [0, 1, 2, 3, 4]
    err = capsys.readouterr().err
    assert "steps: 1/5" in err and err.endswith("steps: 5/5\n")
    assert list(progress(iter("ab"), "letters", enabled=False)) == ["a", "b"]
    assert capsys.readouterr().err == ""
