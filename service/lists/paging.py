"""The incident list: keyset paging on (start_time DESC, id DESC) in both directions.

A cursor is an incident id; its position is one read of incident_keys. Every read is a
range of positions, inclusive at both ends, so NEXT, PREVIOUS and the exact
``hasNext``/``hasPrevious`` checks are the same query with other bounds.
"""

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa

from clickhouse import Store
from service.incidents.documents import document_texts
from service.lists.filters import ListQuery
from vocabulary.documents import Document
from vocabulary.enums import Direction
from vocabulary.problems import BadRequest
from vocabulary.timestamps import EARLIEST, LATEST

_MAX_ID = (1 << 64) - 1
# Reads asked beside a page (a cursor page's far flag, a facets page's facets), each on a
# thread of its own (its own chDB client); the pool bounds those threads. Its tasks wait
# on nothing of the pool's, so they cannot starve one another.
BESIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="beside-page")
_DONE: Future[bool] = Future()
_DONE.set_result(False)


@dataclass(frozen=True)
class Position:
    """A place in list order; larger positions come first in the list."""

    start_time: datetime
    id: int

    def before(self) -> "Position":
        """The largest position below this one."""
        if self.id > 0:
            return Position(self.start_time, self.id - 1)
        return Position(self.start_time - timedelta(milliseconds=1), _MAX_ID)

    def after(self) -> "Position":
        """The smallest position above this one."""
        return Position(self.start_time, self.id + 1)


LOWEST = Position(EARLIEST, 0)
HIGHEST = Position(LATEST, _MAX_ID)


def position_range(lo: Position, hi: Position) -> dict[str, Any]:
    return {"lo_time": lo.start_time, "lo_id": lo.id, "hi_time": hi.start_time, "hi_id": hi.id}


def cursor_position(store: Store, org_id: str, cursor: int) -> Position:
    found = store.query("incident_position", {"org": org_id, "id": cursor})
    if found.num_rows == 0:
        raise BadRequest(("cursor", f"cursor: unknown cursor {cursor}"))
    return Position(found.column("start_time")[0].as_py(), cursor)


def page(store: Store, org_id: str, query: ListQuery) -> Document:
    """One page of the filtered list, in list order, with exact paging flags."""
    filters = query.params(org_id)
    size = query.pageSize
    at = None if query.cursor is None else cursor_position(store, org_id, query.cursor)

    def read(name: str, lo: Position, hi: Position, limit: int) -> Any:
        return store.query(name, {**filters, **position_range(lo, hi), "limit": limit})

    def any_in(lo: Position, hi: Position) -> Future[bool]:
        return BESIDE.submit(lambda: bool(read("incidents_any", lo, hi, 1).num_rows))

    # The far side's flag is asked beside the page, on a thread of its own (its own chDB
    # client), so a cursor page waits for one query fewer.
    if query.direction is Direction.NEXT:
        beyond = any_in(at, HIGHEST) if at else _DONE
        rows = read("incidents_page_newest_first", LOWEST, at.before() if at else HIGHEST, size + 1)
        has_next = rows.num_rows > size
        rows = rows.slice(0, size)
        texts = document_texts(store, org_id, rows)
        has_previous = beyond.result()
    else:
        beyond = any_in(LOWEST, at) if at else _DONE
        rows = read("incidents_page_oldest_first", at.after() if at else LOWEST, HIGHEST, size + 1)
        has_previous = rows.num_rows > size
        rows = rows.slice(0, size)
        rows = rows.take(pa.array(range(rows.num_rows - 1, -1, -1), pa.int64()))
        texts = document_texts(store, org_id, rows)
        has_next = beyond.result()
    ids = rows.column("id").to_pylist()
    return {
        # The documents' text as it is: an answer with them is encoded by orjson.
        "data": [orjson.Fragment(text) for text in texts],
        "paging": {
            "cursor": {
                "firstId": ids[0] if ids else None,
                "lastId": ids[-1] if ids else None,
            },
            "hasNext": has_next,
            "hasPrevious": has_previous,
        },
    }
