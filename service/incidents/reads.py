"""One incident read: the incident as it stands, and its history of changes."""

import json
import logging
from typing import Any

from clickhouse import Store
from service.incidents.documents import incident_documents
from vocabulary.documents import Document
from vocabulary.enums import STATE_ACTIONS
from vocabulary.problems import NotFound
from vocabulary.timestamps import format_time

log = logging.getLogger("incidents.domain")


def not_found(incident_id: int) -> NotFound:
    return NotFound(("id", f"id: no incident {incident_id}"))


def get(store: Store, org_id: str, incident_id: int) -> Document:
    rows = store.query("incident_get", {"org": org_id, "id": incident_id})
    if rows.num_rows == 0:
        raise not_found(incident_id)
    if rows.num_rows > 1:
        log.warning("incident id %d is shared by two sources in org %s", incident_id, org_id)
    return incident_documents(store, org_id, rows.slice(0, 1))[0]


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
        if event["action"] in STATE_ACTIONS:
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
