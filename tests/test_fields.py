"""The incident's fields, defined once in vocabulary/fields.py, against what is still
written out elsewhere: the request model and the SQL column lists of the reads.

No database: the stored side is checked by tests/test_store.py (live columns against the
Arrow schemas derived from the fields).
"""

import re
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import orjson

from clickhouse.sql import query_text
from service.incidents.documents import document_text
from vocabulary.fields import FIELDS, Kind, row_fields
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


def _selected(fragment: str) -> list[str]:
    return re.split(r"\s*,\s*", query_text(fragment).strip())


def test_the_incident_columns_fragment_selects_the_fields_a_patch_reads() -> None:
    """``_incident_columns.sql`` is SQL text, written out: id, the fields' columns in
    contract order (what a PATCH reads back as a request), resolved_at and updated_at."""
    selected = _selected("_incident_columns")
    json_columns = {f.column for f in FIELDS if f.kind is Kind.JSON}
    row = _Reads({name: "{}" if name in json_columns else None for name in selected})
    row_fields(row)
    assert row.read == [f.column for f in FIELDS]
    assert selected == ["id", *row.read, "resolved_at", "updated_at"]


def test_the_document_fragment_selects_what_a_document_is_made_of() -> None:
    selected = _selected("_incident_document")
    row = _Reads({"id": 1, "document": '{"type":"ALERT"}', "updated_at": None})
    assert orjson.loads(document_text(row, None))["type"] == "ALERT"
    assert sorted(set(row.read)) == sorted(selected)
