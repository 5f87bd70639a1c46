"""The ``incidents`` command: serve the API, apply migrations."""

import logging
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from clickhouse import Store
from clickhouse.migrate import migrate as apply_migrations
from ingest.writer import Writer
from service.app import create_app
from service.gate import org_error
from service.loading import load_with_progress
from service.settings import Settings

cli = typer.Typer(no_args_is_help=True, help="An analytics-first incidents service.")


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Overrides INCIDENTS_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Overrides INCIDENTS_PORT.")] = None,
) -> None:
    """Serve the HTTP API (embedded chDB under INCIDENTS_DATA_DIR unless a URL is set)."""
    settings = Settings()
    updates = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = settings.model_copy(update=updates)
    _logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_level=settings.log_level,
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
def load(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    org: Annotated[
        str | None, typer.Option(help="The tenant to load into; default INCIDENTS_DEFAULT_ORG.")
    ] = None,
    strict: Annotated[bool, typer.Option(help="Stop at the first invalid row.")] = False,
    chunk: Annotated[int, typer.Option(min=1, max=100_000, help="Rows per commit.")] = 10_000,
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
    finally:
        store.close()
    if failed:
        raise typer.Exit(1)


def main() -> None:
    cli()
