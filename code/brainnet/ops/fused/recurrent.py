"""Fast twins of the recurrent layers: a whole sequence as one graph node.

``ops/recurrent.py`` writes each time step as a few tensor ops; over 50 steps that is
hundreds of small graph nodes, and the bookkeeping costs more than the arithmetic.
Here the forward pass loops over time in numpy and keeps what the backward pass needs;
the backward pass runs backpropagation through time by hand:

- the input projection x W_ih^T is one matrix product for all steps, before the loop;
- each step is one matrix product (h W_hh^T) and, for the LSTM, one tanh call for all
  four gate blocks (see ``lstm``);
- the weight gradients are one matrix product each, after the loop;
- buffers are allocated once, time-major, in the weights' dtype.

Second derivatives (``create_graph=True``) go through the readable twin (``twin.py``).
"""

from __future__ import annotations

import numpy as np

from ...autograd import is_grad_enabled, record
from ...tensor import Tensor, wrap
from .. import recurrent
from .scratch import scratch
from .twin import backward_through


def lstm(x: Tensor, h0: Tensor, c0: Tensor, weight_ih: Tensor, weight_hh: Tensor,
         bias_ih: Tensor, bias_hh: Tensor, gates: dict | None = None) -> Tensor:
    """``recurrent.lstm`` as one node: (N, T, 2H), h_t and c_t side by side.

    If ``gates`` is a dict, it receives the input, forget and output gates and the cell
    state as numpy arrays (N, T, H), for plotting (no second forward pass).

    The gates are computed as sigmoid(z) = (1 + tanh(z / 2)) / 2, with the sigmoid rows
    of the weights halved beforehand, so that ONE tanh call per step covers all four
    blocks. That form loses relative precision for large negative z, but every gate
    multiplies a bounded quantity, so only its absolute error (float32's epsilon)
    matters; ``F.sigmoid`` itself keeps the form accurate on both sides.
    """
    N, T, I = x.shape
    H = h0.shape[-1]
    dtype = weight_hh.dtype
    scale = np.ones(4 * H, dtype)
    scale[:2 * H] = scale[3 * H:] = 0.5                 # i, f, o rows: z / 2 (blocks i f g o)
    shift = 1 - scale                                   # then (tanh + 1) / 2 for those rows
    w_hh_t = (weight_hh.data * scale[:, None]).T                        # (H, 4H)
    xt = np.ascontiguousarray(x.data.transpose(1, 0, 2))                # (T, N, I)
    acts = (xt.reshape(T * N, I) @ (weight_ih.data * scale[:, None]).T  # one GEMM for all
            ).reshape(T, N, 4 * H)                                      # (T, N, 4H)
    acts += (bias_ih.data + bias_hh.data) * scale
    hc = np.empty((T + 1, N, 2 * H), dtype)             # h_t and c_t side by side, t = 0..T
    tanh_c = np.empty((T, N, H), dtype)
    rec = np.empty((N, 4 * H), dtype)
    ig = np.empty((N, H), dtype)
    hc[0, :, :H], hc[0, :, H:] = h0.data, c0.data
    for t in range(T):
        a = acts[t]                                                     # (N, 4H), in place
        a += np.matmul(hc[t, :, :H], w_hh_t, out=rec)
        np.tanh(a, out=a)
        a *= scale                                                      # i, f, o: sigmoid
        a += shift
        c = hc[t + 1, :, H:]
        np.multiply(a[:, H:2 * H], hc[t, :, H:], out=c)                 # f c
        c += np.multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig)           # + i g
        np.tanh(c, out=tanh_c[t])
        np.multiply(a[:, 3 * H:], tanh_c[t], out=hc[t + 1, :, :H])      # h = o tanh(c)
    out = wrap(hc[1:].transpose(1, 0, 2))                               # (N, T, 2H), a view
    if gates is not None:
        for name, k in (("input", 0), ("forget", 1), ("output", 3)):
            gates[name] = acts[:, :, k * H:(k + 1) * H].transpose(1, 0, 2).copy()
        gates["cell"] = hc[1:, :, H:].transpose(1, 0, 2).copy()
    parents = (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)

    def backward(g):
        if is_grad_enabled():
            return backward_through(recurrent.lstm, parents, g)
        gy = g.data.transpose(1, 0, 2)                                  # (T, N, 2H)
        i, f = acts[..., :H], acts[..., H:2 * H]
        gg, o = acts[..., 2 * H:3 * H], acts[..., 3 * H:]
        # What the recursion multiplies by, for all steps at once, (T, N, H) each:
        # dz/dc for the blocks c writes (i, f, g), dz/dh for o, and dc/dh.
        slope = scratch("lstm slope", (T, N, 4 * H), dtype)            # sigmoid' (i, f, o)
        np.subtract(1, acts, out=slope)
        slope *= acts
        by_i, by_f, by_g, by_o, c_by_h = (scratch(f"lstm {k}", (T, N, H), dtype)
                                          for k in ("i", "f", "g", "o", "c"))
        np.multiply(gg, slope[..., :H], out=by_i)
        np.multiply(hc[:-1, :, H:], slope[..., H:2 * H], out=by_f)
        np.multiply(gg, gg, out=by_g)
        np.subtract(1, by_g, out=by_g)
        by_g *= i
        np.multiply(tanh_c, slope[..., 3 * H:], out=by_o)
        np.multiply(tanh_c, tanh_c, out=c_by_h)
        np.subtract(1, c_by_h, out=c_by_h)
        c_by_h *= o
        dZ = scratch("lstm dZ", (T, N, 4 * H), dtype)
        dh = np.zeros((N, H), dtype)
        dc = np.zeros((N, H), dtype)
        w_hh = weight_hh.data                                           # (4H, H)
        for t in range(T - 1, -1, -1):
            dh += gy[t, :, :H]
            dc += gy[t, :, H:]
            dc += dh * c_by_h[t]                                        # through tanh(c)
            dz = dZ[t]
            np.multiply(dc, by_i[t], out=dz[:, :H])
            np.multiply(dc, by_f[t], out=dz[:, H:2 * H])
            np.multiply(dc, by_g[t], out=dz[:, 2 * H:3 * H])
            np.multiply(dh, by_o[t], out=dz[:, 3 * H:])
            dc *= f[t]                                                  # to c_{t-1}
            dh = dz @ w_hh                                              # to h_{t-1}
        flat = dZ.reshape(T * N, 4 * H)
        db = np.ones(T * N, dtype) @ flat                               # sum over rows
        h_prev = scratch("lstm h", (T, N, H), dtype)
        h_prev[...] = hc[:-1, :, :H]
        dx = (flat @ weight_ih.data).reshape(T, N, I).transpose(1, 0, 2)    # (N, T, I)
        grads = (wrap(np.ascontiguousarray(dx)), wrap(dh), wrap(dc),
                 wrap(flat.T @ xt.reshape(T * N, I)),
                 wrap(flat.T @ h_prev.reshape(T * N, H)), wrap(db),
                 wrap(db.copy()))
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
