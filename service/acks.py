"""Acknowledging an incident: the first acknowledgement stands, a repeat changes nothing.

Acknowledgements of one incident are serialised by the app's striped locks, so within
a process the check for a standing acknowledgement and the write of a new one cannot
interleave. Two service instances acknowledging at the same moment may both write a
row; reads then take the earliest (``incident_acks_of``), so the answer stays one
acknowledgement.
"""

import pyarrow as pa

from clickhouse import Store
from ingest.timestamps import format_time, now
from ingest.writer import Writer
from service import events, incidents
from service.incidents import StripedLocks
from service.render import Document, acknowledgements

_TIME = pa.timestamp("ms", tz="UTC")

# The columns of incident_acks, in the migration's order.
_ACK_COLUMNS: dict[str, pa.DataType] = {
    "org_id": pa.string(),
    "id": pa.uint64(),
    "ack_time": _TIME,
    "user_id": pa.string(),
    "user_email": pa.string(),
    "version": pa.uint64(),
}
ACK_ROWS = pa.schema(_ACK_COLUMNS)


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
        document = incidents.get(store, org_id, incident_id)
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
        store.insert("incident_acks", pa.Table.from_pylist([row], schema=ACK_ROWS))
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
            action=events.EventAction.ACKNOWLEDGED,
            user_id=user_id,
            changes=changes,
        )
        document.update(acknowledgements(store, org_id, [incident_id])[incident_id])
        return document
