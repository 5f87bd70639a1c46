"""``GET /incidents/export``: every incident the list filters select, newest first, as
NDJSON, CSV or Parquet, produced block by block while the engine streams its rows.

Each block of the one streamed query (``Store.stream``) becomes its part of the answer
and is dropped: memory holds one block whatever the number of rows. The documents are
the list's own (``document_texts``, one acknowledgement read per block); CSV and
Parquet lay the same fields out as the contract's columns.
"""

import csv
import io
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clickhouse import Store
from service.incidents.documents import document_texts, incident_documents
from service.lists.filters import IncidentFilters
from vocabulary.documents import Document


class ExportFormat(StrEnum):
    NDJSON = "ndjson"
    CSV = "csv"
    PARQUET = "parquet"


MEDIA_TYPES = {
    ExportFormat.NDJSON: "application/x-ndjson",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
}


class ExportQuery(IncidentFilters):
    """The list's filters, no paging, and the format."""

    format: ExportFormat = ExportFormat.NDJSON


COLUMNS = (
    "id", "type", "incidentId", "title", "category", "description", "recommendation",
    "source", "status", "resolution", "services", "metricNames", "startTime", "endTime",
    "resolvedAt", "sourceSite", "severity", "priority", "ackTime", "ackUserId",
    "ackUserEmail", "updatedAt",
)  # fmt: skip
_TIME = pa.timestamp("ms", tz="UTC")
_TIMES = ("startTime", "endTime", "resolvedAt", "ackTime", "updatedAt")
PARQUET_SCHEMA = pa.schema(
    [
        pa.field("id", pa.uint64()),
        *(
            pa.field(name, _TIME)
            if name in _TIMES
            else pa.field(
                name,
                pa.list_(pa.struct([("name", pa.string()), ("namespace", pa.string())])),
            )
            if name == "services"
            else pa.field(name, pa.list_(pa.string()))
            if name == "metricNames"
            else pa.field(name, pa.string())
            for name in COLUMNS[1:]
        ),
    ]
)


def filename(format: ExportFormat) -> str:
    return f'attachment; filename="incidents.{format.value}"'


def _blocks(store: Store, org_id: str, query: ExportQuery) -> Iterator[pa.Table]:
    name = "export_documents" if query.format is ExportFormat.NDJSON else "export_incidents"
    for block in store.stream(name, query.params(org_id)):
        if block.num_rows:
            yield block


def _documents(store: Store, org_id: str, blocks: Iterator[pa.Table]) -> Iterator[list[Document]]:
    for block in blocks:
        yield incident_documents(store, org_id, block)


def _csv_cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name == "services":
        return ";".join(f"{s['name']}/{s.get('namespace', '')}" for s in value)
    if name == "metricNames":
        return ";".join(value)
    return value


def _csv(store: Store, org_id: str, blocks: Iterator[pa.Table]) -> Iterator[bytes]:
    """RFC 4180: CRLF line ends, fields quoted where they hold a comma, quote or newline."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\r\n")
    out.writerow(COLUMNS)
    yield text.getvalue().encode()
    for documents in _documents(store, org_id, blocks):
        text.seek(0)
        text.truncate()
        out.writerows([_csv_cell(c, d[c]) for c in COLUMNS] for d in documents)
        yield text.getvalue().encode()


def _parquet_table(documents: list[Document]) -> pa.Table:
    columns: dict[str, list[Any]] = {name: [d[name] for d in documents] for name in COLUMNS}
    columns["services"] = [
        [{"name": s["name"], "namespace": s.get("namespace", "")} for s in v]
        for v in columns["services"]
    ]
    table = pa.table({n: pa.array(v) for n, v in columns.items()})
    # ISO text of the documents back to instants: Arrow parses it in C.
    for name in _TIMES:
        parsed = pa.array(
            [None if t is None else t.removesuffix("Z") for t in columns[name]], pa.string()
        ).cast(pa.timestamp("ms"))
        table = table.set_column(table.schema.get_field_index(name), name, parsed)
    return table.cast(PARQUET_SCHEMA)


class _Chunks(io.RawIOBase):
    """A sink that keeps what was written until it is taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken, self.parts = b"".join(self.parts), []
        return taken


def _parquet(store: Store, org_id: str, blocks: Iterator[pa.Table]) -> Iterator[bytes]:
    """One row group per block, each sent as soon as it is written."""
    sink = _Chunks()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), PARQUET_SCHEMA) as writer:
        yield sink.take()
        for documents in _documents(store, org_id, blocks):
            writer.write_table(_parquet_table(documents))
            yield sink.take()
    yield sink.take()


def _ndjson(store: Store, org_id: str, blocks: Iterator[pa.Table]) -> Iterator[bytes]:
    """The list's own document texts, one a line."""
    yield b""
    for block in blocks:
        yield b"".join(text + b"\n" for text in document_texts(store, org_id, block))


WRITERS = {ExportFormat.NDJSON: _ndjson, ExportFormat.CSV: _csv, ExportFormat.PARQUET: _parquet}


def export(store: Store, org_id: str, query: ExportQuery) -> Iterator[bytes]:
    """The answer's bytes, chunk by chunk; the first chunk (maybe empty) comes before any
    row is read, so a caller can start the answer."""
    return WRITERS[query.format](store, org_id, _blocks(store, org_id, query))
