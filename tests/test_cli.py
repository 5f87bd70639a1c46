"""``incidents serve --workers``: refused on the embedded store, passed to uvicorn on a server.

uvicorn.run is replaced by a recorder so that no server starts; nothing here touches a
database.
"""

import logging
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner
from uvicorn.importer import import_from_string

from service import cli as cli_module
from service.http.metrics import MULTIPROC_ENV

SERVER = "http://default:secret@clickhouse:8123/incidents"


@pytest.fixture
def uvicorn_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """The calls ``serve`` makes to uvicorn.run, each with the metrics directory the
    workers would have seen; the process's logging is restored after."""
    calls: list[tuple[Any, dict[str, Any]]] = []

    def run(app: Any, **options: Any) -> None:
        shared = os.environ.get(MULTIPROC_ENV)
        calls.append((app, {**options, "metrics_dir": shared and os.path.isdir(shared)}))

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield calls
    root.handlers[:] = handlers
    root.setLevel(level)


def invoke(args: list[str], env: dict[str, str]) -> Any:
    return CliRunner().invoke(cli_module.cli, args, env={"INCIDENTS_CLICKHOUSE_URL": "", **env})


@pytest.mark.parametrize(
    ("args", "env"),
    [(["serve", "--workers", "2"], {}), (["serve"], {"INCIDENTS_WORKERS": "3"})],
)
def test_embedded_mode_refuses_several_workers(
    uvicorn_runs: list[tuple[Any, dict[str, Any]]], args: list[str], env: dict[str, str]
) -> None:
    result = invoke(args, env)
    assert result.exit_code == 2
    # Typer may draw the message in a box: compare the words only.
    words = " ".join(re.sub(r"[^\w()/.;'-]+", " ", result.output).split())
    assert "embedded chDB store runs one worker (one process owns a data directory)" in words
    assert "set INCIDENTS_CLICKHOUSE_URL to a ClickHouse server to run several" in words
    assert uvicorn_runs == []


def test_zero_workers_is_a_usage_error(uvicorn_runs: list[tuple[Any, dict[str, Any]]]) -> None:
    assert invoke(["serve", "--workers", "0"], {"INCIDENTS_CLICKHOUSE_URL": SERVER}).exit_code == 2
    assert uvicorn_runs == []


def test_server_mode_runs_several_workers_from_the_factory(
    uvicorn_runs: list[tuple[Any, dict[str, Any]]],
) -> None:
    result = invoke(
        ["serve", "--workers", "4", "--port", "9000"], {"INCIDENTS_CLICKHOUSE_URL": SERVER}
    )
    assert result.exit_code == 0, result.output
    ((app, options),) = uvicorn_runs
    assert app == "service.app:create_app"
    assert options["factory"] is True
    assert options["workers"] == 4
    assert options["port"] == 9000
    assert options["access_log"] is False
    assert options["log_config"]["root"]["handlers"] == ["stderr"]
    # The workers find a metrics directory in their environment; it goes afterwards.
    assert options["metrics_dir"] is True
    assert MULTIPROC_ENV not in os.environ
    factory = import_from_string(app)
    assert isinstance(factory(), FastAPI)


def test_embedded_mode_runs_one_worker(uvicorn_runs: list[tuple[Any, dict[str, Any]]]) -> None:
    result = invoke(["serve"], {})
    assert result.exit_code == 0, result.output
    ((_, options),) = uvicorn_runs
    assert options["workers"] == 1
    assert options["metrics_dir"] is None
