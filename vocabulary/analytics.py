"""What the response-times statistics and the acknowledgement of many take and answer.

The models describe the dicts ``service.analytics.response_times`` and
``service.acknowledgements.writes`` build, for the OpenAPI document. No I/O here.
"""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from vocabulary.documents import Count, Id

MAX_ACKNOWLEDGE = 1000


class ResponseTimeGroup(StrEnum):
    """What ``groupBy`` of ``/statistics/response-times`` may name."""

    TYPE = "type"
    CATEGORY = "category"
    SEVERITY = "severity"
    PRIORITY = "priority"
    SOURCE = "source"
    SERVICE = "service"


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


Seconds = Annotated[float, Field(ge=0)]


class Durations(_Answer):
    """Seconds, millisecond precision; every one null when there is no value."""

    mean: Seconds | None
    p50: Seconds | None
    p90: Seconds | None
    p95: Seconds | None


class ResponseTimes(_Answer):
    key: str | None
    count: Count
    acknowledged: Count
    resolved: Count
    timeToAcknowledge: Durations  # noqa: N815 - the contract's names
    timeToResolve: Durations  # noqa: N815


class ResponseTimeBucket(_Answer):
    """``[from, to)`` in epoch seconds; groups by count descending, then key."""

    from_: int = Field(alias="from")
    to: int
    groups: list[ResponseTimes]


def _not_a_boolean(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected an integer, not a boolean")
    return value


class AcknowledgeMany(BaseModel):
    """``{"ids": [...]}``: 1-1,000 distinct incident ids."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # JSON's true is not an id (it is no JSON Schema integer, where 126.0 is one); a
    # repeated id is 400, which the schema says as uniqueItems.
    ids: Annotated[
        list[Annotated[Id, BeforeValidator(_not_a_boolean)]],
        Field(min_length=1, max_length=MAX_ACKNOWLEDGE, json_schema_extra={"uniqueItems": True}),
    ]


class AcknowledgedMany(_Answer):
    """Every id of the request in exactly one list, each in request order."""

    acknowledged: list[Id]
    alreadyAcknowledged: list[Id]  # noqa: N815
    notFound: list[Id]  # noqa: N815
