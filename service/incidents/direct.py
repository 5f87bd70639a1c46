"""Create-or-update answered straight from ASGI, past FastAPI's routing and dependencies.

The single write is the service's hottest request, and FastAPI's per-request machinery
(matching through the included routers, solving the dependencies) was about 62% of the
event loop's time for it under load (benchmarks/README.md). This middleware, inside the
gate (so tenant, key, version and size are checked and the body is buffered), takes
``POST /api/v1/incidents`` itself while the write queue is overdue (503 at once, before
any parsing) and when the body is JSON the model accepts (validated from its bytes,
then submitted). Anything else goes on to the FastAPI route, which the OpenAPI document
describes and which answers an invalid body word for word as before.
"""

from fastapi.routing import RouteContext, iter_route_contexts
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ingest.group import Overloaded
from ingest.writer import Upsert
from service.http import errors
from service.http.bodies import is_json
from service.http.context import Services
from service.http.gate import PREFIX, ASGIApp, Receive, Scope, Send, replay
from service.incidents import writes
from vocabulary.incident import IncidentIn

CREATE_OR_UPDATE = PREFIX + "/incidents"


async def answer_upsert(
    services: Services, org_id: str, incident: IncidentIn, size: int
) -> PlainTextResponse:
    """Submit one create-or-update and answer its id as text (the route's answer too)."""
    state = await writes.submit(services.ingest, Upsert(org_id, incident), size)
    return PlainTextResponse(str(state.id))


async def _body(receive: Receive) -> bytes:
    """The whole body (the gate has buffered it, so this is one message)."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _incident(request: Request, body: bytes) -> IncidentIn | None:
    """The incident, when the body is JSON the model accepts; None: let the route say."""
    if not is_json(request.headers.get("content-type")):
        return None
    try:
        return IncidentIn.model_validate_json(body)
    except ValidationError:
        return None


class DirectWrites:
    """ASGI middleware: the create-or-update hot path, before routing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._route: RouteContext | None = None

    def _the_route(self, scope: Scope) -> RouteContext | None:
        """The route this stands in for, as routing would name it (the metrics' label)."""
        if self._route is None:
            for route in iter_route_contexts(scope["app"].routes):
                if route.path_format == CREATE_OR_UPDATE and "POST" in (route.methods or ()):
                    self._route = route
        return self._route

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        services: Services | None = getattr(scope["app"].state, "services", None)
        if (
            scope["type"] != "http"
            or scope["path"] != CREATE_OR_UPDATE
            or scope["method"] != "POST"
            or services is None
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            services.ingest.refuse_if_overdue(1)
        except Overloaded as refused:
            await (await errors.answer(request, refused))(scope, receive, send)
            return
        body = await _body(receive)
        incident = _incident(request, body)
        if incident is None:
            await self.app(scope, replay(body, receive), send)
            return
        scope["route"] = self._the_route(scope)
        try:
            response: Response = await answer_upsert(
                services, scope["state"]["org_id"], incident, len(body)
            )
        except Exception as failed:  # answered as the app's own handlers answer it
            response = await errors.answer(request, failed)
        await response(scope, receive, send)
