"""A seeded benchmark dataset, written through the service's own write path.

N incidents over 20 tenants (``org-00`` holds about 40%), 60 days ending at a fixed
moment so that runs compare; about 1.5 versions per incident (half are updated later,
most of those resolved, some without ``startTime`` so the start is kept), 400 services
in 40 namespaces, 100 metrics, one in five incidents acknowledged. Writes go in arrival
order (creations at their start, updates at their resolution) in large batches through
``Writer.commit``, the same function the HTTP routes use.

    .venv/bin/python -m benchmarks.dataset --incidents 1000000 --data-dir benchmarks/data/1m
"""

import argparse
import heapq
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from clickhouse.tables import insert_rows
from ingest.writer import Upsert, Writer
from vocabulary.identity import incident_key
from vocabulary.incident import IncidentIn

END = datetime(2026, 11, 1, tzinfo=UTC)
DAYS = 60
TENANTS = 20
BIG_TENANT = "org-00"
TYPES = ("INCIDENT", "ANOMALY", "ALERT")
CATEGORIES = ("PERFORMANCE", "RELIABILITY", "SECURITY", "CONFIGURATION")
SEVERITIES = ("critical", "high", "medium", "low", "info")
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
RESOLUTIONS = ("fixed", "auto", "wontfix", "duplicate")
SITES = ("eu-1", "eu-2", "us-1", "us-2", "ap-1", "ap-2")
SOURCES = tuple(f"detector-{n}" for n in range(8))
SERVICES = tuple((f"svc-{n:03d}", f"ns-{n % 40:02d}") for n in range(400))
METRICS = tuple(f"metric_{n:03d}" for n in range(100))


def tenant(number: int) -> str:
    return f"org-{number:02d}"


@dataclass(frozen=True)
class Arrival:
    """One write as it arrives: when, for which tenant, and the body."""

    at: datetime
    org_id: str
    body: dict[str, Any]
    creates: bool = False


def _incident(rng: random.Random, number: int, start: datetime) -> tuple[str, dict[str, Any]]:
    org = BIG_TENANT if rng.random() < 0.4 else tenant(rng.randrange(1, TENANTS))
    services = rng.sample(SERVICES, rng.choice((1, 1, 1, 2, 2, 3)))
    body = {
        "type": rng.choices(TYPES, weights=(2, 5, 3))[0],
        "incidentId": f"{number:x}",
        "title": f"{rng.choice(METRICS)} above threshold",
        "category": rng.choice(CATEGORIES),
        "description": "Observed value left its expected band for several minutes.",
        "recommendation": "Check the latest deployment and the upstream dependencies.",
        "source": rng.choice(SOURCES),
        "status": "OPEN",
        "resolution": "",
        "services": [{"name": n, "namespace": ns} for n, ns in services],
        "metricNames": rng.sample(METRICS, rng.choice((0, 1, 1, 2, 3))),
        "startTime": start,
        "sourceSite": rng.choice(SITES),
        "severity": rng.choices(SEVERITIES, weights=(1, 3, 5, 5, 2))[0],
        "priority": rng.choices(PRIORITIES, weights=(1, 2, 4, 4, 2))[0],
        "metadata": {"threshold": round(rng.uniform(0, 100), 2), "region": rng.choice(SITES)},
    }
    return org, body


def arrivals(count: int, seed: int) -> Iterator[Arrival]:
    """Every write of the dataset, in arrival order, generated as it goes.

    Creations come in start order; each update waits in a heap until the creations have
    passed its time, so memory holds only the updates still pending (a few hours' worth)
    rather than the whole dataset (15M bodies would not fit in memory at 10M incidents).
    """
    rng = random.Random(seed)
    first = END - timedelta(days=DAYS)
    step = DAYS * 86400 / max(count, 1)
    pending: list[tuple[datetime, int, Arrival]] = []
    for number in range(count):
        start = first + timedelta(seconds=round(number * step + rng.uniform(0, step), 3))
        while pending and pending[0][0] <= start:
            yield heapq.heappop(pending)[2]
        org, body = _incident(rng, number, start)
        yield Arrival(start, org, body, creates=True)
        if rng.random() < 0.5:
            lasted = timedelta(seconds=round(rng.expovariate(1 / 7200), 3))
            update = {**body, "severity": rng.choice(SEVERITIES)}
            if rng.random() < 0.85:
                update |= {
                    "status": "RESOLVED",
                    "resolution": rng.choice(RESOLUTIONS),
                    "endTime": start + lasted,
                }
            if rng.random() < 0.3:
                del update["startTime"]
            heapq.heappush(pending, (start + lasted, number, Arrival(start + lasted, org, update)))
    while pending:
        yield heapq.heappop(pending)[2]


def _batches(items: Iterator[Arrival], size: int) -> Iterator[list[Arrival]]:
    batch: list[Arrival] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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


def acknowledgements(writes: list[Arrival], rng: random.Random) -> list[dict[str, Any]]:
    """Acknowledge one in five incidents, five minutes after creation, as incident_acks rows."""
    rows: list[dict[str, Any]] = []
    for write in writes:
        if write.creates and rng.random() < 0.2:
            key = (write.org_id, write.body["source"], write.body["incidentId"])
            rows.append(
                {
                    "org_id": write.org_id,
                    "id": incident_key(*key),
                    "ack_time": write.at + timedelta(minutes=5),
                    "user_id": f"user-{rng.randrange(50)}",
                    "user_email": None,
                    "version": 1,
                }
            )
    return rows


def load(store: Store, count: int, seed: int = 7, batch: int = 50_000) -> int:
    """Write the dataset into ``store``; answers the number of rows written."""
    expected = round(count * 1.5)
    writer = Writer(store)
    ack_rng = random.Random(seed + 1)
    started = time.perf_counter()
    done = acked = 0
    for chunk in _batches(arrivals(count, seed), batch):
        items = [Upsert(a.org_id, IncidentIn.model_validate(a.body)) for a in chunk]
        writer.commit(items)
        acks = acknowledgements(chunk, ack_rng)
        insert_rows(store, "incident_acks", acks)
        done += len(chunk)
        acked += len(acks)
        _progress(done, max(expected, done), started)
    print(file=sys.stderr)
    print(f"{done:,} versions, {acked:,} acknowledgements", file=sys.stderr)
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()
    store = Store(StoreConfig(data_dir=args.data_dir))
    try:
        migrate(store)
        load(store, args.incidents, args.seed, args.batch)
    finally:
        store.close()


if __name__ == "__main__":
    main()
