"""Structured logs: one JSON object per line, a request id per request, one access line.

Every record carries the request id and the tenant of the request it was logged under
(a context variable, which FastAPI copies into the thread that runs a plain ``def``
route). The request id is the caller's ``X-Request-ID`` when it is safe to log and echo,
else a new one, and goes back in the response header. This module never logs bodies.
"""

import json
import logging
import logging.config
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import Request

from service.http import errors
from service.http.gate import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is echoed into a header and every log line, so only a short, plain one
# is taken as it is; anything else is replaced rather than cleaned.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# What a LogRecord holds on its own; any other attribute came as ``extra`` and is logged.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# uvicorn adds an ANSI-coloured copy of its message to its records.
_DROPPED_FIELDS = frozenset({"color_message"})

access_log = logging.getLogger("incidents.access")


@dataclass(frozen=True)
class RequestInfo:
    """The request a log record belongs to; ``state`` is the ASGI scope's state, where
    the gate puts the tenant it admitted (after this middleware has started)."""

    request_id: str
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def org_id(self) -> str | None:
        org = self.state.get("org_id")
        return org if isinstance(org, str) else None


_current: ContextVar[RequestInfo | None] = ContextVar("incidents_request", default=None)


def request_id_from(header: str | None) -> str:
    """The caller's request id when it is safe to echo and log, else a fresh one."""
    if header is not None and _SAFE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request and tenant."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        info = _current.get()
        if info is not None:
            entry["request_id"] = info.request_id
            entry["org_id"] = info.org_id
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in _DROPPED_FIELDS:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str) -> dict[str, Any]:
    """A ``dictConfig`` for the process: JSON lines on stderr, uvicorn's loggers included.

    Given to uvicorn as ``log_config`` so that every worker process it spawns sets up the
    same logging; uvicorn's own access log is switched off by the caller (this module
    writes one access line per request instead).
    """
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def setup_logging(level: str) -> None:
    logging.config.dictConfig(logging_config(level))


class RequestLog:
    """ASGI middleware: request id in and out, context for log records, one access line,
    and the 500 answer to an exception that escaped everything inside it.

    It runs outside the gate, so refused requests are logged too; the tenant appears
    once the gate has admitted it. The context variable is set and not reset: uvicorn
    runs each request in a task of its own. An escaping exception is answered here, the
    outermost layer the app owns, rather than re-raised to Starlette, which would answer
    and re-raise it to uvicorn, which logs it a second time and drops the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = _header(scope, REQUEST_ID_HEADER.lower())
        info = RequestInfo(request_id_from(sent), scope.setdefault("state", {}))
        _current.set(info)
        started = time.perf_counter()
        status = 500
        answered = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = info.request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if answered:
                # Half an answer is out: only dropping the connection tells the client.
                raise
            response = await errors.answer(Request(scope), exc)
            await response(scope, receive, send_with_id)
        finally:
            access_log.info(
                "%s %s %s",
                scope.get("method"),
                scope.get("path"),
                status,
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                },
            )


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None
