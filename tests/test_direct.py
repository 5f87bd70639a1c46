"""The create-or-update taken before routing answers exactly as the route does."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import StoreConfig
from service.app import create_app
from service.incidents.direct import DirectWrites
from tests.conftest import fresh_database
from tests.helpers import HEADERS, INCIDENTS, incident, settings_for

pytestmark = pytest.mark.integration

JSON = {**HEADERS, "Content-Type": "application/json"}
REQUESTS: list[tuple[dict[str, str], bytes]] = [
    (JSON, b'{"not": "an incident"}'),
    (JSON, b"{not json"),
    (JSON, b""),
    ({**HEADERS, "Content-Type": "text/plain"}, b"{}"),
    (JSON, b"[1, 2]"),
]


def _clients(engine: StoreConfig, direct: bool) -> Iterator[TestClient]:
    with fresh_database(engine) as store:
        app = create_app(settings_for(store.config))
        if not direct:
            direct_path: object = DirectWrites
            app.user_middleware = [m for m in app.user_middleware if m.cls is not direct_path]
        with TestClient(app) as client:
            yield client


@pytest.fixture
def with_direct(engine: StoreConfig) -> Iterator[TestClient]:
    yield from _clients(engine, direct=True)


@pytest.fixture
def route_only(engine: StoreConfig) -> Iterator[TestClient]:
    yield from _clients(engine, direct=False)


def _answer(client: TestClient, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    response = client.post(INCIDENTS, content=body, headers=headers)
    if response.headers["content-type"].startswith("text/plain"):
        return response.status_code, response.text
    document = response.json()
    document.pop("logref", None)
    return response.status_code, document


def test_every_body_is_answered_as_the_route_answers_it(
    with_direct: TestClient, route_only: TestClient
) -> None:
    valid = [(JSON, json.dumps(incident(incidentId=f"d{n}")).encode()) for n in range(2)]
    for headers, body in [*valid, *REQUESTS]:
        assert _answer(with_direct, headers, body) == _answer(route_only, headers, body)


def test_a_direct_write_is_counted_under_its_route(with_direct: TestClient) -> None:
    assert with_direct.post(INCIDENTS, json=incident(), headers=HEADERS).status_code == 200
    metrics = with_direct.get("/metrics").text
    assert (
        'incidents_http_requests_total{method="POST",route="/api/v1/incidents",status="200"} 1.0'
        in metrics
    )
