"""``/api/v1/scan-reports``: store reports, read a source's newest, the cluster score."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service.http.context import Ctx
from service.scans import reports
from service.scans.reports import ScanReportIn, ScanReportQuery

router = APIRouter(prefix="/api/v1", tags=["scan reports"])


@router.post("/scan-reports", status_code=201)
def add_report(report: ScanReportIn, ctx: Ctx) -> Any:
    """Store a report (payload up to 16 MiB of UTF-8); answers it as stored."""
    return JSONResponse(reports.add(ctx.store, ctx.writer, ctx.org_id, report), status_code=201)


@router.get("/scan-reports")
def newest_report(query: Annotated[ScanReportQuery, Query()], ctx: Ctx) -> Any:
    """The newest report of a source, by createdAt, ties by arrival."""
    return JSONResponse(reports.latest(ctx.store, ctx.org_id, query.source))


@router.get("/scan-reports/score")
def cluster_score(ctx: Ctx) -> Any:
    """The mean score of every source's newest understood report, with its grade."""
    return JSONResponse(reports.score(ctx.store, ctx.org_id))
