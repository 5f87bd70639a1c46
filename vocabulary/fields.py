"""The incident's fields, defined once: each one's API name, column, kind and request
attribute, in contract order.

Everything that lists the fields derives from ``FIELDS``: the incidents table's Arrow
schema (clickhouse/tables.py), the writer's rows and history documents (ingest/rows.py)
and the Incident document (``row_fields`` here). The frozen migration and
``queries/_incident_columns.sql`` stay written out as SQL; tests check them against
``FIELDS``. This module does no I/O.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic.alias_generators import to_camel

from vocabulary.timestamps import format_time


class Kind(Enum):
    """What a field's values are, which decides how each layer stores and shows them."""

    TEXT = "text"  # a string, stored and shown as sent
    ENUM = "enum"  # one of vocabulary.enums, stored and shown as its value
    STRINGS = "strings"  # a list of strings, stored as Array(String)
    JSON = "json"  # any JSON, stored as its text
    TIME = "time"  # an instant to the millisecond, shown as ISO 8601 UTC


@dataclass(frozen=True)
class Field:
    """One field of the incident."""

    api: str  # its name in the API's bodies and documents
    column: str  # its column in ``incidents``
    kind: Kind
    attribute: str  # its attribute on vocabulary.incident.IncidentIn


def _field(attribute: str, kind: Kind) -> Field:
    # Columns are named as the request model's attributes and API names are their
    # camelCase aliases, made by the same generator as IncidentIn's.
    return Field(to_camel(attribute), attribute, kind, attribute)


FIELDS: tuple[Field, ...] = (
    _field("type", Kind.ENUM),
    _field("incident_id", Kind.TEXT),
    _field("title", Kind.TEXT),
    _field("category", Kind.ENUM),
    _field("description", Kind.TEXT),
    _field("recommendation", Kind.TEXT),
    _field("source", Kind.TEXT),
    _field("status", Kind.ENUM),
    _field("resolution", Kind.TEXT),
    _field("services", Kind.JSON),
    _field("metric_names", Kind.STRINGS),
    _field("start_time", Kind.TIME),
    _field("end_time", Kind.TIME),
    _field("source_site", Kind.TEXT),
    _field("severity", Kind.TEXT),
    _field("priority", Kind.TEXT),
    _field("metadata", Kind.JSON),
)


def _reader(kind: Kind) -> Callable[[Any], Any] | None:
    """How a stored value of ``kind`` reads as the API shows it; None: as it is."""
    if kind is Kind.JSON:
        return json.loads
    if kind is Kind.TIME:
        return format_time
    return None


# (API name, column, reader) per field, worked out once: documents are made per row.
_FROM_ROW = tuple((f.api, f.column, _reader(f.kind)) for f in FIELDS)


def row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row of the incident columns as the API's request fields, in contract order
    (times as ISO text). The one mapping from columns back to fields: responses add id,
    resolvedAt, the acknowledgement and updatedAt; a PATCH validates it as a request."""
    return {
        api: row[column] if read is None else read(row[column]) for api, column, read in _FROM_ROW
    }
