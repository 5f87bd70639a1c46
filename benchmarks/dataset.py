"""A seeded benchmark dataset, written through the service's own columnar write path.

N incidents over 20 tenants (``org-00`` holds about 40%), 60 days ending at a fixed
moment so that runs compare; about 1.5 versions per incident (half are updated later,
most of those resolved, some without ``startTime`` so the start is kept), 400 services
in 40 namespaces, 100 metrics, one in five incidents acknowledged. Writes go in arrival
order (creations at their start, updates at their resolution) in large chunks, one
Arrow table per tenant, through ``check_table`` and ``Writer.commit``: the path of a
Parquet file given to ``incidents load``. The values are drawn with numpy, column by
column, so that drawing them costs little beside writing them (10M incidents make 15M
versions).

    .venv/bin/python -m benchmarks.dataset --incidents 1000000 --data-dir benchmarks/data/1m
"""

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from clickhouse.tables import SCHEMAS, Column
from ingest.columns import check_table
from ingest.compaction import compact
from ingest.writer import Rows, RowsOutcome, Writer

# pyarrow's stubs know few compute overloads for list, struct and string arrays.
pc: Any = pyarrow.compute

END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 60
TENANTS = 20
BIG_TENANT = "org-00"
# The tenant with the fewest incidents at seed 7 (31,153 of 1M).
SMALL_TENANT = "org-11"
TYPES = ("INCIDENT", "ANOMALY", "ALERT")
TYPE_WEIGHTS = (2, 5, 3)
CATEGORIES = ("PERFORMANCE", "RELIABILITY", "SECURITY", "CONFIGURATION")
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_WEIGHTS = (1, 3, 5, 5, 2)
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
PRIORITY_WEIGHTS = (1, 2, 4, 4, 2)
RESOLUTIONS = ("fixed", "auto", "wontfix", "duplicate")
SITES = ("eu-1", "eu-2", "us-1", "us-2", "ap-1", "ap-2")
SOURCES = tuple(f"detector-{n}" for n in range(8))
SERVICES = tuple((f"svc-{n:03d}", f"ns-{n % 40:02d}") for n in range(400))
SERVICE_NAMES = tuple(name for name, _ in SERVICES)
SERVICE_SPACES = tuple(space for _, space in SERVICES)
METRICS = tuple(f"metric_{n:03d}" for n in range(100))
SERVICE_COUNTS = (1, 1, 1, 2, 2, 3)
METRIC_COUNTS = (0, 1, 1, 2, 3)
MEAN_DURATION_MS = 7_200_000


def tenant(number: int) -> str:
    return f"org-{number:02d}"


def _weighted(rng: np.random.Generator, weights: tuple[int, ...], count: int) -> np.ndarray:
    p = np.array(weights, float)
    return rng.choice(len(weights), size=count, p=p / p.sum())


class Incidents:
    """Every incident's draws, as arrays indexed by incident number."""

    def __init__(self, count: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        end_ms = int(END.timestamp() * 1000)
        span = DAYS * 86_400_000
        step = span / max(count, 1)
        self.start = (end_ms - span + np.arange(count) * step + rng.uniform(0, step, count)).astype(
            np.int64
        )
        self.org = np.where(rng.random(count) < 0.4, 0, rng.integers(1, TENANTS, count))
        self.type = _weighted(rng, TYPE_WEIGHTS, count)
        self.category = rng.integers(0, len(CATEGORIES), count)
        self.source = rng.integers(0, len(SOURCES), count)
        self.site = rng.integers(0, len(SITES), count)
        self.severity = _weighted(rng, SEVERITY_WEIGHTS, count)
        self.priority = _weighted(rng, PRIORITY_WEIGHTS, count)
        self.title_metric = rng.integers(0, len(METRICS), count)
        self.threshold = np.round(rng.uniform(0, 100, count), 2)
        self.region = rng.integers(0, len(SITES), count)
        self.services = _lists(rng, SERVICE_COUNTS, len(SERVICES), count)
        self.metrics = _lists(rng, METRIC_COUNTS, len(METRICS), count)
        # Half are updated once, at the end of a duration drawn for each.
        self.updated = rng.random(count) < 0.5
        self.lasted = rng.exponential(MEAN_DURATION_MS, count).astype(np.int64)
        self.resolves = rng.random(count) < 0.85
        self.keeps_start = rng.random(count) < 0.3
        self.new_severity = rng.integers(0, len(SEVERITIES), count)
        self.resolution = rng.integers(0, len(RESOLUTIONS), count)
        self.acknowledged = rng.random(count) < 0.2
        self.ack_user = rng.integers(0, 50, count)


def _lists(
    rng: np.random.Generator, lengths: tuple[int, ...], choices: int, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` lists of indices below ``choices``, none repeating its list's first
    (so lists of two are distinct; a list of three may repeat its second): (offsets,
    values)."""
    sizes = np.array(lengths)[rng.integers(0, len(lengths), count)]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    values = rng.integers(0, choices, int(offsets[-1]))
    # Distinct within a list: step past a repeat of the list's first value. An empty
    # list has no first value (the last one's offset is past the end).
    filled = sizes > 0
    first = np.repeat(values[offsets[:-1][filled]], sizes[filled])
    position = np.arange(len(values)) - np.repeat(offsets[:-1], sizes)
    values = np.where((position > 0) & (values == first), (values + 1) % choices, values)
    return offsets, values


def arrival_order(incidents: Incidents) -> tuple[np.ndarray, np.ndarray]:
    """Every write in arrival order: (incident number, whether it is the update)."""
    count = len(incidents.start)
    updates = np.flatnonzero(incidents.updated)
    at = np.concatenate([incidents.start, incidents.start[updates] + incidents.lasted[updates]])
    number = np.concatenate([np.arange(count), updates])
    is_update = np.concatenate([np.zeros(count, bool), np.ones(len(updates), bool)])
    order = np.argsort(at, kind="stable")
    return number[order], is_update[order]


def _text(values: tuple[str, ...], index: np.ndarray) -> Column:
    """The strings ``values[index]``, through a dictionary: numpy's own strings took a
    third of drawing a chunk's versions (line_profiler)."""
    return pa.DictionaryArray.from_arrays(index.astype(np.int32), values).cast(pa.string())


def _list_column(
    lists: tuple[np.ndarray, np.ndarray], numbers: np.ndarray
) -> tuple[Column, np.ndarray]:
    """The lists of ``numbers``, as Arrow offsets and the flat indices they hold."""
    offsets, values = lists
    sizes = offsets[numbers + 1] - offsets[numbers]
    starts = np.repeat(offsets[numbers], sizes)
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    new_offsets = pa.array(np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32))
    return new_offsets, values[starts + within]


def versions(incidents: Incidents, numbers: np.ndarray, update: np.ndarray) -> pa.Table:
    """The request bodies of these writes, as the columns of a Parquet file."""
    count = len(numbers)
    service_offsets, service_index = _list_column(incidents.services, numbers)
    services = pa.ListArray.from_arrays(
        service_offsets,
        pa.StructArray.from_arrays(
            [_text(SERVICE_NAMES, service_index), _text(SERVICE_SPACES, service_index)],
            ["name", "namespace"],
        ),
    )
    metric_offsets, metric_index = _list_column(incidents.metrics, numbers)
    metrics = pa.ListArray.from_arrays(metric_offsets, _text(METRICS, metric_index))
    resolved = update & incidents.resolves[numbers]
    start = incidents.start[numbers]
    time_type = pa.timestamp("ms", tz="UTC")
    thresholds = pc.cast(pa.array(incidents.threshold[numbers]), pa.string())
    regions = _text(SITES, incidents.region[numbers])
    metadata = pc.binary_join_element_wise(
        '{"threshold":', thresholds, ',"region":"', regions, '"}', ""
    )
    severity = np.where(update, incidents.new_severity[numbers], incidents.severity[numbers])
    columns: dict[str, Any] = {
        "type": _text(TYPES, incidents.type[numbers]),
        "incidentId": pc.cast(pa.array(numbers), pa.string()),
        "title": pc.binary_join_element_wise(
            _text(METRICS, incidents.title_metric[numbers]), " above threshold", ""
        ),
        "category": _text(CATEGORIES, incidents.category[numbers]),
        "description": pa.repeat(
            "Observed value left its expected band for several minutes.", count
        ),
        "recommendation": pa.repeat(
            "Check the latest deployment and the upstream dependencies.", count
        ),
        "source": _text(SOURCES, incidents.source[numbers]),
        "status": _text(("OPEN", "RESOLVED"), resolved.astype(np.int32)),
        "resolution": pc.if_else(
            pa.array(resolved), _text(RESOLUTIONS, incidents.resolution[numbers]), ""
        ),
        "services": services,
        "metricNames": metrics,
        "startTime": pa.array(start, time_type, mask=update & incidents.keeps_start[numbers]),
        "endTime": pa.array(start + incidents.lasted[numbers], time_type, mask=~resolved),
        "sourceSite": _text(SITES, incidents.site[numbers]),
        "severity": _text(SEVERITIES, severity),
        "priority": _text(PRIORITIES, incidents.priority[numbers]),
        "metadata": metadata,
    }
    return pa.table(columns)


def acknowledgements(
    incidents: Incidents, numbers: np.ndarray, update: np.ndarray, ids: list[int | None], org: str
) -> pa.Table:
    """One in five incidents acknowledged, five minutes after its creation."""
    chosen = np.flatnonzero(~update & incidents.acknowledged[numbers])
    picked = numbers[chosen]
    users = _text(tuple(f"user-{n}" for n in range(50)), incidents.ack_user[picked])
    columns = {
        "org_id": pa.repeat(org, len(chosen)),
        "id": pa.array([ids[n] for n in chosen.tolist()], pa.uint64()),
        "ack_time": pa.array(incidents.start[picked] + 300_000, pa.timestamp("ms", tz="UTC")),
        "user_id": users,
        "user_email": pa.nulls(len(chosen), pa.string()),
        "version": pa.repeat(pa.scalar(1, pa.uint64()), len(chosen)),
    }
    return pa.table(columns, schema=SCHEMAS["incident_acks"])


def _progress(done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    print(
        f"\r{done:,}/{total:,} rows  {rate:,.0f} rows/s  ETA {eta:,.0f} s ",
        end="",
        file=sys.stderr,
        flush=True,
    )


def load(store: Store, count: int, seed: int = 7, batch: int = 100_000) -> int:
    """Write the dataset into ``store``; answers the number of versions written."""
    started = time.perf_counter()
    incidents = Incidents(count, seed)
    numbers, update = arrival_order(incidents)
    writer = Writer(store)
    done = acked = 0
    # Each chunk's writes, kept until its outcomes come back (the next chunk is being
    # prepared by then: the writer inserts one chunk while the next is checked).
    sent: list[tuple[np.ndarray, np.ndarray, list[tuple[int, np.ndarray]]]] = []

    def chunks() -> Iterator[list[Rows]]:
        for first in range(0, len(numbers), batch):
            chunk, chunk_update = numbers[first : first + batch], update[first : first + batch]
            orgs = incidents.org[chunk]
            tenants = [(org, orgs == org) for org in np.unique(orgs).tolist()]
            writes = []
            for org, mine in tenants:
                checks = check_table(versions(incidents, chunk[mine], chunk_update[mine]))
                if checks.errors:
                    raise AssertionError(f"the generated data is invalid: {checks.errors}")
                writes.append(Rows(tenant(org), checks))
            sent.append((chunk, chunk_update, tenants))
            yield writes

    for outcomes in writer.commit_chunks(chunks()):
        chunk, chunk_update, tenants = sent.pop(0)
        acks = []
        for (org, mine), outcome in zip(tenants, outcomes, strict=True):
            assert isinstance(outcome, RowsOutcome)
            acks.append(
                acknowledgements(
                    incidents, chunk[mine], chunk_update[mine], outcome.ids, tenant(org)
                )
            )
        acked_now = pa.concat_tables(acks)
        store.insert("incident_acks", acked_now)
        done += len(chunk)
        acked += acked_now.num_rows
        _progress(done, len(numbers), started)
    writer.close()
    print(file=sys.stderr)
    seconds = time.perf_counter() - started
    print(
        f"{done:,} versions, {acked:,} acknowledgements in {seconds:,.0f} s "
        f"({done / seconds:,.0f} versions/s, drawing the values included)",
        file=sys.stderr,
    )
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument(
        "--no-compact", action="store_true", help="leave the parts as the load made them"
    )
    args = parser.parse_args()
    store = Store(StoreConfig(data_dir=args.data_dir))
    try:
        migrate(store)
        load(store, args.incidents, args.seed, args.batch)
        # As `incidents load` does after a bulk load: the reads are measured on the
        # tables merged, as the service's compaction leaves them.
        if not args.no_compact:
            print(f"compacted in {compact(store):.1f} s", file=sys.stderr)
    finally:
        store.close()


if __name__ == "__main__":
    main()
