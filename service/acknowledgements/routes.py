"""``POST /api/v1/incidents/{id}/acknowledge`` and ``/incidents/acknowledge``: a person
takes one incident on, or many."""

from typing import Annotated, Any

from fastapi import APIRouter, Header

from service.acknowledgements import writes
from service.http.answers import JsonAnswer
from service.http.bodies import json_body
from service.http.context import Ctx
from service.incidents.routes import NO_INCIDENT, ONE, IncidentId
from vocabulary.analytics import AcknowledgedMany, AcknowledgeMany
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
    return JsonAnswer(document)


@router.post("/incidents/acknowledge", response_model=AcknowledgedMany)
def acknowledge_many(
    body: Annotated[AcknowledgeMany, json_body(AcknowledgeMany)],
    user_id: UserId,
    ctx: Ctx,
    user_email: UserEmail = None,
) -> Any:
    """Acknowledge up to 1,000 incidents as ``User-ID``; the first acknowledgement stands."""
    answer = writes.acknowledge_many(
        ctx.store,
        ctx.writer,
        ctx.locks,
        ctx.org_id,
        body.ids,
        user_id=user_id,
        user_email=user_email,
    )
    return JsonAnswer(answer)
