"""What each of issue 11's levers is worth for a first list page, on one dataset:

    .venv/bin/python -m benchmarks.dataset --incidents 300000 --no-compact \\
        --data-dir benchmarks/data/300k-raw
    .venv/bin/python -m benchmarks.page_levers --data-dir benchmarks/data/300k-raw

It runs the biggest tenant's first page (50 rows) as the service asks it and as it was
asked before (every column; every filter as ``empty(p) OR ...``), the acknowledgements as
their own read and joined in, then compacts the tables and asks again. Candidates of one
table state are taken in turn each round; medians in ms. The directory is compacted
afterwards (copy it first to keep the raw parts).
"""

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.stats import announce, percentile
from clickhouse import Store, StoreConfig
from clickhouse.sql import absent, query_text
from ingest.compaction import compact, parts
from service.lists.filters import ListQuery
from service.lists.paging import HIGHEST, LOWEST, position_range
from vocabulary.timestamps import EARLIEST, LATEST

ORG = "org-00"
# The list filter as it was before absent filters were left out.
EVERY_FILTER = """org_id = {org:String}
AND start_time <= {window_end:DateTime64(3, 'UTC')}
AND coalesce(end_time, resolved_at, now64(3)) >= {window_start:DateTime64(3, 'UTC')}
AND (empty({types:Array(String)}) OR type IN {types:Array(String)})
AND (empty({statuses:Array(String)}) OR status IN {statuses:Array(String)})
AND (empty({categories:Array(String)}) OR category IN {categories:Array(String)})
AND (empty({sources:Array(String)}) OR source IN {sources:Array(String)})
AND (empty({services:Array(String)}) OR hasAny(service_names, {services:Array(String)}))
AND (empty({namespaces:Array(String)}) OR hasAny(service_namespaces, {namespaces:Array(String)}))
AND (empty({metrics:Array(String)}) OR hasAny(metric_names, {metrics:Array(String)}))
AND ({resolution:Nullable(String)} IS NULL OR resolution = {resolution:Nullable(String)})"""
PAGE = """SELECT {columns} FROM incidents FINAL WHERE {where} AND {range}
ORDER BY start_time DESC, id DESC LIMIT 51 SETTINGS max_block_size = 1024, max_threads = 1"""
JOINED = """SELECT page.*, acks.ack_time FROM ({page}) AS page
LEFT JOIN (SELECT id, ack_time FROM incident_acks WHERE org_id = {{org:String}}
           ORDER BY ack_time, version LIMIT 1 BY id) AS acks ON acks.id = page.id
ORDER BY page.start_time DESC, page.id DESC"""


def medians(cases: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    found: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, call in cases.items():
            started = time.perf_counter()
            call()
            found[name].append((time.perf_counter() - started) * 1000)
    return {name: percentile(times[2:], 0.5) for name, times in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args()
    announce()
    store = Store(StoreConfig(data_dir=args.data_dir))
    client = store.client
    params: dict[str, Any] = {
        **ListQuery().params(ORG),
        **position_range(LOWEST, HIGHEST),
        "window_start": EARLIEST,
        "window_end": LATEST,
        "limit": 51,
    }
    now = query_text("incidents_page_newest_first", absent(ListQuery().params(ORG)))
    columns = query_text("_incident_columns").strip()
    rng = query_text("_incident_range").strip()
    pruned = query_text("_incident_window", frozenset({"window_start", "window_end"})).strip()

    def page(columns: str, where: str) -> str:
        return PAGE.format(columns=columns, where=where, range=rng)

    def run(sql: str) -> Callable[[], object]:
        return lambda: client.query_arrow(sql, parameters=params)

    ids = client.query_arrow(now, parameters=params).column("id").to_pylist()
    acks = query_text("incident_acks_of")
    for state in ("as loaded", "compacted"):
        count, stored = parts(store)
        print(f"\nincidents {state}: {count} parts, {stored:,} rows; first page of {ORG}, ms")
        cases = {
            "the service's page (3 columns, filters left out)": run(now),
            "every column, filters left out": run(page(columns, pruned)),
            "every column, every filter as empty(p) OR ...": run(page(columns, EVERY_FILTER)),
            "ids only, filters left out": run(page("id", pruned)),
            "acknowledgements, their own read of the page's ids": lambda: client.query_arrow(
                acks, parameters={"org": ORG, "ids": ids}
            ),
            "every column with the acknowledgements joined in": run(
                JOINED.format(page=page(columns, pruned))
            ),
        }
        for name, ms in medians(cases, args.rounds).items():
            print(f"  {name:<55} {ms:7.2f}")
        if state == "as loaded":
            print(f"\ncompacted in {compact(store):.1f} s")
    store.close()


if __name__ == "__main__":
    main()
