"""``/api/v1/incidents``: create-or-update (one or a batch), read, PATCH and history."""

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from ingest import batch
from service.http.bodies import json_body
from service.http.context import Ctx
from service.incidents import direct, reads, writes
from vocabulary.documents import BatchAnswer, HistoryEntry, Incident
from vocabulary.incident import IncidentIn, IncidentPatch
from vocabulary.problems import BadRequest

router = APIRouter(prefix="/api/v1", tags=["incidents"])

# Starlette's int convertor keeps /incidents/facets and /incidents/batch out of these
# routes; the bound keeps a huge number a 400 rather than a store error.
IncidentId = Annotated[int, Path(ge=0, le=(1 << 64) - 1)]
ONE = "/incidents/{incident_id:int}"
NO_INCIDENT: dict[int | str, dict[str, Any]] = {
    404: {"description": "No incident with that id in the tenant."}
}

EXAMPLE = {
    "type": "INCIDENT",
    "incidentId": "cpu-42",
    "title": "Checkout p99 latency over 2 s",
    "category": "PERFORMANCE",
    "description": "p99 latency of checkout rose after the 14:00 deploy.",
    "recommendation": "Roll back the deploy.",
    "source": "prometheus",
    "status": "OPEN",
    "resolution": "",
    "services": [{"name": "checkout", "namespace": "shop"}],
    "metricNames": ["http_request_duration_seconds"],
    "startTime": "2024-05-01T14:05:00Z",
    "sourceSite": "eu-west-1",
    "severity": "high",
    "priority": "P2",
    "metadata": {"runbook": "https://runbooks.example/checkout"},
}


@router.post(
    "/incidents",
    response_class=PlainTextResponse,
    responses={
        200: {
            "description": "The incident's id, as text.",
            "content": {"text/plain": {"schema": {"type": "string", "pattern": "^[0-9]+$"}}},
        }
    },
)
async def create_or_update(
    incident: Annotated[IncidentIn, json_body(IncidentIn, {"incident": {"value": EXAMPLE}})],
    request: Request,
    ctx: Ctx,
) -> PlainTextResponse:
    """Create or update by (tenant, source, incidentId); answers the id as text.

    A valid JSON body is taken before routing (``service.incidents.direct``); this
    route answers the rest, and is what the OpenAPI document describes."""
    size = int(request.headers.get("content-length", 0))
    return await direct.answer_upsert(ctx, ctx.org_id, incident, size)


async def raw_body(request: Request) -> bytes:
    """The body as sent (the gate has already held it to the size limit)."""
    return await request.body()


INCIDENTS = {
    "type": "array",
    "maxItems": batch.MAX_ITEMS,
    "items": {"$ref": "#/components/schemas/IncidentIn"},
}
BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": INCIDENTS, "examples": {"one": {"value": [EXAMPLE]}}},
            "application/x-ndjson": {
                "schema": {
                    **INCIDENTS,
                    "description": "NDJSON: each item one line; blank lines are skipped.",
                }
            },
        },
    }
}


@router.post("/incidents/batch", openapi_extra=BATCH_BODY, response_model=BatchAnswer)
async def create_or_update_many(
    request: Request, ctx: Ctx, body: Annotated[bytes, Depends(raw_body)]
) -> Any:
    """Up to 10,000 incidents as a JSON array or NDJSON; valid items are stored."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    parse = batch.ndjson if content_type == "application/x-ndjson" else batch.json_array
    try:
        # Checking 10k items takes tens of milliseconds: off the event loop.
        checks = await to_thread.run_sync(parse, body, ctx.store)
    except batch.UnreadableInput as unreadable:
        raise BadRequest(("body", f"body: {unreadable}")) from None
    return JSONResponse(await writes.submit_batch(ctx.ingest, ctx.org_id, checks, len(body)))


@router.get(ONE, response_model=Incident, responses=NO_INCIDENT)
def get_incident(incident_id: IncidentId, ctx: Ctx) -> Any:
    return JSONResponse(reads.get(ctx.store, ctx.org_id, incident_id))


@router.patch(ONE, response_model=Incident, responses=NO_INCIDENT)
async def patch_incident(incident_id: IncidentId, change: IncidentPatch, ctx: Ctx) -> Any:
    """Replace the fields a person may change; the rest stays."""
    document = await writes.patch(ctx.store, ctx.ingest, ctx.org_id, incident_id, change)
    return JSONResponse(document)


@router.get(ONE + "/history", response_model=list[HistoryEntry], responses=NO_INCIDENT)
def incident_history(incident_id: IncidentId, ctx: Ctx) -> Any:
    """Every change to the incident, oldest first."""
    return JSONResponse(reads.history(ctx.store, ctx.org_id, incident_id))
