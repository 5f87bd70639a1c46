"""The list: every filter and keyset paging in both directions, against a Python oracle."""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import HEADERS, assert_error, incident

pytestmark = pytest.mark.integration

URL = "/api/v1/incidents"
BATCH = "/api/v1/incidents/batch"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
SERVICES = ["checkout", "cart", "search", "auth"]
NAMESPACES = ["shop", "core"]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed(client: TestClient, rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Store ``count`` random incidents, about 30% of them moved to another start by a
    later write; return their final documents, as the list reads them back.

    Written in two batches, the creates and then the moves: each batch is one commit, and
    each moved start leaves its old key's tombstone in a later part than the first row."""
    created: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for number in range(count):
        services = rng.sample(SERVICES, rng.randint(1, 2))
        body = incident(
            incidentId=f"i{number}",
            source=rng.choice(["det-a", "det-b"]),
            type=rng.choice(["INCIDENT", "ANOMALY", "ALERT"]),
            category=rng.choice(["PERFORMANCE", "SECURITY"]),
            status=rng.choice(["OPEN", "RESOLVED"]),
            resolution=rng.choice(["", "fixed"]),
            # Few distinct starts, so that ties on startTime are ordered by id.
            startTime=iso(T0 + timedelta(hours=rng.randint(0, 12))),
            services=[{"name": s, "namespace": rng.choice(NAMESPACES)} for s in services],
            metricNames=rng.sample(["cpu", "mem", "lat"], rng.randint(0, 2)),
        )
        created.append(body)
        if rng.random() < 0.3:
            moved.append(body | {"startTime": iso(T0 + timedelta(hours=rng.randint(0, 12)))})
    for bodies in (created, moved):
        answer = client.post(BATCH, json=bodies, headers=HEADERS).json()
        assert answer["errors"] == [], answer["errors"]
        assert None not in answer["ids"]
    everything: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"pageSize": 100} | ({"cursor": cursor} if cursor else {})
        page = client.get(URL, params=params, headers=HEADERS).json()
        everything += page["data"]
        if not page["paging"]["hasNext"]:
            return everything
        cursor = page["paging"]["cursor"]["lastId"]


def oracle(documents: list[dict[str, Any]], filters: dict[str, list[str]]) -> list[int]:
    """The ids the filters select, in list order, computed in plain Python."""
    fields = {"type": "type", "status": "status", "category": "category", "source": "source"}

    def keep(doc: dict[str, Any]) -> bool:
        for name, wanted in filters.items():
            if name in fields and doc[fields[name]] not in wanted:
                return False
            if name == "service" and not {s["name"] for s in doc["services"]} & set(wanted):
                return False
            if name == "namespace" and not {s["namespace"] for s in doc["services"]} & set(wanted):
                return False
            if name == "metric" and not set(doc["metricNames"]) & set(wanted):
                return False
            if name == "resolution" and doc["resolution"] != wanted[0]:
                return False
        return True

    chosen = [d for d in documents if keep(d)]
    chosen.sort(key=lambda d: (d["startTime"], d["id"]), reverse=True)
    return [d["id"] for d in chosen]


def traverse(client: TestClient, filters: dict[str, Any], size: int, direction: str) -> list[int]:
    """Walk every page in one direction, checking the flags of each page; ids in list order."""
    pages: list[list[int]] = []
    cursor = None
    while True:
        params = filters | {"pageSize": size, "direction": direction}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get(URL, params=params, headers=HEADERS).json()
        ids = [d["id"] for d in page["data"]]
        paging = page["paging"]
        assert paging["cursor"] == {
            "firstId": ids[0] if ids else None,
            "lastId": ids[-1] if ids else None,
        }
        pages.append(ids)
        onward = paging["hasNext"] if direction == "NEXT" else paging["hasPrevious"]
        backward = paging["hasPrevious"] if direction == "NEXT" else paging["hasNext"]
        assert backward == (cursor is not None and any(len(p) for p in pages[:-1]))
        if not onward:
            break
        cursor = ids[-1] if direction == "NEXT" else ids[0]
    if direction == "PREVIOUS":
        pages.reverse()
    return [i for page in pages for i in page]


FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.lists(st.sampled_from(["INCIDENT", "ANOMALY", "ALERT"]), min_size=1),
        "status": st.lists(st.sampled_from(["OPEN", "RESOLVED"]), min_size=1, max_size=1),
        "category": st.lists(st.sampled_from(["PERFORMANCE", "SECURITY"]), min_size=1),
        "service": st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2),
        "namespace": st.lists(st.sampled_from(NAMESPACES), min_size=1, max_size=1),
        "metric": st.lists(st.sampled_from(["cpu", "lat"]), min_size=1, max_size=2),
        "source": st.lists(st.sampled_from(["det-a", "det-b"]), min_size=1, max_size=1),
        "resolution": st.sampled_from(["", "fixed"]).map(lambda r: [r]),
    },
)


@pytest.fixture(scope="module")
def seeded(module_client: TestClient) -> tuple[TestClient, list[dict[str, Any]]]:
    """60 incidents written once for the module; the tests that use them only read."""
    return module_client, seed(module_client, random.Random(7), 60)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_paging_oracle_both_directions_with_exact_flags(
    seeded: tuple[TestClient, list[dict[str, Any]]],
) -> None:
    client, documents = seeded
    assert len(documents) == 60

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(filters=FILTERS, size=st.integers(1, 9))
    def check(filters: dict[str, list[str]], size: int) -> None:
        expected = oracle(documents, filters)
        query = {k: ",".join(v) if k in ("type", "service") else v for k, v in filters.items()}
        # The two walks only read: side by side, they keep a second core busy.
        with ThreadPoolExecutor(2) as pool:
            walks = pool.map(lambda way: traverse(client, query, size, way), ("NEXT", "PREVIOUS"))
            assert list(walks) == [expected, expected]

    check()


def test_a_cursor_in_the_middle_pages_both_ways(
    seeded: tuple[TestClient, list[dict[str, Any]]],
) -> None:
    client, documents = seeded
    ordered = oracle(documents, {})
    middle = ordered[30]
    after = client.get(URL, params={"cursor": middle, "pageSize": 5}, headers=HEADERS).json()
    assert [d["id"] for d in after["data"]] == ordered[31:36]
    assert (after["paging"]["hasNext"], after["paging"]["hasPrevious"]) == (True, True)
    before = client.get(
        URL, params={"cursor": middle, "pageSize": 5, "direction": "PREVIOUS"}, headers=HEADERS
    ).json()
    assert [d["id"] for d in before["data"]] == ordered[25:30]
    last = client.get(URL, params={"direction": "PREVIOUS", "pageSize": 7}, headers=HEADERS)
    assert [d["id"] for d in last.json()["data"]] == ordered[-7:]
    assert last.json()["paging"] | {"cursor": None} == {
        "cursor": None,
        "hasNext": False,
        "hasPrevious": True,
    }


def test_time_window_filter(client: TestClient) -> None:
    def make(name: str, start: str, **fields: Any) -> int:
        body = incident(incidentId=name, startTime=start, **fields)
        return int(client.post(URL, json=body, headers=HEADERS).text)

    early = make("early", "2024-01-01T00:00:00Z", status="RESOLVED", endTime="2024-01-01T01:00:00Z")
    open_early = make("open", "2024-01-01T00:00:00Z")
    late = make("late", "2024-01-03T00:00:00Z")
    window = {"startTimestamp": 1704074400, "endTimestamp": 1704153600}  # Jan 1 02:00 - Jan 2

    def ids(params: dict[str, Any]) -> set[int]:
        return {d["id"] for d in client.get(URL, params=params, headers=HEADERS).json()["data"]}

    assert ids(window) == {open_early}
    assert ids({"endTimestamp": 1704153600}) == {early, open_early}
    assert ids({"startTimestamp": 1704067200 + 3600}) == {early, open_early, late}
    assert ids({"startTimestamp": 1704067200 + 3601}) == {open_early, late}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 101}, "pageSize"),
        ({"direction": "UP"}, "direction"),
        ({"type": "BUG"}, "type[0]"),
        ({"status": "OPEN,SHUT"}, "status[1]"),
        ({"service": ",".join(f"s{i}" for i in range(101))}, "service"),
        ({"startTimestamp": "noon"}, "startTimestamp"),
        ({"acknowledged": "maybe"}, "acknowledged"),
        ({"cursor": 12345}, "cursor"),
        ({"serivce": "typo"}, "serivce"),
    ],
)
def test_bad_list_parameters_are_400(
    shared_client: TestClient, params: dict[str, Any], field: str
) -> None:
    assert_error(shared_client.get(URL, params=params, headers=HEADERS), 400, field)
