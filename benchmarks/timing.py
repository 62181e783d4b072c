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


def paired_medians_ms(action: Callable[[], object], reference: Callable[[], object],
                      runs: int = 7) -> tuple[float, float]:
    """Medians in ms of *action* and *reference*, called alternately so that load on the shared machine
    falls on both alike (their ratio is what to compare)."""
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(median_ms(action, 1))
        theirs.append(median_ms(reference, 1))
    return statistics.median(ours), statistics.median(theirs)
