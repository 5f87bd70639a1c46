"""Read benchmark: each dashboard read against its SQL floor, then mixed throughput.

Endpoints are measured in-process through the ASGI app (FastAPI's TestClient: routing,
validation, the domain code, JSON; no sockets). The floor of an endpoint is the direct
SQL it runs: while one warm-up request runs, every ``store.query`` call (file name,
parameters, settings) is recorded; the floor replays exactly those calls through
``store.query`` and sums them. Endpoint and floor runs alternate, so that both see the
same moments of a shared machine. Run on a dataset made by ``benchmarks.dataset``:

    .venv/bin/python -m benchmarks.reads --data-dir benchmarks/data/1m
"""

import argparse
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from benchmarks.dataset import BIG_TENANT, END, SMALL_TENANT
from benchmarks.stats import announce, percentile
from clickhouse import Store
from service.app import create_app
from service.settings import Settings

DAY = 86400
HEADERS = {"X-Scope-OrgID": BIG_TENANT}
TO = int(END.timestamp())
Call = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Read:
    name: str
    path: str
    params: dict[str, Any]
    org: str = BIG_TENANT


def reads(deep_cursor: int) -> list[Read]:
    month = {"timestampFrom": TO - 30 * DAY, "timestampTo": TO}
    return [
        Read("list: first page", "/incidents", {"pageSize": 20}),
        # A request's fixed cost: its answer is as small as a page's can be.
        Read("list: one item, a small tenant", "/incidents", {"pageSize": 1}, SMALL_TENANT),
        Read(
            "list: status + 2 categories + 2 services",
            "/incidents",
            {
                "status": "OPEN",
                "category": "PERFORMANCE,SECURITY",
                "service": "svc-001,svc-002",
            },
        ),
        Read("list: deep cursor", "/incidents", {"cursor": deep_cursor}),
        Read(
            "list: one-day window",
            "/incidents",
            {"startTimestamp": TO - 2 * DAY, "endTimestamp": TO - DAY},
        ),
        Read(
            "facets: status + category",
            "/incidents/facets",
            {"status": "OPEN", "category": "PERFORMANCE"},
        ),
        Read("statistics: types, 96 buckets / 30 d", "/statistics/types", {**month, "buckets": 96}),
        Read(
            "statistics: severities, 30 buckets", "/statistics/severities", {**month, "buckets": 30}
        ),
        Read(
            "statistics: top services",
            "/statistics/ANOMALY/top-services",
            {"startTimestampFrom": TO - 30 * DAY, "startTimestampTo": TO},
        ),
        Read(
            "statistics: current by priority", "/statistics/current/priorities", {"status": "OPEN"}
        ),
    ]


def _get(client: TestClient, read: Read) -> None:
    headers = {"X-Scope-OrgID": read.org}
    response = client.get(f"/api/v1{read.path}", params=read.params, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{read.name}: {response.status_code} {response.text[:300]}")


def calls_of(store: Store, request: Callable[[], object]) -> list[Call]:
    """The store.query calls ``request`` makes."""
    calls: list[Call] = []
    original = store.query

    def record(name: str, params: Any = None) -> Any:
        calls.append((name, dict(params or {})))
        return original(name, params)

    # Shadowing the method on this one instance, for one request, is the recording.
    store.query = record  # type: ignore[method-assign]
    try:
        request()
    finally:
        del store.query
    return calls


def recorded(store: Store, client: TestClient, read: Read) -> list[Call]:
    """The store.query calls one request of ``read`` makes (this thread's store client
    is not the request's, so the replay runs on a client of its own)."""
    return calls_of(store, lambda: _get(client, read))


def interleaved(
    first: Callable[[], object], second: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of ``repeats`` runs of each, alternating."""
    found: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for run, times in ((first, found[0]), (second, found[1])):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
    return found


def deep_cursor(client: TestClient, rows: int) -> int:
    """The id of the list's ``rows``-th incident, by walking pages of 100."""
    cursor = None
    for _ in range(rows // 100):
        params: dict[str, Any] = {"pageSize": 100}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get("/api/v1/incidents", params=params, headers=HEADERS).json()
        cursor = page["paging"]["cursor"]["lastId"]
    assert cursor is not None
    return int(cursor)


def mixed(client: TestClient, plan: list[Read], clients: int, seconds: float) -> str:
    """``clients`` threads sending random reads of ``plan`` for ``seconds``."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        while time.perf_counter() < stop:
            read = rng.choice(plan)
            started = time.perf_counter()
            _get(client, read)
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return (
        f"mixed reads, {clients} clients, {elapsed:.0f} s: {len(latencies) / elapsed:.1f} req/s, "
        f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m"))
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--deep", type=int, default=20_000, help="rows in for the deep cursor")
    args = parser.parse_args()
    announce()
    print("endpoints in-process through the ASGI app (TestClient); floor = the same SQL direct")
    with TestClient(create_app(Settings(data_dir=args.data_dir))) as client:
        assert isinstance(client.app, FastAPI)
        store: Store = client.app.state.services.store
        plan = reads(deep_cursor(client, args.deep))
        print(f"{'read':44} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'SQL p95':>8} {'ratio':>6}")
        for read in plan:
            for _ in range(3):
                _get(client, read)
            calls = recorded(store, client, read)

            def direct(calls: list[Call] = calls) -> None:
                for name, params in calls:
                    store.query(name, params)

            def endpoint(read: Read = read) -> None:
                _get(client, read)

            served, floor = interleaved(endpoint, direct, args.repeats)
            p50, floor50 = percentile(served, 0.5), percentile(floor, 0.5)
            print(
                f"{read.name:44} {p50:8.1f} {percentile(served, 0.95):8.1f} "
                f"{floor50:8.1f} {percentile(floor, 0.95):8.1f} {p50 / floor50:6.2f}"
                f"  ({len(calls)} queries: {', '.join(c[0] for c in calls)})"
            )
        print(mixed(client, plan, args.clients, args.seconds))


if __name__ == "__main__":
    main()
