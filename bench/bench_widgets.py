"""Median update time of every `explore` experiment in every chapter (budget 100 ms).

    python bench/bench_widgets.py                     # every chapter
    python bench/bench_widgets.py chapters/02_backprop.ipynb --max-calls 30

How it finds the experiments: `bookkit.explore.collect_experiments` runs each
notebook's code in this process with explore in record mode (explore draws nothing and
hands back its function and controls), up to the last cell that calls explore. Then,
for each experiment, it calls the function over its control grid, one control at a time
through all of its values with the others at their defaults (``Experiment.sweeps()``,
evenly thinned to --max-calls), after one untimed warm-up call at the defaults. The
sweep runs --sweeps times (default 3) and the lowest median is reported ("update ms"),
with the highest beside it ("worst"): this machine is shared, and other work only ever
adds time, so the best sweep is the closest estimate of the update's own cost (the
practice of ``timeit``).

An update in a live notebook is the function call plus rendering the figure to PNG for
the browser, so that is what is timed ("update"); the function alone is shown too.
Runs with one BLAS thread, like the notebooks (--threads to change).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import machine

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description="explore() update latency per experiment.")
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--max-calls", type=int, default=40)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--sweeps", type=int, default=3,
                        help="repeat each control sweep; the best sweep's median is reported")
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = args.threads     # before numpy loads BLAS
    os.environ.setdefault("MPLBACKEND", "Agg")

    import numpy as np
    from bookkit import viz
    from bookkit.explore import collect_experiments

    print(machine.describe())
    notebooks = [p.resolve() for p in args.notebooks] or sorted((ROOT / "chapters").glob("*.ipynb"))
    header = (f"{'notebook':<24} {'experiment':<24} {'main':<12} {'calls':>5} "
              f"{'fn ms':>7} {'update ms':>9} {'worst':>9} {'p90 ms':>7} {'max ms':>7}  status")
    print("\n" + header)
    rows = []
    for path in notebooks:
        start = time.perf_counter()
        experiments = collect_experiments(path)
        setup = time.perf_counter() - start
        if not experiments:
            print(f"{path.name:<24} (no explore experiments; setup {setup:.1f} s)")
        for exp in experiments:
            viz.close(exp.fn(**exp.defaults()))               # warm-up, untimed
            runs = exp.sweeps()
            if len(runs) > args.max_calls:
                keep = np.linspace(0, len(runs) - 1, args.max_calls).round().astype(int)
                runs = [runs[i] for i in sorted(set(keep.tolist()))]
            sweeps = []                                        # one (fn, update) list per sweep
            for _ in range(args.sweeps):
                fn_ms, update_ms = [], []
                for params in runs:
                    t0 = time.perf_counter()
                    fig = exp.fn(**params)
                    t1 = time.perf_counter()
                    viz.png(fig, dpi=viz.DPI, palette=True, fast=True)  # as a live update does
                    t2 = time.perf_counter()
                    viz.close(fig)
                    fn_ms.append((t1 - t0) * 1e3)
                    update_ms.append((t2 - t0) * 1e3)
                sweeps.append((np.median(fn_ms), np.median(update_ms), update_ms))
            best = min(sweeps, key=lambda sweep: sweep[1])
            row = {"notebook": path.name, "experiment": exp.fn.__name__, "main": exp.main,
                   "calls": len(runs), "sweeps": args.sweeps,
                   "fn_median_ms": float(best[0]),
                   "update_median_ms": float(best[1]),
                   "update_median_worst_sweep_ms": float(max(sw[1] for sw in sweeps)),
                   "update_p90_ms": float(np.percentile(best[2], 90)),
                   "update_max_ms": float(np.max(best[2]))}
            rows.append(row)
            verdict = "ok" if row["update_median_ms"] <= BUDGET_MS else "OVER"
            print(f"{path.name[:24]:<24} {exp.fn.__name__[:24]:<24} {exp.main[:12]:<12} "
                  f"{row['calls']:>5} {row['fn_median_ms']:7.1f} {row['update_median_ms']:9.1f} "
                  f"{row['update_median_worst_sweep_ms']:9.1f} {row['update_p90_ms']:7.1f} "
                  f"{row['update_max_ms']:7.1f}  {verdict}")
    print(f"\nbudget: median update <= {BUDGET_MS:.0f} ms per experiment")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "widgets.json").write_text(json.dumps({"blas": machine.blas(), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
