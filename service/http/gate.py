"""The checks every ``/api/v1`` request passes before routing, in the contract's order.

Tenant and key first (401, 403), then ``Api-Version`` (400), then the body size (413),
so that a request without a tenant is 401 whatever else is wrong with it. Written as
plain ASGI because FastAPI reads and parses a body before any dependency runs.

The tenant is ``X-Scope-OrgID``; else the one org of the bearer key, when the key is
allowed exactly one (senders such as Alertmanager before 0.28 cannot set headers, but
can send a key); else the default org; else none, which is 401.
"""

import re
from collections.abc import Awaitable, Callable, MutableMapping
from http import HTTPStatus
from typing import Any

from service.http.errors import error_response
from service.settings import Settings
from vocabulary.problems import FieldError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/api/v1"
ORG_PATTERN = re.compile(r"[A-Za-z0-9!\-_.*'()]{1,150}")
VERSIONS = frozenset({"1", "v1"})
MIB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MIB
# Paths whose bodies may be larger than one incident. A scan report's payload may be
# 16 MiB; the envelope and JSON escaping need a little room beyond that.
# An alert webhook carries as many alerts as a batch carries incidents.
BODY_LIMITS = {
    f"{PREFIX}/incidents/batch": 32 * MIB,
    f"{PREFIX}/integrations/alertmanager": 32 * MIB,
    f"{PREFIX}/scan-reports": 17 * MIB,
}
# The only headers the gate reads; the others are not decoded.
_CHECKED = frozenset({b"x-scope-orgid", b"authorization", b"api-version", b"content-length"})


def replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` with a body already read from it handed out again first."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


Refusal = tuple[int, list[FieldError]]


def org_error(header: str | None) -> str | None:
    """Why ``header`` is not a valid tenant, or None when it is."""
    if header is None:
        return "X-Scope-OrgID header is required (or a key allowed exactly one org)"
    if header in (".", "..") or not ORG_PATTERN.fullmatch(header):
        return "X-Scope-OrgID must be 1-150 characters of A-Za-z0-9!-_.*'() and not . or .."
    return None


def key_org(allowed: list[str] | None) -> str | None:
    """The org a key names when it is allowed exactly one (``*`` is every org, not one)."""
    if allowed is None or len(set(allowed)) != 1 or "*" in allowed:
        return None
    return allowed[0]


class Gate:
    """ASGI middleware: tenancy, API keys, version and body size for ``/api/v1``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.default_org = settings.default_org
        self.api_keys = settings.api_keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for key, value in scope["headers"]
            if (name := key.lower()) in _CHECKED
        }
        org, refusal = self.admit(headers)
        if refusal is None:
            scope.setdefault("state", {})["org_id"] = org
            limit = BODY_LIMITS.get(path, DEFAULT_BODY_LIMIT)
            receive, refusal = await self.buffer(scope, receive, headers, limit)
        if refusal is not None:
            status, errors = refusal
            response = error_response(path, status, errors)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def admit(self, headers: dict[str, str]) -> tuple[str, None] | tuple[None, Refusal]:
        """The request's tenant, or why it is refused."""
        allowed: list[str] | None = None
        if self.api_keys:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            allowed = self.api_keys.get(token.strip()) if scheme.lower() == "bearer" else None
        org = headers.get("x-scope-orgid")
        if org is None:
            org = key_org(allowed) or self.default_org
        problem = org_error(org)
        if problem is not None:
            return None, (HTTPStatus.UNAUTHORIZED, [("X-Scope-OrgID", problem)])
        assert org is not None
        if self.api_keys:
            if allowed is None:
                return None, (
                    HTTPStatus.UNAUTHORIZED,
                    [("Authorization", "a valid Bearer key is required")],
                )
            if org not in allowed and "*" not in allowed:
                refused = [("Authorization", f"this key may not use org {org}")]
                return None, (HTTPStatus.FORBIDDEN, refused)
        version = headers.get("api-version")
        if version is not None and version.strip().lower() not in VERSIONS:
            return None, (HTTPStatus.BAD_REQUEST, [("Api-Version", "Api-Version must be 1 or v1")])
        return org, None

    async def buffer(
        self, scope: Scope, receive: Receive, headers: dict[str, str], limit: int
    ) -> tuple[Receive, Refusal | None]:
        """Read the body up to ``limit``; a larger one is refused before it is parsed."""
        too_large = (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            [("body", f"body: at most {limit} bytes")],
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return receive, too_large
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            return receive, None
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return receive, None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return receive, too_large
            chunks.append(chunk)
            more = message.get("more_body", False)
        return replay(b"".join(chunks), receive), None
