"""``incidents schema``: the DDL a fresh database gets, printed without opening a store.

The one-node output is checked by running it: executed statement by statement on a fresh
database it gives the live schema that ``migrate`` gives. The cluster output cannot run
here (no cluster), so it is checked to be what ``migrate`` would run ON CLUSTER and parsed
by ClickHouse itself (``EXPLAIN AST``), as tests/test_cluster.py does.
"""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from clickhouse import Store
from clickhouse.migrate import planned_statements
from clickhouse.sql import statements
from service import cli as cli_module

# Settings that name no server and no cluster, whatever the environment says.
PLAIN = {"INCIDENTS_CLICKHOUSE_URL": "", "INCIDENTS_CLUSTER": ""}


def schema(args: list[str], env: dict[str, str]) -> Any:
    result = CliRunner().invoke(cli_module.cli, ["schema", *args], env={**PLAIN, **env})
    return result


def printed(args: list[str], env: dict[str, str]) -> list[str]:
    """The statements ``incidents schema`` prints, split as the migration runner splits."""
    result = schema(args, env)
    assert result.exit_code == 0, result.output
    return statements(result.output)


def live_schema(store: Store) -> dict[str, Any]:
    """Per table: its columns and types, engine and keys."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for row in store.query("schema_columns", {"database": store.database}).to_pylist():
        columns.setdefault(row["table"], []).append((row["name"], row["type"]))
    tables = store.query("schema_tables", {"database": store.database}).to_pylist()
    return {
        row["name"]: (columns[row["name"]], row["engine"], row["sorting_key"], row["primary_key"])
        for row in tables
    }


@pytest.mark.integration
def test_the_printed_schema_run_by_hand_is_what_migrate_makes(store: Store, tmp_path: Path) -> None:
    """``store`` is a fresh database migrated by ``migrate``; the printed DDL builds another."""
    found = printed([], {"INCIDENTS_DATA_DIR": str(tmp_path / "unused")})
    by_hand = Store(replace(store.config, database=f"{store.database}_by_hand"))
    try:
        by_hand.create_database()
        for number, statement in enumerate(found):
            by_hand.statement(f"printed_{number}", statement)
        assert live_schema(by_hand) == live_schema(store)
    finally:
        by_hand.statement("drop_by_hand", f"DROP DATABASE IF EXISTS `{by_hand.database}` SYNC")
        by_hand.close()


@pytest.mark.integration
def test_the_cluster_schema_is_what_migrate_runs_on_cluster_and_parses(
    store: Store, tmp_path: Path
) -> None:
    env = {"INCIDENTS_DATA_DIR": str(tmp_path / "unused")}
    found = printed(["--cluster", "prod", "--database", "live"], env)
    assert found == [s for _, step in planned_statements("prod", "live") for s in step]
    assert found[0] == "CREATE DATABASE IF NOT EXISTS `live` ON CLUSTER 'prod'"
    assert all(" ON CLUSTER 'prod'" in statement for statement in found)
    assert any("Distributed('prod', 'live', 'incidents_local'" in s for s in found)
    for number, statement in enumerate(found):
        store.statement(f"parse_{number}", f"EXPLAIN AST {statement}")


def test_the_cluster_and_database_come_from_the_settings_when_not_given(tmp_path: Path) -> None:
    env = {"INCIDENTS_CLUSTER": "{cluster}", "INCIDENTS_DATABASE": "ops"}
    found = printed([], {"INCIDENTS_DATA_DIR": str(tmp_path), **env})
    assert found == [s for _, step in planned_statements("{cluster}", "ops") for s in step]


def test_printing_the_schema_opens_no_store(tmp_path: Path) -> None:
    """An embedded store would make its data directory; a server store would be asked,
    and there is none at this address. The database named in the URL's path wins, as it
    does for ``migrate``."""
    data_dir = tmp_path / "must-not-exist"
    result = schema([], {"INCIDENTS_DATA_DIR": str(data_dir)})
    assert result.exit_code == 0, result.output
    assert not data_dir.exists()
    server = {"INCIDENTS_CLICKHOUSE_URL": "http://nobody@127.0.0.1:9/remote"}
    result = schema(["--cluster", "prod", "--database", "ignored"], server)
    assert result.exit_code == 0, result.output
    assert "CREATE DATABASE IF NOT EXISTS `remote` ON CLUSTER 'prod';" in result.output


@pytest.mark.parametrize("args", [["--cluster", "a'b"], ["--database", "x`y"]])
def test_names_that_cannot_go_into_ddl_are_a_usage_error(args: list[str], tmp_path: Path) -> None:
    result = schema(args, {"INCIDENTS_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 2
    assert "CREATE" not in result.output
