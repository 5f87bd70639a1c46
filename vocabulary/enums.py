"""The contract's enumerations, and the actions the history lists."""

from enum import StrEnum


class IncidentType(StrEnum):
    INCIDENT = "INCIDENT"
    ANOMALY = "ANOMALY"
    ALERT = "ALERT"


class IncidentStatus(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


class IncidentCategory(StrEnum):
    PERFORMANCE = "PERFORMANCE"
    RELIABILITY = "RELIABILITY"
    SECURITY = "SECURITY"
    CONFIGURATION = "CONFIGURATION"


class Direction(StrEnum):
    NEXT = "NEXT"
    PREVIOUS = "PREVIOUS"


class HistoryAction(StrEnum):
    """How a change is listed in an incident's history."""

    CREATED = "created"
    UPDATED = "updated"
    PATCHED = "patched"
    ACKNOWLEDGED = "acknowledged"
    NOTE_ADDED = "note_added"
    NOTE_EDITED = "note_edited"
    NOTE_DELETED = "note_deleted"


# Writes that store the incident's whole new state; history compares consecutive ones.
# The other actions store their own field changes.
STATE_ACTIONS = frozenset({HistoryAction.CREATED, HistoryAction.UPDATED, HistoryAction.PATCHED})
