"""``GET /api/v1/incidents``: the filtered list, one page at a time."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from service.http.answers import JsonAnswer
from service.http.context import Ctx
from service.lists import export, paging
from service.lists.filters import ListQuery
from vocabulary.documents import Page

router = APIRouter(prefix="/api/v1", tags=["incidents"])

EXPORTED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Every selected incident, newest first, as an attachment.",
        "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
        "content": {
            export.MEDIA_TYPES[export.ExportFormat.NDJSON]: {
                "schema": {"$ref": "#/components/schemas/Incident"},
            },
            export.MEDIA_TYPES[export.ExportFormat.CSV]: {"schema": {"type": "string"}},
            export.MEDIA_TYPES[export.ExportFormat.PARQUET]: {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


@router.get("/incidents/export", response_class=StreamingResponse, responses=EXPORTED)
def export_incidents(query: Annotated[export.ExportQuery, Query()], ctx: Ctx) -> Any:
    """Every incident the list filters select, streamed as NDJSON, CSV or Parquet."""
    chunks = export.export(ctx.store, ctx.org_id, query)
    # The first chunk is taken here so that a store failing at once answers an error.
    first = next(chunks)

    def body() -> Any:
        yield first
        yield from chunks

    return StreamingResponse(
        body(),
        media_type=export.MEDIA_TYPES[query.format],
        headers={"Content-Disposition": export.filename(query.format)},
    )


@router.get("/incidents", response_model=Page)
def list_incidents(query: Annotated[ListQuery, Query()], ctx: Ctx) -> Any:
    """The filtered list, newest first by (startTime, id), one page at a time."""
    return JsonAnswer(paging.page(ctx.store, ctx.org_id, query))
