"""The list filters of the contract, parsed from the query string.

Arrays accept repeated keys and comma-separated values; more than 100 values is 400.
Unknown parameters are refused, so that a misspelt filter is an error rather than an
unfiltered answer. The same filters serve the list, the facets and their SQL.
"""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from vocabulary.enums import Direction, IncidentCategory, IncidentStatus, IncidentType
from vocabulary.schemas import EPOCH_SECONDS, MAX_VALUES, query_values
from vocabulary.timestamps import from_epoch


def split_commas(value: Any) -> Any:
    """``["a,b", "c"]`` as ``["a", "b", "c"]``; blank pieces are dropped."""
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        return value
    return [piece.strip() for v in values for piece in v.split(",") if piece.strip()]


def epoch_param(value: Any) -> Any:
    """A query string's epoch seconds as a UTC datetime."""
    if value is None or isinstance(value, datetime):
        return value
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected epoch seconds") from None
    return from_epoch(seconds)


EpochSeconds = Annotated[
    datetime | None, BeforeValidator(epoch_param), WithJsonSchema(EPOCH_SECONDS)
]
# An incident id. Bound as a UInt64 a larger number would wrap around to another
# incident's id, so it is refused here (400) like the path's ids.
Cursor = Annotated[int, Field(ge=0, le=(1 << 64) - 1)]
_Many = (BeforeValidator(split_commas), Field(max_length=MAX_VALUES))
Types = Annotated[
    list[IncidentType], *_Many, WithJsonSchema(query_values([t.value for t in IncidentType]))
]
Statuses = Annotated[
    list[IncidentStatus], *_Many, WithJsonSchema(query_values([s.value for s in IncidentStatus]))
]
Categories = Annotated[
    list[IncidentCategory],
    *_Many,
    WithJsonSchema(query_values([c.value for c in IncidentCategory])),
]
Texts = Annotated[list[str], *_Many, WithJsonSchema(query_values())]


class IncidentFilters(BaseModel):
    """Filters shared by every read of the incident list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    startTimestamp: EpochSeconds = None  # noqa: N815 - the contract's parameter names
    endTimestamp: EpochSeconds = None  # noqa: N815
    type: Types = []
    status: Statuses = []
    category: Categories = []
    service: Texts = []
    namespace: Texts = []
    metric: Texts = []
    source: Texts = []
    resolution: str | None = None
    acknowledged: bool | None = None

    def params(self, org_id: str) -> dict[str, Any]:
        """The bound values of ``_incident_filter.sql``."""
        return {
            "org": org_id,
            "window_start": self.startTimestamp,
            "window_end": self.endTimestamp,
            "types": [t.value for t in self.type],
            "statuses": [s.value for s in self.status],
            "categories": [c.value for c in self.category],
            "sources": self.source,
            "services": self.service,
            "namespaces": self.namespace,
            "metrics": self.metric,
            "resolution": self.resolution,
            "acknowledged": self.acknowledged,
        }


class ListQuery(IncidentFilters):
    """Query of ``GET /incidents``: the filters plus keyset paging."""

    cursor: Cursor | None = None
    direction: Direction = Direction.NEXT
    pageSize: Annotated[int, Field(ge=1, le=100)] = 20  # noqa: N815
