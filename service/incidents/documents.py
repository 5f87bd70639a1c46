"""Stored rows as the contract's Incident documents."""

from typing import Any

import pyarrow as pa

from clickhouse import Store
from vocabulary.fields import row_fields
from vocabulary.timestamps import format_time

Document = dict[str, Any]


def acknowledgements(store: Store, org_id: str, ids: list[int]) -> dict[int, Document]:
    """The standing acknowledgement of each of ``ids`` that has one, in one read."""
    if not ids:
        return {}
    found = store.query("incident_acks_of", {"org": org_id, "ids": ids})
    return {
        row["id"]: {
            "ackTime": format_time(row["first_ack_time"]),
            "ackUserId": row["ack_user_id"],
            "ackUserEmail": row["ack_user_email"],
        }
        for row in found.to_pylist()
    }


_NO_ACK: Document = {"ackTime": None, "ackUserId": None, "ackUserEmail": None}


def incident_document(row: dict[str, Any], ack: Document | None) -> Document:
    """One row of the incident columns as the API's Incident, fields in contract order."""
    return {
        "id": row["id"],
        **row_fields(row),
        "resolvedAt": format_time(row["resolved_at"]),
        **(ack or _NO_ACK),
        "updatedAt": format_time(row["updated_at"]),
    }


def incident_documents(store: Store, org_id: str, rows: pa.Table) -> list[Document]:
    """Rows of the incident columns, with their acknowledgements, in the rows' order."""
    records = rows.to_pylist()
    acks = acknowledgements(store, org_id, [r["id"] for r in records])
    return [incident_document(r, acks.get(r["id"])) for r in records]
