"""``POST /api/v1/incidents/{id}/acknowledge``: a person takes an incident on."""

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from service.acknowledgements import writes
from service.http.context import Ctx
from service.incidents.routes import NO_INCIDENT, ONE, IncidentId
from vocabulary.documents import Incident

router = APIRouter(prefix="/api/v1", tags=["operations"])

# The contract names no limits for these headers; 255 follows its other names.
UserId = Annotated[str, Header(alias="User-ID", min_length=1, max_length=255)]
UserEmail = Annotated[str | None, Header(alias="User-Email", max_length=255)]


@router.post(ONE + "/acknowledge", response_model=Incident, responses=NO_INCIDENT)
def acknowledge(
    incident_id: IncidentId, user_id: UserId, ctx: Ctx, user_email: UserEmail = None
) -> Any:
    """Acknowledge as ``User-ID``; the first acknowledgement stands."""
    document = writes.acknowledge(
        ctx.store,
        ctx.writer,
        ctx.locks,
        ctx.org_id,
        incident_id,
        user_id=user_id,
        user_email=user_email,
    )
    return JSONResponse(document)
