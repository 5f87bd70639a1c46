"""``GET /incidents/export``: every incident the list filters select, newest first, as
NDJSON, CSV or Parquet, produced block by block while the engine streams its rows.

Each block of the format's one streamed query (``Store.stream``) becomes its part of the
answer and is dropped: memory holds one block, and the tenant's acknowledgements, read
once before the first row, whatever the number of rows. The engine renders the cells
(for NDJSON the list's own document texts, around the acknowledgement; CSV's text;
Parquet's typed columns), and each block is completed column-wise in Arrow with the
acknowledgement of its rows: no Python object per row on the way. A page renders the
same documents in Python (``service.incidents.documents``): for 20 rows the engine's
rendering cost more (5 ms a query) than it saved.
"""

import io
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, cast

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from clickhouse import Store
from service.incidents.documents import NO_ACK
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


# The acknowledgement's columns (``export_acks.sql``) under their contract names.
_ACK_COLUMNS = {"ackUserId": "ack_user_id", "ackUserEmail": "ack_user_email"}
# pyarrow-stubs 20 predate WriteOptions' eol.
_CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, eol="\r\n", quoting_style="needed")  # type: ignore[call-arg]


# The members of a document without an acknowledgement, as the page renders them.
_NO_ACK_MEMBERS = orjson.dumps(NO_ACK)[1:-1].decode()


class _Export:
    """One export's reads: the tenant's acknowledgements once, then the blocks."""

    def __init__(self, store: Store, org_id: str, query: ExportQuery) -> None:
        self.store, self.org_id, self.query = store, org_id, query

    def blocks(self, name: str) -> Iterator[tuple[pa.Table, pa.Table]]:
        """Each non-empty block of ``queries/<name>.sql`` with the acknowledgement of
        each of its rows, from ``export_acks.sql`` (nulls where a row has none)."""
        every = {"org": self.org_id, "ids": None}
        acks = self.store.query("export_acks", every).sort_by("id")
        for block in self.store.stream(name, self.query.params(self.org_id)):
            if block.num_rows:
                yield block, _standing(block, acks)


def _standing(rows: pa.Table, acks: pa.Table) -> pa.Table:
    """The row of ``acks`` (sorted by id) for each of ``rows``' ids, in ``rows``' order;
    nulls where an incident has none. A binary search: ``pc.index_in`` hashed the
    tenant's acknowledgements anew for every block (13 ms a block of 8192 against 80,000
    acknowledgements)."""
    known = acks.column("id").to_numpy()
    wanted = rows.column("id").to_numpy()
    at = np.minimum(np.searchsorted(known, wanted), max(len(known) - 1, 0))
    found = known[at] == wanted if len(known) else np.zeros(len(wanted), bool)
    return acks.take(pa.array(at, pa.int64(), mask=~found))


def _joined(texts: "pa.ChunkedArray[Any]") -> bytes:
    """``texts`` back to back: one copy out of the array Arrow built, instead of a bytes
    object per text. As large strings: a block of big documents (metadata may be
    megabytes) can pass the 2 GiB that 32-bit offsets hold."""
    whole = texts.cast(pa.large_string()).combine_chunks()
    _, offsets, data = whole.buffers()
    assert offsets is not None, "a string array has offsets"
    assert data is not None, "a string array has data"
    bounds = np.frombuffer(memoryview(offsets), np.int64)[[whole.offset, whole.offset + len(whole)]]
    return data[int(bounds[0]) : int(bounds[1])].to_pybytes()


def _columns(block: pa.Table, ack: pa.Table, ack_time: str, **made: Any) -> pa.Table:
    """The block's columns in contract order: ``made`` where given, the rows'
    acknowledgements ``ack`` (ackTime from their column ``ack_time``), the block's own
    column of the name otherwise."""
    columns = {
        **{n: ack.column(c) for n, c in _ACK_COLUMNS.items()},
        "ackTime": ack.column(ack_time),
        **made,
    }
    return pa.table({n: columns[n] if n in columns else block.column(n) for n in COLUMNS})


def _ndjson(export: _Export) -> Iterator[bytes]:
    """The list's own document texts, one a line."""
    yield b""
    for block, ack in export.blocks("export_documents"):
        members = pc.fill_null(ack.column("ack_members"), pa.scalar(_NO_ACK_MEMBERS))
        texts = (block.column("head"), members, block.column("tail"))
        # Large strings, as in _joined: a block of big documents can pass 2 GiB.
        parts = [t.cast(pa.large_string()) for t in texts]
        end, between = pa.scalar("\n", pa.large_string()), pa.scalar("", pa.large_string())
        lines = pc.binary_join_element_wise(*parts, end, between)  # type: ignore[type-var]
        yield _joined(cast("pa.ChunkedArray[Any]", lines))


def _csv(export: _Export) -> Iterator[bytes]:
    """RFC 4180: CRLF line ends, text cells quoted (a quote doubled), an empty cell for
    null; the engine renders the cells as text."""
    yield (",".join(COLUMNS) + "\r\n").encode()
    for block, ack in export.blocks("export_csv"):
        out = io.BytesIO()
        pa_csv.write_csv(_columns(block, ack, "ack_time_text"), out, _CSV_OPTIONS)
        yield out.getvalue()


def _lists(block: pa.Table) -> pa.Table:
    """The services and metric names of each row, from its JSON text (``lists``)."""
    text = io.BytesIO(_joined(block.column("lists")))
    return pa_json.read_json(text, parse_options=_LISTS)


def _parquet_table(block: pa.Table, ack: pa.Table) -> pa.Table:
    times = {
        name: block.column(name).cast(pa.int64()).cast(_TIME)
        for name in _TIMES
        if name != "ackTime"
    }
    lists = _lists(block)
    made = {name: lists.column(name) for name in lists.column_names}
    return _columns(block, ack, "ack_time", **made, **times).cast(PARQUET_SCHEMA)


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
        for block, ack in export.blocks("export_parquet"):
            writer.write_table(_parquet_table(block, ack))
            yield sink.take()
    yield sink.take()


WRITERS = {ExportFormat.NDJSON: _ndjson, ExportFormat.CSV: _csv, ExportFormat.PARQUET: _parquet}


def export(store: Store, org_id: str, query: ExportQuery) -> Iterator[bytes]:
    """The answer's bytes, chunk by chunk; the first chunk (maybe empty) comes before any
    row is read, so a caller can start the answer."""
    return WRITERS[query.format](_Export(store, org_id, query))
