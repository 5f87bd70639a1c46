"""The facets endpoint against the oracle's reading of API.md, plus its edges and errors."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import oracle
from tests.helpers import HEADERS, assert_error, incident, org_of, tenant

pytestmark = pytest.mark.integration

WINDOW = (oracle.BASE, oracle.BASE + 3600, 12)


def _facets(client: TestClient, org: str, params: Any) -> Any:
    headers = {**HEADERS, "X-Scope-OrgID": org}
    response = client.get("/api/v1/incidents/facets", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


CHOICES: dict[str, st.SearchStrategy[Any]] = {
    "type": st.lists(st.sampled_from(oracle.TYPES), min_size=1, max_size=2, unique=True),
    "status": st.lists(st.sampled_from(oracle.STATUSES), min_size=1, max_size=1),
    "category": st.lists(
        st.sampled_from(("PERFORMANCE", "SECURITY", "RELIABILITY")), min_size=1, max_size=2
    ),
    "source": st.lists(st.sampled_from(oracle.SOURCES), min_size=1, max_size=1),
    "service": st.lists(st.sampled_from([s for s, _ in oracle.SERVICES]), min_size=1, max_size=2),
    # A blank value is dropped from a list filter, so "" cannot be asked for.
    "namespace": st.lists(st.sampled_from(["shop", "iam", "data"]), min_size=1, max_size=2),
    "metric": st.lists(st.sampled_from(oracle.METRICS), min_size=1, max_size=2),
    "resolution": st.sampled_from(oracle.RESOLUTIONS),
    "acknowledged": st.booleans(),
    "startTimestamp": oracle.moments(*WINDOW),
    "endTimestamp": oracle.moments(*WINDOW),
}


@st.composite
def filters(draw: st.DrawFn) -> dict[str, Any]:
    """A few filters at a time (so that facets, which drop their own, see rows that miss
    exactly one), as the oracle reads them: lists, single values, datetimes."""
    names = draw(st.lists(st.sampled_from(sorted(CHOICES)), max_size=3, unique=True))
    return {name: draw(CHOICES[name]) for name in names}


def _query(chosen: dict[str, Any], limit: int) -> list[tuple[str, Any]]:
    """The filters as a query string: lists as repeated keys, times as epoch seconds."""
    params: list[tuple[str, Any]] = [("limit", limit)]
    for name, value in chosen.items():
        if isinstance(value, list):
            params += [(name, v) for v in value]
        elif isinstance(value, datetime):
            params.append((name, value.timestamp()))
        elif isinstance(value, bool):
            params.append((name, str(value).lower()))
        elif value is not None:
            params.append((name, value))
    return params


@pytest.mark.slow
@pytest.mark.timeout(300)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=oracle.plans(oracle.moments(*WINDOW), most=12),
    chosen=filters(),
    limit=st.integers(1, 5),
)
def test_facets_match_the_oracle(
    client: TestClient, plan: oracle.Plan, chosen: dict[str, Any], limit: int
) -> None:
    org, known = oracle.load(client, plan)
    answer = _facets(client, org, _query(chosen, limit))
    now = datetime.now(UTC)
    assert answer["facets"] == oracle.facets(known.all(), chosen, now)
    ids = oracle.list_ids(known.all(), chosen, now)
    assert [d["id"] for d in answer["data"]] == ids[:limit]
    assert answer["paging"]["hasNext"] == (len(ids) > limit)
    assert answer["paging"]["hasPrevious"] is False


def test_an_empty_tenant_has_every_facet_without_values(shared_client: TestClient) -> None:
    answer = _facets(shared_client, org_of(tenant()), {})
    assert answer["data"] == []
    assert [f["name"] for f in answer["facets"]] == list(oracle.FACETS)
    assert all(f["values"] == [] for f in answer["facets"])


def test_at_most_50_values_by_count_then_value(client: TestClient) -> None:
    metrics = [f"m{i:02d}" for i in range(60)]
    for number, names in enumerate([metrics, metrics[50:], metrics[55:]]):
        body = incident(incidentId=f"i{number}", metricNames=names)
        assert client.post("/api/v1/incidents", json=body, headers=HEADERS).status_code == 200
    answer = _facets(client, HEADERS["X-Scope-OrgID"], {"limit": 1})
    (metric,) = [f["values"] for f in answer["facets"] if f["name"] == "metric"]
    expected = [(m, 3) for m in metrics[55:]] + [(m, 2) for m in metrics[50:55]]
    expected += [(m, 1) for m in metrics[:40]]
    assert [(v["value"], v["count"]) for v in metric] == expected
    assert len(answer["data"]) == 1
    assert answer["paging"]["hasNext"] is True


def test_paging_follows_the_list(client: TestClient) -> None:
    for number in range(5):
        body = incident(incidentId=f"i{number}", startTime=oracle.BASE + number)
        assert client.post("/api/v1/incidents", json=body, headers=HEADERS).status_code == 200
    org = HEADERS["X-Scope-OrgID"]
    first = _facets(client, org, {"limit": 2})
    second = _facets(client, org, {"limit": 2, "cursor": first["paging"]["cursor"]["lastId"]})
    listed = client.get("/api/v1/incidents", params={"pageSize": 4}, headers=HEADERS).json()
    assert [d["id"] for d in first["data"] + second["data"]] == [d["id"] for d in listed["data"]]
    assert second["paging"]["hasPrevious"] is True
    assert second["facets"] == first["facets"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"pageSize": 5}, "pageSize"),
        ({"status": "CLOSED"}, "status[0]"),
        ({"acknowledged": "maybe"}, "acknowledged"),
        ({"cursor": 12345}, "cursor"),
        ({"direction": "UP"}, "direction"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    shared_client: TestClient, params: dict[str, Any], field: str
) -> None:
    response = shared_client.get("/api/v1/incidents/facets", params=params, headers=HEADERS)
    assert_error(response, 400, field)
