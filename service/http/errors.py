"""Typed errors that carry their HTTP status, and the one renderer of the contract's body.

Every non-2xx answer, whatever raised it (a route, validation, routing, the gate
middleware, an unexpected exception), goes out through ``error_response``.
"""

import logging
import uuid
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clickhouse import StoreError, StoreTimeout
from ingest.group import Closed, FlushFailed, Overloaded
from vocabulary.problems import ApiError, FieldError, field_errors

log = logging.getLogger("incidents.errors")


def validation_errors(errors: Sequence[Any]) -> list[FieldError]:
    """Pydantic's errors of a request as (path, message) pairs, request locations dropped."""
    return field_errors(errors, skip=("body", "query", "path", "header"))


def error_body(path: str, status: int, errors: Sequence[FieldError]) -> dict[str, Any]:
    return {
        "message": HTTPStatus(status).phrase,
        "logref": uuid.uuid4().hex,
        "path": path,
        "_links": {"self": {"href": path, "templated": False}},
        "_embedded": {"errors": [{"message": m, "path": p} for p, m in errors]},
    }


def error_response(
    path: str, status: int, errors: Sequence[FieldError], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(path, status, errors), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Route every error the app can raise to the contract's body."""

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(request.url.path, exc.status, exc.errors, exc.headers)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError | ValidationError)
        errors = validation_errors(exc.errors())
        return error_response(request.url.path, HTTPStatus.BAD_REQUEST, errors)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return error_response(
            request.url.path, exc.status_code, [("", detail)], dict(exc.headers or {})
        )

    async def store_failed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StoreError)
        if isinstance(exc, StoreTimeout):
            errors = [("", "the query took too long; narrow the filters or the window")]
            return error_response(
                request.url.path, HTTPStatus.SERVICE_UNAVAILABLE, errors, {"Retry-After": "1"}
            )
        return error_response(
            request.url.path, HTTPStatus.INTERNAL_SERVER_ERROR, [("", "storage failed")]
        )

    async def ingest_refused(request: Request, exc: Exception) -> Response:
        path = request.url.path
        if isinstance(exc, Overloaded):
            errors = [("", "too many writes are queued; retry shortly")]
            retry = {"Retry-After": str(max(1, round(exc.retry_after)))}
            return error_response(path, HTTPStatus.SERVICE_UNAVAILABLE, errors, retry)
        if isinstance(exc, Closed):
            errors = [("", "the service is shutting down; retry on another instance")]
            return error_response(
                path, HTTPStatus.SERVICE_UNAVAILABLE, errors, {"Retry-After": "1"}
            )
        return error_response(
            path, HTTPStatus.INTERNAL_SERVER_ERROR, [("", "the write could not be stored")]
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path, exc_info=exc)
        return error_response(
            request.url.path, HTTPStatus.INTERNAL_SERVER_ERROR, [("", "internal error")]
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(ValidationError, invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(StoreError, store_failed)
    for refusal in (Overloaded, Closed, FlushFailed):
        app.add_exception_handler(refusal, ingest_refused)
    app.add_exception_handler(Exception, unexpected)
