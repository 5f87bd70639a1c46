"""One incident: create-or-update, read, PATCH and history."""

import json
import logging
import threading
from typing import Any

from clickhouse import Store
from ingest.batch import Validated
from ingest.group import GroupCommit
from ingest.model import IncidentPatch
from ingest.rules import Action, IncidentState, InvalidIncident
from ingest.timestamps import format_time
from ingest.writer import Patch, UnknownIncident, Upsert, Write
from service.errors import BadRequest, NotFound
from service.render import Document, incident_documents

log = logging.getLogger("incidents.domain")

_STATE_ACTIONS = frozenset(a.value for a in Action)


class StripedLocks:
    """A fixed set of locks picked by key: PATCHes of one incident run one at a time."""

    def __init__(self, stripes: int = 64) -> None:
        self._locks = [threading.Lock() for _ in range(stripes)]

    def __call__(self, *key: object) -> threading.Lock:
        return self._locks[hash(key) % len(self._locks)]


def not_found(incident_id: int) -> NotFound:
    return NotFound(("id", f"id: no incident {incident_id}"))


def submit(ingest: GroupCommit, write: Write, size: int = 0) -> IncidentState:
    """Commit one write through the group-commit queue; a broken rule is a 400."""
    (outcome,) = ingest.submit([write], size)
    if isinstance(outcome, InvalidIncident):
        raise BadRequest(*[(field, f"{field}: {message}") for field, message in outcome.errors])
    if isinstance(outcome, UnknownIncident):
        assert isinstance(write, Patch)
        raise not_found(write.id)
    return outcome


def submit_batch(ingest: GroupCommit, org_id: str, batch: Validated, size: int) -> Document:
    """Store the valid items of a batch; ids align with the input, errors by index."""
    writes = [(n, Upsert(org_id, item)) for n, item in enumerate(batch.items) if item is not None]
    ids: list[int | None] = [None] * len(batch.items)
    problems = dict(batch.errors)
    outcomes = ingest.submit([w for _, w in writes], size)
    for (index, _), outcome in zip(writes, outcomes, strict=True):
        if isinstance(outcome, IncidentState):
            ids[index] = outcome.id
        elif isinstance(outcome, InvalidIncident):
            problems[index] = [(f, f"{f}: {m}") for f, m in outcome.errors]
    return {
        "ids": ids,
        "errors": [
            {"index": index, "errors": [{"message": m, "path": p} for p, m in found]}
            for index, found in sorted(problems.items())
        ],
    }


def get(store: Store, org_id: str, incident_id: int) -> Document:
    rows = store.query("incident_get", {"org": org_id, "id": incident_id})
    if rows.num_rows == 0:
        raise not_found(incident_id)
    if rows.num_rows > 1:
        log.warning("incident id %d is shared by two sources in org %s", incident_id, org_id)
    return incident_documents(store, org_id, rows.slice(0, 1))[0]


def patch(
    store: Store, ingest: GroupCommit, org_id: str, incident_id: int, change: IncidentPatch
) -> Document:
    """Replace the patchable fields of the incident's state at commit time.

    The writer applies the PATCH to the state it reads (or has queued) when it commits,
    so a create-or-update answered just before is never undone by it.
    """
    submit(ingest, Patch(org_id, incident_id, change))
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
