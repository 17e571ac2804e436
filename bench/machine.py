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


def describe() -> str:
    return (f"machine speed: {LOOP:,} Python-loop additions take {python_speed():.3f} s "
            "(best of 3; larger means a slower spell)")
