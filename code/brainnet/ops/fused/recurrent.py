"""Fast twins of the recurrent layers: a whole sequence as one graph node.

``ops/recurrent.py`` writes each time step as a few tensor ops; over 50 steps that is
hundreds of small graph nodes, and the bookkeeping costs more than the arithmetic.
Here the forward pass loops over time in numpy and keeps what the backward pass needs;
the backward pass runs backpropagation through time by hand:

- the input projection x W_ih^T is one matrix product for all steps, before the loop;
- each step is one matrix product (h W_hh^T) and, for the LSTM, one sigmoid call for
  the three gates and one tanh for the candidate (the rows of the weights are put in
  the order i, f, o, g for that);
- the weight gradients are one matrix product each, after the loop;
- buffers are allocated once, time-major, in the weights' dtype.

Second derivatives (``create_graph=True``) go through the readable twin (``twin.py``).
"""

from __future__ import annotations

import numpy as np

from ... import numerics
from ...autograd import is_grad_enabled, record
from ...tensor import Tensor, wrap
from .. import recurrent
from .twin import backward_through


def _lstm_order(H: int) -> np.ndarray:
    """Row order i, f, o, g (sigmoid gates first) from PyTorch's i, f, g, o."""
    return np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]


def lstm(x: Tensor, h0: Tensor, c0: Tensor, weight_ih: Tensor, weight_hh: Tensor,
         bias_ih: Tensor, bias_hh: Tensor, gates: dict | None = None) -> Tensor:
    """``recurrent.lstm`` as one node: (N, T, 2H), h_t and c_t side by side.

    If ``gates`` is a dict, it receives the input, forget and output gates and the cell
    state as numpy arrays (N, T, H), for plotting (no second forward pass).
    """
    N, T, _ = x.shape
    H = h0.shape[-1]
    dtype = weight_hh.dtype
    order = _lstm_order(H)
    w_ih, w_hh = weight_ih.data[order], weight_hh.data[order]          # (4H, I), (4H, H)
    xt = np.ascontiguousarray(x.data.transpose(1, 0, 2))                # (T, N, I)
    Z = xt @ w_ih.T                                                     # (T, N, 4H)
    Z += (bias_ih.data + bias_hh.data)[order]
    hs = np.empty((T + 1, N, H), dtype)                                 # h_0 .. h_T
    cs = np.empty((T + 1, N, H), dtype)                                 # c_0 .. c_T
    acts = np.empty((T, N, 4 * H), dtype)                               # i, f, o, g
    tanh_c = np.empty((T, N, H), dtype)
    hs[0], cs[0] = h0.data, c0.data
    for t in range(T):
        z = Z[t]
        z += hs[t] @ w_hh.T                                             # (N, 4H)
        a = acts[t]
        numerics.sigmoid(z[:, :3 * H], out=a[:, :3 * H])
        np.tanh(z[:, 3 * H:], out=a[:, 3 * H:])
        np.multiply(a[:, H:2 * H], cs[t], out=cs[t + 1])               # f c
        cs[t + 1] += a[:, :H] * a[:, 3 * H:]                            # + i g
        np.tanh(cs[t + 1], out=tanh_c[t])
        np.multiply(a[:, 2 * H:3 * H], tanh_c[t], out=hs[t + 1])        # o tanh(c)
    y = np.concatenate([hs[1:], cs[1:]], axis=-1).transpose(1, 0, 2)   # (N, T, 2H)
    out = wrap(np.ascontiguousarray(y))
    if gates is not None:
        for name, k in (("input", 0), ("forget", 1), ("output", 2)):
            gates[name] = acts[:, :, k * H:(k + 1) * H].transpose(1, 0, 2).copy()
        gates["cell"] = cs[1:].transpose(1, 0, 2).copy()
    parents = (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)

    def backward(g):
        if is_grad_enabled():
            return backward_through(recurrent.lstm, parents, g)
        gy = g.data.transpose(1, 0, 2)                                  # (T, N, 2H)
        dZ = np.empty((T, N, 4 * H), dtype)
        dh = np.zeros((N, H), dtype)
        dc = np.zeros((N, H), dtype)
        for t in range(T - 1, -1, -1):
            a = acts[t]
            i, f, o, gg = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            dh += gy[t, :, :H]
            tc = tanh_c[t]
            dc += gy[t, :, H:]
            dc += dh * o * (1 - tc * tc)                                # through tanh(c)
            dz = dZ[t]
            np.multiply(dc * gg, i * (1 - i), out=dz[:, :H])            # input gate
            np.multiply(dc * cs[t], f * (1 - f), out=dz[:, H:2 * H])    # forget gate
            np.multiply(dh * tc, o * (1 - o), out=dz[:, 2 * H:3 * H])   # output gate
            np.multiply(dc * i, 1 - gg * gg, out=dz[:, 3 * H:])         # candidate
            dc *= f                                                     # to c_{t-1}
            dh = dz @ w_hh                                              # to h_{t-1}
        flat = dZ.reshape(T * N, 4 * H)
        back = np.argsort(order)                                        # rows i, f, g, o
        dw_ih = (flat.T @ xt.reshape(T * N, -1))[back]
        dw_hh = (flat.T @ hs[:-1].reshape(T * N, H))[back]
        db = flat.sum(axis=0)[back]
        dx = (dZ @ w_ih).transpose(1, 0, 2)                             # (N, T, I)
        grads = (wrap(np.ascontiguousarray(dx)), wrap(dh), wrap(dc), wrap(dw_ih),
                 wrap(dw_hh), wrap(db), wrap(db.copy()))
        return tuple(gr if p.requires_grad else None
                     for gr, p in zip(grads, parents, strict=True))

    return record(out, parents, backward, "lstm")


def rnn(x: Tensor, h0: Tensor, weight_ih: Tensor, weight_hh: Tensor, bias_ih: Tensor,
        bias_hh: Tensor, nonlinearity: str = "tanh") -> Tensor:
    """``recurrent.rnn`` as one node: every hidden state, (N, T, H)."""
    N, T, _ = x.shape
    H = h0.shape[-1]
    dtype = weight_hh.dtype
    w_ih, w_hh = weight_ih.data, weight_hh.data
    xt = np.ascontiguousarray(x.data.transpose(1, 0, 2))                # (T, N, I)
    Z = xt @ w_ih.T                                                     # (T, N, H)
    Z += bias_ih.data + bias_hh.data
    hs = np.empty((T + 1, N, H), dtype)
    hs[0] = h0.data
    for t in range(T):
        z = Z[t]
        z += hs[t] @ w_hh.T
        if nonlinearity == "tanh":
            np.tanh(z, out=hs[t + 1])
        else:
            np.maximum(z, 0, out=hs[t + 1])
    out = wrap(np.ascontiguousarray(hs[1:].transpose(1, 0, 2)))         # (N, T, H)
    parents = (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)

    def backward(g):
        if is_grad_enabled():
            return backward_through(
                lambda *a: recurrent.rnn(*a, nonlinearity=nonlinearity), parents, g)
        gy = g.data.transpose(1, 0, 2)                                  # (T, N, H)
        dZ = np.empty((T, N, H), dtype)
        dh = np.zeros((N, H), dtype)
        for t in range(T - 1, -1, -1):
            dh += gy[t]
            h = hs[t + 1]
            if nonlinearity == "tanh":
                np.multiply(dh, 1 - h * h, out=dZ[t])
            else:
                np.multiply(dh, h > 0, out=dZ[t])
            dh = dZ[t] @ w_hh
        flat = dZ.reshape(T * N, H)
        db = flat.sum(axis=0)
        grads = (wrap(np.ascontiguousarray((dZ @ w_ih).transpose(1, 0, 2))), wrap(dh),
                 wrap(flat.T @ xt.reshape(T * N, -1)), wrap(flat.T @ hs[:-1].reshape(T * N, H)),
                 wrap(db), wrap(db.copy()))
        return tuple(gr if p.requires_grad else None
                     for gr, p in zip(grads, parents, strict=True))

    return record(out, parents, backward, "rnn")
