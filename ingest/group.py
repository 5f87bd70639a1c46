"""Group commit: many requests' writes, few large inserts.

Request threads hand their writes to ``GroupCommit.submit`` and wait. One flusher thread,
started by ``start`` and stopped by ``close`` (making a GroupCommit starts nothing),
takes whatever is queued once a batch is full (rows or bytes) or ``max_delay`` has passed
since the oldest queued write, and commits it through ``Writer.commit`` as one insert per
table. A submit returns only after the commit holding its writes succeeded, so an
answered write is stored; a failed commit fails every write in it. One flusher means
commits never overlap, so each commit's read of prior state sees every earlier commit,
and versions rise in answer order. The queue is bounded: past ``capacity`` rows a
submit is refused at once (the service answers 503 with Retry-After) instead of growing.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Self

from ingest.stats import IngestStats
from ingest.writer import Outcome, Write, Writer

log = logging.getLogger("incidents.ingest")


class Overloaded(Exception):
    """The queue is full; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("the write queue is full")
        self.retry_after = retry_after


class Closed(Exception):
    """The writer is shutting down and takes no more writes."""


class FlushFailed(Exception):
    """The commit holding these writes failed; none of them is answered as stored."""


@dataclass(eq=False)
class _Ticket:
    writes: Sequence[Write]
    size: int
    queued_at: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    outcomes: list[Outcome] | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class GroupSettings:
    """How batches are cut; see the ingest section of README.md for how these were chosen."""

    max_rows: int = 10_000
    max_bytes: int = 32 * 1024 * 1024
    # Measured at 64 connections (benchmarks/README.md): waiting 0, 2 or 5 ms for more
    # writes gave 514, 472 and 408 writes/s. Writes that arrive while a flush runs form
    # the next batch anyway, so by default a flush starts as soon as the flusher is free.
    max_delay: float = 0.0
    capacity: int = 100_000


class GroupCommit:
    """The bounded queue and its flusher thread: ``GroupCommit(writer).start()``."""

    def __init__(self, writer: Writer, settings: GroupSettings | None = None) -> None:
        self.writer = writer
        self.settings = settings or GroupSettings()
        self.stats = IngestStats()
        self._queue: deque[_Ticket] = deque()
        self._rows = 0
        self._bytes = 0
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)

    def start(self) -> Self:
        """Start the flusher thread; a submit before it is refused (nothing would commit it)."""
        self._thread.start()
        return self

    def submit(self, writes: Sequence[Write], size: int = 0) -> list[Outcome]:
        """Queue ``writes`` (about ``size`` bytes) and wait until they are committed."""
        if not writes:
            return []
        ticket = _Ticket(writes, size)
        with self._wake:
            if self._closing:
                raise Closed("the service is shutting down")
            if not self._thread.is_alive():
                raise RuntimeError("GroupCommit.start() was not called")
            if self._rows and self._rows + len(writes) > self.settings.capacity:
                self.stats.rejected(len(writes))
                raise Overloaded(retry_after=1.0)
            self._queue.append(ticket)
            self._rows += len(writes)
            self._bytes += size
            self.stats.queued(self._rows)
            self._wake.notify_all()
        ticket.done.wait()
        if ticket.error is not None:
            raise FlushFailed("the batch holding this write could not be stored") from ticket.error
        assert ticket.outcomes is not None
        return ticket.outcomes

    def close(self, timeout: float = 30.0) -> bool:
        """Take no more writes, commit what is queued, stop; False if it did not finish."""
        with self._wake:
            self._closing = True
            self._wake.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            return False
        self.writer.close()
        return True

    def _take(self) -> list[_Ticket] | None:
        """The next batch, once full or due; None when closed and drained."""
        limits = self.settings
        with self._wake:
            while not self._queue and not self._closing:
                self._wake.wait()
            if not self._queue:
                return None
            due = self._queue[0].queued_at + limits.max_delay
            while (
                not self._closing
                and self._rows < limits.max_rows
                and self._bytes < limits.max_bytes
                and (left := due - time.monotonic()) > 0
            ):
                self._wake.wait(left)
            batch = [self._queue.popleft()]
            rows, size = len(batch[0].writes), batch[0].size
            while self._queue and (
                rows + len(self._queue[0].writes) <= limits.max_rows
                and size + self._queue[0].size <= limits.max_bytes
            ):
                ticket = self._queue.popleft()
                batch.append(ticket)
                rows += len(ticket.writes)
                size += ticket.size
            self._rows -= rows
            self._bytes -= size
            self.stats.queued(self._rows)
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            writes = [w for ticket in batch for w in ticket.writes]
            started = time.perf_counter()
            try:
                outcomes = self.writer.commit(writes)
            except Exception as failed:
                log.exception("a flush of %d writes failed", len(writes))
                self.stats.failed(len(writes))
                for ticket in batch:
                    ticket.error = failed
                    ticket.done.set()
                continue
            self.stats.flushed(len(writes), time.perf_counter() - started)
            offset = 0
            for ticket in batch:
                ticket.outcomes = outcomes[offset : offset + len(ticket.writes)]
                offset += len(ticket.writes)
                ticket.done.set()
