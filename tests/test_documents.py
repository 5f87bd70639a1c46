"""The document each incidents row carries: what the writer renders (polars) and what the
migration's default renders from the columns (for rows stored before the column) are the
same JSON, and a list page serves it with the id, acknowledgement and updatedAt around it."""

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickhouse import Store
from clickhouse.sql import query_text
from clickhouse.tables import INCIDENTS as INCIDENTS_SCHEMA
from clickhouse.tables import insert_rows
from ingest.columns import check
from ingest.writer import Rows, Writer
from service.incidents.documents import acknowledgements
from tests.helpers import HEADERS, INCIDENTS, ORG, incident, store_of
from tests.test_columns import items
from vocabulary.timestamps import EARLIEST, LATEST, format_time, to_millis

EARLIEST_NAIVE, LATEST_NAIVE = EARLIEST.replace(tzinfo=None), LATEST.replace(tzinfo=None)

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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.datetimes(EARLIEST_NAIVE, LATEST_NAIVE), min_size=1, max_size=50))
def test_the_engine_renders_times_as_format_time_does(
    shared_store: Store, moments: list[datetime]
) -> None:
    """``_iso_time.sql`` and ``vocabulary.timestamps.format_time``: one rule, two
    renderings (the engine's for documents and exports, Python's for the rest)."""
    millis = [to_millis(m.replace(tzinfo=UTC)) for m in moments]
    rendered = shared_store.client.query(
        "WITH " + query_text("_iso_time") + " SELECT arrayMap(t -> iso_time(t),"
        " arrayMap(t -> toDateTime64(t, 3, 'UTC'), {times:Array(String)}))",
        parameters={"times": [m.strftime("%Y-%m-%d %H:%M:%S.%f") for m in millis]},
    ).result_rows[0][0]
    assert rendered == [format_time(m) for m in millis]


_USER_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_USER_TEXT, st.none() | _USER_TEXT)
def test_the_engine_renders_an_acknowledgement_as_its_json(
    shared_store: Store, user_id: str, email: str | None
) -> None:
    """The export's acknowledgement members (``export_acks.sql``, rendered by the engine)
    are the page's (rendered in Python), whatever the user's id and email hold (quotes,
    backslashes, controls, non-ASCII)."""
    org = f"ack-{uuid4().hex}"
    at = datetime(2024, 5, 6, 7, 8, 9, 10000, UTC)
    insert_rows(
        shared_store,
        "incident_acks",
        [
            {
                "org_id": org,
                "id": 5,
                "ack_time": at,
                "user_id": user_id,
                "user_email": email,
                "version": 1,
            }
        ],
    )
    exported = shared_store.query("export_acks", {"org": org, "ids": None})
    members = exported.column("ack_members")[0].as_py()
    page = acknowledgements(shared_store, org, [5])[5]
    assert (
        orjson.loads("{" + members + "}")
        == page
        == {
            "ackTime": format_time(at),
            "ackUserId": user_id,
            "ackUserEmail": email,
        }
    )
