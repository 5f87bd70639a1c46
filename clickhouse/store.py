"""The one chokepoint every query, command and insert goes through.

It owns the clients (one per thread: a chDB connection shared by threads has been seen
to answer one thread's query with another thread's bound parameters, which here would
leak rows between tenants), names each query, applies limits, times it, logs it and
turns ClickHouse errors into ``StoreError`` so that raw server messages never travel
further than the log.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError

from clickhouse.config import StoreConfig
from clickhouse.sql import query_text

log = logging.getLogger("incidents.store")

# ClickHouse's TIMEOUT_EXCEEDED: a query ran past max_execution_time.
_TIMEOUT_CODES = frozenset({159})

QueryObserver = Callable[[str, float, bool], None]


class StoreError(Exception):
    """A store operation failed; the message names the operation, never the server text."""

    def __init__(self, operation: str) -> None:
        super().__init__(f"store operation {operation!r} failed")
        self.operation = operation


class StoreTimeout(StoreError):
    """A query ran past ``max_execution_time``."""


class Store:
    """Thread-safe access to one ClickHouse database, embedded or remote."""

    def __init__(self, config: StoreConfig) -> None:
        self.config = config
        self.database = config.effective_database
        self._local = threading.local()
        self._clients: list[Client] = []
        self._lock = threading.Lock()
        self.observers: list[QueryObserver] = []
        if config.embedded:
            config.data_dir.mkdir(parents=True, exist_ok=True)
        bootstrap = self._connect(database=None)
        try:
            bootstrap.command(f"CREATE DATABASE IF NOT EXISTS `{self.database}`")
        finally:
            bootstrap.close()

    def _connect(self, database: str | None) -> Client:
        settings = {"max_execution_time": self.config.max_execution_time}
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

    def _run(self, operation: str, call: Callable[[Client, dict[str, Any]], Any]) -> Any:
        settings: dict[str, Any] = {"query_id": f"{operation}-{uuid.uuid4().hex[:16]}"}
        started = time.perf_counter()
        ok = False
        try:
            result = call(self.client, settings)
            ok = True
            return result
        except ClickHouseError as exc:
            log.error("store operation %s failed: %s", operation, exc)
            code = getattr(exc, "code", None)
            if code in _TIMEOUT_CODES or "TIMEOUT_EXCEEDED" in str(exc):
                raise StoreTimeout(operation) from exc
            raise StoreError(operation) from exc
        finally:
            elapsed = time.perf_counter() - started
            log.debug("store %s %.2f ms ok=%s", operation, elapsed * 1000, ok)
            for observe in self.observers:
                observe(operation, elapsed, ok)

    def query(
        self,
        name: str,
        params: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> pa.Table:
        """Run ``queries/<name>.sql`` with bound ``params``; the rows come back as Arrow."""
        sql = query_text(name)

        def call(client: Client, base: dict[str, Any]) -> pa.Table:
            merged = {"max_result_rows": self.config.max_result_rows, **base, **(settings or {})}
            return client.query_arrow(
                sql, parameters=dict(params or {}), settings=merged, use_strings=True
            )

        result: pa.Table = self._run(name, call)
        return result

    def command(self, name: str, params: Mapping[str, Any] | None = None) -> None:
        """Run ``queries/<name>.sql``, a statement that returns no rows."""
        self.statement(name, query_text(name), params)

    def statement(self, operation: str, sql: str, params: Mapping[str, Any] | None = None) -> None:
        """Run a statement given as text: migrations, whose files are read by the runner."""
        self._run(
            operation,
            lambda client, base: client.command(sql, parameters=dict(params or {}), settings=base),
        )

    def insert(self, table: str, rows: pa.Table) -> None:
        """Insert an Arrow table in one insert."""
        if rows.num_rows:
            self._run(
                f"insert_{table}",
                lambda client, base: client.insert_arrow(table, rows, settings=base),
            )

    def ping(self) -> bool:
        """Whether the store answers a trivial query."""
        try:
            self._run("ping", lambda client, base: client.command("SELECT 1", settings=base))
        except StoreError:
            return False
        return True

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()
