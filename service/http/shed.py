"""Refusing a create-or-update cheaply while the write queue is overdue.

Under a flood most of a refused write's cost is FastAPI's routing, dependencies and
validation; this ASGI middleware, inside the gate (so tenant and key are checked first),
answers ``POST /api/v1/incidents`` with the queue's 503 before any of that runs. The
rule is the queue's own (``GroupCommit.refuse_if_overdue``); the queue still checks
every write it takes.
"""

from starlette.requests import Request

from ingest.group import Overloaded
from service.http import errors
from service.http.gate import PREFIX, ASGIApp, Receive, Scope, Send

CREATE_OR_UPDATE = PREFIX + "/incidents"


class Shed:
    """ASGI middleware: 503 for a single write while the queue is overdue."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == CREATE_OR_UPDATE:
            services = getattr(scope["app"].state, "services", None)
            if services is not None and scope["method"] == "POST":
                try:
                    services.ingest.refuse_if_overdue(1)
                except Overloaded as refused:
                    response = await errors.answer(Request(scope), refused)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
