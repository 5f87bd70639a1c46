"""A JSON request body validated from its raw bytes in one call, refused as FastAPI would.

FastAPI reads a declared body with ``json.loads`` and then validates the Python objects;
pydantic validates the bytes directly, without the objects in between. ``json_body``
declares a route parameter that does the latter. A body it refuses is read again the
way FastAPI reads one, so that the 400 names the same fields with the same messages as
before and as every other route: pydantic words some errors differently for JSON input
(a non-object where a model is expected), and FastAPI places a syntax error at the
character where ``json`` stopped. That second reading runs only for refused bodies.
``service.http.openapi`` documents each such body from the parameter (``JsonBody``).
"""

import email.message
import json
from functools import lru_cache
from typing import Any, Generic, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

Examples = dict[str, dict[str, Any]]
M = TypeVar("M", bound=BaseModel)


@lru_cache(maxsize=64)
def is_json(content_type: str | None) -> bool:
    """FastAPI's rule: ``application/json`` or ``application/*+json``; no type is not JSON."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


class JsonBody(Generic[M]):
    """A dependency that answers the request body as a ``model``."""

    def __init__(self, model: type[M], examples: Examples | None = None) -> None:
        self.model = model
        self.examples = examples

    async def __call__(self, request: Request) -> M:
        raw = await request.body()
        json_typed = is_json(request.headers.get("content-type"))
        if json_typed:
            try:
                return self.model.model_validate_json(raw)
            except ValidationError:
                pass
        return self._as_fastapi_reads(raw, json_typed)

    def _as_fastapi_reads(self, raw: bytes, is_json: bool) -> M:
        """The body read and validated as FastAPI reads a declared body, errors included."""
        if not raw:
            missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
            raise RequestValidationError([missing])
        value: Any = raw
        if is_json:
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as unreadable:
                syntax = {
                    "type": "json_invalid",
                    "loc": ("body", unreadable.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": unreadable.msg},
                }
                raise RequestValidationError([syntax]) from None
            except (ValueError, RecursionError):
                # Not UTF-8, or nested past the interpreter's limit.
                raise HTTPException(400, "There was an error parsing the body") from None
        try:
            return self.model.model_validate(value, from_attributes=True)
        except ValidationError as refused:
            errors = [{**error, "loc": ("body", *error["loc"])} for error in refused.errors()]
            raise RequestValidationError(errors) from None


def json_body(model: type[M], examples: Examples | None = None) -> Any:
    """``Annotated[Model, json_body(Model)]``: the parameter is the validated body."""
    return Depends(JsonBody(model, examples))
