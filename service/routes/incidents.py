"""``/api/v1/incidents``: create-or-update, read, PATCH, list and history."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, PlainTextResponse

from ingest.model import IncidentIn, IncidentPatch
from ingest.writer import Write
from service import incidents, listing
from service.context import Ctx
from service.filters import ListQuery

router = APIRouter(prefix="/api/v1", tags=["incidents"])

# Starlette's int convertor keeps /incidents/facets and /incidents/batch out of these
# routes; the bound keeps a huge number a 400 rather than a store error.
IncidentId = Annotated[int, Path(ge=0, le=(1 << 64) - 1)]
ONE = "/incidents/{incident_id:int}"


@router.get("/incidents")
def list_incidents(query: Annotated[ListQuery, Query()], ctx: Ctx) -> Any:
    """The filtered list, newest first by (startTime, id), one page at a time."""
    return JSONResponse(listing.page(ctx.store, ctx.org_id, query))


@router.post("/incidents", response_class=PlainTextResponse)
def create_or_update(incident: IncidentIn, ctx: Ctx) -> PlainTextResponse:
    """Create or update by (tenant, source, incidentId); answers the id as text."""
    return PlainTextResponse(str(incidents.stored(ctx.writer, Write(ctx.org_id, incident))))


@router.get(ONE)
def get_incident(incident_id: IncidentId, ctx: Ctx) -> Any:
    return JSONResponse(incidents.get(ctx.store, ctx.org_id, incident_id))


@router.patch(ONE)
def patch_incident(incident_id: IncidentId, change: IncidentPatch, ctx: Ctx) -> Any:
    """Replace the fields a person may change; the rest stays."""
    document = incidents.patch(ctx.store, ctx.writer, ctx.locks, ctx.org_id, incident_id, change)
    return JSONResponse(document)


@router.get(ONE + "/history")
def incident_history(incident_id: IncidentId, ctx: Ctx) -> Any:
    """Every change to the incident, oldest first."""
    return JSONResponse(incidents.history(ctx.store, ctx.org_id, incident_id))
