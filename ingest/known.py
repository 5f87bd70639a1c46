"""What the store holds, as a writer that is the store's only writer knows it unread.

On the embedded engine the service's writer is the only process writing to the store,
so the ids it has seen (those stored when it started, and those it has written since)
are every id there is. An id outside that set is certainly new: its prior state is
nothing, and the commit need not read it. A bulk load of new incidents then reads no
prior state at all, and neither does a single create. The set holds ids only (8 bytes
an incident); an id that may be known is still read, so a stale member (a purged
incident) costs a read, never a wrong answer.

For the same reason the state this writer last stored for an incident (its start and
resolution time, as ``incident_keys`` holds them) is the store's, for as long as no TTL
can have removed that row: ``LatestStates`` keeps it for the incidents written lately,
so that an update of one of them reads nothing either. Detectors update the incidents
they have just opened; under load the one read of prior state was about 60% of a small
commit's time (benchmarks/README.md). With a ClickHouse server other writers may exist,
and every id is read.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from clickhouse import Store
from ingest.rules import Prior
from vocabulary.timestamps import from_epoch_millis

# New ids are kept aside and merged into the sorted array when this many have come.
_MERGE_AT = 1_000_000


def _sorted_unique(ids: np.ndarray) -> np.ndarray:
    """``ids`` as uint64, sorted, without repeats. Not np.unique: in numpy 2.4 it took
    13.1 s for 10M ids where this stable (radix) sort took 0.16 s (by hand)."""
    ordered = np.sort(ids.astype(np.uint64), kind="stable")
    first = np.ones(len(ordered), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]


def _held(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """For each of ``values``, whether the sorted ``ordered`` holds it. The values are
    looked up in ascending order, so that each search starts from where the one before
    ended instead of from all of ``ordered``: 100k ids among 10M took 29 ms so against
    123 in the order given, 9 against 12 among 100k (by hand). The bulk load of the
    10M dataset looks up 15M ids among up to 10M, and the lookups were 9% of its main
    thread."""
    order = np.argsort(values, kind="stable")
    ascending = values[order]
    position = np.searchsorted(ordered, ascending)
    inside = position < len(ordered)
    found = np.zeros(len(values), bool)
    found[inside] = ordered[position[inside]] == ascending[inside]
    held = np.empty(len(values), bool)
    held[order] = found
    return held


def among(values: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """For each of ``values``, whether it is one of ``ids`` (both uint64). Not np.isin,
    which sorts through np.unique: 16-30 ms for 50k ids in 50k against 9 (by hand)."""
    return _held(values, np.sort(ids, kind="stable"))


class KnownIds:
    """The ids stored or written; ``maybe_known`` is never False for a stored id."""

    def __init__(self, ids: np.ndarray | None = None) -> None:
        self._sorted = _sorted_unique(np.zeros(0, np.uint64) if ids is None else ids)
        self._recent: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def of(cls, store: Store, query: str) -> "KnownIds":
        """The ids in the ``id`` column of ``query``'s rows."""
        known = cls()
        known.read(store, query)
        return known

    def read(self, store: Store, query: str) -> None:
        """Add the ids in the ``id`` column of ``query``'s rows, streamed: they may be
        more than a query's result ceiling (one per version of every incident)."""
        blocks = [block["id"].to_numpy() for block in store.stream(query)]
        if blocks:
            with self._lock:
                self._sorted = _sorted_unique(np.concatenate([self._sorted, *blocks]))

    def maybe_known(self, ids: Sequence[int]) -> np.ndarray:
        """For each id, whether it may be stored (False: certainly new)."""
        wanted = np.fromiter(ids, np.uint64, len(ids))
        with self._lock:
            known = _held(wanted, self._sorted)
            # Set intersection runs in C; a membership test per id in Python was 3% of a
            # bulk load's main thread (py-spy).
            if self._recent and (found := self._recent.intersection(ids)):
                known |= among(wanted, np.fromiter(found, np.uint64, len(found)))
        return known

    def add(self, ids: Sequence[int]) -> None:
        with self._lock:
            self._recent.update(ids)
            if len(self._recent) >= _MERGE_AT:
                merged = np.fromiter(self._recent, np.uint64, len(self._recent))
                self._sorted = _sorted_unique(np.concatenate([self._sorted, merged]))
                self._recent = set()


# The incidents whose states are kept, and for how long a state stands for the store's:
# a TTL removes an incident_keys row a day after its write at the soonest (retention
# counts whole days from the row's version, clickhouse/retention.py), and the resolved
# purge deletes from incidents only. About 300 bytes a state.
_REMEMBERED = 50_000
_MAX_AGE = 3600.0

# (org_id, source, incident_id), the start and resolution time in epoch milliseconds,
# and when it was stored (monotonic seconds).
_State = tuple[str, str, str, int, int | None, float]


class LatestStates:
    """The stored start and resolution time of the incidents this writer wrote lately,
    by id; an incident not in it (or whose natural key differs) must be read."""

    def __init__(
        self,
        capacity: int = _REMEMBERED,
        max_age: float = _MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.max_age = max_age
        self._clock = clock
        self._states: OrderedDict[int, _State] = OrderedDict()
        self._lock = threading.Lock()

    def prior(self, org_id: str, id: int, source: str, incident_id: str) -> Prior | None:
        """The incident's stored state, if this writer stored it lately; None: read it."""
        with self._lock:
            state = self._states.get(id)
        if state is None or state[:3] != (org_id, source, incident_id):
            return None
        if self._clock() - state[5] > self.max_age:
            return None
        resolved = state[4]
        return Prior(
            from_epoch_millis(state[3]), None if resolved is None else from_epoch_millis(resolved)
        )

    def remember(self, keys: pa.Table) -> None:
        """``keys``, incident_keys rows just stored (later rows of an id win)."""
        stored_at = self._clock()
        rows = zip(
            keys["id"].to_pylist(),
            keys["org_id"].to_pylist(),
            keys["source"].to_pylist(),
            keys["incident_id"].to_pylist(),
            keys["start_time"].cast(pa.int64()).to_pylist(),
            keys["resolved_at"].cast(pa.int64()).to_pylist(),
            strict=True,
        )
        with self._lock:
            states = self._states
            for id, org_id, source, incident_id, start, resolved in rows:
                states[id] = (org_id, source, incident_id, start, resolved, stored_at)
                states.move_to_end(id)
            while len(states) > self.capacity:
                states.popitem(last=False)

    def forget(self, ids: Sequence[int]) -> None:
        """Drop what is known of ``ids`` (a commit that may have failed halfway)."""
        with self._lock:
            for id in ids:
                self._states.pop(id, None)
