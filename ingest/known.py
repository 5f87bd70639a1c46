"""Which incident ids the store may hold, for a writer that is the store's only writer.

On the embedded engine the service's writer is the only process writing to the store,
so the ids it has seen (those stored when it started, and those it has written since)
are every id there is. An id outside that set is certainly new: its prior state is
nothing, and the commit need not read it. A bulk load of new incidents then reads no
prior state at all, and neither does a single create. The set holds ids only (8 bytes
an incident); an id that may be known is still read, so a stale member (a purged
incident) costs a read, never a wrong answer. With a ClickHouse server other writers
may exist, and every id is read.
"""

import threading
from collections.abc import Sequence

import numpy as np

from clickhouse import Store

# New ids are kept aside and merged into the sorted array when this many have come.
_MERGE_AT = 1_000_000


class KnownIds:
    """The ids stored or written; ``maybe_known`` is never False for a stored id."""

    def __init__(self, ids: np.ndarray) -> None:
        self._sorted = np.unique(ids.astype(np.uint64))
        self._recent: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def of(cls, store: Store) -> "KnownIds":
        found = store.query("incident_ids")["id"]
        return cls(found.to_numpy() if len(found) else np.zeros(0, np.uint64))

    def maybe_known(self, ids: Sequence[int]) -> np.ndarray:
        """For each id, whether it may be stored (False: certainly new)."""
        wanted = np.fromiter(ids, np.uint64, len(ids))
        with self._lock:
            position = np.searchsorted(self._sorted, wanted)
            inside = position < len(self._sorted)
            known = np.zeros(len(wanted), bool)
            known[inside] = self._sorted[position[inside]] == wanted[inside]
            if self._recent:
                known |= np.fromiter((i in self._recent for i in ids), bool, len(ids))
        return known

    def add(self, ids: Sequence[int]) -> None:
        with self._lock:
            self._recent.update(ids)
            if len(self._recent) >= _MERGE_AT:
                merged = np.fromiter(self._recent, np.uint64, len(self._recent))
                self._sorted = np.union1d(self._sorted, merged)
                self._recent = set()
