"""``GET /api/v1/incidents``: the filtered list, one page at a time."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from service.http.context import Ctx
from service.lists import paging
from service.lists.filters import ListQuery
from vocabulary.documents import Page

router = APIRouter(prefix="/api/v1", tags=["incidents"])


@router.get("/incidents", response_model=Page)
def list_incidents(query: Annotated[ListQuery, Query()], ctx: Ctx) -> Any:
    """The filtered list, newest first by (startTime, id), one page at a time."""
    return JSONResponse(paging.page(ctx.store, ctx.org_id, query))
