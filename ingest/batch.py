"""Many incidents in one input: a JSON array, NDJSON lines or Parquet row batches.

Each input is read into columns once, by the embedded engine where it can
(``ingest.json_engine``), else decoded by orjson, and validated as columns
(``ingest.columns``), so one bad item never sinks the rest: the answer lists the valid
items and, by index, what is wrong with the others. The HTTP batch endpoint and the
bulk loader both read through here.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from clickhouse import Store
from ingest.columns import Checks, check, check_read, decode, reader, strict_json
from ingest.json_engine import read_array, read_lines

MAX_ITEMS = 10_000


class UnreadableInput(ValueError):
    """The input as a whole is not what it should be (not JSON, not an array, too long)."""


def array_values(body: bytes) -> list[Any]:
    """A JSON array's items, decoded the way pydantic would see their numbers."""
    try:
        values = decode(body)
    except ValueError:
        # orjson refuses some JSON that json reads (NaN, 1e400); its verdict stands.
        try:
            values = strict_json(body)
        except ValueError as bad:
            raise UnreadableInput(f"not valid JSON: {bad}") from None
    if not isinstance(values, list):
        raise UnreadableInput("expected a JSON array of incidents")
    return values


def json_array(body: bytes, store: Store | None = None, limit: int = MAX_ITEMS) -> Checks:
    """A JSON array of incidents. With the embedded ``store`` the engine reads it where
    it can (``ingest.json_engine``); the body is decoded in Python only if the model
    must judge an item."""
    engine = None if store is None else read_array(store, body)
    if engine is None:
        values = array_values(body)
        _within(len(values), limit)
        return check(values)
    _within(len(engine.plain), limit)
    decoded = cache(lambda: array_values(body))
    return check_read(engine.table, engine.plain, lambda n: decoded()[n])


def _within(count: int, limit: int) -> None:
    if count > limit:
        raise UnreadableInput(f"at most {limit} items, got {count}")


def json_lines(lines: Sequence[bytes], store: Store | None = None) -> Checks:
    """NDJSON lines (none blank), each an incident. A line that is not JSON is judged
    by the model from its text, so it says what is wrong with it. With the embedded
    ``store`` the engine reads them where it can (``ingest.json_engine``)."""
    engine = None if store is None else read_lines(store, lines)
    if engine is not None:
        return check_read(engine.table, engine.plain, lines.__getitem__)
    read = reader(b"\n".join(lines))  # one look at all of them for long numbers
    try:
        values: list[Any] = [read(line) for line in lines]
    except ValueError:
        values = []
        for line in lines:
            try:
                values.append(read(line))
            except ValueError:
                values.append(line)
    return check(values, texts=lines)


def ndjson(body: bytes, store: Store | None = None, limit: int = MAX_ITEMS) -> Checks:
    """NDJSON in one body: items count non-blank lines from 0."""
    lines = [line for line in body.splitlines() if line.strip()]
    if len(lines) > limit:
        raise UnreadableInput(f"at most {limit} items")
    return json_lines(lines, store)
