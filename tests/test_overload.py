"""Admission: past what the queue drains in time, a write is refused at once (503 with
Retry-After), and a refused write changes nothing."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from ingest.columns import check
from ingest.group import GroupCommit, GroupSettings, Overloaded
from ingest.writer import Rows
from tests.helpers import HEADERS, ORG, assert_error, incident, listed
from tests.test_ingest import HeldWriter, held_queue, post_incident, upsert

pytestmark = pytest.mark.integration

# Long enough that a loaded machine does not cross it by accident between two steps.
WAIT = 0.3


def _until_queued(group: GroupCommit, rows: int) -> None:
    while group.stats.snapshot().queue_rows < rows:
        threading.Event().wait(0.005)


def test_a_queue_that_has_waited_too_long_refuses_at_once(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer, GroupSettings(max_wait=WAIT)).start()
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(group.submit, [upsert(incidentId="a")])
        assert writer.entered.wait(10)
        queued = pool.submit(group.submit, [upsert(incidentId="b")])
        _until_queued(group, 1)
        # Within the bound the queue still takes writes...
        waiting = pool.submit(group.submit, [upsert(incidentId="c")])
        _until_queued(group, 2)
        time.sleep(WAIT * 2)
        # ...past it, refuses at once, with the time the oldest has waited as the hint.
        started = time.perf_counter()
        with pytest.raises(Overloaded) as refused:
            group.submit([upsert(incidentId="d")])
        assert time.perf_counter() - started < WAIT
        assert refused.value.retry_after >= 1
        # A batch is held to the capacity only: batches queue behind one another.
        bulk = pool.submit(group.submit, [Rows(ORG, check([incident(incidentId="f")]))])
        _until_queued(group, 3)
        writer.release.set()
        assert [len(f.result(10)) for f in (first, queued, waiting, bulk)] == [1, 1, 1, 1]
    assert group.stats.snapshot().rejected_rows == 1
    # Drained, the queue admits again.
    assert len(group.submit([upsert(incidentId="e")])) == 1
    group.close()
    stored = {d["incidentId"] for d in listed(store, ORG)["data"]}
    assert stored == {"a", "b", "c", "e", "f"}


def test_an_empty_queue_admits_while_a_slow_flush_runs(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer, GroupSettings(max_wait=WAIT)).start()
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(group.submit, [upsert(incidentId="a")])
        assert writer.entered.wait(10)
        time.sleep(WAIT * 2)
        # Nothing is queued: the next flush would hold this write alone, so it is taken.
        second = threading.Thread(target=group.submit, args=([upsert(incidentId="b")],))
        second.start()
        _until_queued(group, 1)
        writer.release.set()
        assert len(first.result(10)) == 1
        second.join(10)
    group.close()
    assert {d["incidentId"] for d in listed(store, ORG)["data"]} == {"a", "b"}


def test_overload_is_a_503_with_retry_after_and_stores_nothing(
    client: TestClient, store: Store
) -> None:
    held = held_queue(client, store, GroupSettings(max_wait=WAIT))
    group: GroupCommit = client.app.state.services.ingest  # type: ignore[attr-defined]
    post = partial(post_incident, client)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(post, "a")
        assert held.entered.wait(10)
        queued = pool.submit(post, "b")
        _until_queued(group, 1)
        time.sleep(WAIT * 2)
        refused = client.post("/api/v1/incidents", json=incident(incidentId="c"), headers=HEADERS)
        # The tenant is still checked first, and a refusal does not need a valid body.
        no_tenant = client.post("/api/v1/incidents", json=incident(incidentId="d"))
        unread = client.post("/api/v1/incidents", content=b"{", headers=HEADERS)
        held.release.set()
        assert (first.result(10), queued.result(10)) == (200, 200)
    assert_error(refused, 503)
    assert int(refused.headers["Retry-After"]) >= 1
    assert_error(no_tenant, 401)
    assert_error(unread, 503)
    names = {
        d["incidentId"] for d in client.get("/api/v1/incidents", headers=HEADERS).json()["data"]
    }
    assert names == {"a", "b"}
