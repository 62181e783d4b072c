"""The one timing helper of the benchmarks: medians, because the machine is shared and noisy."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(action: Callable[[], object], runs: int = 5) -> float:
    """Median wall time of *runs* calls of *action*, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_ms(action: Callable[[], object], runs: int = 7) -> float:
    """Like :func:`median_seconds`, in milliseconds."""
    return median_seconds(action, runs) * 1000
