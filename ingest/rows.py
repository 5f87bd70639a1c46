"""Incident states as Arrow tables, one per table they are stored in.

The tables' schemas are clickhouse/tables.py's; the incident's fields, in the incidents
rows and in the history documents, are those of ``vocabulary.fields.FIELDS``. Everything
is built column by column, for batches of up to 10k states.
"""

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

import orjson
import pyarrow as pa
from pydantic import TypeAdapter

from clickhouse.tables import INCIDENT_EVENTS, INCIDENT_KEYS, INCIDENTS
from ingest.rules import IncidentState
from vocabulary.documents import compact
from vocabulary.fields import FIELDS, Field, Kind, row_fields
from vocabulary.incident import IncidentIn, Service
from vocabulary.timestamps import format_time

_SERVICES = TypeAdapter(list[Service])


def _json_text(field: Field) -> Callable[[Any], str]:
    """How a JSON field becomes text. Services go through pydantic: their extra keys are
    kept as sent and may hold integers past 64 bits, which orjson refuses. Metadata is
    checked to be orjson-encodable when validated, and orjson is the faster."""
    if field.column == "services":
        return lambda services: _SERVICES.dump_json(services).decode()
    return compact


def _stored(field: Field, items: list[IncidentIn]) -> list[Any]:
    """One field's values as the incidents row stores them, one per item."""
    values = list(map(attrgetter(field.attribute), items))
    if field.kind is Kind.ENUM:
        return [value.value for value in values]
    if field.kind is Kind.JSON:
        return list(map(_json_text(field), values))
    return values


def field_columns(states: Sequence[IncidentState]) -> dict[str, list[Any]]:
    """Every field of ``states`` as stored, by column: what the incidents rows and the
    history documents of a batch share, so the JSON is encoded once for both. The start
    is the state's: the rules settle it (an update without one keeps the old)."""
    items = [s.incident for s in states]
    columns = {f.column: _stored(f, items) for f in FIELDS if f.column != "start_time"}
    return {**columns, "start_time": [s.start_time for s in states]}


def incident_rows(states: Sequence[IncidentState], fields: dict[str, list[Any]]) -> pa.Table:
    """New versions, plus a tombstone at the old key of every incident whose start moved.

    Built column by column: a dict per row costs twice as much at 10k rows a batch.
    """
    services = [s.incident.services for s in states]
    columns: dict[str, list[Any]] = {
        "org_id": [s.org_id for s in states],
        "id": [s.id for s in states],
        **fields,
        "service_names": [[s.name for s in listed] for listed in services],
        "service_namespaces": [[s.namespace for s in listed] for listed in services],
        "resolved_at": [s.resolved_at for s in states],
        "updated_at": [s.updated_at for s in states],
        "version": [s.version for s in states],
    }
    # A tombstone is its new version again, at the start it moved from, deleted.
    moved = [n for n, s in enumerate(states) if s.moved_from is not None]
    rows = {name: values + [values[n] for n in moved] for name, values in columns.items()}
    rows["start_time"] = columns["start_time"] + [states[n].moved_from for n in moved]
    rows["is_deleted"] = [0] * len(states) + [1] * len(moved)
    return pa.table(rows, schema=INCIDENTS)


def incident_from_row(row: dict[str, Any]) -> IncidentIn:
    """A stored row (the incident columns) back as the request that would store it."""
    return IncidentIn.model_validate(row_fields(row))


def key_rows(states: Sequence[IncidentState]) -> pa.Table:
    columns: dict[str, list[Any]] = {
        "org_id": [s.org_id for s in states],
        "id": [s.id for s in states],
        "source": [s.incident.source for s in states],
        "incident_id": [s.incident.incident_id for s in states],
        "start_time": [s.start_time for s in states],
        "resolved_at": [s.resolved_at for s in states],
        "version": [s.version for s in states],
    }
    return pa.table(columns, schema=INCIDENT_KEYS)


def _shown(field: Field, stored: list[Any]) -> list[Any]:
    """One field's stored values as a history document holds them: times as ISO text,
    JSON as the text already encoded for the incidents row (orjson fragments, which
    halved the cost of a 10k batch's events)."""
    if field.kind is Kind.TIME:
        return list(map(format_time, stored))
    if field.kind is Kind.JSON:
        return list(map(orjson.Fragment, stored))
    return stored


_STATE_NAMES = (*(f.api for f in FIELDS), "resolvedAt")


def state_documents(states: Sequence[IncidentState], fields: dict[str, list[Any]]) -> list[str]:
    """Each state's fields as the API shows them, minus id, acknowledgement and updatedAt,
    as JSON text. History stores this per write and compares consecutive documents when
    read. Built column by column, like the rows."""
    shown = [_shown(f, fields[f.column]) for f in FIELDS]
    shown.append([format_time(s.resolved_at) for s in states])
    rows = zip(*shown, strict=True)
    return [compact(dict(zip(_STATE_NAMES, values, strict=True))) for values in rows]


def event_rows(states: Sequence[IncidentState], fields: dict[str, list[Any]]) -> pa.Table:
    columns: dict[str, list[Any]] = {
        "org_id": [s.org_id for s in states],
        "id": [s.id for s in states],
        "version": [s.version for s in states],
        "at": [s.updated_at for s in states],
        "action": [s.action.value for s in states],
        "user_id": [None] * len(states),
        "payload": state_documents(states, fields),
    }
    return pa.table(columns, schema=INCIDENT_EVENTS)


def commit_tables(states: Sequence[IncidentState]) -> dict[str, pa.Table]:
    """Everything one commit inserts, by table."""
    fields = field_columns(states)
    return {
        "incidents": incident_rows(states, fields),
        "incident_keys": key_rows(states),
        "incident_events": event_rows(states, fields),
    }
