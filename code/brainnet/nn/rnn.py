"""Recurrent layers: a network with a loop in time.

``RNNCell``/``LSTMCell`` take one time step; ``RNN``/``LSTM`` run a cell over a whole
sequence. Gradients flow back through every step (backpropagation through time) simply
because autograd records the unrolled loop; ``brainnet.autograd`` sorts the graph
iteratively, so sequences of thousands of steps do not hit Python's recursion limit.

Conventions follow PyTorch (parameter names ``weight_ih``, ``weight_hh``, ``bias_ih``,
``bias_hh``; LSTM gates stacked in the order input, forget, cell, output; initialisation
U(-1/sqrt(hidden), 1/sqrt(hidden))), with two simplifications: sequences are always
batch-first, (N, T, features), and there is one layer, so the final state is (N, hidden)
rather than PyTorch's (1, N, hidden).
"""

from __future__ import annotations

import numpy as np

from .. import rng as _rng
from ..ops.shape import stack
from ..tensor import Tensor, as_float
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


def _check_pair(name: str, state) -> None:
    """An LSTM's state is a pair (h, c), not one tensor."""
    if state is not None and not (isinstance(state, (tuple, list)) and len(state) == 2):
        raise TypeError(f"{name}: the state must be a pair (h, c) of (N, hidden) tensors, "
                        f"got a {type(state).__name__}"
                        + (f" of shape {state.shape}" if hasattr(state, "shape") else "")
                        + ". Pass (h0, c0), or None to start from zeros.")


def _check_state(name: str, h, n: int, hidden: int, what: str = "hidden state") -> None:
    if h is not None and tuple(h.shape) != (n, hidden):
        raise ValueError(f"{name}: {what} must have shape ({n}, {hidden}), got {tuple(h.shape)}.")


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

    def step(self, xw: Tensor, h: Tensor | None) -> Tensor:
        """The update given the input's projection xw = x W_ih^T + b_ih, (N, hidden)."""
        z = xw + self.bias_hh if h is None else xw + h @ self.weight_hh.T + self.bias_hh
        return z.tanh() if self.nonlinearity == "tanh" else z.relu()

    def forward(self, x, h=None) -> Tensor:
        x = _check_input("RNNCell", x, 2, self.input_size, self.weight_ih)
        _check_state("RNNCell", h, x.shape[0], self.hidden_size)
        return self.step(x @ self.weight_ih.T + self.bias_ih, h)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, nonlinearity={self.nonlinearity!r}"


class RNN(Module):
    """An ``RNNCell`` run over a sequence.

    Shapes: x (N, T, input_size), h0 (N, hidden_size) or None ->
    (output (N, T, hidden_size): h at every step, h_T (N, hidden_size)).
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh",
                 rng: _rng.Seed = None):
        super().__init__()
        self.cell = RNNCell(input_size, hidden_size, nonlinearity, rng=rng)
        self.input_size, self.hidden_size = input_size, hidden_size

    def forward(self, x, h0=None) -> tuple[Tensor, Tensor]:
        x = _check_input("RNN", x, 3, self.input_size, self.cell.weight_ih)
        _check_state("RNN", h0, x.shape[0], self.hidden_size)
        cell = self.cell
        xw = x @ cell.weight_ih.T + cell.bias_ih            # (N, T, hidden): all steps at once
        h, outputs = h0, []
        for t in range(x.shape[1]):
            h = cell.step(xw[:, t], h)                      # (N, hidden)
            outputs.append(h)
        return stack(outputs, axis=1), h                    # (N, T, hidden), (N, hidden)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class LSTMCell(Module):
    """One step of a long short-term memory cell (Hochreiter & Schmidhuber 1997, with the
    forget gate of Gers et al. 2000).

        i, f, o = sigmoid(.)   input, forget and output gates
        g = tanh(.)            candidate cell content
        c' = f * c + i * g     the cell: an additive path through time
        h' = o * tanh(c')

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

    def step(self, xw: Tensor, state, gates: dict | None = None):
        """The update given xw = x W_ih^T + b_ih, (N, 4 hidden). If ``gates`` is a dict,
        the gate values (numpy) are appended to its lists, for plotting."""
        H = self.hidden_size
        if state is None:
            z = xw + self.bias_hh                                       # (N, 4H)
            c = None
        else:
            h, c = state
            z = xw + h @ self.weight_hh.T + self.bias_hh                # (N, 4H)
        s = z.sigmoid()
        i, f, o = s[:, :H], s[:, H:2 * H], s[:, 3 * H:]                 # (N, H) each
        cand = z[:, 2 * H:3 * H].tanh()
        c_new = i * cand if c is None else f * c + i * cand
        h_new = o * c_new.tanh()
        if gates is not None:
            for name, value in (("input", i), ("forget", f), ("output", o), ("cell", c_new)):
                gates.setdefault(name, []).append(value.numpy())
        return h_new, c_new

    def forward(self, x, state=None):
        x = _check_input("LSTMCell", x, 2, self.input_size, self.weight_ih)
        _check_pair("LSTMCell", state)
        if state is not None:
            for what, t in zip(("hidden state", "cell state"), state, strict=True):
                _check_state("LSTMCell", t, x.shape[0], self.hidden_size, what)
        return self.step(x @ self.weight_ih.T + self.bias_ih, state)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, forget_bias={self.forget_bias}"


class LSTM(Module):
    """An ``LSTMCell`` run over a sequence.

    Shapes: x (N, T, input_size), state (h0, c0) or None ->
    (output (N, T, hidden_size), (h_T, c_T) each (N, hidden_size)).
    ``return_gates=True`` adds a third result: a dict of numpy arrays (N, T, hidden) for
    the input, forget and output gates and the cell state.
    """

    def __init__(self, input_size: int, hidden_size: int, forget_bias: float = 0.0,
                 rng: _rng.Seed = None):
        super().__init__()
        self.cell = LSTMCell(input_size, hidden_size, forget_bias, rng=rng)
        self.input_size, self.hidden_size = input_size, hidden_size

    def forward(self, x, state=None, return_gates: bool = False):
        x = _check_input("LSTM", x, 3, self.input_size, self.cell.weight_ih)
        _check_pair("LSTM", state)
        if state is not None:
            for what, t in zip(("hidden state", "cell state"), state, strict=True):
                _check_state("LSTM", t, x.shape[0], self.hidden_size, what)
        cell = self.cell
        xw = x @ cell.weight_ih.T + cell.bias_ih            # (N, T, 4H): all steps at once
        gates: dict | None = {} if return_gates else None
        outputs = []
        for t in range(x.shape[1]):
            state = cell.step(xw[:, t], state, gates)
            outputs.append(state[0])
        out = (stack(outputs, axis=1), state)               # (N, T, H), ((N, H), (N, H))
        if gates is not None:
            return (*out, {k: np.stack(v, axis=1) for k, v in gates.items()})
        return out

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"
