"""``/api/v1/incidents/facets`` and ``/api/v1/statistics/...``: the dashboard reads."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from service.analytics import facets, response_times, statistics
from service.analytics.statistics import (
    CurrentQuery,
    SeveritiesQuery,
    TopServicesQuery,
    TypesQuery,
    WindowQuery,
)
from service.http.answers import JsonAnswer
from service.http.context import Ctx
from vocabulary.analytics import ResponseTimeBucket
from vocabulary.documents import Bucket, Current, FacetPage, StatusCounts, TopService
from vocabulary.enums import IncidentType

router = APIRouter(prefix="/api/v1", tags=["analytics"])

TypePath = Annotated[IncidentType, Path()]


@router.get("/incidents/facets", response_model=FacetPage)
def incident_facets(query: Annotated[facets.FacetsQuery, Query()], ctx: Ctx) -> Any:
    """A page of the filtered list plus counts per value of twelve fields."""
    return JsonAnswer(facets.page_with_facets(ctx.store, ctx.org_id, query))


@router.get("/statistics/types", response_model=list[Bucket])
def statistics_types(query: Annotated[TypesQuery, Query()], ctx: Ctx) -> Any:
    """Per bucket and type: open in the bucket, or with ``status=RESOLVED`` resolved in it."""
    return JsonAnswer(statistics.types(ctx.store, ctx.org_id, query))


@router.get("/statistics/severities", response_model=list[Bucket])
def statistics_severities(query: Annotated[SeveritiesQuery, Query()], ctx: Ctx) -> Any:
    """Per bucket and severity: incidents starting in the bucket."""
    return JsonAnswer(statistics.severities(ctx.store, ctx.org_id, query))


@router.get("/statistics/response-times", response_model=list[ResponseTimeBucket])
def statistics_response_times(
    query: Annotated[response_times.ResponseTimesQuery, Query()], ctx: Ctx
) -> Any:
    """Per bucket and group: how fast incidents starting in it were acknowledged and resolved."""
    return JsonAnswer(response_times.response_times(ctx.store, ctx.org_id, query))


@router.get("/statistics/current", response_model=Current)
def statistics_current(query: Annotated[CurrentQuery, Query()], ctx: Ctx) -> Any:
    return JsonAnswer(statistics.current(ctx.store, ctx.org_id, query))


@router.get("/statistics/current/priorities", response_model=dict[str, int])
def statistics_current_priorities(query: Annotated[CurrentQuery, Query()], ctx: Ctx) -> Any:
    return JsonAnswer(statistics.current_priorities(ctx.store, ctx.org_id, query))


@router.get("/statistics/{type}/count", response_model=StatusCounts)
def statistics_type_count(
    type: TypePath,
    query: Annotated[WindowQuery, Query()],
    ctx: Ctx,
) -> Any:
    """Incidents of a type starting in the window, by current status."""
    return JsonAnswer(statistics.type_count(ctx.store, ctx.org_id, type, query))


@router.get("/statistics/{type}/top-services", response_model=list[TopService])
def statistics_top_services(
    type: TypePath,
    query: Annotated[TopServicesQuery, Query()],
    ctx: Ctx,
) -> Any:
    """The services most often named by incidents of a type starting in the window."""
    return JsonAnswer(statistics.top_services(ctx.store, ctx.org_id, type, query))
