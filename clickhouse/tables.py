"""Every table the service writes: its Arrow schema, and the one place its rows go in.

Column order and types follow the migrations; ``tests/test_store.py`` checks that the
live columns match these schemas. The incidents table's field columns come from
``vocabulary.fields.FIELDS``. Callers hand over rows; nothing outside this module names
a table to insert into.
"""

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from clickhouse.store import Store
from vocabulary.fields import FIELDS, Kind

# An Arrow array or chunked array, loosely typed: pyarrow's stubs type arrays by scalar
# type and leave out list and struct arrays' methods and most compute overloads.
Column = Any

_TIME = pa.timestamp("ms", tz="UTC")
_STRINGS = pa.list_(pa.string())


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns])


def _arrow_type(kind: Kind) -> pa.DataType:
    if kind is Kind.STRINGS:
        return _STRINGS
    if kind is Kind.TIME:
        return _TIME
    return pa.string()


# The natural key and the start come first, after the tenant and the id, as in
# 0001_incidents.sql; the other fields follow in contract order.
_KEY_FIELDS = ("source", "incident_id", "start_time")
# Columns the writer derives, each where the migration put it: right after a field.
_AFTER_FIELD: dict[str, tuple[tuple[str, pa.DataType], ...]] = {
    "services": (("service_names", _STRINGS), ("service_namespaces", _STRINGS)),
    "end_time": (("resolved_at", _TIME),),
}


def _incident_columns() -> list[tuple[str, pa.DataType]]:
    kinds = {f.column: f.kind for f in FIELDS}
    columns: list[tuple[str, pa.DataType]] = [("org_id", pa.string()), ("id", pa.uint64())]
    columns += [(name, _arrow_type(kinds[name])) for name in _KEY_FIELDS]
    for field in FIELDS:
        if field.column not in _KEY_FIELDS:
            columns.append((field.column, _arrow_type(field.kind)))
            columns += _AFTER_FIELD.get(field.column, ())
    columns += [("updated_at", _TIME), ("version", pa.uint64()), ("is_deleted", pa.uint8())]
    # 0007_incident_document.sql: each version's document, as the history stores it.
    return [*columns, ("document", pa.string())]


INCIDENTS = _schema(*_incident_columns())

INCIDENT_KEYS = _schema(
    ("org_id", pa.string()),
    ("id", pa.uint64()),
    ("source", pa.string()),
    ("incident_id", pa.string()),
    ("start_time", _TIME),
    ("resolved_at", _TIME),
    ("version", pa.uint64()),
)

INCIDENT_EVENTS = _schema(
    ("org_id", pa.string()),
    ("id", pa.uint64()),
    ("version", pa.uint64()),
    ("at", _TIME),
    ("action", pa.string()),
    ("user_id", pa.string()),
    ("payload", pa.string()),
)


INCIDENT_ACKS = _schema(
    ("org_id", pa.string()),
    ("id", pa.uint64()),
    ("ack_time", _TIME),
    ("user_id", pa.string()),
    ("user_email", pa.string()),
    ("version", pa.uint64()),
)

INCIDENT_NOTES = _schema(
    ("org_id", pa.string()),
    ("note_id", pa.uint64()),
    ("incident_id", pa.uint64()),
    ("body", pa.string()),
    ("created_at", _TIME),
    ("updated_at", _TIME),
    ("version", pa.uint64()),
    ("is_deleted", pa.uint8()),
)

SCAN_REPORTS = _schema(
    ("org_id", pa.string()),
    ("source", pa.string()),
    ("created_at", _TIME),
    ("version", pa.uint64()),
    ("payload", pa.string()),
)

SCHEMAS: dict[str, pa.Schema] = {
    "incidents": INCIDENTS,
    "incident_keys": INCIDENT_KEYS,
    "incident_events": INCIDENT_EVENTS,
    "incident_acks": INCIDENT_ACKS,
    "incident_notes": INCIDENT_NOTES,
    "scan_reports": SCAN_REPORTS,
}


def insert_rows(store: Store, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert a few rows given as mappings of column to value (acks, notes, events)."""
    store.insert(table, pa.Table.from_pylist(list(rows), schema=SCHEMAS[table]))


def each_once(ids: Column) -> bool:
    """Whether no id appears twice among ``ids``: a commit that names each incident once."""
    return bool(pc.count_distinct(ids).as_py() == len(ids))


# The sorting key of each ReplacingMergeTree the writer inserts into, as its migration
# orders it (tests/test_store.py reads them back from the live tables).
SORTING_KEYS: dict[str, tuple[str, ...]] = {
    "incidents": ("org_id", "start_time", "id", "source", "incident_id"),
    "incident_keys": ("org_id", "id", "source", "incident_id"),
}


def collapsed(table: str, rows: pa.Table) -> pa.Table:
    """``rows`` as the engine's collapse on insert leaves them in ``table``: of the rows
    of one sorting key, the one of the highest version, the last of equal ones (an
    ordinal rank numbers equal versions in order, over all the rows: within a window it
    would number each key's rows alone). A table without a sorting key of its own,
    plain MergeTree, keeps every row."""
    key = SORTING_KEYS.get(table)
    if key is None:
        return rows
    frame = pl.from_arrow(rows.select([*key, "version"]))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.col("version").rank("ordinal").alias("rank"))
    newest = frame.select(pl.col("rank") == pl.col("rank").max().over(key))
    return rows.filter(newest.to_series().to_arrow())


def insert_tables(store: Store, tables: Mapping[str, pa.Table], pool: Executor) -> None:
    """Insert a commit's Arrow batch per table, side by side on ``pool``; every one must
    succeed.

    The inserts are independent parts, so running them concurrently cost 14 ms a commit
    against 18 ms one after another. None is searched by the engine for rows to
    collapse (``clickhouse.store.NO_COLLAPSE``): a commit that names each incident once
    repeats no key in any table (a moved start's tombstone has the old start), and one
    that names an incident twice is collapsed here first, as the engine would: 100k rows
    into incidents took 292 ms of wall and 333 of CPU so, against 536 and 866 with the
    engine's pass (benchmarks/README.md, "Commits collapsed before they are inserted").
    """
    repeats = not each_once(tables["incident_keys"]["id"])

    def insert(table: str, rows: pa.Table) -> None:
        store.insert(table, collapsed(table, rows) if repeats else rows, repeats_keys=False)

    inserts = [pool.submit(insert, table, rows) for table, rows in tables.items()]
    for done in inserts:
        done.result()
