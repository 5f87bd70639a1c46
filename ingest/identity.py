"""Deterministic incident ids and the per-process version clock."""

import hashlib
import threading
import time

_ID_MASK = (1 << 53) - 1


def incident_key(org_id: str, source: str, incident_id: str) -> int:
    """The id of ``(org, source, incidentId)``: BLAKE2b, first 8 bytes, 53 bits, never 0.

    Each part is length-prefixed, so no two triples hash the same byte string. The same
    triple always gives the same id, which makes create-or-update a pure append: no read
    before write, and a retried request lands on the same incident. 53 bits keep ids
    exact as JavaScript numbers.
    """
    digest = hashlib.blake2b(digest_size=8)
    for part in (org_id, source, incident_id):
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(4, "big"))
        digest.update(data)
    return (int.from_bytes(digest.digest(), "big") & _ID_MASK) or 1


class VersionClock:
    """Nanosecond versions, strictly increasing within the process.

    ReplacingMergeTree keeps the highest version, so the last write answered by this
    process must carry the highest one even when the wall clock stalls or steps back.
    """

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(time.time_ns(), self._last + 1)
            return self._last

    def take(self, count: int) -> range:
        """``count`` consecutive versions in one step, for a batch."""
        with self._lock:
            first = max(time.time_ns(), self._last + 1)
            self._last = first + count - 1
            return range(first, first + count)
