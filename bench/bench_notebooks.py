"""Time every chapter notebook, and the whole book build, against their budgets.

    python bench/bench_notebooks.py                 # every chapter, then the book
    python bench/bench_notebooks.py --skip-book     # chapters only
    python bench/bench_notebooks.py chapters/02_backprop.ipynb

Each notebook runs in a fresh kernel exactly as `make book` runs it: one BLAS thread
(OPENBLAS_NUM_THREADS=1, or --threads) and explore in static mode, so the frame players
are rendered too. Reported per notebook: wall-clock seconds (budget 60 s) and the
kernel's peak resident memory (budget 1.5 GB). The book is then built from clean into a
temporary folder (`tools/build_book.py --all`, budget 8 min). Results are also written
to bench/results/notebooks.json. Over-budget rows say OVER; the exit code is non-zero
only when a notebook or the build fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_BUDGET_S = 60.0
MEMORY_BUDGET_MB = 1500.0
BOOK_BUDGET_S = 8 * 60.0


def run_one(path: Path) -> dict:
    """Execute one notebook in a fresh kernel (in this process's child); report time
    and the kernel's peak RSS. Called in a subprocess so RUSAGE_CHILDREN is its own."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss   # Linux: kB
    return {"notebook": path.name, "seconds": seconds, "peak_mb": peak_kb / 1024}


def measure_notebook(path: Path, env: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--one", str(path)], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"notebook": path.name, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_book(env: dict) -> dict:
    """Build the whole book from clean into a temporary folder."""
    out = Path(tempfile.mkdtemp(prefix="bench-book-"))
    try:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"), str(ROOT),
                               "--all", "--path-output", str(out)],
                              env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        pages = list((out / "_build" / "html").rglob("*.html"))
        size = sum(p.stat().st_size for p in pages)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"seconds": seconds, "ok": proc.returncode == 0, "pages": len(pages),
            "html_mb": size / 1e6}


def status(value: float, budget: float) -> str:
    return "ok" if value <= budget else "OVER"


def main() -> int:
    parser = argparse.ArgumentParser(description="Notebook and book build timings.")
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--skip-book", action="store_true")
    parser.add_argument("--threads", default="1", help="OPENBLAS_NUM_THREADS for the kernels")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0

    env = dict(os.environ, OPENBLAS_NUM_THREADS=args.threads, BOOKKIT_EXPLORE="static")
    env.pop("MPLBACKEND", None)
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    print(machine.describe())
    print(f"kernels run with OPENBLAS_NUM_THREADS={args.threads}")
    print(machine.describe())
    print(f"\n{'notebook':<32} {'seconds':>8} {'budget':>7} {'peak MB':>8} {'budget':>7}  status")
    rows, failed = [], False
    for path in notebooks:
        row = measure_notebook(path, env)
        rows.append(row)
        if "error" in row:
            failed = True
            print(f"{path.name:<32} {'error':>8}  {row['error']}")
            continue
        ok = (status(row["seconds"], NOTEBOOK_BUDGET_S) == "ok"
              and status(row["peak_mb"], MEMORY_BUDGET_MB) == "ok")
        print(f"{path.name:<32} {row['seconds']:8.1f} {NOTEBOOK_BUDGET_S:7.0f} "
              f"{row['peak_mb']:8.0f} {MEMORY_BUDGET_MB:7.0f}  {'ok' if ok else 'OVER'}")
    result = {"blas": machine.blas(), "threads": args.threads, "notebooks": rows}
    if not args.skip_book:
        book = measure_book(env)
        result["book"] = book
        failed |= not book["ok"]
        print(f"\n{'whole book, from clean':<32} {book['seconds']:8.1f} {BOOK_BUDGET_S:7.0f}"
              f"  {'ok' if book['ok'] and book['seconds'] <= BOOK_BUDGET_S else 'OVER/FAILED'}"
              f"  ({book['pages']} pages, {book['html_mb']:.1f} MB of HTML)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "notebooks.json").write_text(json.dumps(result, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
