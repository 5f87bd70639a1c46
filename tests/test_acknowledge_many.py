"""Acknowledging many: new, already acknowledged, unknown and foreign ids, history, races."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from tests.helpers import HEADERS, ORG, OTHER, assert_error, create, stored_rows, tenant
from tests.test_acks import ack, ack_rows, history

pytestmark = pytest.mark.integration
MANY = "/api/v1/incidents/acknowledge"


def ack_many(
    client: TestClient, ids: list[int], user: str = "alice", as_: dict[str, str] = HEADERS
) -> Any:
    return client.post(MANY, json={"ids": ids}, headers={**as_, "User-ID": user})


def test_each_id_lands_in_one_list_in_request_order(client: TestClient, store: Store) -> None:
    ids = [create(client, incidentId=f"m{n}") for n in range(6)]
    foreign = create(client, OTHER, incidentId="foreign")
    first = ack(client, ids[2], {"User-ID": "bob"}).json()
    asked = [ids[5], 999, ids[2], ids[0], foreign, ids[3]]

    response = ack_many(client, asked)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "acknowledged": [ids[5], ids[0], ids[3]],
        "alreadyAcknowledged": [ids[2]],
        "notFound": [999, foreign],
    }
    for incident_id in (ids[5], ids[0], ids[3]):
        document = client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json()
        assert document["ackUserId"] == "alice"
        (entry,) = history(client, incident_id, "acknowledged")
        assert entry["userId"] == "alice"
        assert entry["changes"]["ackTime"] == {"from": None, "to": document["ackTime"]}
        assert ack_rows(store, ORG, incident_id) == 1
    kept = client.get(f"/api/v1/incidents/{ids[2]}", headers=HEADERS).json()
    assert kept["ackUserId"] == "bob"
    assert kept["ackTime"] == first["ackTime"]
    assert ack_rows(store, OTHER["X-Scope-OrgID"], foreign) == 0
    assert ack_rows(store, ORG, ids[1]) == 0

    again = ack_many(client, asked, user="carol").json()
    assert again["acknowledged"] == []
    assert again["alreadyAcknowledged"] == [ids[5], ids[2], ids[0], ids[3]]


def test_concurrent_with_single_acknowledgements(client: TestClient, store: Store) -> None:
    ids = [create(client, incidentId=f"c{n}") for n in range(30)]
    start = threading.Barrier(4)

    def many(user: str) -> Any:
        start.wait()
        return ack_many(client, ids, user).json()

    def singles(user: str) -> list[Any]:
        start.wait()
        return [ack(client, i, {"User-ID": user}).json() for i in reversed(ids)]

    with ThreadPoolExecutor(4) as pool:
        bulk = [pool.submit(many, "bulk-1"), pool.submit(many, "bulk-2")]
        single = [pool.submit(singles, "one-1"), pool.submit(singles, "one-2")]
        answers = [f.result() for f in bulk]
        for f in single:
            f.result()
    for incident_id in ids:
        assert ack_rows(store, ORG, incident_id) == 1
        assert len(history(client, incident_id, "acknowledged")) == 1
    claimed = [i for a in answers for i in a["acknowledged"]]
    assert len(claimed) == len(set(claimed))


def test_a_thousand_ids_in_one_request(shared_client: TestClient) -> None:
    as_ = tenant()
    created = [create(shared_client, as_, incidentId=f"k{n}") for n in range(3)]
    asked = [*created, *range(10_000, 10_997)]
    answer = ack_many(shared_client, asked, as_=as_).json()
    assert answer["acknowledged"] == created
    assert answer["notFound"] == asked[3:]
    assert_error(ack_many(shared_client, [*asked, 5], as_=as_), 400, "ids")


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"ids": []}, "ids"),
        ({"ids": [1, 2, 1]}, "ids[2]"),
        ({"ids": [-1]}, "ids[0]"),
        ({"ids": ["x"]}, "ids[0]"),
        ({"ids": [1], "more": 1}, "more"),
        ({}, "ids"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(
    shared_client: TestClient, shared_store: Store, body: dict[str, Any], path: str
) -> None:
    as_ = tenant()
    incident_id = create(shared_client, as_)
    if body.get("ids") == [1]:
        body = {**body, "ids": [incident_id]}
    before = stored_rows(shared_store, as_["X-Scope-OrgID"])
    response = shared_client.post(MANY, json=body, headers={**as_, "User-ID": "u"})
    assert_error(response, 400, path)
    assert stored_rows(shared_store, as_["X-Scope-OrgID"]) == before


def test_user_id_and_tenant_are_required(shared_client: TestClient) -> None:
    as_ = tenant()
    assert_error(shared_client.post(MANY, json={"ids": [1]}, headers=as_), 400, "User-ID")
    assert_error(shared_client.post(MANY, json={"ids": [1]}, headers={"User-ID": "u"}), 401)
