"""Create-or-update, GET, PATCH and history of one incident, as API.md defines them.

What is refused before it is stored runs on the shared database, as a tenant of its own.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from tests.helpers import (
    HEADERS,
    ORG,
    OTHER,
    assert_error,
    create,
    incident,
    nothing_stored,
    org_of,
    patch,
    stored_rows,
    tenant,
)
from vocabulary.identity import incident_key

pytestmark = pytest.mark.integration

URL = "/api/v1/incidents"


def get(client: TestClient, incident_id: int, headers: dict[str, str] = HEADERS) -> dict[str, Any]:
    response = client.get(f"{URL}/{incident_id}", headers=headers)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def test_create_answers_the_deterministic_id_and_get_returns_every_field(
    client: TestClient,
) -> None:
    sent = incident(
        startTime="2024-05-01T12:00:00.250Z",
        services=[{"name": "checkout", "namespace": "shop", "team": "payments"}],
    )
    created = client.post(URL, json=sent, headers=HEADERS)
    incident_id = int(created.text)
    assert incident_id == incident_key(ORG, "detector-a", "inc-1")
    document = get(client, incident_id)
    assert list(document) == [
        "id", "type", "incidentId", "title", "category", "description", "recommendation",
        "source", "status", "resolution", "services", "metricNames", "startTime", "endTime",
        "sourceSite", "severity", "priority", "metadata", "resolvedAt", "ackTime",
        "ackUserId", "ackUserEmail", "updatedAt",
    ]  # fmt: skip
    expected = {**sent, "id": incident_id, "endTime": None, "resolvedAt": None}
    expected |= {"ackTime": None, "ackUserId": None, "ackUserEmail": None}
    assert {k: v for k, v in document.items() if k != "updatedAt"} == expected
    assert document["updatedAt"].endswith("Z")


def test_same_triple_updates_and_other_triples_create(client: TestClient) -> None:
    first = create(client, title="one")
    assert create(client, title="two") == first
    assert get(client, first)["title"] == "two"
    assert create(client, source="detector-b") != first
    assert create(client, incidentId="inc-2") != first
    assert len(client.get(URL, headers=HEADERS).json()["data"]) == 3


def test_update_without_start_keeps_it_and_a_new_start_moves_it(client: TestClient) -> None:
    incident_id = create(client, startTime=1714564800)
    assert get(client, incident_id)["startTime"] == "2024-05-01T12:00:00Z"
    create(client, title="again")
    assert get(client, incident_id)["startTime"] == "2024-05-01T12:00:00Z"
    create(client, startTime="2024-05-03T00:00:00Z")
    assert get(client, incident_id)["startTime"] == "2024-05-03T00:00:00Z"
    listed = client.get(URL, headers=HEADERS).json()["data"]
    assert [i["startTime"] for i in listed] == ["2024-05-03T00:00:00Z"]


def test_new_incident_without_start_starts_now(client: TestClient) -> None:
    document = get(client, create(client))
    assert document["startTime"] == document["updatedAt"]


def test_resolve_keep_and_reopen(client: TestClient) -> None:
    incident_id = create(client, startTime="2024-05-01T00:00:00Z")
    create(client, status="RESOLVED")
    resolved = get(client, incident_id)
    assert resolved["resolvedAt"] == resolved["updatedAt"]
    create(client, status="RESOLVED", title="still resolved")
    assert get(client, incident_id)["resolvedAt"] == resolved["resolvedAt"]
    create(client, status="OPEN")
    assert get(client, incident_id)["resolvedAt"] is None
    create(client, status="RESOLVED", endTime="2024-05-02T00:00:00Z")
    ended = get(client, incident_id)
    assert (ended["resolvedAt"], ended["endTime"]) == ("2024-05-02T00:00:00Z",) * 2


def test_end_before_start_is_400_and_stores_nothing(
    shared_client: TestClient, shared_store: Store
) -> None:
    headers = tenant()
    incident_id = create(shared_client, headers, startTime="2024-05-02T00:00:00Z", title="kept")
    before = stored_rows(shared_store, org_of(headers))
    refused = shared_client.post(
        URL, json=incident(endTime="2024-05-01T00:00:00Z", title="lost"), headers=headers
    )
    assert_error(refused, 400, "endTime")
    assert get(shared_client, incident_id, headers)["title"] == "kept"
    assert stored_rows(shared_store, org_of(headers)) == before


LIMITS = [
    ("type", "BUG"),
    ("incidentId", ""),
    ("incidentId", "x" * 17),
    ("title", "x" * 256),
    ("category", "COST"),
    ("description", "x" * 2001),
    ("recommendation", "x" * 2001),
    ("source", ""),
    ("source", "x" * 256),
    ("status", "CLOSED"),
    ("resolution", "x" * 21),
    ("services", []),
    ("services", [{"name": f"s{i}"} for i in range(101)]),
    ("metricNames", ["m"] * 101),
    ("metricNames", ["x" * 256]),
    ("startTime", "not a time"),
    ("endTime", "2024-13-01T00:00:00Z"),
    ("sourceSite", "x" * 51),
    ("severity", "x" * 11),
    ("priority", "x" * 11),
    ("metadata", {"blob": "x" * (64 * 1024)}),
    ("metadata", "not an object"),
    ("metadata", {"huge": 10**30}),
    ("title", 7),
]


@pytest.mark.parametrize(("field", "value"), LIMITS)
def test_every_limit_is_a_400_naming_the_field(
    shared_client: TestClient, shared_store: Store, field: str, value: Any
) -> None:
    headers = tenant()
    response = shared_client.post(URL, json=incident(**{field: value}), headers=headers)
    assert_error(response, 400)
    paths = [e["path"] for e in response.json()["_embedded"]["errors"]]
    assert any(p == field or p.startswith((f"{field}[", f"{field}.")) for p in paths), paths
    assert shared_client.get(URL, headers=headers).json()["data"] == []
    assert nothing_stored(shared_store, org_of(headers))


@pytest.mark.parametrize("field", ["title", "services", "metadata", "priority", "source"])
def test_missing_required_fields_are_400(shared_client: TestClient, field: str) -> None:
    body = incident()
    del body[field]
    assert_error(shared_client.post(URL, json=body, headers=HEADERS), 400, field)


def test_service_name_is_required_and_unknown_fields_are_refused(
    shared_client: TestClient,
) -> None:
    nameless = incident(services=[{"namespace": "shop"}])
    assert_error(shared_client.post(URL, json=nameless, headers=HEADERS), 400, "services[0].name")
    refused = shared_client.post(URL, json=incident(colour="red"), headers=HEADERS)
    assert_error(refused, 400, "colour")


def test_malformed_json_is_400(shared_client: TestClient) -> None:
    response = shared_client.post(URL, content=b'{"type": ', headers=HEADERS)
    assert_error(response, 400)


def test_patch_replaces_the_patchable_fields_only(client: TestClient) -> None:
    incident_id = create(client, startTime="2024-05-01T00:00:00Z")
    before = get(client, incident_id)
    response = client.patch(f"{URL}/{incident_id}", json=patch(status="RESOLVED"), headers=HEADERS)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after == get(client, incident_id)
    for field, value in patch(status="RESOLVED").items():
        assert after[field] == value
    unchanged = set(before) - set(patch()) - {"status", "resolvedAt", "updatedAt"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert after["resolvedAt"] == after["updatedAt"]
    reopened = client.patch(f"{URL}/{incident_id}", json=patch(status="OPEN"), headers=HEADERS)
    assert reopened.json()["resolvedAt"] is None


def test_patch_validation_and_404(shared_client: TestClient, shared_store: Store) -> None:
    headers = tenant()
    path = f"{URL}/{create(shared_client, headers)}"
    before = stored_rows(shared_store, org_of(headers))
    assert_error(shared_client.patch(path, json={"title": "only a title"}, headers=headers), 400)
    extra = patch(source="elsewhere")
    assert_error(shared_client.patch(path, json=extra, headers=headers), 400, "source")
    long = patch(title="x" * 256)
    assert_error(shared_client.patch(path, json=long, headers=headers), 400, "title")
    assert_error(shared_client.patch(f"{URL}/12345", json=patch(), headers=headers), 404)
    assert stored_rows(shared_store, org_of(headers)) == before


def test_another_tenants_incident_is_404_everywhere(client: TestClient, store: Store) -> None:
    incident_id = create(client)
    before = stored_rows(store, ORG)
    assert_error(client.get(f"{URL}/{incident_id}", headers=OTHER), 404, "id")
    assert_error(client.patch(f"{URL}/{incident_id}", json=patch(), headers=OTHER), 404)
    assert_error(client.get(f"{URL}/{incident_id}/history", headers=OTHER), 404)
    assert client.get(URL, headers=OTHER).json()["data"] == []
    assert get(client, incident_id)["title"] == incident()["title"]
    assert stored_rows(store, ORG) == before
    assert nothing_stored(store, org_of(OTHER))


def test_ids_out_of_range_are_400_and_unknown_ids_404(shared_client: TestClient) -> None:
    headers = tenant()
    assert_error(shared_client.get(f"{URL}/{2**64}", headers=headers), 400)
    assert_error(shared_client.get(f"{URL}/0", headers=headers), 404)


def test_history_lists_changes_oldest_first_and_skips_no_op_writes(client: TestClient) -> None:
    incident_id = create(client, startTime="2024-05-01T00:00:00Z")
    create(client, startTime="2024-05-01T00:00:00Z")
    create(client, title="renamed")
    client.patch(f"{URL}/{incident_id}", json=patch(), headers=HEADERS)
    history = client.get(f"{URL}/{incident_id}/history", headers=HEADERS).json()
    assert [h["action"] for h in history] == ["created", "updated", "patched"]
    assert all(h["userId"] is None for h in history)
    assert history[0]["changes"]["title"] == {"from": None, "to": incident()["title"]}
    assert history[1]["changes"] == {"title": {"from": incident()["title"], "to": "renamed"}}
    assert history[2]["changes"]["title"] == {"from": "renamed", "to": "patched title"}
    assert history[0]["at"] <= history[1]["at"] <= history[2]["at"]


def test_metadata_types(shared_client: TestClient) -> None:
    types = shared_client.get("/api/v1/metadata/types", headers=HEADERS).json()
    assert types == ["INCIDENT", "ANOMALY", "ALERT"]
