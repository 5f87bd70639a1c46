"""Compaction after bulk writes: the tables a list page reads merged into one part each
once the writes have stopped.

ClickHouse's own merges stop at parts of similar size: after a bulk load of 450k
versions the incidents table stayed at 5 parts, each spanning the whole key range, and a
first page under FINAL reads and merges a stretch of every one of them. Merged into one
part the same page took 10.4 ms against 15.7 (benchmarks.page_levers prints both). So after
a burst of writes, once they have been quiet for a while, the tables are merged with
``OPTIMIZE ... FINAL``.

A full merge rewrites the whole table, so it waits for enough new rows: at least
``min_rows`` and a ``share`` of what the table holds, so that a trickle of writes never
rewrites a large table over and over. It runs on the embedded engine only: a server has
cores of its own for its merges, and a forced merge of a large replicated table is
something its operator schedules.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from clickhouse.store import Store, StoreError
from ingest.stats import IngestStats

log = logging.getLogger("incidents.compaction")

# The tables a page reads; incident_events and incident_notes are read by id, a few rows.
TABLES = ("incidents", "incident_keys", "incident_acks")


@dataclass(frozen=True)
class CompactionPolicy:
    """When a compaction is due: ``idle_seconds`` without a commit after ``min_rows`` new
    rows that are also ``share`` of the rows stored."""

    idle_seconds: float = 10.0
    min_rows: int = 10_000
    share: float = 0.1

    def due(self, written: int, stored: int) -> bool:
        return written >= self.min_rows and written >= self.share * stored


def compact(store: Store) -> float:
    """Merge each table a page reads into one part; the seconds it took."""
    started = time.perf_counter()
    for table in TABLES:
        store.command(f"optimize_{table}")
    return time.perf_counter() - started


def parts(store: Store) -> tuple[int, int]:
    """The incidents table's active parts and the rows they hold."""
    found = store.query("incident_parts").to_pylist()[0]
    return int(found["parts"]), int(found["stored_rows"] or 0)


class Compactor:
    """Watches the committed rows and compacts once a burst of them has gone quiet."""

    def __init__(
        self,
        store: Store,
        stats: IngestStats,
        policy: CompactionPolicy,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.stats = stats
        self.policy = policy
        self.clock = clock
        self._seen = self._compacted = stats.snapshot().flushed_rows
        self._quiet_since = clock()

    def step(self) -> bool:
        """Look once, and compact when due (where there is more than one part to merge).
        Whether it was due."""
        rows = self.stats.snapshot().flushed_rows
        now = self.clock()
        if rows != self._seen:
            self._seen, self._quiet_since = rows, now
            return False
        written = rows - self._compacted
        if written < self.policy.min_rows or now - self._quiet_since < self.policy.idle_seconds:
            return False
        count, stored = parts(self.store)
        if not self.policy.due(written, stored):
            return False
        self._compacted = rows
        if count > 1:
            seconds = compact(self.store)
            log.info(
                "compacted %s after %s new rows in %.1f s", ", ".join(TABLES), written, seconds
            )
        return True

    async def run(self, every: float = 2.0) -> None:
        """``step`` every ``every`` seconds on a worker thread, until cancelled."""
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.step)
            except StoreError:
                log.warning("compaction failed; it is tried again later", exc_info=True)
