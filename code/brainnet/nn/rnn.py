"""Recurrent layers: a network with a loop in time.

``RNNCell``/``LSTMCell`` take one time step, written with the step functions of
``brainnet.ops.recurrent`` (plain tensor ops: read these first). ``RNN``/``LSTM`` run a
whole sequence as one fused graph node (``ops/fused/recurrent.py``), with the backward
pass through time written out; ``tests/unit/test_twins.py`` holds the two equal.

Conventions follow PyTorch (parameter names ``weight_ih``, ``weight_hh``, ``bias_ih``,
``bias_hh``; LSTM gates stacked in the order input, forget, cell, output; initialisation
U(-1/sqrt(hidden), 1/sqrt(hidden))), with two simplifications: sequences are always
batch-first, (N, T, features), and there is one layer, so the final state is (N, hidden)
rather than PyTorch's (1, N, hidden).
"""

from __future__ import annotations

import numpy as np

from .. import rng as _rng
from ..ops import fused, recurrent
from ..tensor import Tensor, as_float, wrap
from .init import uniform_fan_in
from .layers import _check_sizes
from .module import Module

__all__ = ["RNNCell", "RNN", "LSTMCell", "LSTM"]


def _check_input(name: str, x, ndim: int, features: int, like: Tensor) -> Tensor:
    """The input as a tensor in the weights' dtype, of shape (N, [T,] features)."""
    x = as_float(x, like=like)
    if ndim == 3 and x.ndim == 3 and x.shape[1] == 0:
        raise ValueError(f"{name}: the sequence is empty (length 0, input shape {x.shape}); "
                         "it needs at least one time step.")
    if x.ndim != ndim or x.shape[-1] != features:
        layout = "(N, T, features)" if ndim == 3 else "(N, features)"
        raise ValueError(f"{name}: expected input of shape {layout} with {features} features, "
                         f"got shape {x.shape}.")
    return x


def _state(name: str, h, n: int, hidden: int, like: Tensor, what: str = "hidden state"
           ) -> Tensor:
    """A state tensor (N, hidden) in the weights' dtype; zeros if None."""
    if h is None:
        return wrap(np.zeros((n, hidden), like.dtype))
    h = as_float(h, like=like)
    if tuple(h.shape) != (n, hidden):
        raise ValueError(f"{name}: {what} must have shape ({n}, {hidden}), got {tuple(h.shape)}.")
    return h


def _pair(name: str, state, n: int, hidden: int, like: Tensor) -> tuple[Tensor, Tensor]:
    """An LSTM's state (h, c), each (N, hidden); zeros if None."""
    if state is None:
        return _state(name, None, n, hidden, like), _state(name, None, n, hidden, like)
    if not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise TypeError(f"{name}: the state must be a pair (h, c) of (N, hidden) tensors, "
                        f"got a {type(state).__name__}"
                        + (f" of shape {state.shape}" if hasattr(state, "shape") else "")
                        + ". Pass (h0, c0), or None to start from zeros.")
    return (_state(name, state[0], n, hidden, like),
            _state(name, state[1], n, hidden, like, "cell state"))


class RNNCell(Module):
    """One step of an Elman network: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Shapes: x (N, input_size), h (N, hidden_size) or None (zeros) -> h' (N, hidden_size).
    ``nonlinearity`` is "tanh" or "relu".
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 rng: _rng.Seed = None):
        super().__init__()
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got "
                             f"{nonlinearity!r}.")
        _check_sizes("RNNCell", input_size=input_size, hidden_size=hidden_size)
        g = _rng.generator(rng)
        self.input_size, self.hidden_size, self.nonlinearity = input_size, hidden_size, nonlinearity
        self.weight_ih = uniform_fan_in((hidden_size, input_size), hidden_size, g)
        self.weight_hh = uniform_fan_in((hidden_size, hidden_size), hidden_size, g)
        self.bias_ih = uniform_fan_in((hidden_size,), hidden_size, g)
        self.bias_hh = uniform_fan_in((hidden_size,), hidden_size, g)

    def forward(self, x, h=None) -> Tensor:
        x = _check_input("RNNCell", x, 2, self.input_size, self.weight_ih)
        h = _state("RNNCell", h, x.shape[0], self.hidden_size, self.weight_ih)
        xw = x @ self.weight_ih.T + self.bias_ih                    # (N, hidden)
        return recurrent.rnn_cell(xw, h, self.weight_hh, self.bias_hh, self.nonlinearity)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"


class RNN(Module):
    """An ``RNNCell`` run over a sequence (one fused node; ``recurrent.rnn`` is the
    step-by-step definition).

    Shapes: x (N, T, input_size), h0 (N, hidden_size) or None ->
    (output (N, T, hidden_size): h at every step, h_T (N, hidden_size)).
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 rng: _rng.Seed = None):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size, nonlinearity, rng=rng)
        self.input_size, self.hidden_size = input_size, hidden_size

    def forward(self, x, h0=None) -> tuple[Tensor, Tensor]:
        c = self.cell
        x = _check_input("RNN", x, 3, self.input_size, c.weight_ih)
        h0 = _state("RNN", h0, x.shape[0], self.hidden_size, c.weight_ih)
        out = fused.rnn(x, h0, c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh,
                        c.nonlinearity)                             # (N, T, hidden)
        return out, out[:, -1]                                      # ..., (N, hidden)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class LSTMCell(Module):
    """One step of a long short-term memory cell (Hochreiter & Schmidhuber 1997, with the
    forget gate of Gers, Schmidhuber & Cummins 2000); ``recurrent.lstm_cell`` writes
    out its equations.

    Shapes: x (N, input_size), state (h, c) each (N, hidden_size) or None (zeros) ->
    (h', c'). ``forget_bias`` is added to the forget gate's bias at initialisation: a
    positive value starts the cell remembering (Jozefowicz et al. 2015 recommend 1).
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 0.0,
                 rng: _rng.Seed = None):
        super().__init__()
        _check_sizes("LSTMCell", input_size=input_size, hidden_size=hidden_size)
        g = _rng.generator(rng)
        h = hidden_size
        self.input_size, self.hidden_size, self.forget_bias = input_size, hidden_size, forget_bias
        self.weight_ih = uniform_fan_in((4 * h, input_size), h, g)
        self.weight_hh = uniform_fan_in((4 * h, h), h, g)
        self.bias_ih = uniform_fan_in((4 * h,), h, g)
        self.bias_hh = uniform_fan_in((4 * h,), h, g)
        self.bias_ih.data[h:2 * h] += forget_bias

    def forward(self, x, state=None) -> tuple[Tensor, Tensor]:
        x = _check_input("LSTMCell", x, 2, self.input_size, self.weight_ih)
        h, c = _pair("LSTMCell", state, x.shape[0], self.hidden_size, self.weight_ih)
        xw = x @ self.weight_ih.T + self.bias_ih                    # (N, 4 hidden)
        h_new, c_new, _ = recurrent.lstm_cell(xw, h, c, self.weight_hh, self.bias_hh)
        return h_new, c_new

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, forget_bias={self.forget_bias}"


class LSTM(Module):
    """An ``LSTMCell`` run over a sequence (one fused node; ``recurrent.lstm`` is the
    step-by-step definition).

    Shapes: x (N, T, input_size), state (h0, c0) or None ->
    (output (N, T, hidden_size), (h_T, c_T) each (N, hidden_size)).
    ``return_gates=True`` adds a third result: a dict of numpy arrays (N, T, hidden) for
    the input, forget and output gates and the cell state, from the same forward pass.
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 0.0,
                 rng: _rng.Seed = None):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size, forget_bias, rng=rng)
        self.input_size, self.hidden_size = input_size, hidden_size

    def forward(self, x, state=None, return_gates: bool = False):
        c, H = self.cell, self.hidden_size
        x = _check_input("LSTM", x, 3, self.input_size, c.weight_ih)
        h0, c0 = _pair("LSTM", state, x.shape[0], H, c.weight_ih)
        gates: dict | None = {} if return_gates else None
        y = fused.lstm(x, h0, c0, c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh,
                       gates)                                       # (N, T, 2H): h and c
        out = (y[..., :H], (y[:, -1, :H], y[:, -1, H:]))            # (N, T, H), ((N, H), (N, H))
        return (*out, gates) if gates is not None else out

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"
