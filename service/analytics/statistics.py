"""Bucketed and current statistics of the incidents of a tenant.

Windows are ``[from, to)`` in whole epoch seconds; the bucket maths runs in SQL and the
answer is shaped in ``service.analytics.shaping``. Only current versions count (every query reads
``FINAL``, which also drops deletion tombstones).
"""

from typing import Annotated, Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from clickhouse import Store
from service.analytics import shaping
from service.lists.filters import Types
from vocabulary.enums import IncidentStatus, IncidentType
from vocabulary.problems import BadRequest
from vocabulary.timestamps import EARLIEST, LATEST, now

DAY = 86400
Seconds = Annotated[int, Field(ge=int(EARLIEST.timestamp()), le=int(LATEST.timestamp()))]
Buckets = Annotated[int, Field(ge=1, le=10_000)]


class _Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowQuery(_Query):
    timestampFrom: Seconds | None = None  # noqa: N815 - the contract's parameter names
    timestampTo: Seconds | None = None  # noqa: N815


class TypesQuery(WindowQuery):
    type: Types = []
    status: IncidentStatus | None = None
    resolution: str | None = None
    buckets: Buckets = 1


class SeveritiesQuery(WindowQuery):
    buckets: Buckets = 1


class CurrentQuery(_Query):
    status: IncidentStatus
    type: Types = []


class TopServicesQuery(_Query):
    startTimestampFrom: Seconds | None = None  # noqa: N815
    startTimestampTo: Seconds | None = None  # noqa: N815
    limit: Annotated[int, Field(ge=1, le=100)] = 10


def window(start: int | None, end: int | None, start_name: str) -> tuple[int, int]:
    """``[from, to)``: ``to`` defaults to now, ``from`` to a day before ``to``."""
    end = int(now().timestamp()) if end is None else end
    start = end - DAY if start is None else start
    if start >= end:
        raise BadRequest((start_name, f"{start_name}: must be before the end of the window"))
    return start, end


def query_frame(store: Store, name: str, params: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``queries/<name>.sql`` as a polars frame."""
    frame = pl.from_arrow(store.query(name, params))
    assert isinstance(frame, pl.DataFrame)
    return frame


def types(store: Store, org_id: str, query: TypesQuery) -> list[shaping.Bucket]:
    """Per bucket and type: resolved in the bucket (``status=RESOLVED``), else open in it."""
    start, end = window(query.timestampFrom, query.timestampTo, "timestampFrom")
    params = {
        "org": org_id,
        "from": start,
        "to": end,
        "buckets": query.buckets,
        "types": [t.value for t in query.type],
        "resolution": query.resolution,
    }
    if query.status is IncidentStatus.RESOLVED:
        counts = query_frame(store, "stats_types_resolved", params)
    else:
        counts = shaping.running_totals(
            query_frame(store, "stats_types_open", params), query.buckets
        )
    keys = [t.value for t in IncidentType if not query.type or t in query.type]
    return shaping.bucket_documents(counts, keys, shaping.bucket_bounds(start, end, query.buckets))


def severities(store: Store, org_id: str, query: SeveritiesQuery) -> list[shaping.Bucket]:
    """Per bucket and severity occurring in the window: incidents starting in the bucket."""
    start, end = window(query.timestampFrom, query.timestampTo, "timestampFrom")
    params = {"org": org_id, "from": start, "to": end, "buckets": query.buckets}
    counts = query_frame(store, "stats_severities", params)
    bounds = shaping.bucket_bounds(start, end, query.buckets)
    return shaping.bucket_documents(counts, shaping.occurring_keys(counts), bounds)


def current_priorities(store: Store, org_id: str, query: CurrentQuery) -> dict[str, int]:
    """Incidents now in ``status``, per priority."""
    params = {"org": org_id, "status": query.status.value, "types": [t.value for t in query.type]}
    counts = query_frame(store, "stats_current", params)
    return shaping.count_map(counts, "priority")


def current(store: Store, org_id: str, query: CurrentQuery) -> dict[str, int]:
    """``{"count": n}``: incidents now in ``status``."""
    return {"count": sum(current_priorities(store, org_id, query).values())}


def type_count(
    store: Store, org_id: str, incident_type: IncidentType, query: WindowQuery
) -> dict[str, int]:
    """Incidents of a type starting in the window, by current status; both keys present."""
    start, end = window(query.timestampFrom, query.timestampTo, "timestampFrom")
    params = {"org": org_id, "type": incident_type.value, "from": start, "to": end}
    counts = query_frame(store, "stats_type_count", params)
    return shaping.count_map(counts, "status", [s.value for s in IncidentStatus])


def top_services(
    store: Store, org_id: str, incident_type: IncidentType, query: TopServicesQuery
) -> list[dict[str, Any]]:
    """The services most affected by incidents of a type starting in the window."""
    start, end = window(query.startTimestampFrom, query.startTimestampTo, "startTimestampFrom")
    params = {
        "org": org_id,
        "type": incident_type.value,
        "from": start,
        "to": end,
        "limit": query.limit,
    }
    rows: list[dict[str, Any]] = store.query("stats_top_services", params).to_pylist()
    return rows
