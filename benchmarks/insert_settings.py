"""What an insert's collapse costs, per table: rows that repeat no key inserted with the
engine's defaults and with ``clickhouse.store.NO_COLLAPSE`` (a loader's chunk, a small
commit), and rows that name a third of their incidents twice collapsed by the engine
or here first (``clickhouse.tables.collapsed``, its time included), as the writer
inserts them.

The rows are what the writer's commits insert (``Writer.settle_rows`` of generated
incidents); each round inserts every case once in each way, in turn, so that both
see the same machine and the same growing tables. Printed per case: the median wall ms
and the median CPU ms of this process (every thread, the engine's merges too).

    .venv/bin/python -m benchmarks.insert_settings [--rounds 15] [--rows 50000] [--small 32]
"""

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.http_load import ORG, incident_body
from benchmarks.stats import announce
from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from clickhouse.store import NO_COLLAPSE
from clickhouse.tables import collapsed
from ingest.loader import chunks
from ingest.writer import Rows, Writer

# What NO_COLLAPSE replaces: the engine's own value of each.
DEFAULTS = {"optimize_on_insert": 1}


Insert = Callable[[Store, str, pa.Table], None]


def commit_tables(workdir: Path, writer: Writer, rows: int, distinct: int) -> dict[str, pa.Table]:
    """The tables one commit of ``rows`` writes of ``distinct`` incidents inserts (the
    later writes of an incident update it)."""
    rng = random.Random(rows)
    source = workdir / f"incidents-{rows}-{distinct}.ndjson"
    source.write_bytes(b"".join(incident_body(n % distinct, rng) + b"\n" for n in range(rows)))
    ((checks, _, _),) = chunks(source, rows)
    tables, _ = writer.settle_rows([Rows(ORG, checks)])
    return tables


def with_settings(settings: dict[str, Any]) -> Insert:
    def insert(store: Store, table: str, rows: pa.Table) -> None:
        store.client.insert_arrow(table, rows, settings=settings)

    return insert


def collapsed_here(store: Store, table: str, rows: pa.Table) -> None:
    store.client.insert_arrow(table, collapsed(table, rows), settings=NO_COLLAPSE)


def timed_insert(store: Store, table: str, rows: pa.Table, insert: Insert) -> tuple[float, float]:
    """Wall and CPU ms of inserting ``rows`` into ``table`` with ``insert``."""
    wall, cpu = time.perf_counter(), time.process_time()
    insert(store, table, rows)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=32)
    args = parser.parse_args()
    announce()
    print(f"no collapse: {NO_COLLAPSE}", flush=True)
    engine = with_settings(DEFAULTS)
    unrepeated = {"defaults": engine, "no collapse": with_settings(NO_COLLAPSE)}
    repeated = {"defaults": engine, "collapsed here": collapsed_here}
    with tempfile.TemporaryDirectory(prefix="incidents-insert-") as scratch:
        store = Store(StoreConfig(data_dir=Path(scratch) / "chdb"))
        migrate(store)
        writer = Writer(store)
        try:
            cases = [
                (f"{size}", commit_tables(Path(scratch), writer, size, size), unrepeated)
                for size in (args.rows, args.small)
            ]
            distinct = args.rows * 2 // 3
            cases.append(
                (
                    f"{args.rows}/{distinct}",
                    commit_tables(Path(scratch), writer, args.rows, distinct),
                    repeated,
                )
            )
            found: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
            for round_ in range(args.rounds):
                for case, tables, ways in cases:
                    for table, rows in tables.items():
                        for name, insert in ways.items():
                            found.setdefault((case, table, name), []).append(
                                timed_insert(store, table, rows, insert)
                            )
                print(f"round {round_ + 1} of {args.rounds}", flush=True)
        finally:
            writer.close()
            store.close()
    print(f"{'rows/incidents':>14} {'table':<16} {'insert':<14} {'wall ms':>8} {'CPU ms':>8}")
    for (case, table, name), times in found.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"{case:>14} {table:<16} {name:<14} {wall:>8.2f} {cpu:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
