"""Many incidents in one input: a JSON array, NDJSON lines or Parquet row batches.

Validation happens per item, so one bad item never sinks the rest: each input becomes a
list with the valid incidents and, by index, what is wrong with the others. The HTTP
batch endpoint and the bulk loader both read through here.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError

from vocabulary.incident import IncidentIn
from vocabulary.problems import FieldError, field_errors

MAX_ITEMS = 10_000

_ONE = TypeAdapter(IncidentIn)
_MANY = TypeAdapter(list[IncidentIn])


class UnreadableInput(ValueError):
    """The input as a whole is not what it should be (not JSON, not an array, too long)."""


@dataclass
class Validated:
    """Items in input order: an incident, or None where ``errors[index]`` says why not."""

    items: list[IncidentIn | None] = field(default_factory=list)
    errors: dict[int, list[FieldError]] = field(default_factory=dict)

    def add(self, item: IncidentIn | None, problems: list[FieldError] | None = None) -> None:
        if problems:
            self.errors[len(self.items)] = problems
        self.items.append(item)


def _one(validated: Validated, value: Any, *, from_json: bool) -> None:
    try:
        item = _ONE.validate_json(value) if from_json else _ONE.validate_python(value)
    except ValidationError as invalid:
        validated.add(None, field_errors(invalid.errors()))
    else:
        validated.add(item)


def json_array(body: bytes, limit: int = MAX_ITEMS) -> Validated:
    """A JSON array of incidents. All valid is the common case, validated in one pass."""
    try:
        items = _MANY.validate_json(body)
    except ValidationError:
        pass
    else:
        if len(items) > limit:
            raise UnreadableInput(f"at most {limit} items, got {len(items)}")
        return Validated(list(items))
    try:
        values = json.loads(body)
    except ValueError as bad:
        raise UnreadableInput(f"not valid JSON: {bad}") from None
    if not isinstance(values, list):
        raise UnreadableInput("expected a JSON array of incidents")
    if len(values) > limit:
        raise UnreadableInput(f"at most {limit} items, got {len(values)}")
    return python_objects(values)


def json_lines(
    lines: Iterable[bytes | str],
) -> Iterator[tuple[int, IncidentIn | None, list[FieldError]]]:
    """NDJSON: (line number from 1, incident or None, problems) per non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, _ONE.validate_json(line), []
        except ValidationError as invalid:
            yield number, None, field_errors(invalid.errors())


def ndjson(body: bytes, limit: int = MAX_ITEMS) -> Validated:
    """NDJSON in one body: items count non-blank lines from 0."""
    validated = Validated()
    for _, item, problems in json_lines(body.splitlines()):
        if len(validated.items) == limit:
            raise UnreadableInput(f"at most {limit} items")
        validated.add(item, problems)
    return validated


def python_objects(values: Iterable[Any]) -> Validated:
    """Already-decoded objects (rows of a Parquet file, items of a loaded array)."""
    validated = Validated()
    for value in values:
        _one(validated, value, from_json=False)
    return validated
