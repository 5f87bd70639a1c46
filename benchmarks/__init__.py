"""Benchmarks: a seeded dataset generator and the read benchmark."""

from pathlib import Path

# The yardsticks beside the checkout (bare_app.py, readbench): ../shared/bench.
SHARED_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
