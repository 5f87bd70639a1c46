"""The one chokepoint every query, command and insert goes through.

It owns the clients (one per thread: a chDB connection shared by threads has been seen
to answer one thread's query with another thread's bound parameters, which here would
leak rows between tenants), names each query, applies limits, times it, logs it and
turns ClickHouse errors into ``StoreError`` (by code: ``StoreBusy`` where the store is at
capacity) so that raw server messages never travel further than the log. Opening a
store runs nothing on the server; creating its database is a step of its own.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from clickhouse.config import StoreConfig
from clickhouse.sql import absent, query_text

log = logging.getLogger("incidents.store")

QueryObserver = Callable[[str, float, bool], None]
# Told of each insert (the table and its rows): ``insert_observers`` before it runs,
# ``inserted_observers`` once it has ended, whether it stored its rows or failed.
InsertObserver = Callable[[str, pa.Table], None]

# An insert whose rows repeat no sorting key is not first collapsed as a merge would
# collapse it (ReplacingMergeTree keeping each key's newest row): there is nothing to
# collapse, and the pass took 39-69% of the wall time of a 50k- or 100k-row insert into
# incidents (benchmarks/insert_settings.py). The writer's commits that do repeat keys
# are collapsed before they come here (clickhouse.tables.collapsed): storing them all
# made a 1M-incident dataset store a tenth more rows and load slower.
# On chDB clickhouse-connect writes an insert's settings into its SQL, which costs
# nothing, unlike a query's.
NO_COLLAPSE = {"optimize_on_insert": 0}


class StoreError(Exception):
    """A store operation failed; the message names the operation, never the server text."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"store operation {operation!r} failed")
        self.operation = operation


class StoreBusy(StoreError):
    """The store is at capacity: the same operation may well succeed a little later."""


class StoreTimeout(StoreBusy):
    """A query ran past ``max_execution_time``."""


class StoreRefused(StoreError):
    """The engine could not read the input a query gave it (a file of rows in a format
    with a structure): the input is wrong, not the store."""


# ClickHouse error codes that say the store is at capacity rather than that the request
# is wrong; every other code (and an error without one) is a plain StoreError.
# clickhouse-connect sets the numeric ``code`` on its errors for chDB (from the message,
# "Code: 159. DB::Exception: ...") and for HTTP (from X-ClickHouse-Exception-Code).
_BY_CODE: dict[int, type[StoreError]] = {
    159: StoreTimeout,  # TIMEOUT_EXCEEDED: past max_execution_time
    202: StoreBusy,  # TOO_MANY_SIMULTANEOUS_QUERIES: max_concurrent_queries* reached
    241: StoreBusy,  # MEMORY_LIMIT_EXCEEDED: the query's or the server's memory limit
    # An input format's reader refusing its input (ingest/json_engine.py reads NDJSON so):
    6: StoreRefused,  # CANNOT_PARSE_TEXT
    10: StoreRefused,  # NOT_FOUND_COLUMN_IN_BLOCK: a key a named tuple does not have
    25: StoreRefused,  # CANNOT_PARSE_ESCAPE_SEQUENCE
    26: StoreRefused,  # CANNOT_PARSE_QUOTED_STRING: a value not a string where one goes
    27: StoreRefused,  # CANNOT_PARSE_INPUT_ASSERTION_FAILED
    72: StoreRefused,  # CANNOT_PARSE_NUMBER
    117: StoreRefused,  # INCORRECT_DATA: an unknown or repeated key
    130: StoreRefused,  # CANNOT_READ_ARRAY_FROM_TEXT: a value not an array where one goes
}


class Store:
    """Thread-safe access to one ClickHouse database, embedded or remote."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.database = config.effective_database
        self._local = threading.local()
        self._clients: list[Client] = []
        self._lock = threading.Lock()
        self.observers: list[QueryObserver] = []
        self.insert_observers: list[InsertObserver] = []
        self.inserted_observers: list[InsertObserver] = []
        if config.embedded:
            config.data_dir.mkdir(parents=True, exist_ok=True)

    def create_database(self) -> None:
        """Create this store's database when it is missing: ``migrate``'s first step.

        The name was checked by ``StoreConfig``, so it may go into the DDL.
        """
        self._run(
            "create_database",
            lambda client, base: client.command(
                f"CREATE DATABASE IF NOT EXISTS `{self.database}`", settings=base
            ),
            bootstrap=True,
        )

    def _connect(self, database: str | None) -> Client:
        # The limits are the client's own settings, not per-call ``settings=``: through
        # clickhouse-connect on chDB max_result_rows per call cost 5-6 ms a call (a small
        # query 5.0 ms with it as the client's setting, 11.5 ms per call; interleaved
        # medians of benchmarks/calls.py), which is most of a small read.
        settings = {
            "max_execution_time": self.config.max_execution_time,
            "max_result_rows": self.config.max_result_rows,
        }
        if self.config.url is None:
            return clickhouse_connect.get_client(
                interface="chdb",
                path=str(self.config.data_dir),
                database=database,
                settings=settings,
            )
        return clickhouse_connect.get_client(
            dsn=self.config.url, database=database or "default", settings=settings
        )

    @property
    def client(self) -> Client:
        """This thread's client, made on first use."""
        client: Client | None = getattr(self._local, "client", None)
        if client is None:
            client = self._connect(self.database)
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    @contextmanager
    def _watched(self, operation: str) -> Iterator[dict[str, Any]]:
        """Time, log and observe one operation, turning ClickHouse errors into StoreErrors
        (by code); yields the per-call settings, which name the operation."""
        # The query id names the operation in the query log; unlike other per-call
        # settings it costs nothing measurable on chDB (benchmarks/calls.py).
        settings: dict[str, Any] = {"query_id": f"{operation}-{uuid.uuid4().hex[:16]}"}
        started = time.perf_counter()
        ok = False
        try:
            yield settings
            ok = True
        except ClickHouseError as exc:
            code = getattr(exc, "code", None)
            failure = _BY_CODE.get(code, StoreError) if isinstance(code, int) else StoreError
            # Input refused is the input's fault and its reader's answer, not a failure.
            level = logging.INFO if failure is StoreRefused else logging.ERROR
            log.log(level, "store operation %s failed: %s", operation, exc)
            raise failure(operation) from exc
        finally:
            elapsed = time.perf_counter() - started
            log.debug("store %s %.2f ms ok=%s", operation, elapsed * 1000, ok)
            for observe in self.observers:
                observe(operation, elapsed, ok)

    def _run(
        self, operation: str, call: Callable[[Client, dict[str, Any]], Any], bootstrap: bool = False
    ) -> Any:
        """Run ``call`` on this thread's client (``bootstrap``: on a client of no database,
        made for the call, since a client of a database not yet created cannot connect)."""
        with self._watched(operation) as settings:
            if not bootstrap:
                client = self.client
                try:
                    return call(client, settings)
                except ClickHouseError:
                    if self.config.embedded:
                        self._discard(client)
                    raise
            client = self._connect(database=None)
            try:
                return call(client, settings)
            finally:
                client.close()

    def query(self, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """Run ``queries/<name>.sql`` with bound ``params``; the rows come back as Arrow.
        Its conditions on parameters bound to nothing are left out (clickhouse/sql.py)."""
        bound = dict(params or {})
        sql = query_text(name, absent(bound))

        def call(client: Client, base: dict[str, Any]) -> pa.Table:
            return client.query_arrow(sql, parameters=bound, settings=base, use_strings=True)

        result: pa.Table = self._run(name, call)
        return result

    def stream(self, name: str, params: Mapping[str, Any] | None = None) -> Iterator[pa.Table]:
        """Run ``queries/<name>.sql`` and yield its rows block by block, as Arrow tables,
        while the engine still produces them: memory holds one block, whatever the rows.

        The stream runs on a client of its own, opened here and closed when the stream
        ends or is dropped: a chDB client answers nothing else while one of its streams is
        open, and the thread-local clients serve other requests of the same thread
        meanwhile. Blocks travel as Native (``query_column_block_stream``): on chDB
        clickhouse-connect materialises ArrowStream whole, while Native streams on both
        engines. Errors at any block are StoreErrors, as for ``query``.
        """
        bound = dict(params or {})
        sql = query_text(name, absent(bound))
        client = self._connect(self.database)
        # A stream is paced by its reader, and its rows are not held anywhere: the ceilings
        # on result rows and on wall time protect memory and the engine's threads from
        # answers built whole, which a stream never is.
        client.set_client_setting("max_result_rows", 0)
        client.set_client_setting("max_execution_time", 0)
        try:
            with (
                self._watched(name) as settings,
                client.query_column_block_stream(
                    sql, parameters=bound, settings=settings
                ) as blocks,
            ):
                names = blocks.source.column_names
                for block in blocks:
                    yield pa.table(dict(zip(names, block, strict=True)))
        finally:
            client.close()

    def command(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        """Run ``queries/<name>.sql``, a statement that returns no rows."""
        self.statement(name, query_text(name), params)

    def statement(self, operation: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement given as text: migrations, whose files are read by the runner."""
        self._run(
            operation,
            lambda client, base: client.command(sql, parameters=dict(params or {}), settings=base),
        )

    def insert(self, table: str, rows: pa.Table, repeats_keys: bool = True) -> None:
        """Insert an Arrow table in one insert; ``repeats_keys=False`` vouches that no
        two rows share a sorting key, so that the engine does not look for them."""
        settings = {} if repeats_keys else NO_COLLAPSE
        if rows.num_rows:
            for observe in self.insert_observers:
                observe(table, rows)
            try:
                self._run(
                    f"insert_{table}",
                    lambda client, base: client.insert_arrow(
                        table, rows, settings={**base, **settings}
                    ),
                )
            finally:
                for observe in self.inserted_observers:
                    observe(table, rows)

    def ping(self) -> bool:
        """Whether the store answers a trivial query."""
        try:
            self._run("ping", lambda client, base: client.command("SELECT 1", settings=base))
        except StoreError:
            return False
        return True

    def _discard(self, client: Client) -> None:
        """Close this thread's chDB client after a failed call: an Arrow query that
        failed once its output had begun (an input format refusing its input) leaves
        that output to the client's next answer, which then reads as corrupt (chDB
        4.4; tests/test_store.py), so the thread's next call opens a client of its own."""
        self._local.client = None
        with self._lock:
            self._clients.remove(client)
        client.close()

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
