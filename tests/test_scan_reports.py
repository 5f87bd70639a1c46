"""Scan reports through the whole app: store, newest per source, the cluster score.

What is refused before it is stored runs on the shared database, as a tenant of its own.
"""

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from tests.helpers import HEADERS, OTHER, assert_error, nothing_stored, org_of, tenant

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent / "fixtures" / "scans"
MIB = 1024 * 1024
REPORTS = "/api/v1/scan-reports"


def post(client: TestClient, source: str, created_at: Any, payload: str, **headers: str) -> Any:
    """Send a report; ``headers`` are added to (or replace) the default tenant's."""
    body = {"source": source, "createdAt": created_at, "payload": payload}
    return client.post(REPORTS, json=body, headers={**HEADERS, **headers})


def stored(client: TestClient, source: str, created_at: Any, payload: str) -> dict[str, Any]:
    response = post(client, source, created_at, payload)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def newest(client: TestClient, source: str, headers: dict[str, str] = HEADERS) -> Any:
    return client.get(REPORTS, params={"source": source}, headers=headers)


def score(client: TestClient, headers: dict[str, str] = HEADERS) -> Any:
    return client.get(f"{REPORTS}/score", headers=headers)


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text("utf-8")


def test_a_report_is_stored_and_answered_as_stored(client: TestClient) -> None:
    payload = fixture_text("popeye.json")
    response = post(client, "popeye", "2024-05-14T09:12:44.250+02:00", payload)

    assert response.status_code == 201, response.text
    expected = {"source": "popeye", "createdAt": "2024-05-14T07:12:44.250Z", "payload": payload}
    assert response.json() == expected
    assert newest(client, "popeye").json() == expected


def test_created_at_takes_epoch_seconds(client: TestClient) -> None:
    assert stored(client, "s", 1_700_000_000, "x")["createdAt"] == "2023-11-14T22:13:20Z"
    assert stored(client, "t", "1700000000.5", "x")["createdAt"] == "2023-11-14T22:13:20.500Z"


def test_newest_is_by_created_at_then_by_arrival(client: TestClient) -> None:
    stored(client, "kube-bench", 2_000, "second")
    stored(client, "kube-bench", 1_000, "first, sent late")
    stored(client, "other", 3_000, "another source")
    assert newest(client, "kube-bench").json()["payload"] == "second"

    stored(client, "kube-bench", 2_000, "second again")
    assert newest(client, "kube-bench").json()["payload"] == "second again"


def test_unknown_source_is_404(client: TestClient) -> None:
    stored(client, "popeye", 1_000, "x")
    assert_error(newest(client, "kubescape"), 404, "source")
    assert_error(newest(client, "popeye", headers=OTHER), 404, "source")


@pytest.mark.parametrize(
    ("params", "path"),
    [({}, "source"), ({"source": ""}, "source"), ({"source": "x" * 256}, "source"),
     ({"source": "a", "sort": "x"}, "sort")],
)  # fmt: skip
def test_bad_queries_are_400(shared_client: TestClient, params: dict[str, str], path: str) -> None:
    assert_error(shared_client.get(REPORTS, params=params, headers=HEADERS), 400, path)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"source": "", "createdAt": 1, "payload": "x"}, "source"),
        ({"source": "s" * 256, "createdAt": 1, "payload": "x"}, "source"),
        ({"source": "s", "createdAt": "yesterday", "payload": "x"}, "createdAt"),
        ({"source": "s", "createdAt": True, "payload": "x"}, "createdAt"),
        ({"source": "s", "createdAt": 1, "payload": {"score": 1}}, "payload"),
        ({"source": "s", "createdAt": 1}, "payload"),
        ({"createdAt": 1, "payload": "x"}, "source"),
        ({"source": "s", "createdAt": 1, "payload": "x", "score": 1}, "score"),
    ],
)
def test_bad_reports_are_400_and_store_nothing(
    shared_client: TestClient, shared_store: Store, body: dict[str, Any], path: str
) -> None:
    headers = tenant()
    assert_error(shared_client.post(REPORTS, json=body, headers=headers), 400, path)
    assert_error(score(shared_client, headers), 404)
    assert nothing_stored(shared_store, org_of(headers))


def test_a_lone_surrogate_is_400(shared_client: TestClient, shared_store: Store) -> None:
    headers = tenant()
    body = '{"source": "s", "createdAt": 1, "payload": "\\ud800"}'
    response = shared_client.post(
        REPORTS, content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert_error(response, 400, "payload")
    assert_error(newest(shared_client, "s", headers), 404)
    assert nothing_stored(shared_store, org_of(headers))


def test_payloads_up_to_16_mib_of_utf8(client: TestClient) -> None:
    # Exactly 16 MiB, and a JSON object with a score: stored, returned and counted.
    padding = "x" * (16 * MIB - len('{"score": 64, "pad": ""}'))
    payload = '{"score": 64, "pad": "' + padding + '"}'
    assert len(payload.encode("utf-8")) == 16 * MIB
    assert stored(client, "big", 1_000, payload)["payload"] == payload
    assert newest(client, "big").json()["payload"] == payload
    assert score(client).json() == {"score": 64, "grade": "D"}

    assert_error(post(client, "too-big", 1_000, "a" * (16 * MIB + 1)), 413, "payload")
    # Counted in UTF-8 bytes, not characters: 8 Mi + 1 two-byte characters are too many.
    # Sent unescaped so that the envelope stays under the gate's 17 MiB.
    body = json.dumps(
        {"source": "too-big", "createdAt": 1_000, "payload": "é" * (8 * MIB + 1)},
        ensure_ascii=False,
    )
    response = client.post(
        REPORTS, content=body.encode(), headers={**HEADERS, "Content-Type": "application/json"}
    )
    assert_error(response, 413, "payload")
    assert_error(newest(client, "too-big"), 404)


def oracle_score(documents: list[Any]) -> dict[str, Any]:
    """The contract's score computed straight from the parsed fixtures."""
    values = []
    for document in documents:
        if "popeye" in document:
            values.append(Decimal(str(document["popeye"]["score"])))
        elif "Totals" in document:
            t = document["Totals"]
            checked = t["total_pass"] + t["total_fail"] + t["total_warn"]
            values.append(Decimal(t["total_pass"] * 100) / Decimal(checked))
        else:
            values.append(Decimal(str(document["summaryDetails"]["complianceScore"])))
    mean = sum(values, Decimal(0)) / len(values)
    rounded = int(mean.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    bounds = [(90, "A"), (80, "B"), (70, "C"), (60, "D"), (50, "E")]
    return {"score": rounded, "grade": next((g for b, g in bounds if rounded >= b), "F")}


def test_score_of_the_three_tools(client: TestClient) -> None:
    names = ["popeye.json", "kube-bench.json", "kubescape.json"]
    for name in names:
        stored(client, name.removesuffix(".json"), "2024-05-14T09:00:00Z", fixture_text(name))

    expected = oracle_score([json.loads(fixture_text(n)) for n in names])
    assert expected == {"score": 75, "grade": "C"}
    assert score(client).json() == expected
    assert_error(score(client, headers=OTHER), 404)


def test_each_tool_alone(client: TestClient) -> None:
    for name, expected in [("popeye.json", 83), ("kube-bench.json", 69), ("kubescape.json", 73)]:
        org = {"X-Scope-OrgID": name.removesuffix(".json")}
        response = post(client, "scanner", 1_000, fixture_text(name), **org)
        assert response.status_code == 201
        assert score(client, headers=org).json()["score"] == expected


def test_an_unreadable_newest_report_masks_an_older_readable_one(client: TestClient) -> None:
    stored(client, "popeye", 1_000, fixture_text("popeye.json"))
    stored(client, "kubescape", 1_000, fixture_text("kubescape.json"))
    assert score(client).json() == {"score": 78, "grade": "C"}  # (83 + 72.63) / 2

    stored(client, "popeye", 2_000, "popeye: command not found")
    assert score(client).json() == {"score": 73, "grade": "C"}

    stored(client, "kubescape", 2_000, '{"summaryDetails": {"complianceScore": null}}')
    assert_error(score(client), 404)

    # An older report sent later does not become the newest.
    stored(client, "popeye", 1_500, fixture_text("popeye.json"))
    assert_error(score(client), 404)
    stored(client, "popeye", 2_000, '{"score": 91}')  # ties go to the later arrival
    assert score(client).json() == {"score": 91, "grade": "A"}


MALFORMED = [
    "",
    "not json",
    "{",
    '{"score": 80} trailing',
    "[80]",
    "80",
    '"80"',
    '{"score": NaN}',
    '{"score": Infinity}',
    '{"score": true}',
    '{"score": "80"}',
    '{"score": 100.5}',
    '{"score": -3}',
    '{"score": 1e400}',
    '{"score": 123456789012345678901234567890}',
    '{"popeye": {"score": null}}',
    '{"popeye": 80}',
    '{"Totals": {"total_pass": 0, "total_fail": 0, "total_warn": 0, "total_info": 9}}',
    '{"Totals": {"total_pass": -1, "total_fail": 2, "total_warn": 0}}',
    '{"Totals": {"total_pass": 1.5, "total_fail": 2, "total_warn": 0}}',
    '{"summaryDetails": {"complianceScore": false}}',
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' + "[" * 100_000 + "]" * 100_000 + ', "score": 50}',
    "\x00\x01 binary",
]


def test_malformed_payloads_are_stored_returned_and_never_counted(client: TestClient) -> None:
    for n, payload in enumerate(MALFORMED):
        stored(client, f"source-{n}", 1_000, payload)
    assert_error(score(client), 404)
    for n, payload in enumerate(MALFORMED):
        assert newest(client, f"source-{n}").json()["payload"] == payload

    stored(client, "good", 1_000, '{"score": 42}')
    assert score(client).json() == {"score": 42, "grade": "F"}


def test_every_endpoint_needs_a_tenant(shared_client: TestClient) -> None:
    body = {"source": "s", "createdAt": 1, "payload": "{}"}
    assert_error(shared_client.post(REPORTS, json=body), 401, "X-Scope-OrgID")
    assert_error(shared_client.get(REPORTS, params={"source": "s"}), 401, "X-Scope-OrgID")
    assert_error(shared_client.get(f"{REPORTS}/score"), 401, "X-Scope-OrgID")


def test_reports_are_confined_to_their_tenant(client: TestClient) -> None:
    stored(client, "popeye", 1_000, '{"score": 10}')
    response = post(client, "popeye", 2_000, '{"score": 90}', **OTHER)
    assert response.status_code == 201
    assert newest(client, "popeye").json()["payload"] == '{"score": 10}'
    assert newest(client, "popeye", headers=OTHER).json()["payload"] == '{"score": 90}'
    assert score(client).json() == {"score": 10, "grade": "F"}
    assert score(client, headers=OTHER).json() == {"score": 90, "grade": "A"}


TRIVY = Path(__file__).parent / "fixtures" / "trivy"


def trivy_oracle(document: Any) -> int | None:
    """A Trivy report's score, rounded half up, by walking the parsed report."""
    results = list(document.get("Results") or [])
    for resource in document.get("Resources") or []:
        results += resource.get("Results") or []
    summaries = [r["MisconfSummary"] for r in results if "MisconfSummary" in r]
    passed = sum(s["Successes"] for s in summaries)
    checked = passed + sum(s["Failures"] for s in summaries)
    if not checked:
        return None
    share = Decimal(100 * passed) / Decimal(checked)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("name", ["config.json", "fs.json", "image.json", "k8s.json"])
def test_each_trivy_report_alone(client: TestClient, name: str) -> None:
    text = (TRIVY / name).read_text("utf-8")
    expected = trivy_oracle(json.loads(text))
    assert expected is not None
    stored(client, "trivy", 1_000, text)
    assert score(client).json()["score"] == expected


def test_trivy_reports_with_the_other_tools(client: TestClient) -> None:
    names = ["config.json", "k8s.json"]
    for name in names:
        stored(client, f"trivy-{name}", 1_000, (TRIVY / name).read_text("utf-8"))
    stored(client, "kubescape", 1_000, fixture_text("kubescape.json"))
    # (7900/94 + 18200/207 + 72.63) / 3 = 81.53...
    assert score(client).json() == {"score": 82, "grade": "B"}


@pytest.mark.parametrize(
    "payload",
    [
        (TRIVY / "image-vulns-only.json").read_text("utf-8"),
        '{"Results": [{"MisconfSummary": {"Successes": 0, "Failures": 0}}]}',
        '{"Results": [{"MisconfSummary": {"Successes": 3, "Failures": 1}}, '
        '{"MisconfSummary": {"Successes": "1", "Failures": 0}}]}',
        '{"Resources": [{"Results": [{"MisconfSummary": {"Successes": -2, "Failures": 3}}]}]}',
        '{"Results": {"MisconfSummary": {"Successes": 3, "Failures": 1}}}',
        '{"Results": "none", "Resources": null}',
    ],
)
def test_trivy_reports_that_carry_no_score(client: TestClient, payload: str) -> None:
    stored(client, "trivy", 1_000, payload)
    assert_error(score(client), 404)
