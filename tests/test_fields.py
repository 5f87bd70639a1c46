"""The incident's fields, defined once in vocabulary/fields.py, against what is still
written out elsewhere: the request model and the SQL column list of a document.

No database: the stored side is checked by tests/test_store.py (live columns against the
Arrow schemas derived from the fields).
"""

import re
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from clickhouse.sql import query_text
from service.incidents.documents import incident_document
from vocabulary.fields import FIELDS, Kind
from vocabulary.incident import IncidentIn


def test_the_fields_are_the_request_models_in_its_order() -> None:
    model = IncidentIn.model_fields
    assert [f.attribute for f in FIELDS] == list(model)
    assert [f.api for f in FIELDS] == [model[f.attribute].alias for f in FIELDS]


def _plain(annotation: Any) -> Any:
    """A type without its constraints (Annotated) and without None."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _plain(args[0])
    if origin is Union:
        (only,) = [_plain(a) for a in args if a is not type(None)]
        return only
    return annotation


def test_each_fields_kind_fits_its_type_in_the_request_model() -> None:
    for field in FIELDS:
        kind = _plain(IncidentIn.model_fields[field.attribute].annotation)
        fits = {
            Kind.ENUM: isinstance(kind, type) and issubclass(kind, Enum),
            Kind.TIME: kind is datetime,
            Kind.STRINGS: get_origin(kind) is list and _plain(get_args(kind)[0]) is str,
            Kind.JSON: get_origin(kind) in (list, dict),
            Kind.TEXT: kind is str,
        }
        assert fits[field.kind], field


class _Reads(dict[str, Any]):
    """A row that remembers which columns were read, in order."""

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.read: list[str] = []

    def __getitem__(self, column: str) -> Any:
        self.read.append(column)
        return super().__getitem__(column)


def test_the_incident_columns_fragment_selects_what_a_document_reads() -> None:
    """``_incident_columns.sql`` is SQL text, written out: it must list exactly the columns
    an Incident document is made of (id, the fields', resolved_at, updated_at), in order."""
    selected = re.split(r"\s*,\s*", query_text("_incident_columns").strip())
    json_columns = {f.column for f in FIELDS if f.kind is Kind.JSON}
    row = _Reads({name: "{}" if name in json_columns else None for name in selected})
    incident_document(row, None)
    assert row.read == selected
    assert selected[1:-2] == [f.column for f in FIELDS]
