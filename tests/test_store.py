"""The storage layer: migrations, the live schema, tenant isolation under concurrency."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pytest

from clickhouse import Store, StoreError
from clickhouse.migrate import applied, migrate
from clickhouse.sql import migration_files
from clickhouse.tables import SCHEMAS
from ingest.writer import Upsert, Writer
from service.lists.filters import ListQuery
from service.lists.paging import page
from tests.factories import incident
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
    assert {"incident_acks", "incident_events", "scan_reports", "schema_migrations"} <= set(live)


def test_store_errors_do_not_carry_the_server_message(store: Store) -> None:
    with pytest.raises(StoreError) as failed:
        store.statement("broken", "SELECT * FROM no_such_table")
    assert str(failed.value) == "store operation 'broken' failed"


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
        result = page(store, org, ListQuery(pageSize=100))
        titles = {d["title"] for d in result["data"]}
        with lock:
            foreign.extend(t for t in titles if t != org)
            seen[org] = max(seen.get(org, 0), len(result["data"]))

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(read, range(240)))
    assert foreign == []
    assert seen == dict.fromkeys(orgs, 15)
