"""One fixture chooses the engine; every test that asks for a store gets a fresh database.

Every test that asks for a store runs twice: on chDB in-process under a temporary
directory, and on a ClickHouse server: the one named by INCIDENTS_TEST_CLICKHOUSE_URL,
else a container through testcontainers when a Docker engine answers (HTTP port 8123),
else that half is skipped with the reason. The real migrations run on every fresh
database. No mocks of the database anywhere.
"""

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from service.app import create_app
from service.settings import Settings

ORG = "acme"
HEADERS = {"X-Scope-OrgID": ORG}


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


NO_SERVER = (
    "no ClickHouse server: set INCIDENTS_TEST_CLICKHOUSE_URL or run a Docker engine "
    "(testcontainers); these tests ran on the embedded chDB engine only"
)


@pytest.fixture(scope="session", params=["chdb", "server"])
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreConfig]:
    """Where this session's test databases live: every store test runs on both engines."""
    if request.param == "chdb":
        yield StoreConfig(data_dir=tmp_path_factory.mktemp("chdb"))
        return
    url = os.environ.get("INCIDENTS_TEST_CLICKHOUSE_URL")
    if url:
        yield StoreConfig(url=url)
        return
    if not _docker_answers():
        pytest.skip(NO_SERVER)
    from testcontainers.community.clickhouse import ClickHouseContainer  # noqa: PLC0415

    image = os.environ.get("INCIDENTS_TEST_CLICKHOUSE_IMAGE", "clickhouse/clickhouse-server:25.8")
    with ClickHouseContainer(image, port=8123) as server:
        host = server.get_container_host_ip()
        port = server.get_exposed_port(8123)
        yield StoreConfig(url=f"http://{server.username}:{server.password}@{host}:{port}")


@pytest.fixture
def store_config(engine: StoreConfig) -> StoreConfig:
    """A fresh, empty database on the session's engine."""
    return replace(engine, database=f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def store(store_config: StoreConfig) -> Iterator[Store]:
    """The fresh database with the real migrations applied."""
    opened = Store(store_config)
    migrate(opened)
    yield opened
    opened.statement("drop_test_database", f"DROP DATABASE IF EXISTS `{opened.database}` SYNC")
    opened.close()


def settings_for(config: StoreConfig, **overrides: Any) -> Settings:
    """Service settings that point at ``config``'s database."""
    return Settings(
        data_dir=Path(config.data_dir),
        clickhouse_url=config.url,
        database=config.database,
        **overrides,
    )


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The whole app on the fresh database, with the gate and lifespan."""
    with TestClient(create_app(settings_for(store.config))) as test_client:
        yield test_client
