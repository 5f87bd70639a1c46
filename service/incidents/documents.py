"""Stored rows as the contract's Incident documents.

Each incidents row carries its document (its fields and resolvedAt, rendered by the
writer as the history stores them, ``ingest.rows.state_documents``); a read adds the id,
the standing acknowledgement and updatedAt around it, as text. A list page then reads
three columns for its rows instead of twenty (10.4 ms against 13.0, benchmarks.page_levers)
and builds no dict per row.
"""

from typing import Any

import orjson
import pyarrow as pa

from clickhouse import Store
from service.incidents.acked import acknowledged_ids
from vocabulary.documents import Document
from vocabulary.timestamps import format_time


def acknowledgements(store: Store, org_id: str, ids: list[int]) -> dict[int, Document]:
    """The standing acknowledgement of each of ``ids`` that has one, in one read of those
    that may have one (on the embedded engine, or an answer kept for the same ids). No ids
    read nothing: bound to none, ``incident_acks_of`` would read the tenant's every one."""
    known = acknowledged_ids(store)
    if known is not None:
        ids = known.maybe_acknowledged(ids)
    if not ids:
        return {}

    def read() -> dict[int, Document]:
        found = store.query("incident_acks_of", {"org": org_id, "ids": ids})
        return {
            row["id"]: {
                "ackTime": format_time(row["first_ack_time"]),
                "ackUserId": row["ack_user_id"],
                "ackUserEmail": row["ack_user_email"],
            }
            for row in found.to_pylist()
        }

    return read() if known is None else known.answer(org_id, ids, read)


NO_ACK: Document = {"ackTime": None, "ackUserId": None, "ackUserEmail": None}


def document_text(row: dict[str, Any], ack: Document | None) -> bytes:
    """One row of ``_incident_document.sql``'s columns as the Incident's JSON text, its
    members in contract order: id, the stored document's, the acknowledgement's, updatedAt."""
    tail = orjson.dumps({**(ack or NO_ACK), "updatedAt": format_time(row["updated_at"])})
    return b'{"id":%d,%s,%s' % (row["id"], row["document"][1:-1].encode(), tail[1:])


def document_texts(store: Store, org_id: str, rows: pa.Table) -> list[bytes]:
    """Rows of ``_incident_document.sql``'s columns, with their acknowledgements, as
    Incident JSON texts in the rows' order."""
    records = rows.to_pylist()
    acks = acknowledgements(store, org_id, [r["id"] for r in records])
    return [document_text(r, acks.get(r["id"])) for r in records]


def incident_documents(store: Store, org_id: str, rows: pa.Table) -> list[Document]:
    """The same documents as values, for answers that add to them."""
    return [orjson.loads(text) for text in document_texts(store, org_id, rows)]
