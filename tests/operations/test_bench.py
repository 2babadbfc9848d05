"""The benchmark command prints its figures (targets are judged by people, not asserted)."""

from __future__ import annotations

import re

from tests.harness import run


def test_bench_prints_figures_and_baseline() -> None:
    proc = run("bench", "--seconds", "0.2", "--baseline")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for label in ("classify, cold:", "classify, as used:", "handle()", "latency p50",
                  "latency p99", "100,000 characters",
                  "start-up until first reply", "peak RSS", "this bot", "baseline",
                  "accuracy on the labelled set", "throughput ratio"):
        assert label in out, label
    rates = re.findall(r"throughput\s+([\d,]+\.\d+) msg/s", out)
    assert len(rates) == 4  # classify and handle(), each cold and as used
    assert all(float(r.replace(",", "")) > 0 for r in rates)
