"""How fast this machine runs right now, printed beside benchmarks that report seconds.

This project's machine swung by 1.5-2x within an hour (2026-12-03): the same loop at module level took
0.8 s in one phase and 1.4-1.8 s in another, and every timing moved with it. A benchmark that prints
seconds against a target prints this line too, so that runs made at different times can be compared.
"""

from __future__ import annotations

import time

LOOP_STEPS = 10_000_000
MEASURED = "0.34 s on 2026-12-03 at 23:25 UTC"  # a fast phase: bench/check.py gave 11.4 s vs 4.0 s at 23:05


def loop_seconds(repeat: int = 2) -> float:
    """The best of `repeat` timings of a plain Python loop (one core, no allocation)."""
    best = float("inf")
    for _ in range(repeat):
        started, total = time.perf_counter(), 0
        for step in range(LOOP_STEPS):
            total += step
        best = min(best, time.perf_counter() - started)
    return best


def speed_line() -> str:
    return (f"machine speed: a {LOOP_STEPS:,}-step Python loop took {loop_seconds():.2f} s "
            f"({MEASURED}; more means a slower phase)")
