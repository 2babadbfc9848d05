"""Measuring helpers shared by ``bench`` and its scikit-learn ``baseline``: a throughput and
latency loop, the peak memory, and a figure's line beside its target."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable

#: the issues' targets ("Understanding learned from thousands of messages": classify; "Conversation
#: as one ordered list of policies": handle() on new messages, 200 µs each)
TARGETS = {
    "classify_per_second": 8000,
    "classify_used_per_second": 15000,
    "handle_per_second": 5000,
    "handle_used_per_second": 8000,
    "handle_p99_ms": 2.0,
    "startup_seconds": 1.5,
    "peak_rss_mb": 150,
    "huge_message_ms": 50,
    "photo_seconds": 3.0,
    "sqlite_handle_per_second": 3000,
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_calls(
    fn: Callable[[str], object], corpus: list[str], seconds: float
) -> tuple[float, float, float]:
    """Messages per second, p50 and p99 latency in ms."""
    for text in corpus[:200]:  # warm up
        fn(text)
    latencies: list[float] = []
    clock = time.perf_counter
    start = clock()
    i = 0
    while clock() - start < seconds:
        text = corpus[i % len(corpus)]
        t0 = clock()
        fn(text)
        latencies.append(clock() - t0)
        i += 1
    elapsed = clock() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    return i / elapsed, p50, p99


def figure_line(
    name: str, value: float, unit: str, target_key: str | None = None, lower_is_better: bool = False
) -> str:
    text = f"  {name:<34} {value:>12,.2f} {unit}"
    if target_key:
        target = TARGETS[target_key]
        met = value <= target if lower_is_better else value >= target
        text += (
            f"   (target {'≤' if lower_is_better else '≥'} {target:,}: "
            f"{'met' if met else 'NOT met'})"
        )
    return text
