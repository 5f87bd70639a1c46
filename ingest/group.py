"""Group commit: many requests' writes, few large inserts.

A write is handed to ``GroupCommit.submit_async`` (a coroutine: it awaits its commit
without holding a thread) or ``GroupCommit.submit`` (a thread, which blocks). One
flusher thread, started by ``start`` and stopped by ``close`` (making a GroupCommit
starts nothing), takes whatever is queued once a batch is full (rows or bytes) or
``max_delay`` has passed since the oldest queued write, and commits it through
``Writer.commit`` as one insert per table. A submit returns only after the commit
holding its writes succeeded, so an answered write is stored; a failed commit fails
every write in it. One flusher means commits never overlap, so each commit's read of
prior state sees every earlier commit, and versions rise in answer order (waiters are
woken in queue order). Admission is bounded: while the oldest queued write has waited
longer than ``max_wait``, or when a write would push the queue past ``capacity`` rows,
a write is refused at once (the service answers 503 with Retry-After) instead of
waiting or growing. An empty queue admits any write, so every write can go through on
its own.
``close`` takes no more writes, commits the queued ones and then stops.
"""

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Self

from ingest.stats import IngestStats
from ingest.writer import Outcome, Rows, Write, Writer

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


def _rows(writes: Sequence[Write]) -> int:
    """How many rows ``writes`` add to the queue: a ``Rows`` write its valid items."""
    return sum(w.checks.valid if isinstance(w, Rows) else 1 for w in writes)


@dataclass(eq=False)
class _Ticket:
    """Writes waiting for their commit; the flusher sets the result, then calls ``wake``."""

    writes: Sequence[Write]
    size: int
    wake: Callable[[], object]
    rows: int = field(init=False)
    queued_at: float = field(default_factory=time.monotonic)
    outcomes: list[Outcome] | None = None
    error: BaseException | None = None

    def __post_init__(self) -> None:
        self.rows = _rows(self.writes)

    def result(self) -> list[Outcome]:
        """The outcomes, once woken; raises ``FlushFailed`` when the commit failed."""
        if self.error is not None:
            raise FlushFailed("the batch holding this write could not be stored") from self.error
        assert self.outcomes is not None
        return self.outcomes


def _resolve(done: "asyncio.Future[None]") -> None:
    # A waiter that was cancelled (its client went away) has nobody left to answer.
    if not done.done():
        done.set_result(None)


@dataclass(frozen=True)
class GroupSettings:
    """How batches are cut and writes admitted; README.md's ingest section says why."""

    max_rows: int = 10_000
    max_bytes: int = 32 * 1024 * 1024
    # Measured at 64 connections (benchmarks/README.md): waiting 0, 2 or 5 ms for more
    # writes gave 514, 472 and 408 writes/s. Writes that arrive while a flush runs form
    # the next batch anyway, so by default a flush starts as soon as the flusher is free.
    max_delay: float = 0.0
    # Seconds the oldest queued write may have waited before new writes are refused: a
    # flush takes what is queued, so the head waits longer than this only when a flush
    # runs long (the queue outgrew what commits in time, or the store stalls). Overload
    # is then answered quickly with 503 instead of slowly with 200 (README.md, ingest).
    max_wait: float = 0.5
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
        """Queue ``writes`` (about ``size`` bytes) and block until they are committed."""
        if not writes:
            return []
        done = threading.Event()
        ticket = self._enqueue(_Ticket(writes, size, done.set))
        done.wait()
        return ticket.result()

    async def submit_async(self, writes: Sequence[Write], size: int = 0) -> list[Outcome]:
        """Queue ``writes`` (about ``size`` bytes) and await their commit on this loop."""
        if not writes:
            return []
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        ticket = self._enqueue(
            _Ticket(writes, size, partial(loop.call_soon_threadsafe, _resolve, done))
        )
        await done
        return ticket.result()

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

    def _enqueue(self, ticket: _Ticket) -> _Ticket:
        with self._wake:
            if self._closing:
                raise Closed("the service is shutting down")
            if not self._thread.is_alive():
                raise RuntimeError("GroupCommit.start() was not called")
            if self._queue:
                self._admit(ticket)
            self._queue.append(ticket)
            self._rows += ticket.rows
            self._bytes += ticket.size
            self.stats.queued(self._rows)
            self._wake.notify_all()
        return ticket

    def refuse_if_overdue(self, rows: int) -> None:
        """Refuse ``rows`` while the oldest queued write has waited longer than
        ``max_wait`` (the queue is not draining in time), without queueing anything: the
        HTTP layer asks before it parses a body, so that a refusal costs little."""
        try:
            head = self._queue[0]
        except IndexError:
            return
        waited = time.monotonic() - head.queued_at
        if waited > self.settings.max_wait:
            self.stats.rejected(rows)
            raise Overloaded(retry_after=max(1, math.ceil(waited)))

    def _admit(self, ticket: _Ticket) -> None:
        """Refuse a ticket while the queue is overdue, or past ``capacity``. A batch is
        held to the capacity only: a flush of 10k rows takes longer than the wait bound
        by itself, so batches queued behind one another are often "overdue" (with the
        bound, 2 of 91 batches of a 460k-version load were refused and waited out)."""
        if not any(isinstance(w, Rows) for w in ticket.writes):
            self.refuse_if_overdue(ticket.rows)
        if self._rows + ticket.rows > self.settings.capacity:
            self.stats.rejected(ticket.rows)
            raise Overloaded(retry_after=1)

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
            rows, size = batch[0].rows, batch[0].size
            while self._queue and (
                rows + self._queue[0].rows <= limits.max_rows
                and size + self._queue[0].size <= limits.max_bytes
            ):
                ticket = self._queue.popleft()
                batch.append(ticket)
                rows += ticket.rows
                size += ticket.size
            self._rows -= rows
            self._bytes -= size
            self.stats.queued(self._rows)
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            writes = [w for ticket in batch for w in ticket.writes]
            rows = sum(ticket.rows for ticket in batch)
            started = time.perf_counter()
            try:
                outcomes = self.writer.commit(writes)
            except Exception as failed:
                log.exception("a flush of %d writes failed", len(writes))
                self.stats.failed(rows)
                for ticket in batch:
                    ticket.error = failed
                _wake(batch)
                continue
            seconds = time.perf_counter() - started
            self.stats.flushed(rows, seconds)
            offset = 0
            for ticket in batch:
                ticket.outcomes = outcomes[offset : offset + len(ticket.writes)]
                offset += len(ticket.writes)
            _wake(batch)


def _wake(batch: list[_Ticket]) -> None:
    """Wake the waiters of ``batch`` in queue order, which is answer order."""
    for ticket in batch:
        try:
            ticket.wake()
        except RuntimeError:
            # The waiter's event loop has closed: nobody is left to answer.
            log.warning("a committed write's event loop closed before it was answered")
