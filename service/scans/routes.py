"""``/api/v1/scan-reports``: store reports, read a source's newest, the cluster score."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse

from service.http.context import Ctx
from service.scans import reports
from service.scans.reports import ScanReportIn, ScanReportQuery
from vocabulary.documents import ScanReport, Score

router = APIRouter(prefix="/api/v1", tags=["scan reports"])

EXAMPLE = {
    "source": "popeye",
    "createdAt": "2024-05-01T06:00:00Z",
    "payload": '{"popeye": {"score": 87}}',
}


@router.post("/scan-reports", status_code=201, response_model=ScanReport)
def add_report(
    report: Annotated[ScanReportIn, Body(openapi_examples={"popeye": {"value": EXAMPLE}})],
    ctx: Ctx,
) -> Any:
    """Store a report (payload up to 16 MiB of UTF-8); answers it as stored."""
    return JSONResponse(reports.add(ctx.store, ctx.writer, ctx.org_id, report), status_code=201)


@router.get(
    "/scan-reports",
    response_model=ScanReport,
    responses={404: {"description": "No report of that source."}},
)
def newest_report(query: Annotated[ScanReportQuery, Query()], ctx: Ctx) -> Any:
    """The newest report of a source, by createdAt, ties by arrival."""
    return JSONResponse(reports.latest(ctx.store, ctx.org_id, query.source))


@router.get(
    "/scan-reports/score",
    response_model=Score,
    responses={404: {"description": "No newest report of any source carries a score."}},
)
def cluster_score(ctx: Ctx) -> Any:
    """The mean score of every source's newest understood report, with its grade."""
    return JSONResponse(reports.score(ctx.store, ctx.org_id))
