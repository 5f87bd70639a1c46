"""The bulk loader: NDJSON, JSON arrays and Parquet files through ``Writer.commit``.

Files are read in chunks; every chunk is validated item by item (a bad row is reported
with its line or row number and skipped, or stops the load in strict mode) and
committed as one batch, in file order, so a file's later rows win over its earlier ones
exactly as they would over HTTP.
"""

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from ingest.batch import UnreadableInput, json_lines, python_objects
from ingest.rules import InvalidIncident
from ingest.writer import Upsert, Writer
from vocabulary.incident import IncidentIn
from vocabulary.problems import FieldError

# (row number, the incident or None, what is wrong with it)
Row = tuple[int, IncidentIn | None, list[FieldError]]
Progress = Callable[[int, int], None]  # rows done, input units done (bytes or rows)


@dataclass
class Rejected:
    """A row that was not stored: where it is and why."""

    number: int
    errors: list[FieldError]

    def describe(self, path: Path, unit: str) -> str:
        return f"{path}:{unit} {self.number}: " + "; ".join(m for _, m in self.errors)


@dataclass
class FileSummary:
    path: Path
    rows: int = 0
    stored: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    seconds: float = 0.0
    stopped: bool = False


def file_kind(path: Path) -> str:
    """``parquet``, ``array`` or ``ndjson``, by suffix and, for .json, by first character."""
    if path.suffix.lower() == ".parquet":
        return "parquet"
    if path.suffix.lower() == ".json":
        with path.open("rb") as handle:
            head = handle.read(4096).lstrip()
        return "array" if head.startswith(b"[") else "ndjson"
    return "ndjson"


def input_size(path: Path) -> tuple[int, str]:
    """How much input there is to go through, and in what unit, for progress and ETA."""
    if file_kind(path) == "parquet":
        return pq.ParquetFile(path).metadata.num_rows, "row"
    return path.stat().st_size, "line"


def _ndjson(path: Path, chunk: int) -> Iterator[tuple[list[Row], int]]:
    with path.open("rb") as handle:
        done = 0
        rows: list[Row] = []

        def counted() -> Iterator[bytes]:
            nonlocal done
            for line in handle:
                done += len(line)
                yield line

        for row in json_lines(counted()):
            rows.append(row)
            if len(rows) == chunk:
                yield rows, done
                rows = []
        if rows:
            yield rows, done


def _decoded(values: list[Any], first: int) -> list[Row]:
    validated = python_objects(values)
    return [
        (first + index, item, validated.errors.get(index, []))
        for index, item in enumerate(validated.items)
    ]


def _array(path: Path, chunk: int) -> Iterator[tuple[list[Row], int]]:
    try:
        values = json.loads(path.read_bytes())
    except ValueError as bad:
        raise UnreadableInput(f"{path}: not valid JSON: {bad}") from None
    if not isinstance(values, list):
        raise UnreadableInput(f"{path}: expected a JSON array of incidents")
    size = path.stat().st_size
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        yield _decoded(part, start), size * (start + len(part)) // max(len(values), 1)


def _parquet_row(row: dict[str, Any]) -> dict[str, Any]:
    """Parquet has no free-form objects: metadata may come as JSON text."""
    if isinstance(row.get("metadata"), str):
        try:
            return {**row, "metadata": json.loads(row["metadata"])}
        except ValueError:
            return row
    return row


def _parquet(path: Path, chunk: int) -> Iterator[tuple[list[Row], int]]:
    done = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk):
        rows = [_parquet_row(r) for r in batch.to_pylist()]
        yield _decoded(rows, done), done + len(rows)
        done += len(rows)


def chunks(path: Path, chunk: int) -> Iterator[tuple[list[Row], int]]:
    """The file's rows in chunks, each with how far into the input it reaches."""
    readers = {"parquet": _parquet, "array": _array, "ndjson": _ndjson}
    return readers[file_kind(path)](path, chunk)


def load_file(
    writer: Writer,
    org_id: str,
    path: Path,
    *,
    chunk: int = 10_000,
    strict: bool = False,
    progress: Progress | None = None,
) -> FileSummary:
    """Store every valid row of ``path`` for ``org_id``; invalid rows are listed.

    In strict mode the load stops at the first invalid row, after storing the rows before
    it (a rule that needs stored state, such as an end before the kept start, is only
    found when its chunk is committed, so the rest of that chunk is stored too).
    """
    summary = FileSummary(path)
    started = time.perf_counter()
    for chunk_rows, reached in chunks(path, chunk):
        rows = chunk_rows
        first_bad = next((n for n, (_, item, _) in enumerate(rows) if item is None), None)
        if strict and first_bad is not None:
            rows, summary.stopped = rows[: first_bad + 1], True
        summary.rows += len(rows)
        summary.rejected += [
            Rejected(number, errors) for number, item, errors in rows if item is None
        ]
        valid = [(number, item) for number, item, _ in rows if item is not None]
        outcomes = writer.commit([Upsert(org_id, item) for _, item in valid])
        for (number, _), outcome in zip(valid, outcomes, strict=True):
            if isinstance(outcome, InvalidIncident):
                summary.rejected.append(Rejected(number, outcome.errors))
            else:
                summary.stored += 1
        if progress is not None:
            progress(summary.rows, reached)
        if strict and summary.rejected:
            summary.stopped = True
            break
    summary.seconds = time.perf_counter() - started
    return summary
