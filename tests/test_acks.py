"""Acknowledge: the first acknowledgement stands, its history entry, the list filter."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.writer import Writer
from service.acknowledgements import writes
from service.app import create_app
from service.incidents import acked
from service.locks import StripedLocks
from tests.helpers import (
    HEADERS,
    ORG,
    OTHER,
    assert_error,
    counting,
    create,
    org_of,
    patch,
    settings_for,
    store_of,
    stored_rows,
    tenant,
)
from vocabulary.problems import NotFound
from vocabulary.timestamps import now

pytestmark = pytest.mark.integration


def ack(
    client: TestClient,
    incident_id: int,
    user: dict[str, str] | None = None,
    as_: dict[str, str] = HEADERS,
) -> Any:
    """Acknowledge as the tenant of ``as_``, with the ``user`` headers (User-ID, User-Email)."""
    headers = {**as_, **(user or {})}
    return client.post(f"/api/v1/incidents/{incident_id}/acknowledge", headers=headers)


def ack_rows(store: Store, org_id: str, incident_id: int) -> int:
    """How many acknowledgement rows are stored, read past the service's own queries."""
    found = store.client.query(
        "SELECT count() FROM incident_acks WHERE org_id = {org:String} AND id = {id:UInt64}",
        parameters={"org": org_id, "id": incident_id},
    )
    return int(found.result_rows[0][0])


def history(client: TestClient, incident_id: int, action: str) -> list[Any]:
    response = client.get(f"/api/v1/incidents/{incident_id}/history", headers=HEADERS)
    assert response.status_code == 200, response.text
    return [entry for entry in response.json() if entry["action"] == action]


def test_acknowledge_answers_the_incident_with_the_ack(client: TestClient) -> None:
    incident_id = create(client)
    before = client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json()
    assert before["ackTime"] is None

    response = ack(client, incident_id, {"User-ID": "alice", "User-Email": "alice@example.com"})

    assert response.status_code == 200, response.text
    document = response.json()
    assert document["ackUserId"] == "alice"
    assert document["ackUserEmail"] == "alice@example.com"
    assert document["ackTime"] is not None
    assert list(document) == list(before)
    assert {k: v for k, v in document.items() if not k.startswith("ack")} == {
        k: v for k, v in before.items() if not k.startswith("ack")
    }
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json() == document


def test_the_first_acknowledgement_stands(client: TestClient, store: Store) -> None:
    incident_id = create(client)
    first = ack(client, incident_id, {"User-ID": "alice"}).json()

    again = ack(client, incident_id, {"User-ID": "bob", "User-Email": "bob@example.com"})

    assert again.status_code == 200
    assert again.json() == first
    assert first["ackUserEmail"] is None
    assert ack_rows(store, ORG, incident_id) == 1
    entries = history(client, incident_id, "acknowledged")
    assert entries == [
        {
            "at": first["ackTime"],
            "action": "acknowledged",
            "userId": "alice",
            "changes": {
                "ackTime": {"from": None, "to": first["ackTime"]},
                "ackUserId": {"from": None, "to": "alice"},
            },
        }
    ]


def test_history_names_the_email_when_given(client: TestClient) -> None:
    incident_id = create(client)
    document = ack(client, incident_id, {"User-ID": "alice", "User-Email": "a@example.com"})
    (entry,) = history(client, incident_id, "acknowledged")
    assert entry["userId"] == "alice"
    assert entry["changes"]["ackUserEmail"] == {"from": None, "to": "a@example.com"}
    assert entry["at"] == document.json()["ackTime"]


def test_concurrent_acknowledgements_give_one(client: TestClient, store: Store) -> None:
    incident_id = create(client)
    users = [f"user-{n}" for n in range(8)]
    start = threading.Barrier(len(users))

    def acknowledge(user: str) -> Any:
        start.wait()
        return ack(client, incident_id, {"User-ID": user}).json()

    with ThreadPoolExecutor(len(users)) as pool:
        answers = list(pool.map(acknowledge, users))

    assert ack_rows(store, ORG, incident_id) == 1
    assert len({a["ackUserId"] for a in answers}) == 1
    assert len({a["ackTime"] for a in answers}) == 1
    assert len(history(client, incident_id, "acknowledged")) == 1


def test_concurrent_acknowledgements_in_the_domain(client: TestClient, store: Store) -> None:
    """The same race without HTTP, on the thread pool a server would use."""
    incident_id = create(client)
    writer = Writer(store)
    locks = StripedLocks()
    start = threading.Barrier(6)

    def acknowledge(n: int) -> Any:
        start.wait()
        return writes.acknowledge(
            store, writer, locks, ORG, incident_id, user_id=f"u{n}", user_email=None
        )

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(acknowledge, range(6)))
    assert ack_rows(store, ORG, incident_id) == 1
    assert len({a["ackUserId"] for a in answers}) == 1


def test_unknown_incident_is_404_in_the_domain(shared_store: Store) -> None:
    org = org_of(tenant())
    with pytest.raises(NotFound):
        writes.acknowledge(
            shared_store,
            Writer(shared_store),
            StripedLocks(),
            org,
            12345,
            user_id="u",
            user_email=None,
        )


def test_user_id_is_required(shared_client: TestClient, shared_store: Store) -> None:
    as_ = tenant()
    incident_id = create(shared_client, as_)
    before = stored_rows(shared_store, org_of(as_))
    assert_error(ack(shared_client, incident_id, as_=as_), 400, "User-ID")
    assert_error(ack(shared_client, incident_id, {"User-ID": ""}, as_), 400, "User-ID")
    assert_error(ack(shared_client, incident_id, {"User-ID": "u" * 256}, as_), 400, "User-ID")
    assert_error(
        ack(shared_client, incident_id, {"User-ID": "u", "User-Email": "e" * 256}, as_),
        400,
        "User-Email",
    )
    assert ack_rows(shared_store, org_of(as_), incident_id) == 0
    assert stored_rows(shared_store, org_of(as_)) == before
    assert ack(shared_client, incident_id, {"User-ID": "u" * 255}, as_).status_code == 200


def test_input_is_checked_before_existence(shared_client: TestClient) -> None:
    as_ = tenant()
    assert_error(ack(shared_client, 777, as_=as_), 400, "User-ID")
    assert_error(ack(shared_client, 777, {"User-ID": "alice"}, as_), 404)
    assert_error(ack(shared_client, 2**64, {"User-ID": "alice"}, as_), 400)


def test_tenant_is_checked_first(shared_client: TestClient) -> None:
    incident_id = create(shared_client, tenant())
    response = shared_client.post(f"/api/v1/incidents/{incident_id}/acknowledge")
    assert_error(response, 401, "X-Scope-OrgID")


def test_another_tenants_incident_is_404(client: TestClient, store: Store) -> None:
    incident_id = create(client)
    response = client.post(
        f"/api/v1/incidents/{incident_id}/acknowledge", headers={**OTHER, "User-ID": "mallory"}
    )
    assert_error(response, 404)
    assert ack_rows(store, ORG, incident_id) == 0
    assert ack_rows(store, OTHER["X-Scope-OrgID"], incident_id) == 0
    document = client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json()
    assert document["ackUserId"] is None


def listed_ids(client: TestClient, **params: str) -> set[int]:
    response = client.get(
        "/api/v1/incidents", params={"pageSize": "100", **params}, headers=HEADERS
    )
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["data"]}


def test_acknowledged_filter(client: TestClient) -> None:
    ids = [create(client, incidentId=f"inc-{n}") for n in range(5)]
    acknowledged = {ids[1], ids[3]}
    for incident_id in acknowledged:
        ack(client, incident_id, {"User-ID": "alice"})
    other_org = create(client, headers=OTHER, incidentId="inc-1")
    client.post(f"/api/v1/incidents/{other_org}/acknowledge", headers={**OTHER, "User-ID": "x"})

    assert listed_ids(client, acknowledged="true") == acknowledged
    assert listed_ids(client, acknowledged="false") == set(ids) - acknowledged
    assert listed_ids(client) == set(ids)


def test_create_or_update_and_patch_keep_the_acknowledgement(client: TestClient) -> None:
    incident_id = create(client, startTime=1_700_000_000)
    acked = ack(client, incident_id, {"User-ID": "alice", "User-Email": "a@example.com"}).json()

    # A detector's update, moving the start too, then a person's PATCH.
    assert create(client, startTime=1_700_000_100, title="worse", status="RESOLVED") == incident_id
    response = client.patch(f"/api/v1/incidents/{incident_id}", json=patch(), headers=HEADERS)
    assert response.status_code == 200, response.text

    document = client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json()
    assert document["title"] == "patched title"
    ack_fields = ("ackTime", "ackUserId", "ackUserEmail")
    assert {k: document[k] for k in ack_fields} == {k: acked[k] for k in ack_fields}
    assert listed_ids(client, acknowledged="true") == {incident_id}
    assert listed_ids(client, acknowledged="false") == set()


def listed_acks(client: TestClient) -> dict[int, str | None]:
    response = client.get("/api/v1/incidents", headers=HEADERS)
    assert response.status_code == 200, response.text
    return {item["id"]: item["ackUserId"] for item in response.json()["data"]}


def test_a_page_with_no_acknowledged_incident_reads_no_acknowledgements(
    client: TestClient,
) -> None:
    """On the embedded engine the acknowledged ids are known (service/incidents/acked.py);
    with a server every page reads them."""
    first, second = (create(client, incidentId=f"inc-{n}") for n in range(2))
    store = store_of(client)
    embedded = store.config.embedded
    with counting(store) as seen:
        assert listed_acks(client) == {first: None, second: None}
    assert ("incident_acks_of" in seen) is not embedded
    ack(client, second, {"User-ID": "alice"})
    assert listed_acks(client) == {first: None, second: "alice"}


def test_acknowledgements_inserted_into_the_store_or_stored_before_are_known(
    store: Store,
) -> None:
    """Rows inserted through the app's store, and rows an earlier process stored, both
    show; no acknowledgement is missed by the known set."""
    with TestClient(create_app(settings_for(store.config))) as client:
        ids = [create(client, incidentId=f"inc-{n}") for n in range(3)]
        assert listed_acks(client) == dict.fromkeys(ids)
        row = {"org_id": ORG, "id": ids[0], "ack_time": now(), "user_id": "bob"}
        insert_rows(store_of(client), "incident_acks", [{**row, "user_email": None, "version": 1}])
        assert listed_acks(client)[ids[0]] == "bob"
        ack(client, ids[1], {"User-ID": "carol"})
    with TestClient(create_app(settings_for(store.config))) as client:
        assert listed_acks(client) == {ids[0]: "bob", ids[1]: "carol", ids[2]: None}


def test_a_page_asked_again_keeps_its_acknowledgements_until_one_is_inserted(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the embedded engine a page's acknowledgements are kept for its ids: asked again,
    it reads none; an acknowledgement inserted since is read and shown; and a kept
    answer stands no longer than KEPT_FOR."""
    store = store_of(client)
    if not store.config.embedded:
        pytest.skip("answers are kept on the embedded engine only: a server has other writers")
    first, second = (create(client, incidentId=f"inc-{n}") for n in range(2))
    ack(client, first, {"User-ID": "alice"})
    expected = {first: "alice", second: None}
    assert listed_acks(client) == expected
    with counting(store) as seen:
        assert listed_acks(client) == expected
    assert "incident_acks_of" not in seen
    ack(client, second, {"User-ID": "bob"})
    with counting(store) as seen:
        assert listed_acks(client) == {first: "alice", second: "bob"}
    assert "incident_acks_of" in seen
    kept = acked.acknowledged_ids(store)
    assert kept is not None
    later = kept.clock() + acked.KEPT_FOR + 1
    monkeypatch.setattr(kept, "clock", lambda: later)
    with counting(store) as seen:
        assert listed_acks(client) == {first: "alice", second: "bob"}
    assert "incident_acks_of" in seen


def test_an_answer_read_while_acknowledgements_are_inserted_is_not_kept(store: Store) -> None:
    """A read that an insert of acknowledgements overlaps may have missed its rows: it is
    answered, and read again the next time."""
    known = acked.AcknowledgedIds(store)
    row = {"org_id": ORG, "id": 7, "ack_time": now(), "user_id": "carol"}
    reads: list[int] = []

    def read_during_an_insert() -> acked.Acks:
        reads.append(1)
        if len(reads) == 1:
            insert_rows(store, "incident_acks", [{**row, "user_email": None, "version": 1}])
        return {}

    for _ in range(3):
        assert known.answer(ORG, [7], read_during_an_insert) == {}
    assert len(reads) == 2  # the first answer was not kept; the second was
