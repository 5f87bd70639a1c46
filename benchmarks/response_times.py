"""Issue 13 benchmark: response times against hand-written SQL, export, acknowledge many.

On a dataset made by ``benchmarks.dataset`` (the data directory must not be open in
another process):

    .venv/bin/python -m benchmarks.dataset --incidents 1000000 --data-dir benchmarks/data/h13/1m
    .venv/bin/python -m benchmarks.response_times --data-dir benchmarks/data/h13/1m

Response times run in-process through the ASGI app (TestClient) and are compared with
the same aggregation written by hand (``quantilesExact``, no service code), alternating.
Export runs the domain generator the route streams (no HTTP: the test client would
buffer the body), sampling the process's RSS every 5 ms. Acknowledging posts 1,000
unacknowledged ids of the big tenant per request.
"""

import argparse
import threading
import time
from pathlib import Path
from statistics import median

from fastapi import FastAPI
from fastapi.testclient import TestClient

from benchmarks.dataset import BIG_TENANT, END, SMALL_TENANT
from benchmarks.reads import interleaved
from benchmarks.stats import announce
from clickhouse import Store
from service.app import create_app
from service.lists.export import ExportFormat, ExportQuery, export
from service.settings import Settings

DAY = 86400
TO = int(END.timestamp())
HEADERS = {"X-Scope-OrgID": BIG_TENANT}
# The same statistics, written by hand: quantilesExact and avg, no bucket maths.
HAND_WRITTEN = """
SELECT key, count(), countIf(tta IS NOT NULL), countIf(ttr IS NOT NULL),
       avgIf(tta, tta IS NOT NULL), quantilesExactIf(0.5, 0.9, 0.95)(tta, tta IS NOT NULL),
       avgIf(ttr, ttr IS NOT NULL), quantilesExactIf(0.5, 0.9, 0.95)(ttr, ttr IS NOT NULL)
FROM (
    SELECT arrayJoin(arrayDistinct(i.service_names)) AS key,
           if(a.first IS NULL, NULL, greatest(0, toUnixTimestamp64Milli(assumeNotNull(a.first))
               - toUnixTimestamp64Milli(i.start_time))) AS tta,
           if(i.status = 'RESOLVED' AND i.resolved_at IS NOT NULL,
              greatest(0, toUnixTimestamp64Milli(assumeNotNull(i.resolved_at))
               - toUnixTimestamp64Milli(i.start_time)), NULL) AS ttr
    FROM (SELECT id, start_time, resolved_at, status, service_names FROM incidents FINAL
          WHERE org_id = {org:String}
            AND start_time >= toDateTime64({from:Int64}, 3, 'UTC')
            AND start_time < toDateTime64({to:Int64}, 3, 'UTC')) AS i
    LEFT JOIN (SELECT id, min(ack_time) AS first FROM incident_acks
               WHERE org_id = {org:String} GROUP BY id) AS a ON a.id = i.id
)
GROUP BY key
SETTINGS join_use_nulls = 1
"""


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def response_times(client: TestClient, store: Store, repeats: int) -> None:
    params: dict[str, str | int] = {
        "timestampFrom": TO - 30 * DAY,
        "timestampTo": TO,
        "groupBy": "service",
    }
    bound = {"org": BIG_TENANT, "from": TO - 30 * DAY, "to": TO}

    def endpoint() -> None:
        answer = client.get("/api/v1/statistics/response-times", params=params, headers=HEADERS)
        assert answer.status_code == 200, answer.text

    def by_hand() -> None:
        store.client.query_arrow(HAND_WRITTEN, parameters=bound)

    endpoint()
    by_hand()
    served, floor = interleaved(endpoint, by_hand, repeats)
    print(
        f"response times, 30 d by service: endpoint p50 {median(served):.1f} ms, "
        f"hand-written SQL p50 {median(floor):.1f} ms, ratio {median(served) / median(floor):.2f}"
    )


def exported(store: Store, fmt: ExportFormat, tenant: str = BIG_TENANT) -> None:
    peak = base = rss_mb()
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size = 0
    for chunk in export(store, tenant, ExportQuery(format=fmt)):
        size += len(chunk)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    rows = int(
        store.client.query(
            "SELECT count() FROM incidents FINAL WHERE org_id = {org:String}",
            parameters={"org": tenant},
        ).result_rows[0][0]
    )
    print(
        f"export {fmt.value:8} {tenant} {rows:,} rows in {seconds:.1f} s: "
        f"{rows / seconds:,.0f} rows/s, "
        f"{size / 2**20:,.0f} MiB, peak RSS growth {peak - base:,.0f} MB"
    )


def acknowledge(client: TestClient, store: Store, rounds: int) -> None:
    ids = store.client.query(
        "SELECT id FROM incident_keys WHERE org_id = {org:String} AND id NOT IN "
        "(SELECT id FROM incident_acks WHERE org_id = {org:String}) LIMIT {n:UInt32}",
        parameters={"org": BIG_TENANT, "n": 1000 * rounds},
    ).result_rows
    times = []
    for n in range(rounds):
        batch = [row[0] for row in ids[n * 1000 : (n + 1) * 1000]]
        started = time.perf_counter()
        answer = client.post(
            "/api/v1/incidents/acknowledge",
            json={"ids": batch},
            headers={**HEADERS, "User-ID": "bench"},
        )
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["acknowledged"]) == len(batch)
    print(f"acknowledge 1,000 ids: p50 {median(times):.0f} ms over {rounds} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/h13/1m"))
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    announce()
    with TestClient(create_app(Settings(data_dir=args.data_dir))) as client:
        assert isinstance(client.app, FastAPI)
        store: Store = client.app.state.services.store
        response_times(client, store, args.repeats)
        # A process's first export grows it by 90-230 MB once, whatever its rows (the
        # engine's first stream about 75 MB, kept; Arrow's and the allocators' pools the
        # rest): shown apart, on a small tenant, before the measured ones.
        print("first export of this process (a one-off):")
        exported(store, ExportFormat.NDJSON, SMALL_TENANT)
        for fmt in ExportFormat:
            exported(store, fmt)
        # Last: it acknowledges (writes) what it measures.
        acknowledge(client, store, args.rounds)


if __name__ == "__main__":
    main()
