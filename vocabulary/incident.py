"""The incident as a writer sends it, with every limit of the contract.

Shared by the HTTP routes, the batch endpoint and the bulk loader, so that every way in
validates the same way.
"""

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

import orjson
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.alias_generators import to_camel

from vocabulary.enums import IncidentCategory, IncidentStatus, IncidentType
from vocabulary.timestamps import parse_time

METADATA_LIMIT = 64 * 1024


def _finite(value: Any) -> bool:
    """Whether no number in ``value`` is NaN or infinite (JSON's 1e400 parses as inf)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def storable_json(value: Any) -> bytes:
    """``value`` as the JSON that is stored; refused where storing would change it."""
    try:
        encoded = orjson.dumps(value)
    except orjson.JSONEncodeError:
        # What cannot be encoded here cannot be stored either (integers past 64 bits).
        raise ValueError("must be plain JSON with integers within 64 bits") from None
    # orjson writes NaN and infinities as null: refuse them rather than store a null the
    # sender never sent. Only an encoding with a null can hide one, so most skip the walk.
    if b"null" in encoded and not _finite(value):
        raise ValueError("numbers must be finite (no NaN or Infinity)")
    return encoded


def _storable_or_none(value: Any) -> str | None:
    try:
        return storable_json(value).decode()
    except ValueError:
        return None


def storable_texts(values: Sequence[Any]) -> list[str | None]:
    """``storable_json`` of each of many values, as text, None where it refuses. Where
    the encoder takes them all they are encoded in one comprehension, not a call each.
    Text, not bytes: 100k of orjson's bytes objects held at once took 190 ms to make,
    their texts 27 (by hand)."""
    try:
        encoded = [orjson.dumps(value).decode() for value in values]
    except orjson.JSONEncodeError:
        return [_storable_or_none(value) for value in values]
    texts: list[str | None] = list(encoded)
    # As in storable_json: only a text with a null can hide a NaN or an infinity.
    for n in [n for n, text in enumerate(encoded) if "null" in text]:
        if not _finite(values[n]):
            texts[n] = None
    return texts


def stored_as_sent(values: Sequence[Any], texts: Sequence[str]) -> bool:
    """Whether each of ``texts``, the JSON texts ``values`` were decoded from, is
    already the ``storable_json`` of its value, as a canonical export's are: then they
    are stored as they came, with no encoding per value. One encoding of all the values
    is compared with the texts joined as an array: a sequence of complete JSON texts
    parses one way only, so the two agree exactly when every text does (a NaN or an
    infinity encodes as null, which no text it came from said). The first text is
    compared alone before, so that texts of another style cost one encoding, not all.
    For 100k texts of the benchmark dataset it took 10-18 ms against 43-47 for the
    encodings it saves (by hand)."""
    if not texts or storable_texts(values[:1]) != list(texts[:1]):
        return False
    try:
        encoded = orjson.dumps(list(values))
    except orjson.JSONEncodeError:
        return False
    return encoded == f"[{','.join(texts)}]".encode()


def _metadata_size(value: dict[str, Any]) -> dict[str, Any]:
    size = len(storable_json(value))
    if size > METADATA_LIMIT:
        raise ValueError(f"at most {METADATA_LIMIT} bytes as JSON, got {size}")
    return value


Timestamp = Annotated[datetime, BeforeValidator(parse_time)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255)]
Text255 = Annotated[str, StringConstraints(max_length=255)]
LongText = Annotated[str, StringConstraints(max_length=2000)]
SourceId = Annotated[str, StringConstraints(min_length=1, max_length=16)]
Site = Annotated[str, StringConstraints(max_length=50)]
Resolution = Annotated[str, StringConstraints(max_length=20)]
ShortLabel = Annotated[str, StringConstraints(max_length=10)]
Metadata = Annotated[dict[str, Any], AfterValidator(_metadata_size)]


class Service(BaseModel):
    """A service the incident touches; further keys are kept and returned as sent."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: Name
    namespace: Text255 = ""

    @model_validator(mode="after")
    def _storable_extras(self) -> "Service":
        if self.model_extra:
            storable_json(self.model_extra)
        return self


class _Camel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class IncidentIn(_Camel):
    """Body of create-or-update."""

    type: IncidentType
    incident_id: SourceId
    title: Text255
    category: IncidentCategory
    description: LongText
    recommendation: LongText
    source: Name
    status: IncidentStatus
    resolution: Resolution
    services: Annotated[list[Service], Field(min_length=1, max_length=100)]
    metric_names: Annotated[list[Text255], Field(max_length=100)]
    start_time: Timestamp | None = None
    end_time: Timestamp | None = None
    source_site: Site
    severity: ShortLabel
    priority: ShortLabel
    metadata: Metadata


class IncidentPatch(_Camel):
    """Body of PATCH: the fields a person may replace, all required."""

    title: Text255
    description: LongText
    recommendation: LongText
    status: IncidentStatus
    resolution: Resolution
    severity: ShortLabel
    priority: ShortLabel
