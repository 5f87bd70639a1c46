"""Incident states as Arrow tables, one per table they are stored in.

The tables' schemas are clickhouse/tables.py's; the incident's fields, in the incidents
rows and in the history documents, are those of ``vocabulary.fields.FIELDS``. Everything
is built column by column, for batches of up to 10k states.
"""

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute
from pydantic import TypeAdapter

from clickhouse.tables import INCIDENT_EVENTS, INCIDENT_KEYS, INCIDENTS, Column
from ingest.rules import IncidentState
from vocabulary.documents import compact
from vocabulary.fields import FIELDS, Field, Kind, row_fields
from vocabulary.incident import IncidentIn, Service

# pyarrow's stubs know few compute overloads for list, struct and string arrays.
pc: Any = pyarrow.compute

_SERVICES = TypeAdapter(list[Service])


def _json_text(field: Field) -> Callable[[Any], str]:
    """How a JSON field becomes text. Services go through pydantic, which dumps a
    service's further keys after its name and namespace as the columnar path writes them
    (tests/test_columns.py holds the two to the same text). Metadata is checked to be
    orjson-encodable when validated, and orjson is the faster."""
    if field.column == "services":
        return lambda services: _SERVICES.dump_json(services).decode()
    return compact


def _stored(field: Field, items: list[IncidentIn]) -> list[Any]:
    """One field's values as the incidents row stores them, one per item."""
    values = list(map(attrgetter(field.attribute), items))
    if field.kind is Kind.ENUM:
        return [value.value for value in values]
    if field.kind is Kind.JSON:
        return list(map(_json_text(field), values))
    return values


def field_columns(states: Sequence[IncidentState]) -> dict[str, list[Any]]:
    """Every field of ``states`` as stored, by column: what the incidents rows and the
    history documents of a batch share, so the JSON is encoded once for both. The start
    is the state's: the rules settle it (an update without one keeps the old)."""
    items = [s.incident for s in states]
    columns = {f.column: _stored(f, items) for f in FIELDS if f.column != "start_time"}
    return {**columns, "start_time": [s.start_time for s in states]}


# What the writer derives when it stores a settled row: whether it is a tombstone, and
# its document (the same text as its history entry's).
_DERIVED = ("is_deleted", "document")
# A settled write as one row: the incidents row it stores (without what is derived), what
# the history records (the action), and the start it moved from (a tombstone goes there).
SETTLED = pa.schema(
    [
        *(f for f in INCIDENTS if f.name not in _DERIVED),
        pa.field("action", pa.string()),
        pa.field("moved_from", INCIDENTS.field("start_time").type),
    ]
)


def settled_rows(states: Sequence[IncidentState]) -> pa.Table:
    """States decided one by one (single writes and PATCHes) as settled rows."""
    services = [s.incident.services for s in states]
    columns: dict[str, list[Any]] = {
        **field_columns(states),
        "org_id": [s.org_id for s in states],
        "id": [s.id for s in states],
        "service_names": [[s.name for s in listed] for listed in services],
        "service_namespaces": [[s.namespace for s in listed] for listed in services],
        "resolved_at": [s.resolved_at for s in states],
        "updated_at": [s.updated_at for s in states],
        "version": [s.version for s in states],
        "action": [s.action.value for s in states],
        "moved_from": [s.moved_from for s in states],
    }
    return pa.table([columns[name] for name in SETTLED.names], schema=SETTLED)


def incident_rows(settled: pa.Table, documents: Column) -> pa.Table:
    """New versions, plus a tombstone at the old key of every incident whose start moved:
    its new version again, at the start it moved from, deleted."""
    stored = [name for name in INCIDENTS.names if name not in _DERIVED]
    moved = pc.is_valid(settled["moved_from"])
    tombstones = settled.filter(moved)
    tombstones = tombstones.set_column(
        tombstones.schema.get_field_index("start_time"), "start_time", tombstones["moved_from"]
    )
    return pa.concat_tables(
        [
            part.select(stored)
            .append_column("is_deleted", pa.array(np.full(part.num_rows, deleted, np.uint8)))
            .append_column("document", texts)
            for part, deleted, texts in (
                (settled, 0, documents),
                (tombstones, 1, documents.filter(moved)),
            )
        ]
    )


def incident_from_row(row: dict[str, Any]) -> IncidentIn:
    """A stored row (the incident columns) back as the request that would store it."""
    return IncidentIn.model_validate(row_fields(row))


def key_rows(settled: pa.Table) -> pa.Table:
    return settled.select(INCIDENT_KEYS.names)


def _iso(name: str) -> pl.Expr:
    """A time column as ``format_time`` writes it: milliseconds only where there are
    some. polars formats 100k times in 32 ms, Arrow's strftime took 172 (benchmarks.columns)."""
    text = pl.col(name).dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ")
    return text.str.replace(".000Z", "Z", literal=True)


# The document's members in contract order, and those whose stored value is JSON text.
_STATE_NAMES = (*(f.api for f in FIELDS), "resolvedAt")
_JSON_NAMES = frozenset(f.api for f in FIELDS if f.kind is Kind.JSON)


def _members(names: list[str]) -> pl.Expr:
    """``"name":value`` pairs of plain columns, comma-separated, encoded by polars."""
    return pl.struct(names).struct.json_encode().str.strip_prefix("{").str.strip_suffix("}")


def state_documents(settled: pa.Table) -> Column:
    """Each state's fields as the API shows them, minus id, acknowledgement and updatedAt,
    as JSON text. The incidents row carries it for reads, and history stores it per write
    and compares consecutive documents when read. Encoded as whole columns by polars (a
    dict and orjson per row were the largest cost of a 10k commit's history rows); the
    JSON fields are JSON text already and go in as they are."""
    stored = {f.api: settled[f.column] for f in FIELDS}
    frame = pl.from_arrow(pa.table({**stored, "resolvedAt": settled["resolved_at"]}))
    assert isinstance(frame, pl.DataFrame)
    times = [f.api for f in FIELDS if f.kind is Kind.TIME] + ["resolvedAt"]
    frame = frame.with_columns(_iso(name) for name in times)
    parts: list[pl.Expr] = []
    plain: list[str] = []
    for name in _STATE_NAMES:
        if name not in _JSON_NAMES:
            plain.append(name)
            continue
        if plain:
            parts.append(_members(plain))
            plain = []
        parts.append(pl.concat_str(pl.lit(f'"{name}":'), pl.col(name)))
    if plain:
        parts.append(_members(plain))
    documents = frame.select(
        pl.concat_str(pl.lit("{"), pl.concat_str(parts, separator=","), pl.lit("}"))
    )
    return documents.to_series().to_arrow().cast(pa.string())


def event_rows(settled: pa.Table, documents: Column) -> pa.Table:
    count = settled.num_rows
    columns = {
        "org_id": settled["org_id"],
        "id": settled["id"],
        "version": settled["version"],
        "at": settled["updated_at"],
        "action": settled["action"],
        "user_id": pa.nulls(count, pa.string()),
        "payload": documents,
    }
    return pa.table(columns, schema=INCIDENT_EVENTS)


def commit_tables(settled: pa.Table) -> dict[str, pa.Table]:
    """Everything one commit inserts, by table."""
    documents = state_documents(settled)
    return {
        "incidents": incident_rows(settled, documents),
        "incident_keys": key_rows(settled),
        "incident_events": event_rows(settled, documents),
    }
