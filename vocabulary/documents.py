"""The documents the API answers: plain JSON-ready values, their one JSON encoder, and
the pydantic models that describe them.

Routes build answers as dicts and send them as they are (validating them again would
cost time on every read); the models below exist for the OpenAPI document only, so each
must say exactly what the dict builders (``service.incidents.documents``,
``service.lists.paging``, ``service.analytics.shaping`` and the rest) produce.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from vocabulary.enums import HistoryAction
from vocabulary.incident import IncidentIn, Name

Document = dict[str, Any]


def compact(value: Any) -> str:
    """Compact JSON text; orjson because the writer encodes three documents per row."""
    return orjson.dumps(value).decode()


Id = Annotated[int, Field(ge=0, le=(1 << 64) - 1)]
Count = Annotated[int, Field(ge=0)]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class Incident(IncidentIn):
    """An incident as it stands: the fields as sent (those of ``IncidentIn``, so they are
    written once), the start it has, its resolution and acknowledgement."""

    id: Id
    start_time: datetime
    end_time: datetime | None
    metadata: dict[str, Any]
    resolved_at: datetime | None
    ack_time: datetime | None
    ack_user_id: str | None
    ack_user_email: str | None
    updated_at: datetime


class Cursor(_Answer):
    """The ids of the page's first and last items; null on an empty page."""

    firstId: Id | None  # noqa: N815
    lastId: Id | None  # noqa: N815


class Paging(_Answer):
    cursor: Cursor
    hasNext: bool  # noqa: N815
    hasPrevious: bool  # noqa: N815


class Page(_Answer):
    """One page of the list, in list order."""

    data: list[Incident]
    paging: Paging


class FacetValue(_Answer):
    value: str | bool
    count: Count


class Facet(_Answer):
    """Counts per value of one field over the filtered set, most first, at most 50."""

    name: str
    values: list[FacetValue]


class FacetPage(Page):
    facets: list[Facet]


class FieldProblem(_Answer):
    """What is wrong with one field: ``path`` names it (``services[0].name``)."""

    message: str
    path: str


class ItemProblems(_Answer):
    """The problems of one item of a batch, by its index from 0."""

    index: Count
    errors: list[FieldProblem]


class BatchAnswer(_Answer):
    """One id per item, null where the item was invalid; the invalid ones listed."""

    ids: list[Id | None]
    errors: list[ItemProblems]


class Change(_Answer):
    from_: Any = Field(alias="from")
    to: Any


class HistoryEntry(_Answer):
    at: datetime
    action: HistoryAction
    userId: str | None  # noqa: N815
    changes: dict[str, Change]


class Note(_Answer):
    id: Id
    incidentId: Id  # noqa: N815
    body: str
    createdAt: datetime  # noqa: N815
    updatedAt: datetime  # noqa: N815


class Bucket(_Answer):
    """``[from, to)`` in epoch seconds, with a count per key."""

    from_: int = Field(alias="from")
    to: int
    counts: dict[str, Count]


class Current(_Answer):
    count: Count


class StatusCounts(_Answer):
    """Incidents by current status; both keys always present."""

    OPEN: Count
    RESOLVED: Count


class TopService(_Answer):
    service: str
    namespace: str
    count: Count


class ScanReport(_Answer):
    source: Name
    createdAt: datetime  # noqa: N815
    payload: str


class Score(_Answer):
    score: Annotated[int, Field(ge=0, le=100)]
    grade: Literal["A", "B", "C", "D", "E", "F"]


class SelfLink(_Answer):
    href: str
    templated: bool


class ErrorLinks(_Answer):
    self: SelfLink


class ErrorProblems(_Answer):
    errors: list[FieldProblem]


class Error(_Answer):
    """The body of every non-2xx answer; ``message`` is the status line's reason."""

    message: str
    logref: str
    path: str
    links: ErrorLinks = Field(alias="_links")
    embedded: ErrorProblems = Field(alias="_embedded")


class Health(_Answer):
    status: Literal["ok", "ready"]
