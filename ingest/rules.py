"""The contract's rules for an incident's start and resolution, as pure functions.

An update without a start keeps the start it had (a new incident starts now); the
resolution time of a RESOLVED incident is its endTime, else the earlier resolution time
if it was already resolved, else now; reopening clears it. When the start moves, the row
at the old position in the time-ordered key must be tombstoned.
"""

from dataclasses import dataclass
from datetime import datetime

from vocabulary.enums import HistoryAction, IncidentStatus
from vocabulary.incident import IncidentIn


@dataclass(frozen=True)
class Prior:
    """What the store knows of an incident before a write."""

    start_time: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class IncidentState:
    """The full state a write stores, with everything the rules decided."""

    org_id: str
    id: int
    incident: IncidentIn
    start_time: datetime
    resolved_at: datetime | None
    updated_at: datetime
    version: int
    action: HistoryAction
    moved_from: datetime | None

    def as_prior(self) -> Prior:
        return Prior(self.start_time, self.resolved_at)


class InvalidIncident(ValueError):
    """An item that breaks a rule needing prior state; carries (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


def settle(
    org_id: str,
    incident_id: int,
    incident: IncidentIn,
    prior: Prior | None,
    now: datetime,
    version: int,
    *,
    patch: bool = False,
) -> IncidentState:
    """Apply the start and resolution rules to one write."""
    start = incident.start_time or (prior.start_time if prior else now)
    if incident.end_time is not None and incident.end_time < start:
        raise InvalidIncident([("endTime", "must not be before the incident's start")])
    resolved_at: datetime | None = None
    if incident.status is IncidentStatus.RESOLVED:
        resolved_at = incident.end_time or (prior.resolved_at if prior else None) or now
    action = (
        HistoryAction.CREATED
        if prior is None
        else HistoryAction.PATCHED
        if patch
        else HistoryAction.UPDATED
    )
    moved_from = prior.start_time if prior and prior.start_time != start else None
    return IncidentState(
        org_id=org_id,
        id=incident_id,
        incident=incident,
        start_time=start,
        resolved_at=resolved_at,
        updated_at=now,
        version=version,
        action=action,
        moved_from=moved_from,
    )
