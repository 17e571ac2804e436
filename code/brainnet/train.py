"""``fit``: the training loop every chapter would otherwise write again.

It runs epochs of minibatch updates, records a history, shows one updating progress
line on long runs, can stop early on a validation set, and stops with a clear error if
the loss diverges, restoring the last good weights.

    history = fit(model, optim.Adam(model.parameters(), 1e-3), X, y, epochs=30,
                  val_data=(X_test, y_test))
    history["val_acc"][-1]
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np

from . import functional as F
from .autograd import no_grad
from .data import DataLoader, Seed
from .tensor import Tensor


class TrainingDiverged(FloatingPointError):
    """The loss or the weights became NaN or infinite. ``history`` holds the epochs
    completed, and the model holds the last finite weights."""

    def __init__(self, message: str, history: dict):
        super().__init__(message)
        self.history = history


def accuracy(logits, y) -> float:
    """Fraction of rows whose largest score is at the true class."""
    scores = logits.data if isinstance(logits, Tensor) else np.asarray(logits)
    labels = y.data if isinstance(y, Tensor) else np.asarray(y)
    return float((scores.argmax(axis=-1) == labels).mean())


def evaluate(model, X, y, loss_fn: Callable = F.cross_entropy,
             batch_size: int = 1024) -> tuple[float, float | None]:
    """Mean loss (and accuracy, for integer labels) in eval mode, without a graph."""
    was_training = model.training
    model.eval()
    total_loss, correct, n = 0.0, 0.0, 0
    classify = np.asarray(y.data if isinstance(y, Tensor) else y).dtype.kind in "iu"
    with no_grad():
        for xb, yb in DataLoader(X, y, batch_size=batch_size, shuffle=False):
            out = model(xb)
            total_loss += loss_fn(out, yb).item() * len(xb)
            if classify:
                correct += accuracy(out, yb) * len(xb)
            n += len(xb)
    model.train(was_training)
    return total_loss / n, (correct / n if classify else None)


class _Progress:
    """One line that updates in place: a display handle in Jupyter, a carriage return
    on a terminal, silence when output goes to a file."""

    def __init__(self, enabled: bool | None):
        self.enabled, self.handle, self.started = enabled, None, time.perf_counter()
        self.shown = False

    def update(self, text: str, final: bool = False) -> None:
        elapsed = time.perf_counter() - self.started
        if self.enabled is False or (self.enabled is None and elapsed < 2.0 and not self.shown):
            return
        self.shown = True
        try:
            from IPython import get_ipython
            from IPython.display import display
            in_kernel = get_ipython() is not None and hasattr(get_ipython(), "kernel")
        except ImportError:
            in_kernel = False
        if in_kernel:
            if self.handle is None:
                self.handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                self.handle.update({"text/plain": text}, raw=True)
        elif sys.stderr.isatty() or self.enabled:
            sys.stderr.write("\r" + text + ("\n" if final else ""))
            sys.stderr.flush()


Progress = _Progress
"""Public name for custom training loops: ``bar = Progress(None)`` then
``bar.update(f"step {i}: loss {loss:.3f}")``; it appears only once a run takes over 2 s."""


def _diverged(model, good_state: dict, optimizer, history: dict, what: str,
              epoch: int) -> TrainingDiverged:
    """Restore the last good weights and build the error that says what to try."""
    model.load_state_dict(good_state)
    restored = "their initial values" if epoch == 1 else f"the end of epoch {epoch - 1}"
    return TrainingDiverged(
        f"fit: {what} with learning rate {optimizer.lr:g}. Training stopped and the weights "
        f"were restored to {restored}. Try a smaller learning rate (e.g. "
        f"{optimizer.lr / 10:g}), or check the inputs for NaN/inf.", history)


def fit(model, optimizer, X, y, epochs: int = 10, batch_size: int = 64,
        loss_fn: Callable = F.cross_entropy, val_data: tuple | None = None,
        scheduler=None, patience: int | None = None, rng: Seed = 0,
        progress: bool | None = None) -> dict:
    """Train ``model`` on (X, y) with minibatches; return the per-epoch history.

    Args:
        val_data: optional (X_val, y_val), evaluated after every epoch.
        scheduler: optional learning-rate schedule, stepped once per epoch.
        patience: early stopping: stop after this many epochs without a lower
            validation loss, and restore the weights of the best epoch.
        progress: True/False to force the progress line; None shows it only when
            training takes more than 2 seconds.

    Returns:
        dict of lists with one entry per epoch: ``loss`` and ``acc`` (training, averaged
        over the epoch's batches), ``val_loss``/``val_acc`` (if val_data), ``lr`` and
        ``time`` (seconds since the start). ``acc`` is present for integer labels only;
        ``stopped_epoch`` (an int) if early stopping ended the run.
    """
    if epochs <= 0:
        raise ValueError(f"fit: epochs must be positive, got {epochs}.")
    if patience is not None and val_data is None:
        raise ValueError("fit: early stopping (patience) needs val_data.")
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, rng=rng)
    classify = loader.y is not None and loader.y.dtype.kind in "iu"
    history: dict[str, list] = {"loss": [], "lr": [], "time": []}
    if classify:
        history["acc"] = []
    if val_data is not None:
        history["val_loss"] = []
        if classify:
            history["val_acc"] = []
    bar = _Progress(progress)
    good_state = model.state_dict()
    best = (math.inf, good_state)
    stale = 0
    start = time.perf_counter()
    model.train()
    for epoch in range(1, epochs + 1):
        total, correct, seen = 0.0, 0.0, 0
        for batch, (xb, yb) in enumerate(loader, start=1):
            out = model(xb)
            loss = loss_fn(out, yb)
            value = loss.item()
            if not math.isfinite(value):
                raise _diverged(model, good_state, optimizer, history,
                                f"the loss became {value} in epoch {epoch} (batch {batch})",
                                epoch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += value * len(xb)
            seen += len(xb)
            if classify:
                correct += accuracy(out, yb) * len(xb)
        # The last step of the epoch can overflow the weights after its (finite) loss
        # was seen; never keep such weights as the "good" state.
        if not all(np.isfinite(p.data).all() for p in model.parameters()):
            raise _diverged(model, good_state, optimizer, history,
                            f"the weights became NaN or infinite in epoch {epoch}", epoch)
        history["loss"].append(total / seen)
        history["lr"].append(optimizer.lr)
        if classify:
            history["acc"].append(correct / seen)
        line = f"epoch {epoch}/{epochs}  loss {total / seen:.4f}"
        if val_data is not None:
            val_loss, val_acc = evaluate(model, *val_data, loss_fn=loss_fn)
            history["val_loss"].append(val_loss)
            line += f"  val_loss {val_loss:.4f}"
            if classify:
                history["val_acc"].append(val_acc)
                line += f"  val_acc {val_acc:.3f}"
        history["time"].append(time.perf_counter() - start)
        good_state = model.state_dict()
        if scheduler is not None:
            scheduler.step()
        bar.update(line + f"  ({history['time'][-1]:.1f} s)", final=epoch == epochs)
        if patience is not None:
            if history["val_loss"][-1] < best[0]:
                best, stale = (history["val_loss"][-1], good_state), 0
            else:
                stale += 1
                if stale >= patience:
                    model.load_state_dict(best[1])
                    history["stopped_epoch"] = epoch
                    bar.update(line + "  early stop; best epoch restored", final=True)
                    break
    return history
