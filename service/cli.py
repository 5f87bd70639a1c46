"""The ``incidents`` command: serve the API, apply migrations, print the schema, load files."""

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from clickhouse import Store
from clickhouse.migrate import migrate as apply_migrations
from clickhouse.migrate import planned_statements
from ingest.compaction import compact
from ingest.loader import CHUNK
from ingest.writer import Writer
from service.http.gate import org_error
from service.http.logs import logging_config, setup_logging
from service.http.metrics import MULTIPROC_ENV
from service.progress import load_with_progress
from service.settings import Settings

# The event loop: asyncio's own, not uvloop. Under 1,000 connections on two cores uvloop
# starved some connections for the whole run (the bare app, benchmarks.loops: p99 8.8 s,
# max 15.0 s; asyncio 250-265 ms, max 255-284 ms, 4-6% slower) and single writes at 64
# connections were no faster with it (benchmarks/README.md, overload).
LOOP = "asyncio"
HTTP = "httptools"

cli = typer.Typer(no_args_is_help=True, help="An analytics-first incidents service.")


def _logging(level: str) -> None:
    setup_logging(level)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides INCIDENTS_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides INCIDENTS_PORT.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Overrides INCIDENTS_WORKERS (server mode only).")
    ] = None,
) -> None:
    """Serve the HTTP API (embedded chDB under INCIDENTS_DATA_DIR unless a URL is set)."""
    settings = Settings()
    given = {"host": host, "port": port, "workers": workers}
    settings = settings.model_copy(update={k: v for k, v in given.items() if v is not None})
    if settings.workers > 1 and not settings.clickhouse_url:
        raise typer.BadParameter(
            "the embedded chDB store runs one worker (one process owns a data directory); "
            "set INCIDENTS_CLICKHOUSE_URL to a ClickHouse server to run several",
            param_hint="'--workers' / INCIDENTS_WORKERS",
        )
    _logging(settings.log_level)
    with contextlib.ExitStack() as cleanup:
        if settings.workers > 1 and not os.environ.get(MULTIPROC_ENV):
            # Each worker counts its own metrics; a directory they share lets /metrics add
            # them up. Workers read it from the environment when they import the client.
            metrics_dir = tempfile.TemporaryDirectory(prefix="incidents-metrics-")
            os.environ[MULTIPROC_ENV] = cleanup.enter_context(metrics_dir)
            cleanup.callback(os.environ.pop, MULTIPROC_ENV, None)
        # An import string and a factory: uvicorn's workers each build the app from the
        # environment. Its own access log is off (service.http.logs writes one line a request).
        uvicorn.run(
            "service.app:create_app",
            factory=True,
            workers=settings.workers,
            host=settings.host,
            port=settings.port,
            loop=LOOP,
            http=HTTP,
            log_level=settings.log_level,
            log_config=logging_config(settings.log_level),
            access_log=False,
        )


@cli.command()
def migrate() -> None:
    """Apply pending migrations and exit."""
    settings = Settings()
    _logging(settings.log_level)
    store = Store(settings.store_config())
    try:
        ran = apply_migrations(store)
    finally:
        store.close()
    typer.echo(f"applied: {', '.join(ran)}" if ran else "up to date")


@cli.command()
def schema(
    cluster: Annotated[
        str | None, typer.Option(help="Render for this cluster; overrides INCIDENTS_CLUSTER.")
    ] = None,
    database: Annotated[str | None, typer.Option(help="Overrides INCIDENTS_DATABASE.")] = None,
) -> None:
    """Print the DDL `migrate` runs on a fresh database, connecting to nothing."""
    given: dict[str, Any] = {"cluster": cluster, "database": database}
    try:
        # Settings made with the options, not updated by them: so that they are validated.
        settings = Settings(**{k: v for k, v in given.items() if v is not None})
        name = settings.store_config().effective_database
        steps = planned_statements(settings.cluster, name)
    except ValueError as bad:
        raise typer.BadParameter(str(bad)) from None
    where = f"ON CLUSTER '{settings.cluster}'" if settings.cluster else "on one node"
    typer.echo(f"-- What `incidents migrate` runs {where} for a fresh database `{name}`,")
    typer.echo("-- after creating that database on the node it connects to.")
    for step, found in steps:
        typer.echo(f"\n-- {step}")
        for statement in found:
            typer.echo(f"{statement};")


@cli.command()
def load(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[
        str | None, typer.Option(help="The tenant to load into; default INCIDENTS_DEFAULT_ORG.")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Stop at the first invalid row.")] = False,
    chunk: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per commit.")] = CHUNK,
) -> None:
    """Load NDJSON, JSON-array or Parquet files of incidents into the store."""
    settings = Settings()
    _logging(settings.log_level)
    tenant = org or settings.default_org
    problem = org_error(tenant)
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="'--org'")
    assert tenant is not None
    store = Store(settings.store_config())
    failed = False
    try:
        apply_migrations(store)
        writer = Writer(store)
        for path in files:
            summary = load_with_progress(writer, tenant, path, chunk=chunk, strict=strict)
            failed = failed or bool(summary.rejected)
            if summary.stopped:
                break
        if store.config.embedded:
            typer.echo("compacting the tables a list page reads ...", err=True)
            typer.echo(f"compacted in {compact(store):.1f} s", err=True)
    finally:
        store.close()
    if failed:
        raise typer.Exit(1)


def main() -> None:
    cli()
