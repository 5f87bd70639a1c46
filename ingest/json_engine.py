"""NDJSON lines and JSON arrays read into Arrow columns by the embedded engine, not by
Python.

Decoding each item into Python objects (orjson) and checking them field by field took
1,056-1,431 ms of CPU for 50k NDJSON lines; ClickHouse's own readers parse the same
text without an object per value, 330-450 ms with the checks (benchmarks/README.md).
Two reads of the input, written to a file:

- ``json_rows`` reads it with ``JSONEachRow`` into the fields' plain types, strictly: a
  value of another type, an unknown or repeated key refuses the whole file.
- ``json_lines_shapes`` (``json_array_shapes``) parses each line (the whole array) with
  simdjson, which is as strict as the model's parser, for what the rows cannot show.

Either the items come back as one row each, with which rows the column checks may take
as read, or not at all (the caller reads them as before): any item that is not one JSON
object with object metadata (a string metadata would read as an object's text) leaves
the input to Python. The engine also reads an object as its text wherever a text goes:
those rows are not plain, and the model judges them as sent, as it judges every row the
checks refuse.

Only the embedded engine reads a file this process writes; on a server the input is
read as before.
"""

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute

from clickhouse import Store, StoreError
from clickhouse.tables import Column
from vocabulary.fields import FIELDS, Field, Kind

pc: Any = pyarrow.compute

# Each field as JSONEachRow reads it. Text is nullable so that a null reaches the checks
# (which refuse it, so the model says why); a service's namespace is not, so that an
# omitted one reads as the model's default "" and a null refuses the file. An omitted
# list would read as [], which metricNames may be: it reads as one null item instead,
# which the checks refuse, so that the model says the field is missing.
_TYPES = {
    Kind.TEXT: "Nullable(String)",
    Kind.ENUM: "Nullable(String)",
    Kind.TIME: "Nullable(String)",
    Kind.STRINGS: "Array(Nullable(String)) DEFAULT [NULL]",
}
_SERVICES = "Array(Tuple(name Nullable(String), namespace String)) DEFAULT [(NULL, '')]"
_METADATA = "Nullable(String)"  # an object, as its text


def _read_as(field: Field) -> str:
    if field.kind is Kind.JSON:
        return _SERVICES if field.column == "services" else _METADATA
    return _TYPES[field.kind]


_STRUCTURE = ", ".join(f"{f.api} {_read_as(f)}" for f in FIELDS)
# The columns where an object read as text would be a string the sender never sent.
_TEXTS = [f.api for f in FIELDS if f.column != "metadata"]


# Inputs of fewer bytes are read by Python: two queries and a file cost about 10 ms of
# CPU, which a small input does not win back. CPU per input, by hand (Python against the
# engine): 10 items 5.0 against 18.7 ms, 1,000 items 11-15 against 21, 3,000 items 37-44
# against 41-43, 10,000 items (about 6 MB) 169-230 against 109-113.
SMALLEST = 2 * 1024 * 1024


@dataclass(frozen=True)
class EngineRead:
    """Row n of ``table`` is item (line) n; ``plain`` says which rows the checks may take."""

    table: pa.Table
    plain: np.ndarray


def _strings(array: Column) -> list[tuple[Column, np.ndarray | None]]:
    """Every string array within ``array``, each with the rows its values belong to
    (None: one value a row)."""
    if pa.types.is_list(array.type):
        parents = pc.list_parent_indices(array).to_numpy()
        return [(values, parents) for values, _ in _strings(array.flatten())]
    if pa.types.is_struct(array.type):
        return [pair for n in range(array.type.num_fields) for pair in _strings(array.field(n))]
    return [(array, None)]


def _object_texts(table: pa.Table) -> np.ndarray:
    """Rows with a text that may have been sent as an object (a text starting with
    "{"): the model, which refuses such an object, judges them."""
    found = np.zeros(table.num_rows, bool)
    for name in _TEXTS:
        for values, parents in _strings(table[name].combine_chunks()):
            starts = pc.starts_with(values, "{").fill_null(False).to_numpy(zero_copy_only=False)
            found[starts if parents is None else parents[starts]] = True
    return found


def _read(store: Store, data: bytes, shapes_query: str, count: int | None) -> EngineRead | None:
    """``data`` read by ``shapes_query`` and ``json_rows`` into one row per item, or None
    where they do not agree on ``count`` items (None: any number), each an object with
    object metadata."""
    if not store.config.embedded or len(data) < SMALLEST:
        return None
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(data)
        file.flush()
        try:
            shapes = store.query(shapes_query, {"path": file.name})
            plain = shapes["plain"].to_numpy(zero_copy_only=False).astype(bool)
            counted = count is None or len(plain) == count
            if not len(plain) or not counted or not plain.all():
                return None
            rows = store.query("json_rows", {"path": file.name, "structure": _STRUCTURE})
        except StoreError:
            return None
    if rows.num_rows != len(plain):
        return None
    return EngineRead(rows, ~_object_texts(rows))


def read_lines(store: Store, lines: Sequence[bytes]) -> EngineRead | None:
    """``lines`` (none blank) as rows, or None where the engine cannot vouch that each
    line is one row: a line that is not one JSON object, a value of another type."""
    return _read(store, b"\n".join(lines), "json_lines_shapes", len(lines)) if lines else None


def read_array(store: Store, body: bytes) -> EngineRead | None:
    """A JSON array of objects as rows, one an item, or None where the engine cannot
    vouch for that: not an array of objects, a value of another type."""
    return _read(store, body, "json_array_shapes", None)
