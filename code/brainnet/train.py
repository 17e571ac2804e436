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
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functional as F
from .autograd import no_grad
from .data import DataLoader
from .rng import Seed
from .tensor import Tensor


class TrainingDiverged(FloatingPointError):
    """The loss or the weights became NaN or infinite. ``history`` holds the epochs
    completed, and the model holds the last finite weights."""

    def __init__(self, message: str, history: dict):
        super().__init__(message)
        self.history = history


def accuracy(logits, y) -> float:
    """Fraction of rows whose largest score is at the true class.

    Shapes: logits (..., C), y (...,) integer labels.
    """
    scores = logits.data if isinstance(logits, Tensor) else np.asarray(logits)
    labels = y.data if isinstance(y, Tensor) else np.asarray(y)
    if scores.ndim == 0 or labels.shape != scores.shape[:-1]:
        hint = (" Flatten the labels: y.reshape(-1)." if labels.shape == scores.shape[:-1] + (1,)
                else "")
        raise ValueError(f"accuracy: scores of shape {scores.shape} need labels of shape "
                         f"{scores.shape[:-1]}, got {labels.shape}; comparing them would "
                         f"broadcast every prediction against every label.{hint}")
    if labels.size == 0:
        raise ValueError("accuracy: there are no examples (empty labels).")
    return float((scores.argmax(axis=-1) == labels).mean())


def evaluate(model, X, y, loss_fn: Callable = F.cross_entropy,
             batch_size: int = 1024) -> tuple[float, float | None]:
    """Mean loss (and accuracy, for integer labels) in eval mode, without a graph."""
    if len(X) == 0:
        raise ValueError("evaluate: the dataset is empty (0 examples); there is nothing to "
                         "evaluate.")
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


def in_kernel() -> bool:
    """True inside a Jupyter kernel (where output can be updated in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """One line that updates in place: a display handle in Jupyter, a carriage return
    on a terminal, silence when output goes to a file. For custom training loops:
    ``bar = Progress(None)``, then ``bar.update(f"step {i}: loss {loss:.3f}")``; with
    ``enabled=None`` it appears only once a run has taken more than 2 s. The
    environment variable ``BRAINNET_PROGRESS=0`` silences every bar: a built book is
    read after the run, where a finished progress line is only clutter."""

    def __init__(self, enabled: bool | None):
        if os.environ.get("BRAINNET_PROGRESS") == "0":
            enabled = False
        self.enabled, self.handle, self.started = enabled, None, time.perf_counter()
        self.shown = False

    def update(self, text: str, final: bool = False) -> None:
        elapsed = time.perf_counter() - self.started
        if self.enabled is False or (self.enabled is None and elapsed < 2.0 and not self.shown):
            return
        self.shown = True
        if in_kernel():
            from IPython.display import display

            if self.handle is None:
                self.handle = display({"text/plain": text}, raw=True, display_id=True)
            else:
                self.handle.update({"text/plain": text}, raw=True)
        elif sys.stderr.isatty() or self.enabled:
            sys.stderr.write("\r" + text + ("\n" if final else ""))
            sys.stderr.flush()


def progress(iterable, label: str, enabled: bool | None = None, every: float = 0.2):
    """Yield the items of ``iterable`` while one line shows how many are done, as
    tqdm's ``trange`` does: ``for step in progress(range(600), "training"): ...``.

    The line is the one ``Progress`` draws (shown only after 2 s unless ``enabled``),
    redrawn at most every ``every`` seconds, and always after the last item."""
    items = list(iterable) if not hasattr(iterable, "__len__") else iterable
    total, bar, drawn = len(items), Progress(enabled), -math.inf
    for done, item in enumerate(items, start=1):
        yield item
        now = time.perf_counter()
        if done == total or now - drawn >= every:
            bar.update(f"{label}: {done}/{total}", final=done == total)
            drawn = now


EXPLOSION = 1e3
"""fit stops when a batch's loss exceeds this many times the first batch's loss (or
the floor ``1e-2``, whichever is larger): a loss that grows a thousandfold is diverging,
and the weights are restored to before it took off."""


def _diverged(model, good_state: dict, optimizer, history: dict, what: str,
              good_epoch: int) -> TrainingDiverged:
    """Restore the last good weights and build the error that says what to try."""
    model.load_state_dict(good_state)
    restored = ("their initial values" if good_epoch == 0
                else f"the end of epoch {good_epoch}")
    return TrainingDiverged(
        f"fit: {what} with learning rate {optimizer.lr:g}. Training stopped and the weights "
        f"were restored to {restored}. Try a smaller learning rate (e.g. "
        f"{optimizer.lr / 10:g}), or check the inputs for NaN/inf.", history)


def _as_model_dtype(model, values):
    """Float data in the model's dtype, so that float64 arrays train a float32 model in
    float32 (the dtype rule); integers (labels) are left alone."""
    array = values.data if isinstance(values, Tensor) else np.asarray(values)
    params = list(model.parameters())
    if array.dtype.kind == "f" and params and array.dtype != params[0].dtype:
        array = array.astype(params[0].dtype)
    return array


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

    Raises:
        TrainingDiverged: the loss became NaN or infinite, or grew ``EXPLOSION`` times
            above its first value; the weights are restored to the last epoch before.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs <= 0:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}.")
    if patience is not None and val_data is None:
        raise ValueError("fit: early stopping (patience) needs val_data.")
    if len(X) == 0:
        raise ValueError("fit: the training set is empty (0 examples); there is nothing to "
                         "learn from.")
    X, y = _as_model_dtype(model, X), _as_model_dtype(model, y)
    if val_data is not None:
        val_data = tuple(_as_model_dtype(model, v) for v in val_data)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=True, rng=rng)
    classify = loader.y is not None and loader.y.dtype.kind in "iu"
    history: dict[str, Any] = {"loss": [], "lr": [], "time": []}
    if classify:
        history["acc"] = []
    if val_data is not None:
        history["val_loss"] = []
        if classify:
            history["val_acc"] = []
    bar = Progress(progress)
    good_state, good_epoch = model.state_dict(), 0
    best = (math.inf, good_state)
    stale = 0
    limit = math.inf
    start = time.perf_counter()
    model.train()
    for epoch in range(1, epochs + 1):
        total, correct, seen = 0.0, 0.0, 0
        for batch, (xb, yb) in enumerate(loader, start=1):
            out = model(xb)
            loss = loss_fn(out, yb)
            value = loss.item()
            if limit == math.inf and math.isfinite(value):
                first, limit = value, EXPLOSION * max(value, 1e-2)
            if not math.isfinite(value) or value > limit:
                what = (f"the loss became {value}" if not math.isfinite(value) else
                        f"the loss rose from {first:.3g} to {value:.3g}")
                raise _diverged(model, good_state, optimizer, history,
                                f"{what} in epoch {epoch} (batch {batch})", good_epoch)
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
                            f"the weights became NaN or infinite in epoch {epoch}", good_epoch)
        history["loss"].append(total / seen)
        history["lr"].append(optimizer.lr)
        if classify:
            history["acc"].append(correct / seen)
        line = f"epoch {epoch}/{epochs}  loss {total / seen:.4f}"
        if val_data is not None:
            val_loss, val_acc = evaluate(model, val_data[0], val_data[1], loss_fn=loss_fn)
            history["val_loss"].append(val_loss)
            line += f"  val_loss {val_loss:.4f}"
            if classify:
                history["val_acc"].append(val_acc)
                line += f"  val_acc {val_acc:.3f}"
        history["time"].append(time.perf_counter() - start)
        good_state, good_epoch = model.state_dict(), epoch
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
