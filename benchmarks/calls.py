"""What one call through clickhouse-connect to chDB costs, with and without per-call settings.

The store gives its limits to each client once and sends no query id to chDB because of
these figures (clickhouse/store.py); this prints them again on a fresh data directory:

    .venv/bin/python -m benchmarks.calls
"""

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable

import clickhouse_connect
import pyarrow as pa

from benchmarks.stats import announce, percentile

QUERY = "SELECT count() FROM t WHERE a = {x:UInt64}"
LIMITS = {"max_execution_time": 30, "max_result_rows": 1_000_000}


def interleaved_medians(cases: list[tuple[str, Callable[[], object]]], repeats: int) -> list[float]:
    """The median ms of each case, the cases taken in turn each round: the table grows a
    part with every insert, so one case after another would compare different tables."""
    found: list[list[float]] = [[] for _ in cases]
    for _ in range(repeats):
        for times, (_, call) in zip(found, cases, strict=True):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    return [percentile(times, 0.5) for times in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60)
    args = parser.parse_args()
    # One chDB engine per process: both clients open the same directory.
    path = tempfile.mkdtemp(prefix="calls-")
    limited = clickhouse_connect.get_client(interface="chdb", path=path, settings=LIMITS)
    timeout_only = clickhouse_connect.get_client(
        interface="chdb", path=path, settings={"max_execution_time": 30}
    )
    plain = clickhouse_connect.get_client(interface="chdb", path=path)
    plain.command("CREATE TABLE t (a UInt64, b String) ENGINE = MergeTree ORDER BY a")
    rows = pa.table({"a": pa.array(range(64), pa.uint64()), "b": pa.array(["x"] * 64)})
    cases: list[tuple[str, Callable[[], object]]] = [
        ("query, no settings", lambda: plain.query_arrow(QUERY, {"x": 1})),
        ("query, timeout as client setting", lambda: timeout_only.query_arrow(QUERY, {"x": 1})),
        ("query, both limits as client settings", lambda: limited.query_arrow(QUERY, {"x": 1})),
        (
            "query, max_result_rows in settings=",
            lambda: plain.query_arrow(QUERY, {"x": 1}, settings={"max_result_rows": 1_000_000}),
        ),
        (
            "query, query_id in settings=",
            lambda: plain.query_arrow(QUERY, {"x": 1}, settings={"query_id": uuid.uuid4().hex}),
        ),
        ("insert 64 rows, no settings", lambda: plain.insert_arrow("t", rows)),
        (
            "insert 64 rows, query_id in settings=",
            lambda: plain.insert_arrow("t", rows, settings={"query_id": uuid.uuid4().hex}),
        ),
    ]
    announce()
    print(f"{'call':44} {'p50 ms':>8}")
    interleaved_medians(cases, 3)
    for (name, _), median in zip(cases, interleaved_medians(cases, args.repeats), strict=True):
        print(f"{name:44} {median:8.2f}")
    print(f"command: python -m benchmarks.calls --repeats {args.repeats}")


if __name__ == "__main__":
    main()
