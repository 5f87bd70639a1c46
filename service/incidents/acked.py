"""Which incidents have an acknowledgement, known without a read on the embedded engine.

On the embedded engine this process is the store's only writer (ingest/known.py), and
every acknowledgement row it writes goes through ``Store.insert``: the ids stored when
a store's set is first asked for, with those inserted since, are every acknowledged id.
A page none of whose incidents is among them needs no read of acknowledgements. That
read was 5-6 ms of a 21-24 ms page of one item on the 10M dataset (by hand), and at
readbench's 0.5% acknowledged most pages have none. A member whose row is gone (purged)
costs a read, never a wrong answer. With a ClickHouse server other writers may exist,
and every page reads.

The answer of that read is kept for the same page's ids, for a moment: dashboards ask
for the same first page again and again, and the newest page is the one most likely to
hold an acknowledged incident (it does in readbench's 1M data set). Kept, that first
page of 50 took 12-15 ms at best against 17-20 (two alternating pairs, by hand). Any
insert of acknowledgements drops every kept answer, before it runs and once it has
ended, and an answer read while one ran is not kept, so no kept answer misses an
acknowledgement. Rows can also go without an insert (a purge, or a TTL): for those a
kept answer stands at most ``KEPT_FOR`` seconds.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import cast
from weakref import WeakKeyDictionary

import pyarrow as pa

from clickhouse import Store
from ingest.known import KnownIds
from vocabulary.documents import Document

Acks = dict[int, Document]

KEPT_FOR = 2.0
_KEPT = 256  # pages' answers at most, the least recently asked dropped first


class AcknowledgedIds:
    """The ids of one store's acknowledgement rows, kept as they are inserted."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._ids = KnownIds()
        self._answers: OrderedDict[tuple[str, tuple[int, ...]], tuple[float, Acks]] = OrderedDict()
        self._generation = 0  # moves at every start and end of an insert
        self._inserting = 0
        self._lock = threading.Lock()
        # Watched before the read, so that an acknowledgement inserted meanwhile is in
        # the set whether or not the read saw its row.
        store.insert_observers.append(self._inserting_rows)
        store.inserted_observers.append(self._inserted_rows)
        self._ids.read(store, "acknowledged_ids")

    def _inserting_rows(self, table: str, rows: pa.Table) -> None:
        if table == "incident_acks":
            self._ids.add(cast(list[int], rows["id"].to_pylist()))
            self._moved(+1)

    def _inserted_rows(self, table: str, _rows: pa.Table) -> None:
        if table == "incident_acks":
            self._moved(-1)

    def _moved(self, inserting: int) -> None:
        with self._lock:
            self._inserting += inserting
            self._generation += 1
            self._answers.clear()

    def answer(self, org_id: str, ids: Sequence[int], read: Callable[[], Acks]) -> Acks:
        """The acknowledgements of ``ids``: a kept answer for the same ids, or ``read``'s,
        kept unless an insert of acknowledgements began or ran meanwhile."""
        key, now = (org_id, tuple(ids)), self.clock()
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None and now - kept[0] <= KEPT_FOR:
                self._answers.move_to_end(key)
                return kept[1]
            generation = self._generation
        found = read()
        with self._lock:
            if not self._inserting and self._generation == generation:
                self._answers[key] = (now, found)
                self._answers.move_to_end(key)
                if len(self._answers) > _KEPT:
                    self._answers.popitem(last=False)
        return found

    def maybe_acknowledged(self, ids: Sequence[int]) -> list[int]:
        """Those of ``ids`` that may have an acknowledgement; the others have none."""
        return [i for i, maybe in zip(ids, self._ids.maybe_known(ids), strict=True) if maybe]


_BY_STORE: WeakKeyDictionary[Store, AcknowledgedIds] = WeakKeyDictionary()
_MAKING = threading.Lock()


def acknowledged_ids(store: Store) -> AcknowledgedIds | None:
    """``store``'s set, read at the first ask; None where other writers may exist."""
    if not store.config.embedded:
        return None
    if (found := _BY_STORE.get(store)) is not None:
        return found  # every page but a store's first: no lock taken
    with _MAKING:
        found = _BY_STORE.get(store)
        if found is None:
            found = _BY_STORE[store] = AcknowledgedIds(store)
        return found
