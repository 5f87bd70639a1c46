"""The storage layer: migrations, the live schema, tenant isolation under concurrency,
ClickHouse errors by code, where the database's name may come from, and a commit
collapsed before its insert as the engine would collapse it."""

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from clickhouse import Store, StoreBusy, StoreConfig, StoreError, StoreTimeout
from clickhouse.migrate import applied, migrate
from clickhouse.sql import migration_files
from clickhouse.store import NO_COLLAPSE
from clickhouse.tables import SCHEMAS, SORTING_KEYS, collapsed
from ingest.writer import Upsert, Writer
from service.cli import cli
from service.lists.filters import ListQuery
from service.settings import Settings
from tests.helpers import incident, listed
from vocabulary.incident import IncidentIn

pytestmark = pytest.mark.integration


def test_migrations_run_once_and_a_second_run_is_a_no_op(store: Store) -> None:
    names = [name for name, _ in migration_files()]
    assert applied(store) == set(names)
    before = store.query("schema_columns", {"database": store.database})
    assert migrate(store) == []
    assert store.query("schema_columns", {"database": store.database}).equals(before)


@pytest.mark.parametrize(("table", "schema"), SCHEMAS.items())
def test_live_columns_match_what_the_writer_sends(
    store: Store, table: str, schema: pa.Schema
) -> None:
    live = store.query("schema_columns", {"database": store.database})
    columns = [r["name"] for r in live.to_pylist() if r["table"] == table]
    assert columns == schema.names


def test_expected_engines_and_keys(store: Store) -> None:
    live = {
        r["name"]: r for r in store.query("schema_tables", {"database": store.database}).to_pylist()
    }
    assert live["incidents"]["engine"] == "ReplacingMergeTree"
    assert live["incidents"]["sorting_key"] == "org_id, start_time, id, source, incident_id"
    assert live["incidents"]["primary_key"] == "org_id, start_time, id"
    assert "index_granularity = 1024" in live["incidents"]["create_table_query"]
    assert live["incident_keys"]["sorting_key"] == "org_id, id, source, incident_id"
    assert live["incident_notes"]["engine"] == "ReplacingMergeTree"
    for table, key in SORTING_KEYS.items():  # what the writer collapses by
        assert live[table]["engine"] == "ReplacingMergeTree"
        assert live[table]["sorting_key"] == ", ".join(key)
    assert {"incident_acks", "incident_events", "scan_reports", "schema_migrations"} <= set(live)


# Real queries that make the engine refuse for want of capacity, each with the error it
# becomes, ClickHouse's code, and whether another query must be running meanwhile.
CAPACITY_ERRORS = [
    pytest.param(
        "SELECT count() FROM numbers(10000000000) WHERE sipHash64(number) = 1"
        " SETTINGS max_execution_time = 0.001",
        StoreTimeout,
        159,
        False,
        id="TIMEOUT_EXCEEDED",
    ),
    pytest.param(
        "SELECT groupArray(number) FROM numbers(1000000) SETTINGS max_memory_usage = 1000",
        StoreBusy,
        241,
        False,
        id="MEMORY_LIMIT_EXCEEDED",
    ),
    pytest.param(
        "SELECT 1 SETTINGS max_concurrent_queries_for_user = 1",
        StoreBusy,
        202,
        True,
        id="TOO_MANY_SIMULTANEOUS_QUERIES",
    ),
]
# About a second of one block per row, to be in flight while another query starts.
SLOW_QUERY = "SELECT sleepEachRow(0.05) FROM numbers(20) SETTINGS max_block_size = 1"


def _slow_query_running(store: Store) -> bool:
    found = store.client.query(
        "SELECT count() FROM system.processes"
        " WHERE query LIKE '%sleepEachRow%' AND query NOT LIKE '%system.processes%'"
    )
    return bool(found.result_rows[0][0])


@contextmanager
def another_query_running(store: Store) -> Iterator[None]:
    """The block runs while another query of the same user is in flight."""
    thread = threading.Thread(target=store.statement, args=("slow", SLOW_QUERY))
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not _slow_query_running(store):
            assert time.monotonic() < deadline, "the slow query never showed as running"
            time.sleep(0.01)
        yield
    finally:
        thread.join()


@pytest.mark.parametrize(("sql", "failure", "code", "crowded"), CAPACITY_ERRORS)
def test_capacity_errors_are_store_busy_by_code(
    store: Store, sql: str, failure: type[StoreError], code: int, crowded: bool
) -> None:
    crowd = another_query_running(store) if crowded else nullcontext()
    with crowd, pytest.raises(StoreBusy) as refused:
        store.statement("probe", sql)
    assert type(refused.value) is failure
    assert getattr(refused.value.__cause__, "code", None) == code
    assert str(refused.value) == "store operation 'probe' failed"


def test_other_store_errors_do_not_carry_the_server_message(store: Store) -> None:
    with pytest.raises(StoreError) as failed:
        store.statement("broken", "SELECT * FROM no_such_table")
    assert type(failed.value) is StoreError
    assert str(failed.value) == "store operation 'broken' failed"


def test_opening_a_store_runs_no_ddl_and_migrate_creates_its_database(store: Store) -> None:
    fresh = Store(replace(store.config, database=f"test_{uuid.uuid4().hex[:12]}"))

    def exists() -> bool:
        found = store.client.query(
            "SELECT count() FROM system.databases WHERE name = {name:String}",
            parameters={"name": fresh.database},
        )
        return bool(found.result_rows[0][0])

    try:
        assert not exists()
        assert migrate(fresh) == [name for name, _ in migration_files()]
        assert exists()
    finally:
        fresh.close()
        store.statement("drop_fresh", f"DROP DATABASE IF EXISTS `{fresh.database}` SYNC")


@pytest.mark.parametrize(
    "url", ["http://h:8123/bad%60name", "http://h:8123/bad`name", "http://h:8123/a/b"]
)
def test_a_database_named_by_the_url_is_checked_like_the_setting(url: str) -> None:
    with pytest.raises(ValueError, match="is not a database name"):
        StoreConfig(url=url)
    secret_url = url.replace("//", "//user:s3cret@")
    with pytest.raises(ValidationError, match="clickhouse_url") as refused:
        Settings(clickhouse_url=secret_url)
    assert "s3cret" not in str(refused.value)


def test_the_url_database_wins_over_the_setting() -> None:
    assert (
        StoreConfig(url="http://h:8123/from_url", database="set").effective_database == "from_url"
    )
    assert StoreConfig(url="http://h:8123/", database="set").effective_database == "set"
    with pytest.raises(ValueError, match="is not a database name"):
        StoreConfig(database="9lives")


def test_serve_refuses_a_bad_url_database_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: pytest.fail("uvicorn ran"))
    result = CliRunner().invoke(
        cli, ["serve"], env={"INCIDENTS_CLICKHOUSE_URL": "http://h:8123/bad%60name"}
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, ValidationError)
    assert "the database in the URL's path: 'bad%60name' is not a database name" in str(
        result.exception
    )


def test_concurrent_readers_of_different_tenants_never_see_a_foreign_row(store: Store) -> None:
    """One client per thread: a shared chDB connection once mixed up bound parameters."""
    orgs = [f"org{n}" for n in range(6)]
    writer = Writer(store)
    writer.commit(
        [
            Upsert(org, IncidentIn.model_validate(incident(incidentId=f"{org}-{n}", title=org)))
            for org in orgs
            for n in range(15)
        ]
    )
    foreign: list[str] = []
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def read(round_number: int) -> None:
        org = orgs[round_number % len(orgs)]
        result = listed(store, org, ListQuery(pageSize=100))
        titles = {d["title"] for d in result["data"]}
        with lock:
            foreign.extend(t for t in titles if t != org)
            seen[org] = max(seen.get(org, 0), len(result["data"]))

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(read, range(240)))
    assert foreign == []
    assert seen == dict.fromkeys(orgs, 15)


def test_a_query_after_one_that_failed_midway_gets_its_own_answer(
    store: Store, tmp_path: Path
) -> None:
    """On chDB an Arrow answer that fails once its output has begun (here its input
    refused: a number where a text goes) must not leave that output to the next call
    on the same thread (without the fix: "Message metadata too long")."""
    if not store.config.embedded:
        pytest.skip("file() reads this process's files on the embedded engine only")
    refused = tmp_path / "refused.ndjson"
    refused.write_text('{"title": 5}')
    for _ in range(3):
        with pytest.raises(StoreError):
            store.query("json_rows", {"path": str(refused), "structure": "title String"})
        shapes = store.query("json_lines_shapes", {"path": str(refused)})
        assert shapes.to_pylist() == [{"plain": False}]


_EPOCH = datetime(2026, 11, 1, tzinfo=UTC)
_PLAIN: dict[pa.DataType, object] = {
    pa.string(): "",
    pa.uint8(): 0,
    pa.uint64(): 0,
    pa.list_(pa.string()): [],
    pa.timestamp("ms", tz="UTC"): _EPOCH,
}


def _rows(table: str, drawn: list[tuple[int, int, int, int, int]]) -> pa.Table:
    """Rows of ``table`` whose sorting keys come from a few values, so that they repeat,
    with versions that tie; a column outside the key tells equal keys' rows apart."""
    schema = SCHEMAS[table]
    rows = []
    for n, (key, start, version, deleted, tenant) in enumerate(drawn):
        row = {field.name: _PLAIN[field.type] for field in schema}
        row |= {
            "org_id": f"org-{tenant}",
            "id": key % 3,
            "source": f"s{key % 2}",
            "incident_id": f"i{key}",
            "start_time": _EPOCH + timedelta(seconds=start),
            "version": version,
            "resolved_at": _EPOCH + timedelta(seconds=n),  # in both tables, in no key
        }
        if "is_deleted" in row:
            row["is_deleted"] = deleted
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=schema)


@settings(max_examples=40, deadline=None)
@given(
    table=st.sampled_from(sorted(SORTING_KEYS)),
    drawn=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 2),
            st.integers(1, 4),
            st.integers(0, 1),
            st.integers(0, 1),
        ),
        min_size=1,
        max_size=30,
    ),
)
def test_a_commit_collapsed_before_its_insert_stores_what_the_engine_would(
    shared_store: Store, table: str, drawn: list[tuple[int, int, int, int, int]]
) -> None:
    """The same rows inserted into two copies of ``table``: as they come, collapsed by
    the engine, and through ``collapsed`` with the engine's pass off. The raw rows
    stored, read without FINAL, must be the same."""
    rows = _rows(table, drawn)
    copies = {}
    for how in ("engine", "here"):
        copies[how] = name = f"{table}_{how}_{uuid.uuid4().hex}"
        shared_store.client.command(f"CREATE TABLE {name} AS {table}")
    try:
        shared_store.client.insert_arrow(copies["engine"], rows)
        shared_store.client.insert_arrow(
            copies["here"], collapsed(table, rows), settings=NO_COLLAPSE
        )
        stored = {
            how: shared_store.client.query(f"SELECT * FROM {name} ORDER BY ALL").result_rows
            for how, name in copies.items()
        }
        assert stored["here"] == stored["engine"]
        assert len(stored["here"]) == len(
            {tuple(r[c] for c in SORTING_KEYS[table]) for r in rows.to_pylist()}
        )
    finally:
        for name in copies.values():
            shared_store.client.command(f"DROP TABLE {name}")
