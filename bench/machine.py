"""How fast this machine is running Python right now, printed beside every timing.

The machine is shared: the same code can take 1.5x longer from one minute to the next.
A fixed pure-Python workload, timed just before a benchmark, lets a reader tell a slow
spell from a slow change, and compare figures taken on different days.
"""

from __future__ import annotations

import time

LOOP = 3_000_000


def python_speed(repeats: int = 3) -> float:
    """Best-of-``repeats`` seconds for ``LOOP`` integer additions in a Python loop."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        total = 0
        for i in range(LOOP):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def blas() -> str:
    """Which BLAS numpy uses, with its thread count, and the knobs that slow it down
    (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE) if the environment sets them."""
    import os

    import numpy  # noqa: F401  (loads the BLAS, so that threadpoolctl sees it)
    from threadpoolctl import threadpool_info

    libs = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, "
            f"{i.get('num_threads')} threads)" for i in threadpool_info()
            if i.get("user_api") == "blas"]
    knobs = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
             if os.environ.get(k)}
    return "BLAS: " + "; ".join(libs) + (f"; env {knobs}" if knobs else "")


def describe() -> str:
    """The BLAS line and the machine-speed line every benchmark prints first."""
    return (f"{blas()}\nmachine speed: {LOOP:,} Python-loop additions take "
            f"{python_speed():.3f} s (best of 3; larger means a slower spell)")
