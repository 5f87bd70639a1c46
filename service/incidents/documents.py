"""Stored rows as the contract's Incident documents, as text.

Each incidents row carries its document (its fields and resolvedAt, rendered by the
writer as the history stores them, ``ingest.rows.state_documents``). A read renders the
rest in the engine: ``_incident_document.sql`` gives each row's text before and after
the acknowledgement (the id and the stored members; updatedAt), and
``incident_acks_of.sql`` each acknowledgement's members. Here the three parts are joined
column-wise in Arrow, with no Python object per row: a list page reads three columns for
its rows instead of twenty (10.4 ms against 13.0, benchmarks.page_levers), and an export
renders hundreds of thousands of documents without a loop over them.
"""

from typing import Any, cast

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from clickhouse import Store
from vocabulary.documents import Document

NO_ACK = '"ackTime":null,"ackUserId":null,"ackUserEmail":null'


def acknowledgements(store: Store, org_id: str, ids: list[int] | None) -> pa.Table:
    """The standing acknowledgement of each of ``ids`` that has one, or of every
    incident of the tenant when ``ids`` is None, in one read (``incident_acks_of.sql``).
    An empty list is refused: bound to nothing, it would read the tenant's every one.
    Sorted by id, for ``standing``."""
    if ids is not None and not ids:
        raise ValueError("no ids to read acknowledgements of; None reads every one")
    return store.query("incident_acks_of", {"org": org_id, "ids": ids}).sort_by("id")


def acknowledgement(store: Store, org_id: str, incident_id: int) -> Document:
    """The standing acknowledgement of one incident as the Incident's ack members."""
    members = acknowledgements(store, org_id, [incident_id]).column("ack_members")
    ack: Document = orjson.loads("{" + (members[0].as_py() if len(members) else NO_ACK) + "}")
    return ack


def standing(rows: pa.Table, acks: pa.Table) -> pa.Table:
    """The row of ``acks`` (sorted by id) for each of ``rows``' ids, in ``rows``' order;
    nulls where an incident has none. A binary search: ``pc.index_in`` hashed the
    tenant's acknowledgements anew for every block of an export (13 ms a block of 8192
    against 80,000 acknowledgements)."""
    known = acks.column("id").to_numpy()
    wanted = rows.column("id").to_numpy()
    at = np.minimum(np.searchsorted(known, wanted), max(len(known) - 1, 0))
    found = known[at] == wanted if len(known) else np.zeros(len(wanted), bool)
    return acks.take(pa.array(at, pa.int64(), mask=~found))


def document_array(rows: pa.Table, acks: pa.Table, end: str = "") -> "pa.ChunkedArray[Any]":
    """Rows of ``_incident_document.sql``'s columns as Incident JSON texts in the rows'
    order, each completed by its acknowledgement from ``acks`` (``acknowledgements``)
    and followed by ``end``."""
    members = pc.fill_null(standing(rows, acks).column("ack_members"), pa.scalar(NO_ACK))
    parts = (rows.column("head"), members, rows.column("tail"), pa.scalar(end))
    return cast("pa.ChunkedArray[Any]", pc.binary_join_element_wise(*parts, ""))  # type: ignore[call-overload]


def joined(texts: "pa.ChunkedArray[Any]") -> bytes:
    """``texts`` back to back: one copy out of the array Arrow built, instead of a bytes
    object per text."""
    whole = texts.combine_chunks()
    _, offsets, data = whole.buffers()
    assert offsets is not None, "a string array has offsets"
    assert data is not None, "a string array has data"
    bounds = np.frombuffer(memoryview(offsets), np.int32)[[whole.offset, whole.offset + len(whole)]]
    return data[int(bounds[0]) : int(bounds[1])].to_pybytes()


def document_texts(store: Store, org_id: str, rows: pa.Table) -> list[bytes]:
    """Rows of ``_incident_document.sql``'s columns, with their acknowledgements read
    for them, as Incident JSON texts in the rows' order."""
    if rows.num_rows == 0:
        return []
    acks = acknowledgements(store, org_id, cast(list[int], rows.column("id").to_pylist()))
    return cast(list[bytes], document_array(rows, acks).cast(pa.binary()).to_pylist())


def incident_documents(store: Store, org_id: str, rows: pa.Table) -> list[Document]:
    """The same documents as values, for answers that add to them."""
    return [orjson.loads(text) for text in document_texts(store, org_id, rows)]
