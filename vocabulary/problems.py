"""What is wrong with an input, as (path, message) pairs the contract's error body lists,
and the typed errors that carry them with their HTTP status."""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

FieldError = tuple[str, str]


def field_path(location: Sequence[int | str]) -> str:
    """``("services", 0, "name")`` as ``services[0].name``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def field_errors(errors: Sequence[Any], skip: Sequence[str] = ()) -> list[FieldError]:
    """Pydantic's error dicts as (path, "path: message"); a leading ``skip`` part is dropped."""
    found: list[FieldError] = []
    for error in errors:
        location = list(error.get("loc", ()))
        if location and location[0] in skip:
            location = location[1:]
        path = field_path(location) or "body"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        found.append((path, f"{path}: {message}"))
    return found


class ApiError(Exception):
    """An expected failure with its status and the fields (path, message) it concerns.

    Raised by domain code anywhere below the routes; the HTTP layer renders it.
    """

    status = HTTPStatus.INTERNAL_SERVER_ERROR

    def __init__(self, *errors: FieldError, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors))
        self.errors = list(errors)
        self.headers = headers or {}


class BadRequest(ApiError):
    status = HTTPStatus.BAD_REQUEST


class NotFound(ApiError):
    status = HTTPStatus.NOT_FOUND


class PayloadTooLarge(ApiError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
