"""Statistics endpoints against the oracle's reading of API.md, plus their edges and errors."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import oracle
from tests.helpers import HEADERS, assert_error, incident, org_of, tenant

pytestmark = pytest.mark.integration


def _get(client: TestClient, org: str, path: str, **params: Any) -> Any:
    response = client.get(
        f"/api/v1/statistics{path}", params=params, headers={**HEADERS, "X-Scope-OrgID": org}
    )
    assert response.status_code == 200, response.text
    return response.json()


@st.composite
def windows(draw: st.DrawFn) -> tuple[int, int, int]:
    """``(from, to, buckets)``: short and long spans, one bucket, many, more than seconds."""
    start = oracle.BASE + draw(st.integers(0, 1000))
    span = draw(st.sampled_from((1, 3, 7, 3600, 86400)) | st.integers(1, 200_000))
    count = draw(st.just(1) | st.integers(1, 40) | st.sampled_from((9_999, 10_000)))
    return start, start + span, count


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[tuple[int, int, int], oracle.Plan]:
    window = draw(windows())
    return window, draw(oracle.plans(oracle.moments(*window)))


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    scenario=scenarios(),
    wanted=st.lists(st.sampled_from(oracle.TYPES), max_size=2, unique=True),
    resolution=st.none() | st.sampled_from(oracle.RESOLUTIONS),
    limit=st.integers(1, 4),
)
def test_statistics_match_the_oracle(
    client: TestClient,
    scenario: tuple[tuple[int, int, int], oracle.Plan],
    wanted: list[str],
    resolution: str | None,
    limit: int,
) -> None:
    (start, end, count), plan = scenario
    org, known = oracle.load(client, plan)
    found = known.all()
    window = {"timestampFrom": start, "timestampTo": end}
    narrowed: dict[str, Any] = {"type": wanted} if wanted else {}
    if resolution is not None:
        narrowed["resolution"] = resolution

    # (path, parameters, the oracle's answer) for every endpoint on this data.
    asks: list[tuple[str, dict[str, Any], Any]] = []
    for status in (None, "OPEN", "RESOLVED"):
        asked = {**window, **narrowed, "buckets": count, **({"status": status} if status else {})}
        expected = oracle.types(
            found, start, end, count, wanted=wanted, status=status, resolution=resolution
        )
        asks.append(("/types", asked, expected))
    asks.append(
        ("/severities", {**window, "buckets": count}, oracle.severities(found, start, end, count))
    )
    for status in oracle.STATUSES:
        priorities = oracle.current_priorities(found, status, wanted)
        current = {"status": status, **narrowed_types(wanted)}
        asks.append(("/current/priorities", current, priorities))
        asks.append(("/current", current, {"count": sum(priorities.values())}))
    for kind in oracle.TYPES:
        asks.append((f"/{kind}/count", window, oracle.type_count(found, kind, start, end)))
        top = {"startTimestampFrom": start, "startTimestampTo": end, "limit": limit}
        asks.append(
            (f"/{kind}/top-services", top, oracle.top_services(found, kind, start, end, limit))
        )

    # The reads are independent: side by side, they keep a second core busy.
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda ask: _get(client, org, ask[0], **ask[1]), asks))
    for (path, params, expected), answer in zip(asks, answers, strict=True):
        assert answer == expected, (path, params)


def narrowed_types(wanted: list[str]) -> dict[str, Any]:
    return {"type": ",".join(wanted)} if wanted else {}


def test_an_empty_tenant_has_every_bucket_and_type_at_zero(shared_client: TestClient) -> None:
    client, org = shared_client, org_of(tenant())
    answer = _get(client, org, "/types", timestampFrom=100, timestampTo=110, buckets=4)
    assert answer == [
        {"from": lo, "to": hi, "counts": {"INCIDENT": 0, "ANOMALY": 0, "ALERT": 0}}
        for lo, hi in [(100, 102), (102, 105), (105, 107), (107, 110)]
    ]
    assert _get(client, org, "/severities", timestampFrom=100, timestampTo=110) == [
        {"from": 100, "to": 110, "counts": {}}
    ]
    assert _get(client, org, "/current", status="OPEN") == {"count": 0}
    assert _get(client, org, "/current/priorities", status="RESOLVED") == {}
    assert _get(client, org, "/ALERT/count") == {"OPEN": 0, "RESOLVED": 0}
    assert _get(client, org, "/ALERT/top-services") == []


def test_the_default_window_is_the_day_before_now(client: TestClient) -> None:
    before = int(datetime.now(UTC).timestamp())
    body = incident(startTime=before - 60)
    assert client.post("/api/v1/incidents", json=body, headers=HEADERS).status_code == 200
    (bucket,) = _get(client, HEADERS["X-Scope-OrgID"], "/types")
    assert bucket["to"] - bucket["from"] == 86400
    assert before <= bucket["to"] <= before + 5
    assert bucket["counts"] == {"INCIDENT": 1, "ANOMALY": 0, "ALERT": 0}
    assert _get(client, HEADERS["X-Scope-OrgID"], "/INCIDENT/count") == {"OPEN": 1, "RESOLVED": 0}


def test_a_resolved_then_reopened_incident_counts_as_open_again(client: TestClient) -> None:
    start = oracle.BASE
    body = incident(startTime=start, status="RESOLVED", endTime=start + 10)
    for status in ("RESOLVED", "OPEN"):
        assert (
            client.post(
                "/api/v1/incidents", json={**body, "status": status}, headers=HEADERS
            ).status_code
            == 200
        )
    org = HEADERS["X-Scope-OrgID"]
    window = {"timestampFrom": start, "timestampTo": start + 100, "buckets": 2}
    opened = _get(client, org, "/types", **window)
    assert [b["counts"]["INCIDENT"] for b in opened] == [1, 1]
    resolved = _get(client, org, "/types", **window, status="RESOLVED")
    assert [b["counts"]["INCIDENT"] for b in resolved] == [0, 0]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/types", {"timestampFrom": 10, "timestampTo": 10}, "timestampFrom"),
        ("/types", {"timestampFrom": 11, "timestampTo": 10}, "timestampFrom"),
        ("/types", {"buckets": 0}, "buckets"),
        ("/types", {"buckets": 10_001}, "buckets"),
        ("/types", {"type": "BUG"}, "type[0]"),
        ("/types", {"status": "CLOSED"}, "status"),
        ("/types", {"timestampTo": "soon"}, "timestampTo"),
        ("/types", {"colour": "red"}, "colour"),
        ("/severities", {"timestampFrom": 5, "timestampTo": 1}, "timestampFrom"),
        ("/current", {}, "status"),
        ("/current/priorities", {"status": "OPEN", "type": "BUG"}, "type[0]"),
        ("/BUG/count", {}, "type"),
        ("/ALERT/count", {"buckets": 2}, "buckets"),
        ("/ALERT/top-services", {"limit": 0}, "limit"),
        ("/ALERT/top-services", {"limit": 101}, "limit"),
        (
            "/ALERT/top-services",
            {"startTimestampFrom": 9, "startTimestampTo": 9},
            "startTimestampFrom",
        ),
        ("/BUG/top-services", {}, "type"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    shared_client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    response = shared_client.get(f"/api/v1/statistics{path}", params=params, headers=HEADERS)
    assert_error(response, 400, field)
