"""``GET /incidents/export``: every incident the list filters select, newest first, as
NDJSON, CSV or Parquet, produced block by block while the engine streams its rows.

Each block of the format's one streamed query (``Store.stream``) becomes its part of the
answer and is dropped: memory holds one block, and the tenant's acknowledgements, read
once before the first row, whatever the number of rows. The engine renders the cells
(the list's own document texts for NDJSON, ``_incident_document.sql``; CSV's text;
Parquet's typed columns), and each block is completed column-wise in Arrow with the
acknowledgement of its rows: no Python object per row on the way.
"""

import io
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from clickhouse import Store
from service.incidents.documents import acknowledgements, document_array, joined, standing
from service.lists.filters import IncidentFilters


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


_LISTS = pa_json.ParseOptions(
    explicit_schema=pa.schema(
        [PARQUET_SCHEMA.field("services"), PARQUET_SCHEMA.field("metricNames")]
    ),
    unexpected_field_behavior="error",
)


def filename(format: ExportFormat) -> str:
    return f'attachment; filename="incidents.{format.value}"'


# The acknowledgement's columns (``incident_acks_of.sql``) under their contract names.
_ACK_COLUMNS = {"ackUserId": "ack_user_id", "ackUserEmail": "ack_user_email"}
# pyarrow-stubs 20 predate WriteOptions' eol.
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed")  # type: ignore[call-arg]


class _Export:
    """One export's reads: the tenant's acknowledgements once, then the blocks."""

    def __init__(self, store: Store, org_id: str, query: ExportQuery) -> None:
        self.store, self.org_id, self.query = store, org_id, query

    def blocks(self, name: str) -> Iterator[tuple[pa.Table, pa.Table]]:
        """Each non-empty block of ``queries/<name>.sql`` with the acknowledgement of
        each of its rows (``standing``)."""
        acks = acknowledgements(self.store, self.org_id, None)
        for block in self.store.stream(name, self.query.params(self.org_id)):
            if block.num_rows:
                yield block, acks


def _columns(block: pa.Table, acks: pa.Table, ack_time: str, **made: Any) -> pa.Table:
    """The block's columns in contract order: ``made`` where given, the rows'
    acknowledgements (ackTime from their column ``ack_time``), the block's own column of
    the name otherwise."""
    ack = standing(block, acks)
    columns = {
        **{n: ack.column(c) for n, c in _ACK_COLUMNS.items()},
        "ackTime": ack.column(ack_time),
        **made,
    }
    return pa.table({n: columns[n] if n in columns else block.column(n) for n in COLUMNS})


def _ndjson(export: _Export) -> Iterator[bytes]:
    """The list's own document texts, one a line."""
    yield b""
    for block, acks in export.blocks("export_documents"):
        yield joined(document_array(block, acks, "\n"))


def _csv(export: _Export) -> Iterator[bytes]:
    """RFC 4180: CRLF line ends, text cells quoted (a quote doubled), an empty cell for
    null; the engine renders the cells as text."""
    yield (",".join(COLUMNS) + "\r\n").encode()
    for block, acks in export.blocks("export_csv"):
        out = io.BytesIO()
        pa_csv.write_csv(_columns(block, acks, "ack_time_text"), out, _CSV_OPTIONS)
        yield out.getvalue()


def _lists(block: pa.Table) -> pa.Table:
    """The services and metric names of each row, from its JSON text (``lists``)."""
    text = io.BytesIO(joined(block.column("lists")))
    return pa_json.read_json(text, parse_options=_LISTS)


def _parquet_table(block: pa.Table, acks: pa.Table) -> pa.Table:
    times = {
        name: block.column(name).cast(pa.int64()).cast(_TIME)
        for name in _TIMES
        if name != "ackTime"
    }
    lists = _lists(block)
    made = {name: lists.column(name) for name in lists.column_names}
    return _columns(block, acks, "ack_time", **made, **times).cast(PARQUET_SCHEMA)


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


def _parquet(export: _Export) -> Iterator[bytes]:
    """One row group per block, each sent as soon as it is written."""
    sink = _Chunks()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), PARQUET_SCHEMA) as writer:
        yield sink.take()
        for block, acks in export.blocks("export_parquet"):
            writer.write_table(_parquet_table(block, acks))
            yield sink.take()
    yield sink.take()


WRITERS = {ExportFormat.NDJSON: _ndjson, ExportFormat.CSV: _csv, ExportFormat.PARQUET: _parquet}


def export(store: Store, org_id: str, query: ExportQuery) -> Iterator[bytes]:
    """The answer's bytes, chunk by chunk; the first chunk (maybe empty) comes before any
    row is read, so a caller can start the answer."""
    return WRITERS[query.format](_Export(store, org_id, query))
