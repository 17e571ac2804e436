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

from ... import numerics
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

    Inside, the states are kept hidden-major, (H, N) per step, and the gate blocks
    reordered to (i, f, o, g): then every gate is a contiguous block of rows of one
    (4H, N) array, and the elementwise work of a step runs on contiguous memory (on
    (N, 4H) rows, slicing out a gate strides, which cost more than the arithmetic).
    The gates are computed as sigmoid(z) = (1 + tanh(z / 2)) / 2, with the sigmoid rows
    of the weights halved beforehand, so that ONE tanh call per step covers all four
    blocks. That form loses relative precision for large negative z, but every gate
    multiplies a bounded quantity, so only its absolute error (float32's epsilon)
    matters; ``F.sigmoid`` itself keeps the form accurate on both sides.
    """
    N, T, I = x.shape
    H = h0.shape[-1]
    dtype = weight_hh.dtype
    order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]   # PyTorch's (i f g o) -> (i f o g)
    back = np.argsort(order)                             # and back
    scale = np.ones((4 * H, 1), dtype)
    scale[:3 * H] = 0.5                                  # i, f, o rows: z / 2
    w_ih = weight_ih.data[order]                         # (4H, I)
    w_hh = weight_hh.data[order]                         # (4H, H)
    w_hh_scaled = w_hh * scale
    xt = np.ascontiguousarray(x.data.transpose(1, 2, 0))                # (T, I, N)
    acts = np.matmul(w_ih * scale, xt)                   # (T, 4H, N): all steps at once
    acts += ((bias_ih.data + bias_hh.data)[order][:, None] * scale)
    hs = np.empty((T + 1, H, N), dtype)                  # h_t, t = 0..T, hidden-major
    cs = np.empty((T + 1, H, N), dtype)                  # c_t
    tanh_c = np.empty((T, H, N), dtype)
    rec = np.empty((4 * H, N), dtype)
    ig = np.empty((H, N), dtype)
    hs[0], cs[0] = h0.data.T, c0.data.T
    for t in range(T):
        a = acts[t]                                      # (4H, N), in place
        a += np.matmul(w_hh_scaled, hs[t], out=rec)
        np.tanh(a, out=a)
        sig = a[:3 * H]                                  # i, f, o: (1 + tanh) / 2
        sig *= 0.5
        sig += 0.5
        np.multiply(a[H:2 * H], cs[t], out=cs[t + 1])                  # f c
        cs[t + 1] += np.multiply(a[:H], a[3 * H:], out=ig)             # + i g
        np.tanh(cs[t + 1], out=tanh_c[t])
        np.multiply(a[2 * H:3 * H], tanh_c[t], out=hs[t + 1])         # h = o tanh(c)
    out = wrap(np.concatenate((hs[1:], cs[1:]), axis=1).transpose(2, 0, 1))  # (N, T, 2H)
    if gates is not None:
        for name, k in (("input", 0), ("forget", 1), ("output", 2)):
            gates[name] = acts[:, k * H:(k + 1) * H].transpose(2, 0, 1).copy()
        gates["cell"] = cs[1:].transpose(2, 0, 1).copy()
    parents = (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh)

    def backward(g):
        if is_grad_enabled():
            return backward_through(recurrent.lstm, parents, g)
        gy = g.data.transpose(1, 2, 0)                                  # (T, 2H, N)
        gy_h, gy_c = np.ascontiguousarray(gy[:, :H]), np.ascontiguousarray(gy[:, H:])
        i, f = acts[:, :H], acts[:, H:2 * H]                           # (T, H, N) each
        o, gg = acts[:, 2 * H:3 * H], acts[:, 3 * H:]
        # What the recursion multiplies by, for all steps at once, (T, H, N) each:
        # dz/dc for the blocks c writes (i, f, g), dz/dh for o, and dc/dh.
        slope = scratch("lstm slope", (T, 3 * H, N), dtype)            # sigmoid' (i, f, o)
        np.subtract(1, acts[:, :3 * H], out=slope)
        slope *= acts[:, :3 * H]
        by_i, by_f, by_g, by_o, c_by_h = (scratch(f"lstm {k}", (T, H, N), dtype)
                                          for k in ("i", "f", "g", "o", "c"))
        np.multiply(gg, slope[:, :H], out=by_i)
        np.multiply(cs[:-1], slope[:, H:2 * H], out=by_f)
        np.multiply(gg, gg, out=by_g)
        np.subtract(1, by_g, out=by_g)
        by_g *= i
        np.multiply(tanh_c, slope[:, 2 * H:], out=by_o)
        np.multiply(tanh_c, tanh_c, out=c_by_h)
        np.subtract(1, c_by_h, out=c_by_h)
        c_by_h *= o
        dZ = scratch("lstm dZ", (T, 4 * H, N), dtype)                 # dL/dz, (i f o g)
        dh = np.zeros((H, N), dtype)
        dc = np.zeros((H, N), dtype)
        w_hh_t = np.ascontiguousarray(w_hh.T)                           # (H, 4H)
        for t in range(T - 1, -1, -1):
            dh += gy_h[t]
            dc += gy_c[t]
            dc += dh * c_by_h[t]                                        # through tanh(c)
            dz = dZ[t]
            np.multiply(dc, by_i[t], out=dz[:H])
            np.multiply(dc, by_f[t], out=dz[H:2 * H])
            np.multiply(dh, by_o[t], out=dz[2 * H:3 * H])
            np.multiply(dc, by_g[t], out=dz[3 * H:])
            dc *= f[t]                                                  # to c_{t-1}
            dh = w_hh_t @ dz                                            # to h_{t-1}
        # One small GEMM per step, summed: no (4H, T N) transposed copy of dZ needed
        dw_hh = np.matmul(dZ, hs[:-1].transpose(0, 2, 1)).sum(axis=0)   # (4H, H)
        dw_ih = np.matmul(dZ, xt.transpose(0, 2, 1)).sum(axis=0)        # (4H, I)
        dx = np.matmul(w_ih.T, dZ).transpose(2, 0, 1)                   # (N, T, I)
        db = (dZ @ numerics.ones(N, dtype)).sum(axis=0)[back]           # a GEMV beats sum()
        grads = (wrap(np.ascontiguousarray(dx)), wrap(np.ascontiguousarray(dh.T)),
                 wrap(np.ascontiguousarray(dc.T)), wrap(dw_ih[back]), wrap(dw_hh[back]),
                 wrap(db), wrap(db.copy()))
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
