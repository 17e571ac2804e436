"""brainnet against PyTorch CPU, side by side: one training step (forward, backward,
Adam) of five workloads, with the same initial weights and the same data.

For each workload the script first checks that both libraries compute the same thing
(the loss and every gradient agree within 1e-4, relative to the largest entry), then
times steps in alternating blocks and reports the median of the per-pair ratios
brainnet / PyTorch, with 1 and with 2 BLAS threads. PyTorch is optional: without it
the script says how to get it and exits. The book and its tests never use it.

    make bench-torch                  # installs the CPU build into .venv, then runs this
    python bench/bench_torch.py --pairs 30
"""

from __future__ import annotations

import argparse
import sys
import time

import machine
import numpy as np
from threadpoolctl import threadpool_limits

import brainnet as bn
import brainnet.functional as F
from brainnet import nn, optim

try:
    import torch
    import torch.nn as tnn
    import torch.nn.functional as TF
except ImportError:
    torch = None

TARGETS = {"MLP 64-128-10": 0.5, "MLP 784-256-10": 0.9, "CNN": 1.0, "LSTM": 1.3,
           "Transformer block": 1.0}


# ------------------------------------------------------------------ workloads
class Workload:
    """A model built twice (brainnet and PyTorch, same weights) and a batch of data."""

    name = ""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def copy_weights(self, ours, theirs) -> None:
        """Copy PyTorch's initial weights into brainnet's parameters, by matching names."""
        mine = dict(ours.named_parameters())
        for name, p in theirs.named_parameters():
            target = mine[self.rename(name)]
            value = p.detach().numpy().astype(np.float32)
            assert target.shape == value.shape, (name, target.shape, value.shape)
            target.data = value.copy()

    def rename(self, name: str) -> str:
        return name


class MLP(Workload):
    def __init__(self, rng, sizes=(64, 128, 10), batch=64):
        super().__init__(rng)
        self.name = "MLP " + "-".join(map(str, sizes))
        a, h, c = sizes
        self.ours = nn.Sequential(nn.Linear(a, h, rng=0), nn.ReLU(), nn.Linear(h, c, rng=1))
        self.theirs = tnn.Sequential(tnn.Linear(a, h), tnn.ReLU(), tnn.Linear(h, c))
        self.copy_weights(self.ours, self.theirs)
        self.x = rng.standard_normal((batch, a)).astype(np.float32)
        self.y = rng.integers(0, c, batch)

    def loss_ours(self):
        # as_tensor shares the array, as torch.from_numpy does on the other side
        return F.cross_entropy(self.ours(bn.as_tensor(self.x)), self.y)

    def loss_theirs(self):
        return TF.cross_entropy(self.theirs(torch.from_numpy(self.x)), torch.from_numpy(self.y))


class CNN(Workload):
    name = "CNN"

    def __init__(self, rng, batch=64):
        super().__init__(rng)
        self.ours = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1, rng=0), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 10, rng=1))
        self.theirs = tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(),
                                     tnn.MaxPool2d(2), tnn.Flatten(), tnn.Linear(256, 10))
        self.copy_weights(self.ours, self.theirs)
        self.x = rng.standard_normal((batch, 1, 8, 8)).astype(np.float32)
        self.y = rng.integers(0, 10, batch)

    loss_ours = MLP.loss_ours
    loss_theirs = MLP.loss_theirs


class LSTMRegressor(Workload):
    name = "LSTM"

    def __init__(self, rng, hidden=32, length=50, batch=64):
        super().__init__(rng)
        self.ours_lstm = nn.LSTM(2, hidden, rng=0)
        self.ours_head = nn.Linear(hidden, 1, rng=1)
        self.theirs_lstm = tnn.LSTM(2, hidden, batch_first=True)
        self.theirs_head = tnn.Linear(hidden, 1)
        self.ours = nn.ModuleList([self.ours_lstm, self.ours_head])
        self.theirs = tnn.ModuleList([self.theirs_lstm, self.theirs_head])
        self.copy_weights(self.ours, self.theirs)
        self.x, self.y = bn.data.make_adding(batch, length, rng=3)

    def rename(self, name: str) -> str:
        return ("0.cell." + name[2:] if name.startswith("0.") else name).replace("_l0", "")

    def loss_ours(self):
        _, (h, _) = self.ours_lstm(self.x)
        return F.mse_loss(self.ours_head(h), self.y)

    def loss_theirs(self):
        _, (h, _) = self.theirs_lstm(torch.from_numpy(self.x))
        return TF.mse_loss(self.theirs_head(h[0]), torch.from_numpy(self.y))


class _OursBlockModel(nn.Module):
    def __init__(self, vocab, d, heads, length, ff):
        super().__init__()
        self.tok = nn.Embedding(vocab, d, rng=0)
        self.pos = nn.PositionalEmbedding(length, d, rng=1)
        self.block = nn.TransformerEncoderLayer(d, heads, ff, rng=2)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, rng=3)

    def forward(self, ids):
        x = self.pos(self.tok(ids))
        return self.head(self.norm(self.block(x, is_causal=True)))


class Transformer(Workload):
    name = "Transformer block"

    def __init__(self, rng, vocab=65, d=64, heads=4, length=64, batch=32, ff=256):
        super().__init__(rng)
        self.ours = _OursBlockModel(vocab, d, heads, length, ff)

        class Theirs(tnn.Module):
            def __init__(self):
                super().__init__()
                self.tok = tnn.Embedding(vocab, d)
                self.pos = tnn.Parameter(torch.randn(length, d) * 0.02)
                self.block = tnn.TransformerEncoderLayer(
                    d, heads, ff, dropout=0.0, batch_first=True, norm_first=True,
                    activation=lambda x: TF.gelu(x, approximate="tanh"))
                self.norm = tnn.LayerNorm(d)
                self.head = tnn.Linear(d, vocab)
                self.register_buffer("mask", tnn.Transformer.generate_square_subsequent_mask(
                    length))

            def forward(self, ids):
                x = self.tok(ids) + self.pos[:ids.shape[1]]
                return self.head(self.norm(self.block(x, src_mask=self.mask, is_causal=True)))

        self.theirs = Theirs()
        self.copy_weights(self.ours, self.theirs)
        self.ids = rng.integers(0, vocab, (batch, length))
        self.targets = rng.integers(0, vocab, (batch, length))

    def rename(self, name: str) -> str:
        return "pos.weight" if name == "pos" else name

    def loss_ours(self):
        logits = self.ours(self.ids)                              # (N, T, vocab)
        return F.cross_entropy(logits, self.targets)

    def loss_theirs(self):
        logits = self.theirs(torch.from_numpy(self.ids))
        return TF.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                torch.from_numpy(self.targets).reshape(-1))


# ---------------------------------------------------------------- measuring
def check_agreement(w: Workload) -> float:
    """Largest relative difference of the loss and every gradient, brainnet vs PyTorch."""
    for p in w.ours.parameters():
        p.grad = None
    w.theirs.zero_grad()
    ours, theirs = w.loss_ours(), w.loss_theirs()
    ours.backward()
    theirs.backward()
    worst = abs(ours.item() - theirs.item()) / max(abs(theirs.item()), 1e-12)
    mine = dict(w.ours.named_parameters())
    for name, p in w.theirs.named_parameters():
        a, b = mine[w.rename(name)].grad.data, p.grad.numpy()
        worst = max(worst, float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12)))
    return worst


def steppers(w: Workload):
    opt_ours = optim.Adam(w.ours.parameters(), lr=1e-3)
    opt_theirs = torch.optim.Adam(w.theirs.parameters(), lr=1e-3)

    def ours():
        loss = w.loss_ours()
        opt_ours.zero_grad()
        loss.backward()
        opt_ours.step()

    def theirs():
        loss = w.loss_theirs()
        opt_theirs.zero_grad()
        loss.backward()
        opt_theirs.step()

    return ours, theirs


def paired_ratio(ours, theirs, pairs: int, block: int) -> tuple[float, float, float]:
    """Median seconds per step of each side and the median of per-pair ratios; the
    sides run in alternating blocks, so a slow spell slows both sides of a pair."""
    for fn in (ours, theirs):
        for _ in range(3):
            fn()
    t_ours, t_theirs = [], []
    for _ in range(pairs):
        for fn, times in ((ours, t_ours), (theirs, t_theirs)):
            start = time.perf_counter()
            for _ in range(block):
                fn()
            times.append((time.perf_counter() - start) / block)
    ratios = np.array(t_ours) / np.array(t_theirs)
    return float(np.median(t_ours)), float(np.median(t_theirs)), float(np.median(ratios))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--only", help="run the workloads whose name contains this")
    args = parser.parse_args()
    if torch is None:
        print("PyTorch is not installed, so there is nothing to compare with. Install the CPU "
              "build into the venv (`make bench-torch` does it: pip install torch==2.13.0) "
              "and run again. Skipped.")
        return 0
    print(machine.describe())
    print(f"PyTorch {torch.__version__}; brainnet {bn.__version__}; float32; Adam\n")
    print("| workload | threads | max rel. difference | brainnet ms/step | PyTorch ms/step "
          "| median paired ratio | target |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    torch.manual_seed(0)
    builders = [lambda r: MLP(r), lambda r: MLP(r, (784, 256, 10), 128), CNN,
                LSTMRegressor, Transformer]
    failed = False
    for build in builders:
        w = build(np.random.default_rng(0))
        if args.only and args.only not in w.name:
            continue
        difference = check_agreement(w)
        if difference > 1e-4:
            print(f"| {w.name} | | {difference:.1e}: DISAGREE, not timed | | | | |")
            failed = True
            continue
        ours, theirs = steppers(w)
        block = 20 if "MLP" in w.name else 5
        for threads in (1, 2):
            torch.set_num_threads(threads)
            with threadpool_limits(threads, user_api="blas"):
                t_ours, t_theirs, ratio = paired_ratio(ours, theirs, args.pairs, block)
            target = TARGETS[w.name]
            verdict = "ok" if ratio <= target else "OVER"
            print(f"| {w.name} | {threads} | {difference:.1e} | {t_ours * 1e3:.3f} | "
                  f"{t_theirs * 1e3:.3f} | {ratio:.2f} | <= {target} "
                  f"{verdict if threads == 1 else ''} |")
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
