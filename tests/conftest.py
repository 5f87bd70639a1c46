"""Fixtures: the engine, a fresh database per test, and one shared database and app for the
tests that need none of their own. Helpers that are not fixtures are in tests/helpers.py.

Every test that asks for ``store`` (or ``client``) runs on chDB in-process under a
temporary directory, and on a ClickHouse server when there is one: the one named by
INCIDENTS_TEST_CLICKHOUSE_URL, else a container through testcontainers when a Docker
engine answers (HTTP port 8123). When there is none the server half is not collected,
and the summary says why in one line. The real migrations run on every database. No
mocks of the database anywhere.

``shared_store`` and ``shared_client`` are one database and one app for the whole
session, on chDB: for tests of what is refused before it reaches the store, and for
tests that write and read only under a tenant of their own (``helpers.tenant``), so that
what other tests stored can neither make them pass nor fail.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from service.app import create_app
from tests.helpers import settings_for


def _docker_answers() -> bool:
    """Whether a Docker engine answers ``/_ping`` (asked on a socket we close ourselves:
    the docker library leaks one when no engine is there)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    parts = urlsplit(host)
    try:
        if parts.scheme == "unix":
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            conn = socket.create_connection((parts.hostname, parts.port or 2375), timeout=2)
        with conn:
            if parts.scheme == "unix":
                conn.settimeout(2)
                conn.connect(parts.path)
            conn.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in conn.recv(64)
    except OSError:
        return False


def _why_no_server() -> str | None:
    """Why the server engine cannot run in this session, or None when it can."""
    if os.environ.get("INCIDENTS_TEST_CLICKHOUSE_URL") or _docker_answers():
        return None
    return (
        "no ClickHouse server (set INCIDENTS_TEST_CLICKHOUSE_URL or run a Docker engine "
        "for testcontainers): store tests ran on the embedded chDB engine only"
    )


# Decided once, at collection: the engines every store test is parametrized over.
NO_SERVER = _why_no_server()
ENGINES = ["chdb"] if NO_SERVER else ["chdb", "server"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if NO_SERVER:
        terminalreporter.write_line(f"server engine not run: {NO_SERVER}", yellow=True)


@pytest.fixture(scope="session")
def chdb_engine(tmp_path_factory: pytest.TempPathFactory) -> StoreConfig:
    """The session's chDB directory: one engine path per process, so every chDB database
    of the session lives under it."""
    return StoreConfig(data_dir=tmp_path_factory.mktemp("chdb"))


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, chdb_engine: StoreConfig) -> Iterator[StoreConfig]:
    """Where this session's test databases live: every store test runs on each engine."""
    if request.param == "chdb":
        yield chdb_engine
        return
    url = os.environ.get("INCIDENTS_TEST_CLICKHOUSE_URL")
    if url:
        yield StoreConfig(url=url)
        return
    from testcontainers.community.clickhouse import ClickHouseContainer  # noqa: PLC0415

    image = os.environ.get("INCIDENTS_TEST_CLICKHOUSE_IMAGE", "clickhouse/clickhouse-server:25.8")
    with ClickHouseContainer(image, port=8123) as server:
        host = server.get_container_host_ip()
        port = server.get_exposed_port(8123)
        yield StoreConfig(url=f"http://{server.username}:{server.password}@{host}:{port}")


@contextmanager
def fresh_database(config: StoreConfig) -> Iterator[Store]:
    """A new database on ``config``'s engine with the real migrations; dropped after."""
    opened = Store(replace(config, database=f"test_{uuid.uuid4().hex[:12]}"))
    try:
        migrate(opened)
        yield opened
    finally:
        opened.statement("drop_test_database", f"DROP DATABASE IF EXISTS `{opened.database}` SYNC")
        opened.close()


@pytest.fixture
def store(engine: StoreConfig) -> Iterator[Store]:
    """A fresh database of this test's own on the session's engine, migrated."""
    with fresh_database(engine) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The whole app on the fresh database, with the gate and lifespan."""
    with TestClient(create_app(settings_for(store.config))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def module_client(engine: StoreConfig) -> Iterator[TestClient]:
    """The whole app on a fresh database of the module's own, on each engine: for tests
    that only read what a module fixture of theirs wrote."""
    with (
        fresh_database(engine) as store,
        TestClient(create_app(settings_for(store.config))) as test_client,
    ):
        yield test_client


@pytest.fixture(scope="session")
def shared_store(chdb_engine: StoreConfig) -> Iterator[Store]:
    """One migrated chDB database for the session; a test writes to it only as a tenant
    of its own."""
    with fresh_database(chdb_engine) as opened:
        yield opened


@pytest.fixture(scope="session")
def shared_client(shared_store: Store) -> Iterator[TestClient]:
    """The whole app on the shared database, started once for the session."""
    with TestClient(create_app(settings_for(shared_store.config))) as test_client:
        yield test_client
