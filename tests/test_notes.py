"""Notes: every verb, every 4xx, tenant isolation, history, and the note id layout.

The 4xx checks run on the shared database, each as a tenant of its own.
"""

import time
from datetime import UTC, datetime
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
    nothing_stored,
    org_of,
    stored_rows,
    tenant,
)
from vocabulary.identity import NoteIds
from vocabulary.timestamps import parse_time

EPOCH_2024_MS = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)


def send(body: Any, headers: dict[str, str] = HEADERS) -> dict[str, Any]:
    """Request arguments for a JSON body; text is sent as is, e.g. JSON with a lone surrogate."""
    if isinstance(body, str):
        return {"content": body, "headers": {**headers, "Content-Type": "application/json"}}
    return {"json": body, "headers": headers}


def add(client: TestClient, incident_id: int, body: Any, headers: dict[str, str] = HEADERS) -> Any:
    return client.post(f"/api/v1/incidents/{incident_id}/notes", **send(body, headers))


def note(
    client: TestClient, incident_id: int, text: str, headers: dict[str, str] = HEADERS
) -> dict[str, Any]:
    response = add(client, incident_id, {"body": text}, headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def notes_of(
    client: TestClient, incident_id: int, headers: dict[str, str] = HEADERS
) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/incidents/{incident_id}/notes", headers=headers)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def note_history(client: TestClient, incident_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/incidents/{incident_id}/history", headers=HEADERS)
    assert response.status_code == 200, response.text
    return [e for e in response.json() if e["action"].startswith("note_")]


# --- note ids, no database ---


def test_note_ids_are_53_bit_increasing_and_carry_the_time() -> None:
    ids = NoteIds()
    before = time.time_ns() // 1_000_000
    minted = [ids.next() for _ in range(5_000)]
    after = time.time_ns() // 1_000_000
    assert minted == sorted(minted)
    assert len(set(minted)) == len(minted)
    assert all(0 < i < 2**53 for i in minted)
    first_ms = (minted[0] >> 12) + EPOCH_2024_MS
    assert before <= first_ms <= after
    # 5,000 ids in a few milliseconds overflow the 16-per-millisecond sequence: the ids
    # borrow later milliseconds rather than repeat, and stay near the clock.
    last_ms = (minted[-1] >> 12) + EPOCH_2024_MS
    assert last_ms <= after + len(minted) // 16


def test_note_ids_never_go_back_with_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = NoteIds()
    now_ns = 1_800_000_000 * 10**9  # 2027-01-15
    clock = iter([now_ns, now_ns, now_ns - 5 * 10**9, now_ns + 10**6])
    monkeypatch.setattr("vocabulary.identity.time.time_ns", lambda: next(clock))
    minted = [ids.next() for _ in range(4)]
    millis = now_ns // 10**6 - EPOCH_2024_MS
    # (milliseconds, sequence) per id: the step back keeps the last millisecond.
    assert [(i >> 12, (i >> 8) & 0xF) for i in minted] == [
        (millis, 0),
        (millis, 1),
        (millis, 2),
        (millis + 1, 0),
    ]


def test_note_ids_of_two_generators_differ_in_their_random_bits() -> None:
    first, second = NoteIds(), NoteIds()
    pairs = [(first.next(), second.next()) for _ in range(200)]
    assert any(a & 0xFF != b & 0xFF for a, b in pairs)


# --- the HTTP contract ---


@pytest.mark.integration
def test_add_read_list_edit_delete(client: TestClient) -> None:
    incident_id = create(client)
    response = add(client, incident_id, {"body": "first look: pool saturated"})

    assert response.status_code == 201, response.text
    created = response.json()
    assert list(created) == ["id", "incidentId", "body", "createdAt", "updatedAt"]
    assert created["incidentId"] == incident_id
    assert created["body"] == "first look: pool saturated"
    assert created["createdAt"] == created["updatedAt"]
    assert response.headers["Location"] == f"/api/v1/notes/{created['id']}"
    assert 0 < created["id"] < 2**53
    id_ms = (created["id"] >> 12) + EPOCH_2024_MS
    assert abs(id_ms - parse_time(created["createdAt"]).timestamp() * 1000) < 1000

    fetched = client.get(response.headers["Location"], headers=HEADERS)
    assert fetched.status_code == 200
    assert fetched.json() == created

    time.sleep(0.002)
    edited = client.put(f"/api/v1/notes/{created['id']}", json={"body": "fixed"}, headers=HEADERS)
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "fixed"
    assert edited.json()["createdAt"] == created["createdAt"]
    assert parse_time(edited.json()["updatedAt"]) > parse_time(created["updatedAt"])
    assert client.get(f"/api/v1/notes/{created['id']}", headers=HEADERS).json() == edited.json()
    assert notes_of(client, incident_id) == [edited.json()]

    deleted = client.delete(f"/api/v1/notes/{created['id']}", headers=HEADERS)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert notes_of(client, incident_id) == []


@pytest.mark.integration
def test_notes_are_listed_oldest_first_per_incident(client: TestClient) -> None:
    first, second = create(client, incidentId="a"), create(client, incidentId="b")
    written = []
    for n in range(6):
        written.append(note(client, first if n % 2 == 0 else second, f"note {n}"))
    client.delete(f"/api/v1/notes/{written[2]['id']}", headers=HEADERS)

    expected = [w for n, w in enumerate(written) if n % 2 == 0 and n != 2]
    assert notes_of(client, first) == expected
    assert notes_of(client, second) == [w for n, w in enumerate(written) if n % 2 == 1]
    assert notes_of(client, create(client, incidentId="c")) == []


@pytest.mark.integration
def test_deleted_notes_are_404_for_every_verb(client: TestClient) -> None:
    note_id = note(client, create(client), "to delete")["id"]
    assert client.delete(f"/api/v1/notes/{note_id}", headers=HEADERS).status_code == 204

    assert_error(client.get(f"/api/v1/notes/{note_id}", headers=HEADERS), 404, "noteId")
    assert_error(client.put(f"/api/v1/notes/{note_id}", json={"body": "x"}, headers=HEADERS), 404)
    assert_error(client.delete(f"/api/v1/notes/{note_id}", headers=HEADERS), 404)


@pytest.mark.integration
def test_unknown_notes_and_incidents_are_404(shared_client: TestClient) -> None:
    headers = tenant()
    assert_error(shared_client.get("/api/v1/notes/42", headers=headers), 404)
    assert_error(shared_client.put("/api/v1/notes/42", json={"body": "x"}, headers=headers), 404)
    assert_error(shared_client.delete("/api/v1/notes/42", headers=headers), 404)
    assert_error(shared_client.get("/api/v1/incidents/42/notes", headers=headers), 404)
    assert_error(add(shared_client, 42, {"body": "x"}, headers), 404)
    assert_error(shared_client.get(f"/api/v1/notes/{2**64}", headers=headers), 400)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"body": ""}, "body"),
        ({"body": "   \n"}, "body"),
        ({"body": "x" * 10_001}, "body"),
        ('{"body": "\\ud800"}', "body"),
        ({"body": 7}, "body"),
        ({}, "body"),
        ({"body": "ok", "author": "me"}, "author"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(
    shared_client: TestClient, shared_store: Store, body: Any, path: str
) -> None:
    headers = tenant()
    incident_id = create(shared_client, headers)
    kept = note(shared_client, incident_id, "kept", headers)
    before = stored_rows(shared_store, org_of(headers))

    assert_error(add(shared_client, incident_id, body, headers), 400, path)
    assert_error(shared_client.put(f"/api/v1/notes/{kept['id']}", **send(body, headers)), 400, path)
    assert notes_of(shared_client, incident_id, headers) == [kept]
    assert stored_rows(shared_store, org_of(headers)) == before


@pytest.mark.integration
def test_bodies_up_to_10000_characters_are_kept_as_sent(client: TestClient) -> None:
    incident_id = create(client)
    text = "é" * 9_998 + "\n✓"
    assert note(client, incident_id, text)["body"] == text
    assert notes_of(client, incident_id)[0]["body"] == text


@pytest.mark.integration
def test_another_tenants_notes_and_incidents_are_404(client: TestClient, store: Store) -> None:
    incident_id = create(client)
    kept = note(client, incident_id, "ours")
    note_path = f"/api/v1/notes/{kept['id']}"
    before = stored_rows(store, ORG)

    assert_error(client.get(f"/api/v1/incidents/{incident_id}/notes", headers=OTHER), 404)
    assert_error(add(client, incident_id, {"body": "theirs"}, headers=OTHER), 404)
    assert_error(client.get(note_path, headers=OTHER), 404)
    assert_error(client.put(note_path, json={"body": "theirs"}, headers=OTHER), 404)
    assert_error(client.delete(note_path, headers=OTHER), 404)

    assert notes_of(client, incident_id) == [kept]
    assert note_history(client, incident_id) == [
        {
            "at": kept["createdAt"],
            "action": "note_added",
            "userId": None,
            "changes": {"note": {"from": None, "to": {"id": kept["id"], "body": "ours"}}},
        }
    ]
    assert stored_rows(store, ORG) == before
    assert nothing_stored(store, org_of(OTHER))


@pytest.mark.integration
def test_every_verb_needs_a_tenant(shared_client: TestClient, shared_store: Store) -> None:
    headers = tenant()
    incident_id = create(shared_client, headers)
    note_path = f"/api/v1/notes/{note(shared_client, incident_id, 'x', headers)['id']}"
    before = stored_rows(shared_store, org_of(headers))
    for response in (
        shared_client.get(f"/api/v1/incidents/{incident_id}/notes"),
        shared_client.post(f"/api/v1/incidents/{incident_id}/notes", json={"body": "x"}),
        shared_client.get(note_path),
        shared_client.put(note_path, json={"body": "y"}),
        shared_client.delete(note_path),
    ):
        assert_error(response, 401, "X-Scope-OrgID")
    assert [n["body"] for n in notes_of(shared_client, incident_id, headers)] == ["x"]
    assert stored_rows(shared_store, org_of(headers)) == before


@pytest.mark.integration
def test_history_lists_note_changes(client: TestClient) -> None:
    incident_id = create(client)
    added = note(client, incident_id, "one")
    note_path = f"/api/v1/notes/{added['id']}"
    edited = client.put(note_path, json={"body": "two"}, headers=HEADERS).json()
    # The same body again changes nothing: no new version, no history entry.
    assert client.put(note_path, json={"body": "two"}, headers=HEADERS).json() == edited
    client.delete(note_path, headers=HEADERS)

    entries = note_history(client, incident_id)
    as_note = {"id": added["id"]}
    assert [(e["action"], e["userId"], e["changes"]) for e in entries] == [
        ("note_added", None, {"note": {"from": None, "to": {**as_note, "body": "one"}}}),
        (
            "note_edited",
            None,
            {"note": {"from": {**as_note, "body": "one"}, "to": {**as_note, "body": "two"}}},
        ),
        ("note_deleted", None, {"note": {"from": {**as_note, "body": "two"}, "to": None}}),
    ]
    assert entries[0]["at"] == added["createdAt"]
    assert entries[1]["at"] == edited["updatedAt"]
    times = [parse_time(e["at"]) for e in entries]
    assert times == sorted(times)


@pytest.mark.integration
def test_create_or_update_never_touches_notes(client: TestClient) -> None:
    incident_id = create(client)
    written = note(client, incident_id, "kept")
    assert create(client, title="updated by the detector", status="RESOLVED") == incident_id
    assert notes_of(client, incident_id) == [written]
