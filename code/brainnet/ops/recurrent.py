"""Recurrent networks, step by step: the Elman RNN and the LSTM written with plain ops.

Each time step is a few tensor ops, and autograd records the unrolled loop, so
backpropagation through time comes for free: this is the readable definition. The
layers in ``brainnet.nn`` run the fused twins in ``fused/recurrent.py`` instead (one
graph node for the whole sequence, with the backward pass through time written out),
which ``tests/unit/test_twins.py`` holds equal to these.

Shapes (batch first): x (N, T, I); h0, c0 (N, H); weight_ih (G H, I), weight_hh (G H, H),
biases (G H,), with G = 1 for the RNN and 4 for the LSTM, whose gates are stacked in
PyTorch's order: input, forget, cell candidate, output.
"""

from __future__ import annotations

from ..tensor import Tensor
from .activation import relu, sigmoid, tanh
from .shape import cat, stack


def rnn_cell(xw: Tensor, h: Tensor, weight_hh: Tensor, bias_hh: Tensor,
             nonlinearity: str = "tanh") -> Tensor:
    """h' = f(xw + h W_hh^T + b_hh), given the input's projection xw = x W_ih^T + b_ih."""
    z = xw + h @ weight_hh.T + bias_hh                               # (N, H)
    return tanh(z) if nonlinearity == "tanh" else relu(z)


def rnn(x: Tensor, h0: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor,
        bias_hh: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """Every hidden state of an Elman RNN over the sequence: (N, T, H)."""
    xw = x @ weight_ih.T + bias_ih                                   # (N, T, H): all steps
    h, states = h0, []
    for t in range(x.shape[1]):
        h = rnn_cell(xw[:, t], h, weight_hh, bias_hh, nonlinearity)  # (N, H)
        states.append(h)
    return stack(states, axis=1)                                     # (N, T, H)


def lstm_cell(xw: Tensor, h: Tensor, c: Tensor, weight_hh: Tensor, bias_hh: Tensor
              ) -> tuple[Tensor, Tensor, tuple[Tensor, Tensor, Tensor, Tensor]]:
    """One LSTM step given xw = x W_ih^T + b_ih (N, 4H); returns h', c' and the gates.

        i, f, o = sigmoid(.)   input, forget and output gates
        g = tanh(.)            candidate cell content
        c' = f c + i g         the cell: an additive path through time
        h' = o tanh(c')
    """
    H = h.shape[-1]
    z = xw + h @ weight_hh.T + bias_hh                               # (N, 4H)
    i, f = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H])                 # (N, H) each
    g, o = tanh(z[:, 2 * H:3 * H]), sigmoid(z[:, 3 * H:])
    c_new = f * c + i * g
    return o * tanh(c_new), c_new, (i, f, g, o)


def lstm(x: Tensor, h0: Tensor, c0: Tensor, weight_ih: Tensor, weight_hh: Tensor,
         bias_ih: Tensor, bias_hh: Tensor) -> Tensor:
    """An LSTM over the sequence: (N, T, 2H), each step's hidden state h_t and cell c_t
    side by side (the layer splits them)."""
    xw = x @ weight_ih.T + bias_ih                                   # (N, T, 4H): all steps
    h, c, hs, cs = h0, c0, [], []
    for t in range(x.shape[1]):
        h, c, _ = lstm_cell(xw[:, t], h, c, weight_hh, bias_hh)
        hs.append(h)
        cs.append(c)
    return cat([stack(hs, axis=1), stack(cs, axis=1)], axis=-1)      # (N, T, 2H)
