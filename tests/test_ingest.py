"""Group commit and the batch endpoint: answered writes are stored, refused ones say so."""

import asyncio
import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from ingest.group import Closed, FlushFailed, GroupCommit, GroupSettings, Overloaded
from ingest.rules import IncidentState
from ingest.writer import Outcome, Upsert, Write, Writer
from service.incidents.reads import get
from service.lists.filters import ListQuery
from tests.helpers import (
    HEADERS,
    ORG,
    assert_error,
    incident,
    listed,
    nothing_stored,
    org_of,
    tenant,
)
from vocabulary.incident import IncidentIn

pytestmark = pytest.mark.integration

BATCH = "/api/v1/incidents/batch"


def upsert(**fields: object) -> Upsert:
    return Upsert(ORG, IncidentIn.model_validate(incident(**fields)))


class HeldWriter(Writer):
    """The real writer, held at the start of each commit until the test lets it go."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.entered = threading.Event()
        self.release = threading.Event()

    def commit(self, writes: Sequence[Write]) -> list[Outcome]:
        self.entered.set()
        self.release.wait(30)
        return super().commit(writes)


def test_concurrent_updates_of_one_incident_store_the_last_answered(store: Store) -> None:
    group = GroupCommit(Writer(store)).start()
    answered: list[IncidentState] = []
    lock = threading.Lock()

    def writer_thread(thread: int) -> None:
        for number in range(12):
            (state,) = group.submit([upsert(title=f"{thread}-{number}")])
            assert isinstance(state, IncidentState)
            with lock:
                answered.append(state)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer_thread, range(8)))
    group.close()
    last = max(answered, key=lambda s: s.version)
    assert get(store, ORG, last.id)["title"] == last.incident.title
    # Each thread's own writes were answered in order, so their versions rise in order.
    for thread in range(8):
        mine = [s.version for s in answered if s.incident.title.startswith(f"{thread}-")]
        assert mine == sorted(mine)
    snapshot = group.stats.snapshot()
    assert snapshot.flushed_rows == 96
    assert snapshot.flushes < 96, "concurrent writes should share flushes"


def test_concurrent_writes_of_many_incidents_are_all_stored(store: Store) -> None:
    group = GroupCommit(Writer(store)).start()
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda n: group.submit([upsert(incidentId=f"n{n}", title=f"t{n}")]), range(200)
            )
        )
    group.close()
    stored = listed(store, ORG, ListQuery(pageSize=100))["data"]
    stored += listed(store, ORG, ListQuery(pageSize=100, cursor=stored[-1]["id"]))["data"]
    stored += listed(store, ORG, ListQuery(pageSize=100, cursor=stored[-1]["id"]))["data"]
    assert sorted(d["title"] for d in stored) == sorted(f"t{n}" for n in range(200))


def test_a_failed_flush_fails_every_write_in_it(store: Store) -> None:
    group = GroupCommit(Writer(store)).start()
    store.statement("drop_keys", "DROP TABLE incident_keys")
    with pytest.raises(FlushFailed):
        group.submit([upsert(), upsert(incidentId="two")])
    assert group.stats.snapshot().failed_rows == 2
    group.close()


def test_a_failed_flush_is_a_500_in_the_contract_shape(client: TestClient, store: Store) -> None:
    store.statement("drop_keys", "DROP TABLE incident_keys")
    response = client.post("/api/v1/incidents", json=incident(), headers=HEADERS)
    assert_error(response, 500)
    assert "incident_keys" not in response.text


def test_a_full_queue_refuses_at_once(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer, GroupSettings(capacity=3, max_delay=0)).start()
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(group.submit, [upsert(incidentId="a")])
        assert writer.entered.wait(10)
        queued = pool.submit(group.submit, [upsert(incidentId="b"), upsert(incidentId="c")])
        while group.stats.snapshot().queue_rows < 2:
            threading.Event().wait(0.01)
        with pytest.raises(Overloaded):
            group.submit([upsert(incidentId="d"), upsert(incidentId="e")])
        writer.release.set()
        assert len(first.result(10)) == 1
        assert len(queued.result(10)) == 2
    assert group.stats.snapshot().rejected_rows == 2
    group.close()


def held_queue(client: TestClient, store: Store, settings: GroupSettings) -> HeldWriter:
    """The app's write queue under ``settings``, its commits held until released."""
    group: GroupCommit = client.app.state.services.ingest  # type: ignore[attr-defined]
    held = HeldWriter(store)
    group.writer = held
    group.settings = settings
    return held


def post_incident(client: TestClient, name: str) -> int:
    body = incident(incidentId=name)
    return client.post("/api/v1/incidents", json=body, headers=HEADERS).status_code


def test_a_full_queue_is_a_503_with_retry_after(client: TestClient, store: Store) -> None:
    held = held_queue(client, store, GroupSettings(capacity=1, max_delay=0))
    group: GroupCommit = client.app.state.services.ingest  # type: ignore[attr-defined]
    post = partial(post_incident, client)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(post, "a")
        assert held.entered.wait(10)
        queued = pool.submit(post, "b")
        while group.stats.snapshot().queue_rows < 1:
            threading.Event().wait(0.01)
        refused = client.post("/api/v1/incidents", json=incident(incidentId="c"), headers=HEADERS)
        held.release.set()
        assert (first.result(10), queued.result(10)) == (200, 200)
    assert_error(refused, 503)
    assert refused.headers["Retry-After"] == "1"
    names = {
        d["incidentId"] for d in client.get("/api/v1/incidents", headers=HEADERS).json()["data"]
    }
    assert names == {"a", "b"}


def test_close_drains_and_then_refuses(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer, GroupSettings(max_delay=0)).start()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(group.submit, [upsert(incidentId="a")])
        assert writer.entered.wait(10)
        second = pool.submit(group.submit, [upsert(incidentId="b")])
        while group.stats.snapshot().queue_rows < 1:
            threading.Event().wait(0.01)
        closing = pool.submit(group.close, 10)
        writer.release.set()
        assert closing.result(10) is True
        assert len(first.result(10)) == len(second.result(10)) == 1
    with pytest.raises(Closed):
        group.submit([upsert(incidentId="c")])
    assert {d["incidentId"] for d in listed(store, ORG)["data"]} == {"a", "b"}


async def _until(event: threading.Event) -> None:
    """Wait for ``event`` on the loop without a thread of its own."""
    while not event.is_set():
        await asyncio.sleep(0.005)


def test_awaited_writes_hold_no_thread_and_are_stored_when_answered(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer).start()

    async def write_many() -> list[list[Outcome]]:
        first = asyncio.ensure_future(group.submit_async([upsert(incidentId="first")]))
        await _until(writer.entered)
        threads = threading.active_count()
        waiting = [
            asyncio.ensure_future(group.submit_async([upsert(incidentId=f"w{n}")]))
            for n in range(100)
        ]
        while group.stats.snapshot().queue_rows < 100:
            await asyncio.sleep(0.005)
        # A hundred writes wait for their commit, and not one thread was started for them.
        assert threading.active_count() == threads
        writer.release.set()
        return await asyncio.gather(first, *waiting)

    answered = asyncio.run(write_many())
    group.close()
    assert all(isinstance(outcome, IncidentState) for (outcome,) in answered)
    first_page = listed(store, ORG, ListQuery(pageSize=100))["data"]
    rest = listed(store, ORG, ListQuery(pageSize=100, cursor=first_page[-1]["id"]))["data"]
    stored = {d["incidentId"] for d in first_page + rest}
    assert stored == {"first"} | {f"w{n}" for n in range(100)}


def test_a_failed_flush_fails_every_awaiting_write(store: Store) -> None:
    group = GroupCommit(Writer(store)).start()
    store.statement("drop_keys", "DROP TABLE incident_keys")

    async def write_two() -> list[list[Outcome] | BaseException]:
        two = [group.submit_async([upsert()]), group.submit_async([upsert(incidentId="two")])]
        return await asyncio.gather(*two, return_exceptions=True)

    assert [type(answer) for answer in asyncio.run(write_two())] == [FlushFailed, FlushFailed]
    group.close()


def test_a_cancelled_wait_still_commits_and_the_flusher_goes_on(store: Store) -> None:
    writer = HeldWriter(store)
    group = GroupCommit(writer).start()

    async def cancel_one() -> None:
        held = asyncio.ensure_future(group.submit_async([upsert(incidentId="held")]))
        await _until(writer.entered)
        gone = asyncio.ensure_future(group.submit_async([upsert(incidentId="gone")]))
        await asyncio.sleep(0.01)
        gone.cancel()
        writer.release.set()
        assert len(await held) == 1
        with pytest.raises(asyncio.CancelledError):
            await gone

    asyncio.run(cancel_one())
    # The waiter's loop has gone too; the flusher still answers the next write.
    assert len(group.submit([upsert(incidentId="after")])) == 1
    group.close()
    stored = {d["incidentId"] for d in listed(store, ORG)["data"]}
    assert stored == {"held", "gone", "after"}


def test_a_closed_queue_is_a_503_and_stores_nothing(client: TestClient, store: Store) -> None:
    group: GroupCommit = client.app.state.services.ingest  # type: ignore[attr-defined]
    assert group.close()
    refused = client.post("/api/v1/incidents", json=incident(), headers=HEADERS)
    assert_error(refused, 503)
    assert refused.headers["Retry-After"] == "1"
    assert nothing_stored(store, ORG)


def test_batch_array_stores_valid_items_and_reports_the_rest(client: TestClient) -> None:
    items = [
        incident(incidentId="ok-1"),
        {"type": "INCIDENT"},
        incident(incidentId="ok-2", title="x" * 256),
        incident(
            incidentId="late", startTime="2024-01-02T00:00:00Z", endTime="2024-01-01T00:00:00Z"
        ),
        incident(incidentId="ok-3"),
    ]
    answer = client.post(BATCH, json=items, headers=HEADERS).json()
    ids = answer["ids"]
    assert [i is not None for i in ids] == [True, False, False, False, True]
    assert [e["index"] for e in answer["errors"]] == [1, 2, 3]
    assert "title" in [e["path"] for e in answer["errors"][1]["errors"]]
    assert answer["errors"][2]["errors"][0]["path"] == "endTime"
    for index, incident_id in enumerate(ids):
        if incident_id is not None:
            stored = client.get(f"/api/v1/incidents/{incident_id}", headers=HEADERS).json()
            assert stored["incidentId"] == items[index]["incidentId"]
    listed = client.get("/api/v1/incidents", headers=HEADERS).json()["data"]
    assert len(listed) == 2


def test_batch_ndjson_counts_non_blank_lines(client: TestClient) -> None:
    lines = [
        json.dumps(incident(incidentId="a")),
        "",
        "{broken",
        json.dumps(incident(incidentId="b")),
    ]
    response = client.post(
        BATCH,
        content="\n".join(lines),
        headers={**HEADERS, "Content-Type": "application/x-ndjson"},
    )
    answer = response.json()
    assert answer["ids"][1] is None
    assert None not in (answer["ids"][0], answer["ids"][2])
    assert [e["index"] for e in answer["errors"]] == [1]


def test_batch_limits(shared_client: TestClient, shared_store: Store) -> None:
    headers = tenant()
    over = [incident(incidentId=f"i{n}") for n in range(10_001)]
    assert_error(shared_client.post(BATCH, json=over, headers=headers), 400, "body")
    assert_error(shared_client.post(BATCH, json={"not": "a list"}, headers=headers), 400, "body")
    assert_error(shared_client.post(BATCH, content=b"[{", headers=headers), 400, "body")
    huge = b"[" + b" " * (32 * 1024 * 1024) + b"]"
    assert_error(shared_client.post(BATCH, content=huge, headers=headers), 413, "body")
    assert shared_client.get("/api/v1/incidents", headers=headers).json()["data"] == []
    assert nothing_stored(shared_store, org_of(headers))


class RecordingStore(Store):
    """The real store, noting whether each insert was said to repeat keys."""

    def __init__(self, store: Store) -> None:
        super().__init__(store.config)
        self.repeats: dict[str, list[bool]] = {}

    def insert(self, table: str, rows: pa.Table, repeats_keys: bool = True) -> None:
        self.repeats.setdefault(table, []).append(repeats_keys)
        super().insert(table, rows, repeats_keys)


@pytest.mark.parametrize("ids", [["a", "b", "c"], ["a", "b", "a"], ["a"]])
def test_a_commit_is_stored_collapsed_without_the_engines_pass(
    store: Store, ids: list[str]
) -> None:
    """Every insert of a commit skips the engine's collapse; one that names an incident
    twice is collapsed before it is inserted (clickhouse.tables.collapsed)."""
    recording = RecordingStore(store)
    writer = Writer(recording)
    try:
        outcomes = writer.commit([upsert(incidentId=i, title=f"t{n}") for n, i in enumerate(ids)])
        tables = ("incidents", "incident_keys", "incident_events")
        assert recording.repeats == {table: [False] for table in tables}
        # The raw rows, no FINAL: one per incident, as a collapsed insert keeps.
        for table, count in (("incidents", len(set(ids))), ("incident_events", len(ids))):
            raw = recording.client.query(
                f"SELECT count() FROM {table} WHERE org_id = {{org:String}}",
                parameters={"org": ORG},
            )
            assert raw.result_rows[0][0] == count, table  # history keeps every version
        latest = {i: f"t{n}" for n, i in enumerate(ids)}
        for state in outcomes:
            assert isinstance(state, IncidentState)
            stored = get(recording, ORG, state.id)
            assert stored["title"] == latest[stored["incidentId"]]
    finally:
        writer.close()
        recording.close()


def test_batch_of_the_same_incident_keeps_arrival_order(client: TestClient) -> None:
    """The five versions go in one insert, collapsed before it is stored (it repeats a
    key, clickhouse.tables.collapsed): every read sees the newest one alone."""
    items = [incident(title=f"v{n}") for n in range(5)]
    answer = client.post(BATCH, json=items, headers=HEADERS).json()
    assert len(set(answer["ids"])) == 1
    stored = client.get(f"/api/v1/incidents/{answer['ids'][0]}", headers=HEADERS).json()
    assert stored["title"] == "v4"
    listed = client.get("/api/v1/incidents", headers=HEADERS).json()["data"]
    assert [(d["id"], d["title"]) for d in listed] == [(answer["ids"][0], "v4")]
    history = client.get(f"/api/v1/incidents/{answer['ids'][0]}/history", headers=HEADERS)
    assert [h["changes"]["title"]["to"] for h in history.json()] == [f"v{n}" for n in range(5)]
