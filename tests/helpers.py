"""What tests share that is not a fixture: tenants and their headers, valid request bodies,
the contract's error body, what a tenant has stored and lists, settings for a test database, and
the repository's deployment files.

Fixtures live in conftest.py; this module does no I/O of its own beyond the calls a
test makes through it.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import yaml  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from clickhouse import Store, StoreConfig
from clickhouse.tables import SCHEMAS
from service.lists.filters import ListQuery
from service.lists.paging import page
from service.settings import Settings

ORG = "acme"
HEADERS = {"X-Scope-OrgID": ORG}
OTHER = {"X-Scope-OrgID": "globex"}
INCIDENTS = "/api/v1/incidents"


def tenant() -> dict[str, str]:
    """The headers of a tenant no other test uses, for tests on the shared database: what
    such a test finds stored under it, it stored itself."""
    return {"X-Scope-OrgID": f"t-{uuid.uuid4().hex[:16]}"}


def org_of(headers: dict[str, str]) -> str:
    return headers["X-Scope-OrgID"]


def incident(**fields: Any) -> dict[str, Any]:
    """A complete create-or-update body; ``fields`` override any of it."""
    body: dict[str, Any] = {
        "type": "INCIDENT",
        "incidentId": "inc-1",
        "title": "p99 latency above 2s",
        "category": "PERFORMANCE",
        "description": "Latency of checkout rose.",
        "recommendation": "Scale the checkout pool.",
        "source": "detector-a",
        "status": "OPEN",
        "resolution": "",
        "services": [{"name": "checkout", "namespace": "shop"}],
        "metricNames": ["http_latency_p99"],
        "sourceSite": "eu-1",
        "severity": "high",
        "priority": "P1",
        "metadata": {"threshold": 2.0},
    }
    body.update(fields)
    return body


def patch(**fields: Any) -> dict[str, Any]:
    """A complete PATCH body."""
    body: dict[str, Any] = {
        "title": "patched title",
        "description": "patched description",
        "recommendation": "patched recommendation",
        "status": "OPEN",
        "resolution": "",
        "severity": "low",
        "priority": "P3",
    }
    body.update(fields)
    return body


def create(client: TestClient, headers: dict[str, str] = HEADERS, **fields: Any) -> int:
    """Create-or-update ``incident(**fields)``; the id answered, as the contract answers it."""
    response = client.post(INCIDENTS, json=incident(**fields), headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return int(response.text)


def assert_error(response: Response, status: int, path: str | None = None) -> None:
    """The contract's error body, with ``path`` among the named fields when given."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"message", "logref", "path", "_links", "_embedded"}
    assert body["path"] == body["_links"]["self"]["href"]
    assert body["_links"]["self"]["templated"] is False
    assert body["logref"]
    if path is not None:
        assert path in [e["path"] for e in body["_embedded"]["errors"]], body


def listed(store: Store, org: str, query: ListQuery | None = None) -> dict[str, Any]:
    """A list page read in-process, as a client would see it (its documents come as text)."""
    return orjson.loads(orjson.dumps(page(store, org, query or ListQuery())))  # type: ignore[no-any-return]


def stored_rows(store: Store, org: str) -> dict[str, int]:
    """How many rows ``org`` has in every table, read past the service's own queries (raw
    rows, no FINAL: a refused request must not have written even a superseded one)."""
    counts = {}
    for table in SCHEMAS:
        found = store.client.query(
            f"SELECT count() FROM {table} WHERE org_id = {{org:String}}",
            parameters={"org": org},
        )
        counts[table] = int(found.result_rows[0][0])
    return counts


def nothing_stored(store: Store, org: str) -> bool:
    return set(stored_rows(store, org).values()) == {0}


def store_of(client: TestClient) -> Store:
    """The store the app behind ``client`` opened."""
    assert isinstance(client.app, FastAPI)
    store: Store = client.app.state.services.store
    return store


def settings_for(config: StoreConfig, **overrides: Any) -> Settings:
    """Service settings that point at ``config``'s database."""
    return Settings(
        data_dir=Path(config.data_dir),
        clickhouse_url=config.url,
        database=config.database,
        **overrides,
    )


# --- the deployment files -------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PINNED_IMAGE = re.compile(r"clickhouse/clickhouse-server:\$\{CLICKHOUSE_VERSION:-(\d+\.\d+)\}")


def load_compose(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text("utf-8"))
    return loaded


def assert_settings_exist(environment: dict[str, Any]) -> None:
    """Every INCIDENTS_* variable names a real setting: a typo would be silently ignored."""
    for key in environment:
        if key.startswith("INCIDENTS_"):
            assert key.removeprefix("INCIDENTS_").lower() in Settings.model_fields, key


@contextmanager
def counting(store: Store) -> Iterator[list[str]]:
    """Every operation ``store`` runs inside the block, by name."""
    seen: list[str] = []

    def observe(operation: str, _seconds: float, _ok: bool) -> None:
        seen.append(operation)

    store.observers.append(observe)
    try:
        yield seen
    finally:
        store.observers.remove(observe)
