"""Acknowledging an incident: the first acknowledgement stands, a repeat changes nothing.

Acknowledgements of one incident are serialised by the app's striped locks, so within
a process the check for a standing acknowledgement and the write of a new one cannot
interleave. Two service instances acknowledging at the same moment may both write a
row; reads then take the earliest (``incident_acks_of``), so the answer stays one
acknowledgement.
"""

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.writer import Writer
from service.incidents import events, reads
from service.incidents.documents import acknowledgements
from service.locks import StripedLocks
from vocabulary.documents import Document
from vocabulary.enums import HistoryAction
from vocabulary.timestamps import format_time, now


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
        at = now()
        version = writer.clock.next()
        row = {
            "org_id": org_id,
            "id": incident_id,
            "ack_time": at,
            "user_id": user_id,
            "user_email": user_email,
            "version": version,
        }
        insert_rows(store, "incident_acks", [row])
        changes = {
            "ackTime": events.change(None, format_time(at)),
            "ackUserId": events.change(None, user_id),
        }
        if user_email is not None:
            changes["ackUserEmail"] = events.change(None, user_email)
        events.record(
            store,
            org_id,
            incident_id,
            version=version,
            at=at,
            action=HistoryAction.ACKNOWLEDGED,
            user_id=user_id,
            changes=changes,
        )
        document.update(acknowledgements(store, org_id, [incident_id])[incident_id])
        return document
