"""The benchmark command prints its figures (targets are judged by people, not asserted)."""

from __future__ import annotations

import re

from tests.harness import run


def test_bench_prints_figures_and_baseline() -> None:
    proc = run("bench", "--seconds", "0.2", "--baseline")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for label in (
        "classify, cold:",
        "classify, as used:",
        "handle()",
        "latency p50",
        "latency p99",
        "100,000 characters",
        "start-up until first reply",
        "peak RSS",
        "this bot",
        "baseline",
        "accuracy on the labelled set",
        "throughput ratio",
    ):
        assert label in out, label
    rates = re.findall(r"throughput\s+([\d,]+\.\d+) msg/s", out)
    # classify and handle(), each cold and as used; handle() with memory sessions at once,
    # with SQLite sessions one at a time and at once
    assert len(rates) == 7
    assert all(float(r.replace(",", "")) > 0 for r in rates)
    for label in (
        "session store puts:",
        "sqlite, one at a time",
        "sqlite, 100 at once",
        "puts per group commit",
        "handle() with SQLite sessions",
    ):
        assert label in out, label
    puts = re.findall(
        r"(memory|sqlite, one at a time|sqlite, 100 at once)\s+([\d,]+\.\d+) puts/s", out
    )
    assert [name for name, _ in puts] == ["memory", "sqlite, one at a time", "sqlite, 100 at once"]
    assert all(float(rate.replace(",", "")) > 0 for _, rate in puts)
