"""The bulk loader: NDJSON, JSON arrays and Parquet, invalid rows reported and skipped."""

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from clickhouse import Store
from ingest.loader import load_file
from ingest.writer import Writer
from service.cli import cli
from service.lists.filters import ListQuery
from tests.helpers import ORG, incident, listed

pytestmark = pytest.mark.integration


def stored(store: Store) -> dict[str, str]:
    documents = listed(store, ORG, ListQuery(pageSize=100))["data"]
    return {d["incidentId"]: d["title"] for d in documents}


def write_ndjson(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def test_ndjson_reports_bad_lines_by_number_and_stores_the_rest(
    store: Store, tmp_path: Path
) -> None:
    rows: list[Any] = [incident(incidentId=f"n{k}", title=f"t{k}") for k in range(7)]
    rows[2] = "{not json"
    rows[4] = incident(incidentId="bad", title="x" * 300)
    rows.insert(5, "")
    source = write_ndjson(tmp_path / "in.ndjson", rows)
    summary = load_file(Writer(store), ORG, source, chunk=3)
    assert [r.number for r in summary.rejected] == [3, 5]
    assert "title" in summary.rejected[1].describe(source, "line")
    assert (summary.rows, summary.stored) == (7, 5)
    assert stored(store) == {f"n{k}": f"t{k}" for k in (0, 1, 3, 5, 6)}


def test_strict_stops_at_the_first_invalid_row(store: Store, tmp_path: Path) -> None:
    rows: list[Any] = [incident(incidentId=f"n{k}") for k in range(6)]
    rows[3] = {"type": "INCIDENT"}
    summary = load_file(Writer(store), ORG, write_ndjson(tmp_path / "in.jsonl", rows), strict=True)
    assert summary.stopped
    assert set(stored(store)) == {"n0", "n1", "n2"}


def test_json_array_and_later_rows_win(store: Store, tmp_path: Path) -> None:
    rows = [incident(title="first"), incident(incidentId="other"), incident(title="last")]
    source = tmp_path / "in.json"
    source.write_text(json.dumps(rows))
    summary = load_file(Writer(store), ORG, source)
    assert (summary.rows, summary.stored, summary.rejected) == (3, 3, [])
    assert stored(store) == {"inc-1": "last", "other": incident()["title"]}


def test_parquet_with_metadata_as_json_text(store: Store, tmp_path: Path) -> None:
    rows = [incident(incidentId=f"p{k}", metadata=json.dumps({"k": k})) for k in range(4)]
    rows[1]["severity"] = "x" * 11
    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    summary = load_file(Writer(store), ORG, source)
    assert [r.number for r in summary.rejected] == [1]
    assert set(stored(store)) == {"p0", "p2", "p3"}


def test_cli_loads_files_and_fails_when_rows_were_invalid(store: Store, tmp_path: Path) -> None:
    good = write_ndjson(tmp_path / "good.ndjson", [incident(incidentId="g")])
    bad = write_ndjson(tmp_path / "bad.ndjson", [incident(incidentId="b"), {"x": 1}])
    env = {
        "INCIDENTS_DATA_DIR": str(store.config.data_dir),
        "INCIDENTS_CLICKHOUSE_URL": store.config.url or "",
        "INCIDENTS_DATABASE": store.database,
        "INCIDENTS_LOG_LEVEL": "warning",
    }
    runner = CliRunner()
    ok = runner.invoke(cli, ["load", str(good), "--org", ORG], env=env)
    assert ok.exit_code == 0, ok.output
    assert "1 stored" in ok.output
    failed = runner.invoke(cli, ["load", str(bad), "--org", ORG], env=env)
    assert failed.exit_code == 1
    assert "bad.ndjson:line 2" in failed.output
    assert set(stored(store)) == {"g", "b"}
    no_org = runner.invoke(cli, ["load", str(good)], env=env)
    assert no_org.exit_code != 0
