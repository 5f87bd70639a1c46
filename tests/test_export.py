"""Export: the traversed list in every format, CSV quoting, Parquet read back, errors."""

import csv
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from tests.helpers import HEADERS, OTHER, assert_error, create, incident, tenant

pytestmark = pytest.mark.integration
EXPORT = "/api/v1/incidents/export"
FILTERS: list[dict[str, Any]] = [
    {},
    {"status": "RESOLVED"},
    {"service": "cart,db"},
    {"startTimestamp": 1_700_000_050, "endTimestamp": 1_700_000_120},
    {"acknowledged": "true"},
    {"type": "ALERT", "category": "SECURITY"},
]


def traversed(client: TestClient, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every page of GET /incidents, NEXT after NEXT."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "pageSize": 7, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/incidents", params=query, headers=HEADERS).json()
        found += page["data"]
        if not page["paging"]["hasNext"]:
            return found
        cursor = page["paging"]["cursor"]["lastId"]


@pytest.fixture(scope="module")
def stored(module_client: TestClient) -> TestClient:
    client = module_client
    services = (["checkout"], ["cart", "db"], ["db"])
    for n in range(40):
        create(
            client,
            incidentId=f"e{n}",
            startTime=1_700_000_000 + 5 * n,
            type=("INCIDENT", "ALERT")[n % 2],
            category=("SECURITY", "PERFORMANCE", "RELIABILITY")[n % 3],
            status="RESOLVED" if n % 4 == 0 else "OPEN",
            endTime=1_700_000_000 + 5 * n + 30 if n % 4 == 0 else None,
            services=[{"name": s, "namespace": "ns"} for s in services[n % 3]],
            title=f'title {n}, with "quotes"\nand a newline' if n % 5 == 0 else f"title {n}",
            metricNames=["a", "b"] if n % 2 else [],
        )
    listed = traversed(client, {})
    for item in listed[::3]:
        client.post(
            f"/api/v1/incidents/{item['id']}/acknowledge",
            headers={**HEADERS, "User-ID": "u,1", "User-Email": "u@example.com"},
        )
    create(client, OTHER, incidentId="foreign")
    return client


def export(client: TestClient, fmt: str, params: dict[str, Any]) -> Any:
    response = client.get(EXPORT, params={**params, "format": fmt}, headers=HEADERS)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == f'attachment; filename="incidents.{fmt}"'
    return response


@pytest.mark.parametrize("params", FILTERS)
def test_ndjson_is_the_traversed_list(stored: TestClient, params: dict[str, Any]) -> None:
    expected = traversed(stored, params)
    lines = export(stored, "ndjson", params).text.splitlines()
    assert [json.loads(line) for line in lines] == expected
    assert expected or params


def _csv_cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "services":
        return ";".join(f"{s['name']}/{s['namespace']}" for s in value)
    if name == "metricNames":
        return ";".join(value)
    return str(value)


@pytest.mark.parametrize("params", FILTERS)
def test_csv_is_the_traversed_list(stored: TestClient, params: dict[str, Any]) -> None:
    expected = traversed(stored, params)
    text = export(stored, "csv", params).content.decode()
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[0] == "id"
    assert "metadata" not in header
    assert body == [[_csv_cell(c, item[c]) for c in header] for item in expected]


def test_csv_quotes_commas_quotes_and_newlines(stored: TestClient) -> None:
    text = export(stored, "csv", {}).content.decode()
    assert '"title 0, with ""quotes""\nand a newline"' in text
    assert '"u,1"' in text


@pytest.mark.parametrize("params", FILTERS)
def test_parquet_reads_back_as_the_list(stored: TestClient, params: dict[str, Any]) -> None:
    expected = traversed(stored, params)
    table = pq.read_table(io.BytesIO(export(stored, "parquet", params).content))
    assert str(table.schema.field("startTime").type) == "timestamp[ms, tz=UTC]"
    assert str(table.schema.field("services").type).startswith("list<")
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [item["id"] for item in expected]
    for row, item in zip(rows, expected, strict=True):
        assert row["services"] == item["services"]
        assert row["metricNames"] == item["metricNames"]
        assert row["title"] == item["title"]
        assert row["ackUserId"] == item["ackUserId"]
        for name in ("startTime", "endTime", "resolvedAt", "ackTime", "updatedAt"):
            moment = row[name]
            shown = None if moment is None else moment.isoformat(timespec="milliseconds")
            assert shown == (None if item[name] is None else _millis(item[name])), name


def _millis(text: str) -> str:
    """ISO text with a Z as isoformat(timespec=milliseconds) shows it."""
    body = text.removesuffix("Z")
    return (body if "." in body else body + ".000") + "+00:00"


def test_another_tenant_exports_only_its_own(stored: TestClient) -> None:
    response = stored.get(EXPORT, headers=OTHER)
    assert [json.loads(line)["incidentId"] for line in response.text.splitlines()] == ["foreign"]
    assert stored.get(EXPORT, headers=tenant()).content == b""


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"pageSize": 5}, "pageSize"),
        ({"cursor": 1}, "cursor"),
        ({"type": "BUG"}, "type[0]"),
        ({"startTimestamp": "soon"}, "startTimestamp"),
    ],
)
def test_bad_parameters_are_400(
    shared_client: TestClient, params: dict[str, Any], field: str
) -> None:
    assert_error(shared_client.get(EXPORT, params=params, headers=tenant()), 400, field)


def test_the_tenant_is_required(shared_client: TestClient) -> None:
    assert_error(shared_client.get(EXPORT), 401, "X-Scope-OrgID")


def test_an_export_of_many_blocks_is_the_list_in_every_format(shared_client: TestClient) -> None:
    """10,000 incidents, every seventh acknowledged: more blocks than one in each format,
    and each row keeps its own acknowledgement across block boundaries."""
    client, headers = shared_client, tenant()
    body = [
        incident(incidentId=f"m{n}", startTime=1_700_000_000 + n, title=f"t{n}")
        for n in range(10_000)
    ]
    answer = client.post("/api/v1/incidents/batch", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    ids = answer.json()["ids"]
    acked = ids[::7]
    for start in range(0, len(acked), 1000):
        answer = client.post(
            "/api/v1/incidents/acknowledge",
            json={"ids": acked[start : start + 1000]},
            headers={**headers, "User-ID": "bulk"},
        )
        assert answer.status_code == 200, answer.text
    newest_first = ids[::-1]

    def exported(fmt: str) -> bytes:
        response = client.get(EXPORT, params={"format": fmt}, headers=headers)
        assert response.status_code == 200, response.text
        return response.content

    documents = [json.loads(line) for line in exported("ndjson").splitlines()]
    assert [d["id"] for d in documents] == newest_first
    assert [d["title"] for d in documents] == [f"t{n}" for n in range(9_999, -1, -1)]
    assert {d["id"] for d in documents if d["ackUserId"] == "bulk"} == set(acked)
    rows = list(csv.DictReader(io.StringIO(exported("csv").decode(), newline="")))
    assert [int(r["id"]) for r in rows] == newest_first
    assert [r["ackTime"] for r in rows] == [d["ackTime"] or "" for d in documents]
    table = pq.read_table(io.BytesIO(exported("parquet"))).to_pylist()
    assert [r["id"] for r in table] == newest_first
    assert [r["ackUserId"] for r in table] == [d["ackUserId"] for d in documents]
