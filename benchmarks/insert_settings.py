"""What an insert's collapse costs: rows that repeat no key inserted with the engine's
defaults and with ``clickhouse.store.NO_COLLAPSE``, per table, for a loader's chunk
and a small commit.

The rows are what the writer's commits insert (``Writer.settle_rows`` of generated
incidents); each round inserts every case once with each setting, in turn, so that both
see the same machine and the same growing tables. Printed per case: the median wall ms
and the median CPU ms of this process (every thread, the engine's merges too).

    .venv/bin/python -m benchmarks.insert_settings [--rounds 15] [--rows 50000] [--small 32]
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.http_load import ORG, incident_body
from benchmarks.stats import announce
from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from clickhouse.store import NO_COLLAPSE
from ingest.loader import chunks
from ingest.writer import Rows, Writer

# What NO_COLLAPSE replaces: the engine's own value of each.
DEFAULTS = {"optimize_on_insert": 1}


def commit_tables(workdir: Path, writer: Writer, rows: int) -> dict[str, pa.Table]:
    """The tables one commit of ``rows`` new incidents inserts."""
    rng = random.Random(rows)
    source = workdir / f"incidents-{rows}.ndjson"
    source.write_bytes(b"".join(incident_body(n, rng) + b"\n" for n in range(rows)))
    ((checks, _, _),) = chunks(source, rows)
    tables, _ = writer.settle_rows([Rows(ORG, checks)])
    return tables


def timed_insert(
    store: Store, table: str, rows: pa.Table, settings: dict[str, Any]
) -> tuple[float, float]:
    """Wall and CPU ms of inserting ``rows`` into ``table`` with ``settings``."""
    wall, cpu = time.perf_counter(), time.process_time()
    store.client.insert_arrow(table, rows, settings=settings)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=32)
    args = parser.parse_args()
    announce()
    variants = {"defaults": DEFAULTS, "no collapse": NO_COLLAPSE}
    print(f"no collapse: {NO_COLLAPSE}", flush=True)
    with tempfile.TemporaryDirectory(prefix="incidents-insert-") as scratch:
        store = Store(StoreConfig(data_dir=Path(scratch) / "chdb"))
        migrate(store)
        writer = Writer(store)
        try:
            sizes = {
                size: commit_tables(Path(scratch), writer, size) for size in (args.rows, args.small)
            }
            found: dict[tuple[int, str, str], list[tuple[float, float]]] = {}
            for round_ in range(args.rounds):
                for size, tables in sizes.items():
                    for table, rows in tables.items():
                        for name, settings in variants.items():
                            found.setdefault((size, table, name), []).append(
                                timed_insert(store, table, rows, settings)
                            )
                print(f"round {round_ + 1} of {args.rounds}", flush=True)
        finally:
            writer.close()
            store.close()
    print(f"{'rows':>6} {'table':<16} {'settings':<11} {'wall ms':>8} {'CPU ms':>8}")
    for (size, table, name), times in found.items():
        wall = statistics.median(t[0] for t in times)
        cpu = statistics.median(t[1] for t in times)
        print(f"{size:>6} {table:<16} {name:<11} {wall:>8.2f} {cpu:>8.2f}", flush=True)


if __name__ == "__main__":
    main()
