"""A request's fixed cost: a page of one item over HTTP against its queries, and its
queries against the engine's own time for them (issue 11, Deliver item 1).

The service runs in this process under uvicorn (as ``incidents serve`` runs it), so that
the same engine answers the page over a keep-alive HTTP connection, the page's queries
replayed through ``Store.query`` (recorded while one request ran), and the same SQL with
the same bound parameters sent to a chDB handle of its own: once answered as a pyarrow
table built by chDB (what a client of our own would get, without clickhouse-connect),
once as Arrow bytes, whose result says how long the engine took (``elapsed``). All of
them alternate, so that all see the same moments of a shared machine. ``/healthz`` over
the same connection is the HTTP stack's own scale.

    .venv/bin/python -m benchmarks.fixed_cost --data-dir benchmarks/data/1m
"""

import argparse
import http.client
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import chdb
from clickhouse_connect.driver.binding import bind_query
from fastapi import FastAPI

from benchmarks.dataset import SMALL_TENANT
from benchmarks.reads import Call, calls_of
from benchmarks.stats import announce, percentile
from clickhouse import Store
from clickhouse.sql import absent, query_text
from service.app import create_app
from service.settings import Settings
from tests.serving import served_app

PAGE = "/api/v1/incidents?" + urlencode({"pageSize": 1})
HEADERS = {"X-Scope-OrgID": SMALL_TENANT}


class Http:
    """One keep-alive connection, opened again when the server has closed it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port)

    def get(self, path: str) -> bytes:
        for attempt in (1, 2):
            try:
                self.connection.request("GET", path, headers=HEADERS)
                response = self.connection.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port)
                if attempt == 2:
                    raise
                continue
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {body[:300]!r}")
            return body
        raise AssertionError("unreachable")


def page_queries(store: Store, http: Http) -> list[Call]:
    """The ``Store.query`` calls one page request makes."""
    return calls_of(store, lambda: http.get(PAGE))


class Engine:
    """The calls' SQL, bound as clickhouse-connect binds it, on a chDB handle of its own."""

    def __init__(self, store: Store, calls: list[Call]) -> None:
        # chDB ships no type hints; its handle is used as documented.
        self.connection = chdb.connect(str(store.config.data_dir))  # type: ignore[no-untyped-call]
        self.connection.query(f"USE `{store.database}`")
        self.bound = []
        for name, params in calls:
            sql, values = bind_query(query_text(name, absent(params)), params)
            names = {key.removeprefix("param_"): value for key, value in values.items()}
            self.bound.append((sql, names))
        self.elapsed: list[float] = []

    def run(self) -> None:
        """Every call once, its answer as Arrow bytes; the engine's own milliseconds for
        all of them are kept."""
        took = 0.0
        for sql, params in self.bound:
            took += self.connection.query(sql, "Arrow", params=params).elapsed()
        self.elapsed.append(took * 1000)

    def tables(self) -> None:
        """Every call once, its answer as a pyarrow table built by chDB: what a client of
        the service's own on chDB, without clickhouse-connect, would get."""
        for sql, params in self.bound:
            self.connection.query(sql, "ArrowTable", params=params)


def alternating(cases: list[Callable[[], object]], repeats: int) -> list[list[float]]:
    """Milliseconds of ``repeats`` runs of each case, the cases taken in turn, each round
    starting one case later: whatever ran first after a page over HTTP was 0.5-0.8 ms
    slower than the same work later in the round (by hand), which in a fixed order had
    been charged to the store's queries."""
    found: list[list[float]] = [[] for _ in cases]
    order = list(range(len(cases)))
    for round_number in range(repeats):
        shift = round_number % len(cases)
        for index in order[shift:] + order[:shift]:
            started = time.perf_counter()
            cases[index]()
            found[index].append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--data-dir", type=Path, default=Path("benchmarks/data/1m"))
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    announce()
    print(f"a page of one item of {SMALL_TENANT} over HTTP (uvicorn in this process)")
    app = create_app(Settings(data_dir=args.data_dir))
    with served_app(app) as port:
        assert isinstance(app, FastAPI)
        store: Store = app.state.services.store
        http = Http(port)
        for _ in range(20):
            http.get(PAGE)
        calls = page_queries(store, http)
        engine = Engine(store, calls)
        print(f"its {len(calls)} queries: {', '.join(name for name, _ in calls)}")

        def queries() -> None:
            for name, params in calls:
                store.query(name, params)

        print(
            f"{'round':>5} {'page':>7} {'queries':>8} {'chDB table':>11} {'raw chDB':>9} "
            f"{'engine':>7} {'page-queries':>13} {'queries-engine':>15} {'/healthz':>9}"
            "   (p50 ms)"
        )
        for number in range(1, args.rounds + 1):
            engine.elapsed.clear()
            page, through_store, tables, raw, health = alternating(
                [
                    lambda: http.get(PAGE),
                    queries,
                    engine.tables,
                    engine.run,
                    lambda: http.get("/healthz"),
                ],
                args.repeats,
            )
            p50 = {
                name: percentile(times, 0.5)
                for name, times in (
                    ("page", page),
                    ("store", through_store),
                    ("tables", tables),
                    ("raw", raw),
                    ("engine", engine.elapsed),
                    ("health", health),
                )
            }
            print(
                f"{number:>5} {p50['page']:7.2f} {p50['store']:8.2f} {p50['tables']:11.2f} "
                f"{p50['raw']:9.2f} {p50['engine']:7.2f} {p50['page'] - p50['store']:13.2f} "
                f"{p50['store'] - p50['engine']:15.2f} {p50['health']:9.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
