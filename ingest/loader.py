"""The bulk loader: NDJSON, JSON arrays and Parquet files through ``Writer.commit``.

Files are read in chunks; every chunk is validated as columns (a bad row is reported
with its line or row number and skipped, or stops the load in strict mode) and
committed as one batch, in file order, so a file's later rows win over its earlier ones
exactly as they would over HTTP.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from clickhouse import Store
from ingest.batch import UnreadableInput, array_values, json_lines
from ingest.columns import Checks, check, check_table
from ingest.writer import Rows, RowsOutcome, Writer
from vocabulary.problems import FieldError

Progress = Callable[[int, int], None]  # rows done, input units done (bytes or rows)

# Rows per commit. Each chunk pays fixed costs (a few dozen polars and Arrow calls, three
# inserts): 50k rows a chunk took 29% less CPU than 10k for the same 200k-row load, and
# the raw insert of the same chunks less CPU too (benchmarks/README.md).
CHUNK = 50_000


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


# One chunk of a file: its items checked, each item's row or line number, and how far
# into the input the chunk reaches.
Chunk = tuple[Checks, list[int], int]


# NDJSON is read in blocks and cut into lines by bytes.split: iterating a file's lines
# in Python cost a twentieth of a load.
_BLOCK = 8 * 1024 * 1024


def _blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks that end at a line's end."""
    with path.open("rb") as handle:
        rest = b""
        while block := handle.read(_BLOCK):
            cut = block.rfind(b"\n") + 1
            if cut:
                yield rest + block[:cut]
                rest = block[cut:]
            else:
                rest += block
        if rest:
            yield rest


def _ndjson(path: Path, chunk: int, store: Store | None) -> Iterator[Chunk]:
    done = number = 0
    lines: list[bytes] = []
    numbers: list[int] = []
    for block in _blocks(path):
        pieces = block.split(b"\n")
        if block.endswith(b"\n"):
            pieces.pop()  # what follows the last line's end is the next block's
        for line in pieces:
            number += 1
            if line.strip():
                lines.append(line)
                numbers.append(number)
            if len(lines) == chunk:
                yield json_lines(lines, store), numbers, done + len(block)
                lines, numbers = [], []
        done += len(block)
    if lines:
        yield json_lines(lines, store), numbers, done


def _array(path: Path, chunk: int) -> Iterator[Chunk]:
    try:
        values = array_values(path.read_bytes())
    except UnreadableInput as unreadable:
        raise UnreadableInput(f"{path}: {unreadable}") from None
    size = path.stat().st_size
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        reached = size * (start + len(part)) // max(len(values), 1)
        yield check(part), list(range(start, start + len(part))), reached


def _parquet(path: Path, chunk: int) -> Iterator[Chunk]:
    done = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk):
        checks = check_table(pa.Table.from_batches([batch]))
        yield checks, list(range(done, done + batch.num_rows)), done + batch.num_rows
        done += batch.num_rows


def chunks(path: Path, chunk: int, store: Store | None = None) -> Iterator[Chunk]:
    """The file's rows in checked chunks (NDJSON read by the embedded ``store``'s engine
    where it can: ``ingest.json_engine``)."""
    kind = file_kind(path)
    if kind == "ndjson":
        return _ndjson(path, chunk, store)
    return _parquet(path, chunk) if kind == "parquet" else _array(path, chunk)


def load_file(
    writer: Writer,
    org_id: str,
    path: Path,
    *,
    chunk: int = CHUNK,
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
    read: list[tuple[Checks, list[int], int]] = []

    def commits() -> Iterator[list[Rows]]:
        for whole, numbers, reached in chunks(path, chunk, writer.store):
            bad = strict and bool(whole.errors)
            checks = whole.before(min(whole.errors) + 1) if bad else whole
            read.append((checks, numbers, reached))
            yield [Rows(org_id, checks)]
            if bad:
                return

    for (outcome,) in writer.commit_chunks(commits()):
        checks, numbers, reached = read.pop(0)
        assert isinstance(outcome, RowsOutcome)
        summary.rows += checks.total
        summary.stored += sum(found is not None for found in outcome.ids)
        summary.rejected += [
            Rejected(numbers[index], errors) for index, errors in sorted(outcome.errors.items())
        ]
        if progress is not None:
            progress(summary.rows, reached)
        if strict and summary.rejected:
            summary.stopped = True
            break
    summary.seconds = time.perf_counter() - started
    return summary
