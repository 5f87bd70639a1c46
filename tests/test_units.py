"""Pure pieces of the write path: times, ids, versions and the start/resolution rules."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from ingest.rules import InvalidIncident, Prior, settle
from tests.helpers import incident
from vocabulary.enums import HistoryAction, IncidentStatus
from vocabulary.identity import VersionClock, incident_key
from vocabulary.incident import IncidentIn
from vocabulary.timestamps import format_time, parse_time

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-05-01T12:00:00Z", T0),
        ("2024-05-01T14:00:00+02:00", T0),
        ("2024-05-01T12:00:00", T0),
        (1714564800, T0),
        (1714564800.25, T0 + timedelta(milliseconds=250)),
        ("1714564800", T0),
        ("2024-05-01T12:00:00.123456Z", T0 + timedelta(milliseconds=123)),
    ],
)
def test_parse_time_accepts_iso_and_epoch_seconds(given: object, expected: datetime) -> None:
    assert parse_time(given) == expected


@pytest.mark.parametrize("given", ["yesterday", "", True, None, [], "1e400", 1e12, "1800-01-01"])
def test_parse_time_refuses_what_is_not_a_time(given: object) -> None:
    with pytest.raises(ValueError, match=r"ISO 8601|1900-2299|finite"):
        parse_time(given)


def test_format_time_shows_fractions_only_when_present() -> None:
    assert format_time(T0) == "2024-05-01T12:00:00Z"
    assert format_time(T0 + timedelta(milliseconds=7)) == "2024-05-01T12:00:00.007Z"
    assert format_time(None) is None


def test_incident_key_is_deterministic_53_bit_and_separates_parts() -> None:
    first = incident_key("org", "src", "42")
    # Pinned to the hash the contract describes, so stored ids never change meaning.
    parts = b"\0\0\0\x03org\0\0\0\x03src\0\0\0\x0242"
    digest = int.from_bytes(hashlib.blake2b(parts, digest_size=8).digest(), "big")
    assert first == digest & ((1 << 53) - 1)
    assert first == incident_key("org", "src", "42")
    assert 0 < first < 2**53
    assert incident_key("org", "ab", "c") != incident_key("org", "a", "bc")
    assert incident_key("org", "src", "42") != incident_key("org2", "src", "42")


def test_version_clock_strictly_increases() -> None:
    clock = VersionClock()
    versions = [clock.next() for _ in range(1000)]
    block = clock.take(50)
    assert versions == sorted(set(versions))
    assert block.start > versions[-1]
    assert len(block) == 50


def _item(**fields: object) -> IncidentIn:
    return IncidentIn.model_validate(incident(**fields))


def test_new_incident_without_start_starts_now() -> None:
    state = settle("o", 1, _item(), None, T0, 1)
    assert (state.start_time, state.action, state.moved_from) == (T0, HistoryAction.CREATED, None)


def test_update_without_start_keeps_it_and_moving_it_tombstones_the_old_key() -> None:
    prior = Prior(T0, None)
    kept = settle("o", 1, _item(), prior, T0 + timedelta(hours=1), 2)
    assert (kept.start_time, kept.moved_from, kept.action) == (T0, None, HistoryAction.UPDATED)
    moved = settle("o", 1, _item(startTime="2024-05-02T00:00:00Z"), prior, T0, 3)
    assert moved.moved_from == T0


def test_resolution_time_rules() -> None:
    later = T0 + timedelta(hours=2)
    resolved = _item(status="RESOLVED")
    assert settle("o", 1, resolved, Prior(T0, None), later, 1).resolved_at == later
    with_end = _item(status="RESOLVED", endTime="2024-05-01T13:00:00Z")
    assert settle("o", 1, with_end, Prior(T0, None), later, 1).resolved_at == T0 + timedelta(
        hours=1
    )
    earlier = T0 + timedelta(minutes=5)
    assert settle("o", 1, resolved, Prior(T0, earlier), later, 1).resolved_at == earlier
    reopened = settle("o", 1, _item(status="OPEN"), Prior(T0, earlier), later, 1)
    assert reopened.resolved_at is None
    assert reopened.incident.status is IncidentStatus.OPEN


def test_end_before_kept_start_is_refused() -> None:
    with pytest.raises(InvalidIncident) as refused:
        settle("o", 1, _item(endTime="2024-04-30T00:00:00Z"), Prior(T0, None), T0, 1)
    assert refused.value.errors[0][0] == "endTime"
