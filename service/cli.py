"""The ``incidents`` command: serve the API, apply migrations."""

import logging
from typing import Annotated

import typer
import uvicorn

from clickhouse import Store
from clickhouse.migrate import migrate as apply_migrations
from service.app import create_app
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


def main() -> None:
    cli()
