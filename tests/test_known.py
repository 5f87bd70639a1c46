"""The writer's set of known ids: it may skip the prior read only for ids that are new."""

import numpy as np
import pytest

import ingest.known
from clickhouse import Store
from ingest.known import KnownIds
from ingest.rules import IncidentState
from ingest.writer import Upsert, Writer
from service.incidents.reads import get
from tests.helpers import ORG, incident
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
