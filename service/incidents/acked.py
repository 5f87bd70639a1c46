"""Which incidents have an acknowledgement, known without a read on the embedded engine.

On the embedded engine this process is the store's only writer (ingest/known.py), and
every acknowledgement row it writes goes through ``Store.insert``: the ids stored when
a store's set is first asked for, with those inserted since, are every acknowledged id.
A page none of whose incidents is among them needs no read of acknowledgements. That
read was 5-6 ms of a 21-24 ms page of one item on the 10M dataset (by hand), and at
readbench's 0.5% acknowledged most pages have none. A member whose row is gone (purged)
costs a read, never a wrong answer. With a ClickHouse server other writers may exist,
and every page reads.
"""

import threading
from collections.abc import Sequence
from typing import cast
from weakref import WeakKeyDictionary

import pyarrow as pa

from clickhouse import Store
from ingest.known import KnownIds


class AcknowledgedIds:
    """The ids of one store's acknowledgement rows, kept as they are inserted."""

    def __init__(self, store: Store) -> None:
        self._ids = KnownIds()
        # Watched before the read, so that an acknowledgement inserted meanwhile is in
        # the set whether or not the read saw its row.
        store.insert_observers.append(self._inserted)
        self._ids.read(store, "acknowledged_ids")

    def _inserted(self, table: str, rows: pa.Table) -> None:
        if table == "incident_acks":
            self._ids.add(cast(list[int], rows["id"].to_pylist()))

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
