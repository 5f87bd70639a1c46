"""One incident: create-or-update, read, PATCH and history."""

import json
import logging
import threading
from typing import Any

from clickhouse import Store
from ingest.model import IncidentIn, IncidentPatch
from ingest.rules import Action, InvalidIncident
from ingest.timestamps import format_time
from ingest.writer import Write, Writer
from service.errors import BadRequest, NotFound
from service.render import Document, incident_documents

log = logging.getLogger("incidents.domain")

# Response fields that a writer does not send: they are derived or belong elsewhere.
_DERIVED = ("id", "resolvedAt", "ackTime", "ackUserId", "ackUserEmail", "updatedAt")
_STATE_ACTIONS = frozenset(a.value for a in Action)


class StripedLocks:
    """A fixed set of locks picked by key: PATCHes of one incident run one at a time."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, *key: object) -> threading.Lock:
        return self._locks[hash(key) % len(self._locks)]


def not_found(incident_id: int) -> NotFound:
    return NotFound(("id", f"id: no incident {incident_id}"))


def stored(writer: Writer, write: Write) -> int:
    """Commit one write; a rule it breaks is a 400 naming the field."""
    (outcome,) = writer.commit([write])
    if isinstance(outcome, InvalidIncident):
        raise BadRequest(*[(field, f"{field}: {message}") for field, message in outcome.errors])
    return outcome.id


def get(store: Store, org_id: str, incident_id: int) -> Document:
    rows = store.query("incident_get", {"org": org_id, "id": incident_id})
    if rows.num_rows == 0:
        raise not_found(incident_id)
    if rows.num_rows > 1:
        log.warning("incident id %d is shared by two sources in org %s", incident_id, org_id)
    return incident_documents(store, org_id, rows.slice(0, 1))[0]


def patch(
    store: Store,
    writer: Writer,
    locks: StripedLocks,
    org_id: str,
    incident_id: int,
    change: IncidentPatch,
) -> Document:
    """Replace the patchable fields; start and end are kept, resolution rules apply."""
    with locks(org_id, incident_id):
        current = get(store, org_id, incident_id)
        fields = {k: v for k, v in current.items() if k not in _DERIVED}
        fields.update(change.model_dump(mode="json", by_alias=True))
        stored(writer, Write(org_id, IncidentIn.model_validate(fields), patch=True))
        return get(store, org_id, incident_id)


def _changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    before = before or {}
    return {
        field: {"from": before.get(field), "to": value}
        for field, value in after.items()
        if before.get(field) != value
    }


def history(store: Store, org_id: str, incident_id: int) -> list[Document]:
    """Every change, oldest first; a write that changed nothing is left out.

    Upserts and patches store the full new state; the field changes are the difference
    from the state before. Other events (acknowledgements, notes) store their changes.
    """
    events = store.query("incident_events_of", {"org": org_id, "id": incident_id})
    if events.num_rows == 0:
        raise not_found(incident_id)
    entries: list[Document] = []
    state: dict[str, Any] | None = None
    for event in events.to_pylist():
        payload = json.loads(event["payload"])
        if event["action"] in _STATE_ACTIONS:
            changes = _changes(state, payload)
            state = payload
        else:
            changes = payload
        if changes:
            entries.append(
                {
                    "at": format_time(event["at"]),
                    "action": event["action"],
                    "userId": event["user_id"],
                    "changes": changes,
                }
            )
    return entries
