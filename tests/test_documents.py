"""The document each incidents row carries: what the writer renders (polars) and what the
migration's default renders from the columns (for rows stored before the column) are the
same JSON, and a list page serves it with the id, acknowledgement and updatedAt around it."""

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickhouse import Store
from clickhouse.tables import INCIDENTS as INCIDENTS_SCHEMA
from ingest.columns import check
from ingest.writer import Rows, Writer
from tests.helpers import HEADERS, INCIDENTS, ORG, incident, store_of
from tests.test_columns import items

pytestmark = pytest.mark.integration


def default_expression(store: Store) -> str:
    """The live default of ``incidents.document``: the migration's text, as ClickHouse
    keeps it (trusted DDL, not request input)."""
    found = store.client.query(
        "SELECT default_expression FROM system.columns"
        " WHERE database = currentDatabase() AND table = 'incidents' AND name = 'document'"
    ).result_rows
    return str(found[0][0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items(), min_size=1, max_size=8), st.integers(0, 10**9))
def test_the_default_renders_the_document_the_writer_stores(
    shared_store: Store, values: list[Any], salt: int
) -> None:
    org = f"doc-{salt}"
    Writer(shared_store).commit([Rows(org, check(values))])
    rows = shared_store.client.query(
        f"SELECT document, {default_expression(shared_store)} FROM incidents"
        # A tombstone carries its new version's document at the old start; FINAL drops it
        # unread.
        " WHERE org_id = {org:String} AND is_deleted = 0",
        parameters={"org": org},
    ).result_rows
    for stored, rendered in rows:
        assert orjson.loads(stored) == orjson.loads(rendered)


def test_a_row_stored_without_its_document_reads_as_one_stored_with_it(
    client: TestClient,
) -> None:
    """A row of the columns alone (as before the document column) gets its document from
    the default, and the list shows it exactly like the writer's own."""
    store = store_of(client)
    body = incident(title='quote " backslash \\ é 🙂', metadata={"n": 1, "nested": [1.5, None]})
    created = client.post(INCIDENTS, json=body, headers=HEADERS).json()
    listed = client.get(INCIDENTS, headers=HEADERS).json()["data"]
    columns = [name for name in INCIDENTS_SCHEMA.names if name != "document"]
    copied_columns = ", ".join("'copy'" if name == "org_id" else name for name in columns)
    store.client.command(
        f"INSERT INTO incidents ({', '.join(columns)}) SELECT {copied_columns}"
        " FROM incidents WHERE org_id = {org:String}",
        parameters={"org": ORG},
    )
    stored = store.client.query("SELECT document FROM incidents WHERE org_id = 'copy'").result_rows[
        0
    ][0]
    copied = client.get(INCIDENTS, headers={"X-Scope-OrgID": "copy"}).json()["data"]
    assert copied == listed
    assert orjson.loads(stored)["title"] == body["title"]
    assert listed[0] == client.get(f"{INCIDENTS}/{created}", headers=HEADERS).json()
