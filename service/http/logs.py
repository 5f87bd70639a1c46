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
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.requests import Request

from service.http import errors
from service.http.gate import ASGIApp, Message, Receive, Scope, Send
from service.http.ids import random_id

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_KEY = REQUEST_ID_HEADER.lower().encode("latin-1")
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
    return random_id()


def _dumps(entry: dict[str, Any]) -> str:
    try:
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        # orjson refuses what JSON can say but 64 bits cannot hold (huge integers).
        return json.dumps(entry, default=str, ensure_ascii=False)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request and tenant.

    Every request writes one (the access line), so it is built for cost: orjson, and
    the time's date and seconds formatted once per second.
    """

    _second: tuple[int, str] = (-1, "")

    def _time(self, created: float) -> str:
        """``created`` as ISO 8601 UTC to the millisecond: 2024-05-01T14:05:00.123+00:00."""
        second = int(created)
        if self._second[0] != second:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
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
        return _dumps(entry)


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
        request_id = (_REQUEST_ID_KEY, info.request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = True
                # Nothing inside sets this header, so it is added, not replaced.
                message["headers"] = [*message.get("headers", ()), request_id]
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
            # Built by hand, not with ``access_log.info``: that looks up the calling frame
            # for every record (about half its cost), and no formatter here prints it.
            if access_log.isEnabledFor(logging.INFO):
                method, path = scope.get("method"), scope.get("path")
                fields = {
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                }
                access_log.handle(
                    access_log.makeRecord(
                        access_log.name,
                        logging.INFO,
                        __file__,
                        0,
                        "%s %s %s",
                        (method, path, status),
                        None,
                        extra=fields,
                    )
                )


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode("latin-1")
    for key, value in scope.get("headers", ()):
        if key.lower() == wanted:
            return str(value.decode("latin-1"))
    return None
