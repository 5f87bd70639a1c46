"""Deterministic incident ids and the per-process version clock."""

import hashlib
import secrets
import threading
import time
from collections.abc import Iterable

import numpy as np

_ID_MASK = (1 << 53) - 1


def _part(text: str) -> bytes:
    data = text.encode("utf-8")
    return len(data).to_bytes(4, "big") + data


def incident_keys(org_id: str, sources: Iterable[str], incident_ids: Iterable[str]) -> list[int]:
    """The id of ``(org, source, incidentId)`` for each pair: BLAKE2b, first 8 bytes, 53
    bits, never 0.

    Each part is length-prefixed, so no two triples hash the same byte string. The same
    triple always gives the same id, which makes create-or-update a pure append: no read
    before write, and a retried request lands on the same incident. 53 bits keep ids
    exact as JavaScript numbers. The tenant's part is hashed once for all pairs.
    """
    tenant = hashlib.blake2b(_part(org_id), digest_size=8)
    source_parts: dict[str, bytes] = {}  # a batch has few sources
    digests = []
    for source, incident_id in zip(sources, incident_ids, strict=True):
        if (source_part := source_parts.get(source)) is None:
            source_part = source_parts[source] = _part(source)
        data = incident_id.encode("utf-8")
        digest = tenant.copy()
        digest.update(source_part + len(data).to_bytes(4, "big") + data)
        digests.append(digest.digest())
    # The digests as big-endian integers, masked, by numpy for all at once: an int per
    # item from its bytes was a quarter of the loop (by hand).
    keys = np.frombuffer(b"".join(digests), ">u8") & np.uint64(_ID_MASK)
    ids: list[int] = np.where(keys == 0, np.uint64(1), keys).tolist()
    return ids


def incident_key(org_id: str, source: str, incident_id: str) -> int:
    """The id of one ``(org, source, incidentId)``; see ``incident_keys``."""
    return incident_keys(org_id, (source,), (incident_id,))[0]


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


# Note ids: milliseconds since 2024-01-01 UTC, then a per-process sequence, then random.
_NOTE_EPOCH_MS = 1_704_067_200_000
_NOTE_SEQUENCE_BITS = 4
_NOTE_RANDOM_BITS = 8
_NOTE_SEQUENCE_MAX = (1 << _NOTE_SEQUENCE_BITS) - 1


class NoteIds:
    """Time-ordered 53-bit note ids, strictly increasing within the process.

    Bit layout, most significant first: 41 bits of milliseconds since 2024-01-01 UTC
    (enough until 2093), 4 bits of a per-process sequence within that millisecond, and 8
    random bits, so that two processes minting an id in the same millisecond collide
    only once in 256 times. When the sequence runs out the id borrows the next
    millisecond, and a wall clock that steps back is ignored: ids never go backwards.
    53 bits keep ids exact as JavaScript numbers.
    """

    def __init__(self) -> None:
        self._millis = 0
        self._sequence = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            millis = max(time.time_ns() // 1_000_000 - _NOTE_EPOCH_MS, self._millis, 1)
            if millis == self._millis:
                self._sequence += 1
                if self._sequence > _NOTE_SEQUENCE_MAX:
                    millis, self._sequence = millis + 1, 0
            else:
                self._sequence = 0
            self._millis = millis
            sequence = self._sequence
        high = (millis << _NOTE_SEQUENCE_BITS | sequence) << _NOTE_RANDOM_BITS
        return high | secrets.randbits(_NOTE_RANDOM_BITS)
