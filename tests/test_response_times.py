"""Response times against a plain-Python reading of API.md on generated data."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickhouse import Store
from clickhouse.tables import insert_rows
from service.analytics.response_times import bucket_documents
from tests import oracle
from tests.helpers import HEADERS, assert_error, incident, store_of, tenant

pytestmark = pytest.mark.integration
PATH = "/api/v1/statistics/response-times"
GROUPS = (None, "type", "category", "severity", "priority", "source", "service")


def exact(values: list[int], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, q * len(ordered) // 100)] / 1000


def durations(values: list[int]) -> dict[str, float | None]:
    if not values:
        return dict.fromkeys(("mean", "p50", "p90", "p95"))
    return {
        "mean": sum(values) / len(values) / 1000,
        **{f"p{q}": exact(values, q) for q in (50, 90, 95)},
    }


def keys_of(incident: oracle.Known, group: str | None) -> Sequence[str | None]:
    if group is None:
        return [None]
    if group == "service":
        return [*sorted({name for name, _ in incident.services})]
    return [getattr(incident, group)]


def expected(
    incidents: list[oracle.Known],
    first_acks: dict[int, int],
    start: int,
    end: int,
    count: int,
    group: str | None,
    types: list[str],
) -> list[dict[str, Any]]:
    answer = []
    for lo, hi in oracle.buckets(start, end, count):
        cells: dict[Any, list[oracle.Known]] = defaultdict(list)
        for i in incidents:
            if lo * 1000 <= oracle.millis(i.start) < hi * 1000 and (not types or i.type in types):
                for key in keys_of(i, group):
                    cells[key].append(i)
        groups = []
        for key, members in cells.items():
            ttas = [
                max(0, first_acks[i.id] - oracle.millis(i.start))
                for i in members
                if i.id in first_acks
            ]
            ttrs = [
                max(0, oracle.millis(i.resolved_at) - oracle.millis(i.start))
                for i in members
                if i.status == "RESOLVED" and i.resolved_at is not None
            ]
            groups.append(
                {
                    "key": key,
                    "count": len(members),
                    "acknowledged": len(ttas),
                    "resolved": len(ttrs),
                    "timeToAcknowledge": durations(ttas),
                    "timeToResolve": durations(ttrs),
                }
            )
        groups.sort(key=lambda g: (-g["count"], g["key"] or ""))
        answer.append({"from": lo, "to": hi, "groups": groups})
    return answer


def acknowledge(store: Store, org: str, acks: list[tuple[int, int]]) -> dict[int, int]:
    """Write (id, ack time in ms) rows, several per incident; the first of each stands."""
    rows = [
        {
            "org_id": org,
            "id": incident_id,
            "ack_time": oracle.at_millis(at),
            "user_id": "u",
            "user_email": None,
            "version": n + 1,
        }
        for n, (incident_id, at) in enumerate(acks)
    ]
    if rows:
        insert_rows(store, "incident_acks", rows)
    first: dict[int, int] = {}
    for incident_id, at in acks:
        first[incident_id] = min(at, first.get(incident_id, at))
    return first


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=oracle.plans(oracle.moments(oracle.BASE, oracle.BASE + 3600, 4), most=12),
    count=st.sampled_from((1, 2, 4, 7)),
    offsets=st.lists(st.integers(-10_000_000, 10_000_000), max_size=20),
    types=st.lists(st.sampled_from(oracle.TYPES), max_size=2, unique=True),
    data=st.data(),
)
def test_response_times_match_the_oracle(
    client: TestClient,
    plan: oracle.Plan,
    count: int,
    offsets: list[int],
    types: list[str],
    data: st.DataObject,
) -> None:
    org, known = oracle.load(client, oracle.Plan(plan.versions, []))
    incidents = known.all()
    # Acknowledgements before the start (negative times), ties, repeats.
    acks = []
    for offset in offsets:
        if incidents:
            chosen = data.draw(st.sampled_from(incidents))
            acks.append((chosen.id, oracle.millis(chosen.start) + offset))
    first = acknowledge(store_of(client), org, acks)
    start, end = oracle.BASE, oracle.BASE + 3600
    for group in GROUPS:
        params: dict[str, Any] = {"timestampFrom": start, "timestampTo": end, "buckets": count}
        if group:
            params["groupBy"] = group
        if types:
            params["type"] = ",".join(types)
        response = client.get(PATH, params=params, headers={"X-Scope-OrgID": org})
        assert response.status_code == 200, response.text
        assert response.json() == expected(incidents, first, start, end, count, group, types)


def test_ties_and_quantile_indices(client: TestClient) -> None:
    """Twenty incidents resolved after 1..20 s (two of them 5 s): p50 is v[10], p95 v[19]."""
    lasted = [*range(1, 20), 5]
    for n, seconds in enumerate(lasted):
        body = {
            "startTime": oracle.BASE,
            "endTime": oracle.BASE + seconds,
            "status": "RESOLVED",
            "incidentId": f"t{n}",
        }
        client.post("/api/v1/incidents", json=incident(**body), headers=HEADERS)
    answer = client.get(
        PATH,
        params={"timestampFrom": oracle.BASE, "timestampTo": oracle.BASE + 60},
        headers=HEADERS,
    ).json()
    (group,) = answer[0]["groups"]
    ordered = sorted(lasted)
    assert group["timeToResolve"] == {
        "mean": sum(lasted) / 20,
        "p50": float(ordered[10]),
        "p90": float(ordered[18]),
        "p95": float(ordered[19]),
    }
    assert group["timeToAcknowledge"] == dict.fromkeys(("mean", "p50", "p90", "p95"))
    assert group["key"] is None


def test_the_engines_exact_quantiles_index_as_the_contract_does(shared_store: Store) -> None:
    """quantileExact takes v[floor(level * n)] with level * n in floats; the contract's
    v[min(n - 1, floor(Q * n / 100))] is whole integer arithmetic. For the three levels
    the query asks they pick the same element at every n up to 3,000 (values 0..n-1, so
    the answer is the index)."""
    found = shared_store.client.query(
        "SELECT n, quantilesExact(0.5, 0.9, 0.95)(x) FROM"
        " (SELECT n, arrayJoin(range(n)) AS x FROM"
        " (SELECT arrayJoin(range(1, {top:UInt32})) AS n)) GROUP BY n ORDER BY n",
        parameters={"top": 3001},
    ).result_rows
    assert len(found) == 3000
    for n, picked in found:
        assert list(picked) == [min(n - 1, q * n // 100) for q in (50, 90, 95)], n


def test_an_empty_window_has_every_bucket_with_no_group(shared_client: TestClient) -> None:
    response = shared_client.get(
        PATH, params={"timestampFrom": 100, "timestampTo": 110, "buckets": 3}, headers=tenant()
    )
    assert response.json() == [
        {"from": 100, "to": 103, "groups": []},
        {"from": 103, "to": 106, "groups": []},
        {"from": 106, "to": 110, "groups": []},
    ]


def test_shaping_orders_groups_by_count_then_key() -> None:
    stats = {f"{p}_{s}": [None] * 3 for p in ("tta", "ttr") for s in ("mean", "p50", "p90", "p95")}
    cells = pl.DataFrame(
        {
            "bucket": [1, 1, 1],
            "key": ["b", "a", "c"],
            "count": [2, 2, 5],
            "acknowledged": [0, 0, 0],
            "resolved": [0, 0, 0],
            **stats,
        },
        schema_overrides=dict.fromkeys(stats, pl.Float64),
    )
    documents = bucket_documents(cells, [(0, 1), (1, 2)])
    assert documents[0]["groups"] == []
    assert [g["key"] for g in documents[1]["groups"]] == ["c", "a", "b"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"groupBy": "colour"}, "groupBy"),
        ({"buckets": 0}, "buckets"),
        ({"buckets": 10_001}, "buckets"),
        ({"timestampFrom": 5, "timestampTo": 5}, "timestampFrom"),
        ({"type": "BUG"}, "type[0]"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400(
    shared_client: TestClient, params: dict[str, Any], field: str
) -> None:
    assert_error(shared_client.get(PATH, params=params, headers=tenant()), 400, field)


def test_the_tenant_is_required(shared_client: TestClient) -> None:
    assert_error(shared_client.get(PATH), 401, "X-Scope-OrgID")
