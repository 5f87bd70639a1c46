"""Incident states as Arrow tables, one per table they are stored in.

Column order and types follow the migrations; ``tests/test_schema.py`` checks that the
live columns match these schemas.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from ingest.rules import IncidentState
from ingest.timestamps import format_time

_TIME = pa.timestamp("ms", tz="UTC")
_STRINGS = pa.list_(pa.string())

INCIDENTS = pa.schema(
    [
        ("org_id", pa.string()),
        ("id", pa.uint64()),
        ("source", pa.string()),
        ("incident_id", pa.string()),
        ("start_time", _TIME),
        ("type", pa.string()),
        ("title", pa.string()),
        ("category", pa.string()),
        ("description", pa.string()),
        ("recommendation", pa.string()),
        ("status", pa.string()),
        ("resolution", pa.string()),
        ("services", pa.string()),
        ("service_names", _STRINGS),
        ("service_namespaces", _STRINGS),
        ("metric_names", _STRINGS),
        ("end_time", _TIME),
        ("resolved_at", _TIME),
        ("source_site", pa.string()),
        ("severity", pa.string()),
        ("priority", pa.string()),
        ("metadata", pa.string()),
        ("updated_at", _TIME),
        ("version", pa.uint64()),
        ("is_deleted", pa.uint8()),
    ]
)

INCIDENT_KEYS = pa.schema(
    [
        ("org_id", pa.string()),
        ("id", pa.uint64()),
        ("source", pa.string()),
        ("incident_id", pa.string()),
        ("start_time", _TIME),
        ("resolved_at", _TIME),
        ("version", pa.uint64()),
    ]
)

INCIDENT_EVENTS = pa.schema(
    [
        ("org_id", pa.string()),
        ("id", pa.uint64()),
        ("version", pa.uint64()),
        ("at", _TIME),
        ("action", pa.string()),
        ("user_id", pa.string()),
        ("payload", pa.string()),
    ]
)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _incident_row(state: IncidentState, start: datetime, deleted: bool) -> dict[str, Any]:
    item = state.incident
    return {
        "org_id": state.org_id,
        "id": state.id,
        "source": item.source,
        "incident_id": item.incident_id,
        "start_time": start,
        "type": item.type.value,
        "title": item.title,
        "category": item.category.value,
        "description": item.description,
        "recommendation": item.recommendation,
        "status": item.status.value,
        "resolution": item.resolution,
        "services": _compact([s.model_dump() for s in item.services]),
        "service_names": [s.name for s in item.services],
        "service_namespaces": [s.namespace for s in item.services],
        "metric_names": list(item.metric_names),
        "end_time": item.end_time,
        "resolved_at": state.resolved_at,
        "source_site": item.source_site,
        "severity": item.severity,
        "priority": item.priority,
        "metadata": _compact(item.metadata),
        "updated_at": state.updated_at,
        "version": state.version,
        "is_deleted": int(deleted),
    }


def incident_rows(states: Sequence[IncidentState]) -> pa.Table:
    """New versions, plus a tombstone at the old key of every incident whose start moved."""
    rows = [_incident_row(s, s.start_time, False) for s in states]
    rows += [_incident_row(s, s.moved_from, True) for s in states if s.moved_from is not None]
    return pa.Table.from_pylist(rows, schema=INCIDENTS)


def key_rows(states: Sequence[IncidentState]) -> pa.Table:
    rows = [
        {
            "org_id": s.org_id,
            "id": s.id,
            "source": s.incident.source,
            "incident_id": s.incident.incident_id,
            "start_time": s.start_time,
            "resolved_at": s.resolved_at,
            "version": s.version,
        }
        for s in states
    ]
    return pa.Table.from_pylist(rows, schema=INCIDENT_KEYS)


def state_document(state: IncidentState) -> dict[str, Any]:
    """The incident's fields as the API shows them, minus id, acknowledgement and updatedAt.

    History stores this per write and compares consecutive documents when read.
    """
    document = state.incident.model_dump(mode="json", by_alias=True)
    document["startTime"] = format_time(state.start_time)
    document["endTime"] = format_time(state.incident.end_time)
    document["resolvedAt"] = format_time(state.resolved_at)
    return document


def event_rows(states: Sequence[IncidentState]) -> pa.Table:
    rows = [
        {
            "org_id": s.org_id,
            "id": s.id,
            "version": s.version,
            "at": s.updated_at,
            "action": s.action.value,
            "user_id": None,
            "payload": _compact(state_document(s)),
        }
        for s in states
    ]
    return pa.Table.from_pylist(rows, schema=INCIDENT_EVENTS)
