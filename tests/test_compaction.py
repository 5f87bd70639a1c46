"""Compaction after bulk writes: due only after enough rows and a quiet spell, and the
list reads the same rows before and after it."""

from datetime import UTC, datetime, timedelta

import pytest

from clickhouse import Store
from ingest.columns import check
from ingest.compaction import TABLES, CompactionPolicy, Compactor, parts
from ingest.group import GroupCommit, GroupSettings
from ingest.writer import Rows, Writer
from service.lists.filters import ListQuery
from tests.helpers import ORG, incident, listed

pytestmark = pytest.mark.integration

POLICY = CompactionPolicy(idle_seconds=5.0, min_rows=20, share=0.5)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write(group: GroupCommit, first: int, count: int) -> None:
    """``count`` new incidents in one commit, which is one new part per table."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items = [
        incident(incidentId=f"i{n}", startTime=(start + timedelta(minutes=n)).isoformat())
        for n in range(first, first + count)
    ]
    group.submit([Rows(ORG, check(items))])


def merges(store: Store, action: str) -> None:
    """Stop or start background merges: stopped, the parts the commits made stay apart
    and a compaction that ran too early would fail (a forced merge is refused too)."""
    for table in TABLES:
        store.statement("merges", f"SYSTEM {action} MERGES {store.database}.{table}")


def every_page(store: Store) -> list[list[object]]:
    found, cursor = [], None
    while True:
        got = listed(store, ORG, ListQuery(pageSize=7, cursor=cursor))
        found.append(got["data"])
        if not got["paging"]["hasNext"]:
            return found
        cursor = got["paging"]["cursor"]["lastId"]


def test_compacts_once_a_burst_has_gone_quiet(store: Store) -> None:
    group = GroupCommit(Writer(store), GroupSettings(max_delay=0)).start()
    clock = Clock()
    merges(store, "STOP")
    try:
        compactor = Compactor(store, group.stats, POLICY, clock)
        for first in range(0, 30, 10):
            write(group, first, 10)
            # Writes are still coming: never due while the count moves.
            assert not compactor.step()
        clock.now += POLICY.idle_seconds - 1
        assert not compactor.step()
        assert parts(store)[0] > 1
        before = every_page(store)
        merges(store, "START")
        clock.now += 1
        assert compactor.step()
        assert parts(store) == (1, 30)
        assert every_page(store) == before
        # Nothing new since: nothing to do, however long it stays quiet.
        clock.now += 3600
        assert not compactor.step()
    finally:
        group.close()


def test_a_trickle_below_the_thresholds_never_compacts(store: Store) -> None:
    group = GroupCommit(Writer(store), GroupSettings(max_delay=0)).start()
    clock = Clock()
    merges(store, "STOP")
    try:
        write(group, 0, 40)
        compactor = Compactor(store, group.stats, POLICY, clock)
        # Fewer than min_rows new rows, then enough rows but under half of what is stored.
        for first, count in ((40, 10), (50, 15)):
            write(group, first, count)
            assert not compactor.step()
            clock.now += 3600
            assert not compactor.step()
        assert parts(store)[0] > 1
        # 16 more make the new rows half of those stored: 10 + 15 + 16 = 41 of 81.
        write(group, 65, 16)
        assert not compactor.step()
        merges(store, "START")
        clock.now += 3600
        assert compactor.step()
        assert parts(store)[0] == 1
    finally:
        group.close()
