"""From exception to answer, in one table, and the one renderer of the contract's body.

Every non-2xx answer, whatever raised it (a route, validation, routing, the gate
middleware, an unexpected exception), goes out through ``error_response``; its status,
messages and headers are decided by ``problem_of`` alone. Server text never gets here:
the store has already turned ClickHouse errors into its own.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from clickhouse import StoreBusy, StoreError, StoreTimeout
from ingest.group import Closed, FlushFailed, Overloaded
from service.http.ids import random_id
from vocabulary.problems import ApiError, FieldError, field_errors

log = logging.getLogger("incidents.errors")

BUSY = HTTPStatus.SERVICE_UNAVAILABLE
FAILED = HTTPStatus.INTERNAL_SERVER_ERROR
# Exceptions whose class decides the answer: (class, status, message, Retry-After seconds
# or None for no header). The first row the exception is an instance of wins, so a
# subclass comes before its base; the last row answers everything else.
ANSWERS: tuple[tuple[type[Exception], HTTPStatus, str, int | None], ...] = (
    (StoreTimeout, BUSY, "the query took too long; narrow the filters or the window", 1),
    (StoreBusy, BUSY, "the store is at capacity; retry shortly", 1),
    (StoreError, FAILED, "storage failed", None),
    (Overloaded, BUSY, "too many writes are queued; retry shortly", 1),
    (Closed, BUSY, "the service is shutting down; retry on another instance", 1),
    (FlushFailed, FAILED, "the write could not be stored", None),
    (Exception, FAILED, "internal error", None),
)
# Exceptions that carry their own answer: typed errors their status and fields, validation
# the fields it names (always 400, never 422), routing its status (404, 405).
_CARRIED = (ApiError, RequestValidationError, ValidationError, StarletteHTTPException)
# Every exception the app expects; anything else is a bug, logged with its traceback.
EXPECTED = _CARRIED + tuple(kind for kind, *_ in ANSWERS if kind is not Exception)
# The methods an Allow header may name.
_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


@dataclass
class Problem:
    """What an error answer says: its status, the (path, message) pairs, its headers."""

    status: int
    errors: list[FieldError]
    headers: dict[str, str] = field(default_factory=dict)


def validation_errors(errors: Sequence[Any]) -> list[FieldError]:
    """Pydantic's errors of a request as (path, message) pairs, request locations dropped."""
    return field_errors(errors, skip=("body", "query", "path", "header"))


def problem_of(exc: Exception) -> Problem:
    """The answer to ``exc``: its own where it carries one, else its row of ``ANSWERS``."""
    if isinstance(exc, ApiError):
        return Problem(exc.status, list(exc.errors), dict(exc.headers))
    if isinstance(exc, RequestValidationError | ValidationError):
        return Problem(HTTPStatus.BAD_REQUEST, validation_errors(exc.errors()))
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return Problem(exc.status_code, [("", detail)], dict(exc.headers or {}))
    _, status, message, retry_after = next(row for row in ANSWERS if isinstance(exc, row[0]))
    headers = {}
    if retry_after is not None:
        # An exception that knows better (the ingest queue's estimate) says how long.
        seconds = getattr(exc, "retry_after", retry_after)
        headers["Retry-After"] = str(max(1, round(seconds)))
    return Problem(status, [("", message)], headers)


def allowed_methods(request: Request) -> str:
    """Every method that some route of this path takes, as the router would dispatch it.

    Starlette's 405 names the methods of the first route whose path matched, while a
    path served by several routes (GET and POST ``/incidents``) has a route per method.
    The router is asked through the public ``matches``, once per method, so FastAPI's
    included routers count, and HEAD only where a route really answers it.
    """
    scope = request.scope
    base = {"type": "http", "path": scope["path"], "root_path": scope.get("root_path", "")}
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(route.matches({**base, "method": method})[0] is Match.FULL for route in routes)
    )


def error_body(path: str, status: int, errors: Sequence[FieldError]) -> dict[str, Any]:
    return {
        "message": HTTPStatus(status).phrase,
        "logref": random_id(),
        "path": path,
        "_links": {"self": {"href": path, "templated": False}},
        "_embedded": {"errors": [{"message": m, "path": p} for p, m in errors]},
    }


def error_response(
    path: str, status: int, errors: Sequence[FieldError], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(path, status, errors), status_code=status, headers=headers)


async def answer(request: Request, exc: Exception) -> Response:
    """The one handler: ``exc`` answered through the table, a bug logged once."""
    if not isinstance(exc, EXPECTED):
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
    problem = problem_of(exc)
    if problem.status == HTTPStatus.METHOD_NOT_ALLOWED:
        problem.headers["Allow"] = allowed_methods(request)
    return error_response(request.url.path, problem.status, problem.errors, problem.headers)


def install(app: FastAPI) -> None:
    """Answer every expected exception of the app through ``answer``.

    The unexpected rest is answered by ``service.http.logs.RequestLog``, outside every
    middleware: a handler of ``Exception`` here would run in Starlette's
    ServerErrorMiddleware, which re-raises after answering, and uvicorn then drops the
    keep-alive connection, so the client's next request on it is reset.
    """
    for kind in EXPECTED:
        app.add_exception_handler(kind, answer)
