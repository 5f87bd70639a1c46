"""Prometheus metrics: HTTP requests, store queries, errors, and the ingest queue.

Labels are bounded by construction: routes are the app's path templates (an unmatched
path counts as ``<unmatched>``), queries are the names of the package's SQL files and
operations, errors are status classes and exception class names. Each app owns its own
registry, so that several apps in one process (tests) do not collide.

With several uvicorn workers every worker counts on its own; when
``PROMETHEUS_MULTIPROC_DIR`` is set (``incidents serve --workers N`` sets it) the
values live in files there and ``/metrics`` adds up every worker's.
"""

import os
import threading
import time

from fastapi import APIRouter, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from ingest.stats import IngestSnapshot, IngestStats
from service.http.gate import ASGIApp, Message, Receive, Scope, Send

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "<unmatched>"
# Seconds; from a cached point read (about 1 ms) to a slow aggregate or a large batch.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_ROWS = (1, 10, 100, 1_000, 10_000, 100_000)


class IngestMetrics:
    """The group-commit queue's numbers (``ingest.stats.IngestStats``) as Prometheus series.

    Batch sizes and flush latency are observed as each flush succeeds (the stats'
    ``flush_observers``); the counts kept as plain numbers (queue depth, rejected rows,
    failed flushes) are copied over as deltas after each flush and before each scrape,
    which keeps them right in multiprocess mode too, where only these metric objects
    (not the stats) reach ``/metrics``.
    """

    def __init__(self, registry: CollectorRegistry, stats: IngestStats) -> None:
        self._stats = stats
        self._seen = IngestSnapshot()
        self._lock = threading.Lock()
        self._depth = Gauge(
            "incidents_ingest_queue_rows",
            "Rows waiting in the group-commit queue.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self._batch_rows = Histogram(
            "incidents_ingest_batch_rows",
            "Rows per committed batch.",
            buckets=_ROWS,
            registry=registry,
        )
        self._flush = Histogram(
            "incidents_ingest_flush_seconds",
            "Time to commit one batch.",
            buckets=_BUCKETS,
            registry=registry,
        )
        self._rejected = Counter(
            "incidents_ingest_rejected_rows",
            "Rows refused because the queue was full (answered 503).",
            registry=registry,
        )
        self._failed_flushes = Counter(
            "incidents_ingest_failed_flushes",
            "Batches whose commit failed (every waiting request got an error).",
            registry=registry,
        )
        self._failed_rows = Counter(
            "incidents_ingest_failed_rows",
            "Rows in batches whose commit failed.",
            registry=registry,
        )
        stats.flush_observers.append(self._flushed)

    def _flushed(self, rows: int, seconds: float) -> None:
        self._batch_rows.observe(rows)
        self._flush.observe(seconds)
        self.sync()

    def sync(self) -> None:
        """Copy what the stats counted since the last copy."""
        with self._lock:
            now, seen = self._stats.snapshot(), self._seen
            self._depth.set(now.queue_rows)
            self._rejected.inc(now.rejected_rows - seen.rejected_rows)
            self._failed_flushes.inc(now.failed_flushes - seen.failed_flushes)
            self._failed_rows.inc(now.failed_rows - seen.failed_rows)
            self._seen = now


class Metrics:
    """The app's registry and every metric the service exports."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self._requests = Counter(
            "incidents_http_requests_total",
            "HTTP requests, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "incidents_http_request_duration_seconds",
            "HTTP request latency, by method, route template and status.",
            ["method", "route", "status"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._errors = Counter(
            "incidents_http_errors_total",
            "Failed requests, by route, status class (4xx, 5xx) and the exception class "
            "that escaped the app (none when the app answered the error itself).",
            ["route", "status_class", "exception"],
            registry=self.registry,
        )
        self._queries = Histogram(
            "incidents_clickhouse_query_duration_seconds",
            "Store operations (named queries, commands, inserts), by name and outcome.",
            ["query", "ok"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.ingest: IngestMetrics | None = None
        # The labelled series of each (method, route, status), looked up once: a lookup
        # through ``labels`` takes a lock and checks the labels on every request.
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe_query(self, operation: str, seconds: float, ok: bool) -> None:
        """A ``clickhouse.store.QueryObserver``: add it to ``Store.observers``."""
        self._queries.labels(operation, str(ok).lower()).observe(seconds)

    def observe_request(
        self, method: str, route: str, status: int, seconds: float, exception: str | None
    ) -> None:
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            code = str(status)
            series = (
                self._requests.labels(method, route, code),
                self._latency.labels(method, route, code),
            )
            self._series[key] = series
        series[0].inc()
        series[1].observe(seconds)
        if status >= 400 or exception is not None:
            self._errors.labels(route, f"{str(status)[0]}xx", exception or "none").inc()

    def register_ingest(self, stats: IngestStats) -> IngestMetrics:
        """Export the group-commit queue's ``stats`` (once per app)."""
        if self.ingest is not None:
            raise ValueError("this app's ingest metrics are already registered")
        self.ingest = IngestMetrics(self.registry, stats)
        return self.ingest

    def render(self) -> bytes:
        """The Prometheus text exposition of this app (of every worker, in multiprocess
        mode)."""
        if self.ingest is not None:
            self.ingest.sync()
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


class RequestMetrics:
    """ASGI middleware: counts and times every HTTP request by its route template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        exception: str | None = None

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except Exception as exc:
            exception = type(exc).__name__
            status = 500
            raise
        finally:
            # The template without convertors: /incidents/{id}, not /incidents/{id:int}.
            route = getattr(scope.get("route"), "path_format", UNMATCHED)
            self.metrics.observe_request(
                scope.get("method", ""), route, status, time.perf_counter() - started, exception
            )


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus text; outside ``/api/v1``, so it takes no tenant."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE)
