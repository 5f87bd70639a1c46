"""Acknowledging incidents: the first acknowledgement stands, a repeat changes nothing.

Acknowledgements of one incident are serialised by the app's striped locks, so within
a process the check for a standing acknowledgement and the write of a new one cannot
interleave; an acknowledgement of many takes the stripes of all its ids, in one order,
so that it cannot deadlock with another. Two service instances acknowledging at the
same moment may both write a row; reads then take the earliest (``incident_acks_of``),
so the answer stays one acknowledgement.
"""

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.writer import Writer
from service.incidents import events, reads
from service.incidents.documents import acknowledgements
from service.locks import StripedLocks
from vocabulary.documents import Document
from vocabulary.enums import HistoryAction
from vocabulary.problems import BadRequest
from vocabulary.timestamps import format_time, now


def _write(
    store: Store,
    writer: Writer,
    org_id: str,
    ids: Sequence[int],
    user_id: str,
    user_email: str | None,
) -> None:
    """Acknowledge ``ids`` now: one insert of their acknowledgements, one of their history."""
    if not ids:
        return
    at = now()
    changes: dict[str, Any] = {
        "ackTime": events.change(None, format_time(at)),
        "ackUserId": events.change(None, user_id),
    }
    if user_email is not None:
        changes["ackUserEmail"] = events.change(None, user_email)
    versions = [writer.clock.next() for _ in ids]
    acks = [
        {
            "org_id": org_id,
            "id": incident_id,
            "ack_time": at,
            "user_id": user_id,
            "user_email": user_email,
            "version": version,
        }
        for incident_id, version in zip(ids, versions, strict=True)
    ]
    insert_rows(store, "incident_acks", acks)
    history = [
        events.row(
            org_id,
            incident_id,
            version=version,
            at=at,
            action=HistoryAction.ACKNOWLEDGED,
            user_id=user_id,
            changes=changes,
        )
        for incident_id, version in zip(ids, versions, strict=True)
    ]
    insert_rows(store, "incident_events", history)


def acknowledge(
    store: Store,
    writer: Writer,
    locks: StripedLocks,
    org_id: str,
    incident_id: int,
    *,
    user_id: str,
    user_email: str | None,
) -> Document:
    """Acknowledge as ``user_id`` unless already acknowledged; the incident as it stands."""
    with locks(org_id, incident_id):
        document = reads.get(store, org_id, incident_id)
        if document["ackTime"] is not None:
            return document
        _write(store, writer, org_id, [incident_id], user_id, user_email)
        document.update(acknowledgements(store, org_id, [incident_id])[incident_id])
        return document


@contextmanager
def _all_locks(locks: StripedLocks, org_id: str, ids: Sequence[int]) -> Iterator[None]:
    stripes = {id(lock): lock for lock in (locks(org_id, i) for i in ids)}
    with ExitStack() as held:
        for key in sorted(stripes):
            held.enter_context(stripes[key])
        yield


def acknowledge_many(
    store: Store,
    writer: Writer,
    locks: StripedLocks,
    org_id: str,
    ids: Sequence[int],
    *,
    user_id: str,
    user_email: str | None,
) -> dict[str, list[int]]:
    """Acknowledge each of ``ids`` not yet acknowledged: one read, one insert per table.
    Every id in exactly one of the answer's lists, in request order."""
    seen: set[int] = set()
    for index, incident_id in enumerate(ids):
        if incident_id in seen:
            raise BadRequest((f"ids[{index}]", f"ids[{index}]: repeated id {incident_id}"))
        seen.add(incident_id)
    with _all_locks(locks, org_id, ids):
        found = store.query("acks_state_of", {"org": org_id, "ids": list(ids)}).to_pylist()
        standing = {row["id"]: bool(row["acknowledged"]) for row in found}
        new = [i for i in ids if standing.get(i) is False]
        _write(store, writer, org_id, new, user_id, user_email)
    return {
        "acknowledged": new,
        "alreadyAcknowledged": [i for i in ids if standing.get(i) is True],
        "notFound": [i for i in ids if i not in standing],
    }
