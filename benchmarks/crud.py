"""Latency of the single-incident endpoints and the first list page on a big tenant.

Serves an existing data directory (made by benchmarks.dataset) with ``incidents serve``
in its own process and times, one request at a time over a keep-alive connection:
a create-or-update of a new incident, an update of an existing one, GET by id, and the
first list page of the big tenant. Then, with the server stopped, the same page query
and GET query directly on the engine (their floor).

    .venv/bin/python -m benchmarks.crud --data-dir benchmarks/data/1m --org org-00
"""

import argparse
import http.client
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.http_load import incident_body
from benchmarks.ingest import server
from benchmarks.stats import announce, percentile
from clickhouse import Store, StoreConfig
from service.lists.filters import ListQuery
from service.lists.paging import HIGHEST, LOWEST, position_range

Timer = Callable[[], object]


def timed(run: Timer, repeats: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds over ``repeats`` runs, after three warm-ups."""
    for _ in range(3):
        run()
    found = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        found.append((time.perf_counter() - started) * 1000)
    return percentile(found, 0.5), percentile(found, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser(description="single-incident latency")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m"))
    parser.add_argument("--org", default="org-00")
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    announce()
    rng = random.Random(3)
    results: list[tuple[str, float, float]] = []
    with server(args.data_dir) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"X-Scope-OrgID": args.org, "Content-Type": "application/json"}

        def call(method: str, path: str, body: bytes | None = None) -> bytes:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {payload[:200]!r}")
            return payload

        first = json.loads(call("GET", "/api/v1/incidents?pageSize=100"))
        ids = [d["id"] for d in first["data"]]
        print(f"{args.org}: first page read, {len(ids)} ids to GET", file=sys.stderr)
        counter = iter(range(10**9))
        results.append(
            (
                "create (new incident)",
                *timed(
                    lambda: call(
                        "POST", "/api/v1/incidents", incident_body(10**8 + next(counter), rng)
                    ),
                    args.repeats,
                ),
            )
        )
        results.append(
            (
                "update (same incident)",
                *timed(
                    lambda: call("POST", "/api/v1/incidents", incident_body(10**8, rng)),
                    args.repeats,
                ),
            )
        )
        results.append(
            (
                "GET /incidents/{id}",
                *timed(lambda: call("GET", f"/api/v1/incidents/{rng.choice(ids)}"), args.repeats),
            )
        )
        results.append(
            ("first list page (20)", *timed(lambda: call("GET", "/api/v1/incidents"), args.repeats))
        )
    store = Store(StoreConfig(data_dir=args.data_dir))
    filters = ListQuery().params(args.org)
    page_params = {**filters, **position_range(LOWEST, HIGHEST), "limit": 21}
    results.append(
        (
            "  floor: page query",
            *timed(lambda: store.query("incidents_page_newest_first", page_params), args.repeats),
        )
    )
    results.append(
        (
            "  floor: GET query",
            *timed(
                lambda: store.query("incident_get", {"org": args.org, "id": rng.choice(ids)}),
                args.repeats,
            ),
        )
    )
    store.close()
    print(f"{'request (one at a time, HTTP)':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in results:
        print(f"{name:32} {p50:8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
