"""Ingest counters in one place: queue depth, batch sizes, flush latency, rejections.

Plain numbers under a lock, read as a snapshot by whoever exports them (``/metrics``);
this module imports no metrics library.
"""

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field


@dataclass
class IngestSnapshot:
    queue_rows: int = 0
    flushes: int = 0
    flushed_rows: int = 0
    failed_flushes: int = 0
    failed_rows: int = 0
    rejected_rows: int = 0


@dataclass
class IngestStats:
    """Updated by the group-commit queue; ``snapshot`` is a consistent copy."""

    _now: IngestSnapshot = field(default_factory=IngestSnapshot)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Called with (rows, seconds) after every successful flush: histograms hook in here.
    flush_observers: list[Callable[[int, float], None]] = field(default_factory=list)

    def queued(self, rows: int) -> None:
        with self._lock:
            self._now.queue_rows = rows

    def flushed(self, rows: int, seconds: float) -> None:
        with self._lock:
            now = self._now
            now.flushes += 1
            now.flushed_rows += rows
        for observe in self.flush_observers:
            observe(rows, seconds)

    def failed(self, rows: int) -> None:
        with self._lock:
            self._now.failed_flushes += 1
            self._now.failed_rows += rows

    def rejected(self, rows: int) -> None:
        with self._lock:
            self._now.rejected_rows += rows

    def snapshot(self) -> IngestSnapshot:
        with self._lock:
            return IngestSnapshot(**asdict(self._now))
