"""History entries of the writes people make: acknowledgements and note changes.

Upserts and patches record their full state through the ingest writer; these events
record their field changes directly (``{"field": {"from": ..., "to": ...}}``), which is
how the history reader lists every action other than created, updated and patched.
"""

from datetime import datetime
from typing import Any

from vocabulary.documents import compact
from vocabulary.enums import HistoryAction


def change(before: Any, after: Any) -> dict[str, Any]:
    """One field's change as history shows it."""
    return {"from": before, "to": after}


def row(
    org_id: str,
    incident_id: int,
    *,
    version: int,
    at: datetime,
    action: HistoryAction,
    user_id: str | None,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """One event of the incident's history, as a row of incident_events."""
    return {
        "org_id": org_id,
        "id": incident_id,
        "version": version,
        "at": at,
        "action": action.value,
        "user_id": user_id,
        "payload": compact(changes),
    }
