"""What the writer knows of the store unread: the known ids (it may skip the prior read
only for ids that are new) and the latest states it stored (an update of one of them
reads nothing, and settles exactly as a read of the store would have it)."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.known
import ingest.writer
from clickhouse import Store
from clickhouse.tables import INCIDENT_KEYS
from ingest.group import FlushFailed, GroupCommit
from ingest.known import KnownIds, LatestStates, among
from ingest.rules import IncidentState, InvalidIncident, Prior
from ingest.writer import Upsert, Writer
from service.incidents.reads import get
from tests.helpers import ORG, counting, incident
from tests.oracle import version
from vocabulary.incident import IncidentIn


def test_an_id_stored_or_added_is_known_and_others_are_new(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ingest.known, "_MERGE_AT", 3)
    known = KnownIds(np.array([5, 1, 5, 9], np.uint64))
    assert known.maybe_known([1, 2, 5, 9, 10]).tolist() == [True, False, True, True, False]
    known.add([2, 3])
    assert known.maybe_known([2, 3, 4]).tolist() == [True, True, False]
    known.add([4])  # the third new id merges them into the sorted ids
    assert known.maybe_known([1, 2, 3, 4, 6]).tolist() == [True, True, True, True, False]


_IDS = st.lists(st.one_of(st.integers(0, 40), st.sampled_from([0, 2**64 - 1])), max_size=60)


@settings(max_examples=200)
@given(stored=_IDS, added=_IDS, asked=_IDS)
def test_known_ids_and_among_answer_as_a_set_does(
    stored: list[int], added: list[int], asked: list[int]
) -> None:
    """Whatever the order and repeats of the ids asked: known exactly when stored or
    added (no purge here, so "may be known" is "known"), as a Python set says."""
    known = KnownIds(np.array(stored, np.uint64))
    known.add(added)
    assert known.maybe_known(asked).tolist() == [i in {*stored, *added} for i in asked]
    wanted = np.array(asked, np.uint64)
    assert among(wanted, np.array(stored, np.uint64)).tolist() == [i in stored for i in asked]


@pytest.mark.integration
def test_a_new_writer_knows_what_an_earlier_one_stored(store: Store) -> None:
    """After a restart the stored incidents are known, so an update keeps its start."""
    first = Writer(store)
    (created,) = first.commit(
        [Upsert(ORG, IncidentIn.model_validate(incident(startTime=1_700_000_000)))]
    )
    first.close()
    later = Writer(store)
    (updated,) = later.commit([Upsert(ORG, IncidentIn.model_validate(incident(title="later")))])
    later.close()
    assert isinstance(created, IncidentState)
    assert isinstance(updated, IncidentState)
    assert updated.start_time == created.start_time
    assert get(store, ORG, updated.id)["startTime"] == "2023-11-14T22:13:20Z"


@pytest.mark.integration
def test_ids_beyond_the_result_ceiling_are_all_known(store: Store) -> None:
    """The stored ids are read as a stream: a store of more versions than one answer may
    hold rows (max_result_rows) is still known whole, and a writer on it can commit."""
    writer = Writer(store)
    writes = [
        Upsert(ORG, IncidentIn.model_validate(incident(incidentId=f"i{n}"))) for n in range(5)
    ]
    writer.commit(writes)
    writer.close()
    small = Store(replace(store.config, max_result_rows=2))
    try:
        known = KnownIds.of(small, "incident_ids")
        assert known.maybe_known([w.id for w in writes]).all()
        later = Writer(small)
        (updated,) = later.commit(
            [Upsert(ORG, IncidentIn.model_validate(incident(incidentId="i0")))]
        )
        later.close()
        assert isinstance(updated, IncidentState)
    finally:
        small.close()


T0 = datetime(2026, 11, 30, 12, 0, 0, 123000, tzinfo=UTC)


def key_rows(*rows: tuple[int, str, datetime, datetime | None]) -> pa.Table:
    """incident_keys rows of ORG, source "s": (id, incidentId, start, resolved)."""
    return pa.Table.from_pylist(
        [
            {
                "org_id": ORG,
                "id": i,
                "source": "s",
                "incident_id": name,
                "start_time": start,
                "resolved_at": resolved,
                "version": n,
            }
            for n, (i, name, start, resolved) in enumerate(rows, 1)
        ],
        schema=INCIDENT_KEYS,
    )


def test_a_remembered_state_is_the_stored_one_for_its_natural_key_only() -> None:
    latest = LatestStates()
    latest.remember(key_rows((1, "a", T0, None), (2, "b", T0, T0 + timedelta(hours=1))))
    latest.remember(key_rows((1, "a", T0 + timedelta(days=1), T0)))  # the later row wins
    assert latest.prior(ORG, 1, "s", "a") == Prior(T0 + timedelta(days=1), T0)
    assert latest.prior(ORG, 2, "s", "b") == Prior(T0, T0 + timedelta(hours=1))
    # The same id under another natural key (a hash collision) or tenant: not known here.
    assert latest.prior(ORG, 1, "s", "other") is None
    assert latest.prior("org-else", 1, "s", "a") is None
    assert latest.prior(ORG, 3, "s", "a") is None
    latest.forget([1])
    assert latest.prior(ORG, 1, "s", "a") is None
    assert latest.prior(ORG, 2, "s", "b") is not None


def test_states_are_kept_for_the_latest_incidents_and_not_past_their_age() -> None:
    clock = [1000.0]
    latest = LatestStates(capacity=2, max_age=60.0, clock=lambda: clock[0])
    latest.remember(key_rows((1, "a", T0, None), (2, "b", T0, None)))
    latest.remember(key_rows((1, "a", T0, None)))  # written again: now the latest
    latest.remember(key_rows((3, "c", T0, None)))  # the oldest written (2) makes room
    assert [
        latest.prior(ORG, i, "s", n) is not None for i, n in ((1, "a"), (2, "b"), (3, "c"))
    ] == [
        True,
        False,
        True,
    ]
    clock[0] += 61.0
    assert latest.prior(ORG, 1, "s", "a") is None


@pytest.mark.integration
def test_an_update_of_an_incident_just_written_reads_nothing(store: Store) -> None:
    writer = Writer(store)
    (created,) = writer.commit(
        [Upsert(ORG, IncidentIn.model_validate(incident(startTime=1_700_000_000.0004)))]
    )
    with counting(store) as seen:
        (updated,) = writer.commit([Upsert(ORG, IncidentIn.model_validate(incident(title="b")))])
    writer.close()
    assert seen
    assert "incident_keys_lookup" not in seen
    assert isinstance(created, IncidentState)
    assert isinstance(updated, IncidentState)
    # The start kept is the stored one, cut to milliseconds as incident_keys holds it.
    assert updated.start_time == created.start_time.replace(microsecond=0)
    assert updated.moved_from is None


@pytest.mark.integration
def test_after_a_failed_commit_the_next_write_reads_the_store(store: Store) -> None:
    group = GroupCommit(Writer(store)).start()
    group.submit([Upsert(ORG, IncidentIn.model_validate(incident(startTime=1_700_000_000)))])
    store.statement("hide_events", "RENAME TABLE incident_events TO incident_events_aside")
    moved = Upsert(ORG, IncidentIn.model_validate(incident(startTime=1_700_086_400)))
    with pytest.raises(FlushFailed):  # incidents and incident_keys may have stored it
        group.submit([moved])
    store.statement("show_events", "RENAME TABLE incident_events_aside TO incident_events")
    with counting(store) as seen:
        (kept,) = group.submit([Upsert(ORG, IncidentIn.model_validate(incident(title="c")))])
    group.close()
    assert "incident_keys_lookup" in seen
    # The failed commit's incident_keys row was stored (only the history's insert
    # failed), so the store's start is the moved one, and the write keeps it.
    assert isinstance(kept, IncidentState)
    assert kept.start_time == datetime.fromtimestamp(1_700_086_400, UTC)
    assert get(store, ORG, kept.id)["startTime"] == "2023-11-15T22:13:20Z"


# Starts with microseconds, which the store cuts to milliseconds: memory must do the same.
MICRO_TIMES = st.integers(1_600_000_000_000_000, 1_800_000_000_000_000).map(
    lambda micros: datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
)


def settled(outcome: Any) -> tuple[Any, ...]:
    if isinstance(outcome, InvalidIncident):
        return ("refused", outcome.errors)
    assert isinstance(outcome, IncidentState), outcome
    return (outcome.start_time, outcome.resolved_at, outcome.action, outcome.moved_from)


@pytest.mark.integration
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rounds=st.lists(
        st.lists(version(MICRO_TIMES, first=False), min_size=1, max_size=4), min_size=2, max_size=4
    )
)
def test_remembered_states_settle_writes_as_the_stored_ones_do(
    shared_store: Store, rounds: list[list[dict[str, Any]]]
) -> None:
    """One writer for a tenant remembers what it stored; the other tenant's writes go
    through a new writer each round, which reads every prior state. Same bodies at the
    same moment: the two must decide the same starts, resolutions, actions and moves,
    and the remembering one never reads prior state."""
    remembering = Writer(shared_store)
    orgs = [f"org-{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for number, drawn in enumerate(rounds):
        bodies = [{**b, "incidentId": f"i{n % 2}", "source": "s"} for n, b in enumerate(drawn)]
        moment = T0 + timedelta(hours=number)
        reading = Writer(shared_store)
        decided = []
        with pytest.MonkeyPatch.context() as patched, counting(shared_store) as seen:
            patched.setattr(ingest.writer, "now", lambda at=moment: at)
            for writer, org in ((remembering, orgs[0]), (reading, orgs[1])):
                writes = [Upsert(org, IncidentIn.model_validate(b)) for b in bodies]
                decided.append([settled(o) for o in writer.commit(writes)])
                if writer is remembering:
                    assert "incident_keys_lookup" not in seen
        reading.close()
        assert decided[0] == decided[1]
    remembering.close()
