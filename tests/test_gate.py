"""Tenancy, API keys, versions, body size and the error body, through the whole app.

Nothing here needs a database of its own: every test runs on the shared one, and the
ones that write, or check that nothing was written, do so as a tenant of their own.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from service.app import create_app
from tests.helpers import (
    HEADERS,
    assert_error,
    incident,
    nothing_stored,
    org_of,
    settings_for,
    tenant,
)

pytestmark = pytest.mark.integration


def test_missing_tenant_is_401(shared_client: TestClient) -> None:
    assert_error(shared_client.get("/api/v1/incidents"), 401, "X-Scope-OrgID")


@pytest.mark.parametrize("org", [".", "..", "a b", "x" * 151, "a/b", "a,b", ""])
def test_malformed_tenant_is_401(shared_client: TestClient, org: str) -> None:
    assert_error(shared_client.get("/api/v1/incidents", headers={"X-Scope-OrgID": org}), 401)


@pytest.mark.parametrize("org", ["a", "x" * 150, "A-z_0.9!*'()", "..."])
def test_well_formed_tenants_pass(shared_client: TestClient, org: str) -> None:
    assert shared_client.get("/api/v1/incidents", headers={"X-Scope-OrgID": org}).status_code == 200


def test_tenant_is_checked_before_version_and_body(shared_client: TestClient) -> None:
    response = shared_client.post(
        "/api/v1/incidents", content=b"{not json", headers={"Api-Version": "7"}
    )
    assert_error(response, 401, "X-Scope-OrgID")


@pytest.mark.parametrize("version", ["1", "v1", "V1"])
def test_accepted_api_versions(shared_client: TestClient, version: str) -> None:
    response = shared_client.get("/api/v1/incidents", headers={**HEADERS, "Api-Version": version})
    assert response.status_code == 200


@pytest.mark.parametrize("version", ["2", "v2", "", "latest"])
def test_other_api_versions_are_400(shared_client: TestClient, version: str) -> None:
    response = shared_client.get("/api/v1/incidents", headers={**HEADERS, "Api-Version": version})
    assert_error(response, 400, "Api-Version")


def test_body_over_one_mib_is_413_and_stores_nothing(
    shared_client: TestClient, shared_store: Store
) -> None:
    headers = tenant()
    big = incident(metadata={"blob": "x" * (1024 * 1024)})
    assert_error(shared_client.post("/api/v1/incidents", json=big, headers=headers), 413, "body")
    assert shared_client.get("/api/v1/incidents", headers=headers).json()["data"] == []
    assert nothing_stored(shared_store, org_of(headers))


def test_unknown_route_and_wrong_method_use_the_error_body(shared_client: TestClient) -> None:
    assert_error(shared_client.get("/api/v1/nothing-here", headers=HEADERS), 404)
    assert_error(shared_client.delete("/api/v1/incidents", headers=HEADERS), 405)
    assert_error(shared_client.get("/api/v1/incidents/not-a-number", headers=HEADERS), 404)


def test_health_endpoints_need_no_tenant(shared_client: TestClient) -> None:
    assert shared_client.get("/healthz").json() == {"status": "ok"}
    assert shared_client.get("/readyz").json() == {"status": "ready"}
    spec = shared_client.get("/openapi.json").json()
    assert {"/api/v1/incidents", "/api/v1/incidents/batch", "/api/v1/incidents/facets"} <= set(
        spec["paths"]
    )
    assert shared_client.get("/docs").status_code == 200


@pytest.fixture(scope="module")
def keyed(shared_store: Store) -> Iterator[TestClient]:
    keys = {"k-acme": ["acme"], "k-admin": ["*"]}
    with TestClient(create_app(settings_for(shared_store.config, api_keys=keys))) as test_client:
        yield test_client


def test_api_keys(keyed: TestClient) -> None:
    url = "/api/v1/incidents"
    assert_error(keyed.get(url, headers=HEADERS), 401, "Authorization")
    wrong = {**HEADERS, "Authorization": "Bearer nope"}
    assert_error(keyed.get(url, headers=wrong), 401, "Authorization")
    other_org = {"X-Scope-OrgID": "globex", "Authorization": "Bearer k-acme"}
    assert_error(keyed.get(url, headers=other_org), 403, "Authorization")
    assert keyed.get(url, headers={**HEADERS, "Authorization": "Bearer k-acme"}).status_code == 200
    admin = {"X-Scope-OrgID": "globex", "Authorization": "Bearer k-admin"}
    assert keyed.get(url, headers=admin).status_code == 200


def test_default_org_serves_requests_without_the_header(shared_store: Store) -> None:
    headers = tenant()
    app = create_app(settings_for(shared_store.config, default_org=org_of(headers)))
    with TestClient(app) as single:
        created = single.post("/api/v1/incidents", json=incident())
        assert created.status_code == 200
        assert single.get(f"/api/v1/incidents/{created.text}", headers=headers).status_code == 200
        other = {"X-Scope-OrgID": "globex"}
        assert single.get(f"/api/v1/incidents/{created.text}", headers=other).status_code == 404
