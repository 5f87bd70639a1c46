"""The app factory: settings in, a FastAPI app out, its store opened by the lifespan."""

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from anyio import to_thread
from fastapi import FastAPI

from clickhouse import Store
from clickhouse.migrate import migrate
from clickhouse.retention import RetentionPolicy, apply_retention, keep_purging
from ingest.compaction import CompactionPolicy, Compactor
from ingest.group import GroupCommit
from ingest.writer import Writer
from service.acknowledgements import routes as acknowledgements
from service.analytics import routes as analytics
from service.http import docs, errors, openapi, probes
from service.http.context import Services
from service.http.gate import Gate
from service.http.logs import RequestLog
from service.http.metrics import Metrics, RequestMetrics
from service.http.metrics import router as metrics_router
from service.incidents import routes as incidents
from service.incidents.direct import DirectWrites
from service.integrations import routes as integrations
from service.lists import routes as lists
from service.locks import StripedLocks
from service.notes import routes as notes
from service.scans import routes as scans
from service.settings import Settings
from service.ui import routes as ui
from vocabulary.identity import NoteIds

log = logging.getLogger("incidents.app")


def retention_policy(settings: Settings) -> RetentionPolicy:
    return RetentionPolicy(
        default_days=settings.retention_days,
        resolved_days=settings.retention_resolved_days,
        days_by_type={kind.value: days for kind, days in settings.retention_days_by_type.items()},
    )


def open_services(settings: Settings) -> Services:
    """Open the store, bring its schema up to date, build the writer on it and start the
    group commit's flusher thread (``Services.ingest.close`` stops it)."""
    store = Store(settings.store_config())
    try:
        ran = migrate(store)
        retained = apply_retention(store, retention_policy(settings))
    except Exception:
        store.close()
        raise
    log.info("store %s ready; migrations applied: %s", store.config.describe(), ran or "none")
    log.info("retention TTLs changed on: %s", retained or "none")
    writer = Writer(store)
    ingest = GroupCommit(writer, settings.group_settings()).start()
    return Services(settings, store, writer, ingest, StripedLocks(), NoteIds())


@contextmanager
def default_thread_limit(total: int) -> Iterator[None]:
    """Set AnyIO's default thread limiter (the running event loop's) to ``total`` threads
    for the duration, and put back what it was on exit."""
    limiter = to_thread.current_default_thread_limiter()
    previous, limiter.total_tokens = limiter.total_tokens, total
    try:
        yield
    finally:
        limiter.total_tokens = previous


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = open_services(settings)
        app.state.services = services
        services.store.observers.append(metrics.observe_query)
        metrics.register_ingest(services.ingest.stats)
        background = [asyncio.create_task(keep_purging(services.store, retention_policy(settings)))]
        if settings.compaction and services.store.config.embedded:
            policy = CompactionPolicy(idle_seconds=settings.compaction_idle_seconds)
            compactor = Compactor(services.store, services.ingest.stats, policy)
            background.append(asyncio.create_task(compactor.run()))
        # What start-up made (the engine, the app, its schemas) lives as long as the process:
        # frozen, the collector stops walking it on every full collection, which under
        # load took a fifth of the event loop's time (benchmarks/README.md, single writes).
        gc.freeze()
        try:
            # Plain def routes (reads, acknowledgements, notes, batches) run on AnyIO's
            # thread pool; single writes await their commit on the loop and hold none.
            with default_thread_limit(settings.threads):
                yield
        finally:
            for task in background:
                task.cancel()
            # Uvicorn has finished the requests in flight; commit what is still queued.
            if not services.ingest.close(timeout=settings.shutdown_timeout_seconds):
                log.error("queued writes were not committed within the shutdown timeout")
            services.store.close()

    app = FastAPI(
        title="incidents",
        version="1",
        summary="An analytics-first incidents service on ClickHouse.",
        description=openapi.DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.metrics = metrics
    errors.install(app)
    app.include_router(metrics_router)
    for routes in (
        probes,
        lists,
        incidents,
        acknowledgements,
        notes,
        scans,
        analytics,
        integrations,
    ):
        app.include_router(routes.router)
    openapi.install(app)
    docs.install(app)
    ui.install(app)
    # The last added runs first: request log, metrics, gate, then the direct single write.
    app.add_middleware(DirectWrites)
    app.add_middleware(Gate, settings=settings)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(RequestLog)
    return app
