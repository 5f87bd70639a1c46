"""``/api/v1/integrations``: alert webhooks, stored through the batch endpoint's path."""

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from ingest.columns import Checks, check, decode
from service.http.context import Ctx
from service.incidents import writes
from service.incidents.routes import raw_body
from service.integrations import alerts
from service.integrations.models import WebhookQuery, body_schema
from vocabulary.documents import BatchAnswer
from vocabulary.problems import BadRequest

router = APIRouter(prefix="/api/v1", tags=["integrations"])

WEBHOOK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": body_schema()}},
    }
}


def checked(body: bytes, source: str) -> Checks:
    """The webhook's alerts as checked batch items; a body that is not one is a 400."""
    try:
        decoded = decode(body)
    except ValueError as unreadable:
        raise BadRequest(("body", f"body: not valid JSON: {unreadable}")) from None
    try:
        return check(alerts.incidents(decoded, source))
    except alerts.NotAWebhook as problem:
        raise BadRequest(("alerts", f"alerts: {problem}")) from None


@router.post("/integrations/alertmanager", openapi_extra=WEBHOOK_BODY, response_model=BatchAnswer)
async def alertmanager_webhook(
    query: Annotated[WebhookQuery, Query()],
    ctx: Ctx,
    body: Annotated[bytes, Depends(raw_body)],
) -> Any:
    """An Alertmanager or Grafana webhook: one incident per alert, as the batch endpoint
    stores them; the answer is the batch answer, one id per alert."""
    # Mapping and checking 10k alerts takes tens of milliseconds: off the event loop.
    checks = await to_thread.run_sync(checked, body, query.source)
    return JSONResponse(await writes.submit_batch(ctx.ingest, ctx.org_id, checks, len(body)))
