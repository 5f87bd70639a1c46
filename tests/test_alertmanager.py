"""Alert webhooks: the mapping of every field on bodies captured from a real Alertmanager
0.25 (tests/fixtures/alertmanager) and a Grafana body, and the endpoint through the app.

The expected incidents are written out from API.md's table, not computed by the mapping.
"""

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from service.app import create_app
from service.integrations.alerts import incidents
from tests.helpers import assert_error, org_of, settings_for, tenant

FIXTURES = Path(__file__).parent / "fixtures" / "alertmanager"
HOOK = "/api/v1/integrations/alertmanager"


def body(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def expected(alert: dict[str, Any], sent: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The incident API.md's table makes of a fully labelled alert."""
    resolved = alert["status"] == "resolved"
    return {
        "type": "ALERT",
        "incidentId": alert["fingerprint"],
        "source": "alertmanager",
        "status": "RESOLVED" if resolved else "OPEN",
        "resolution": "auto" if resolved else "",
        "startTime": alert["startsAt"],
        "endTime": alert["endsAt"] if resolved else None,
        "metadata": {
            "labels": alert["labels"],
            "annotations": alert["annotations"],
            "generatorURL": alert["generatorURL"],
            "receiver": sent["receiver"],
            "groupKey": sent["groupKey"],
            "externalURL": sent["externalURL"],
        },
        **fields,
    }


CHECKOUT = {
    "title": "Checkout p99 latency over 2 s",
    "description": "p99 latency of checkout has been above 2 s for 5 minutes.",
    "recommendation": "https://runbooks.example/checkout-latency",
    "category": "PERFORMANCE",
    "services": [{"name": "checkout", "namespace": "shop"}],
    "metricNames": ["CheckoutLatencyHigh"],
    "sourceSite": "eu-west-1",
    "severity": "critical",
    "priority": "P1",
}
# The second alert has no service, summary, category, cluster, severity or priority.
WORKER = {
    "title": "CheckoutLatencyHigh",
    "description": "",
    "recommendation": "",
    "category": "RELIABILITY",
    "services": [{"name": "checkout-worker", "namespace": "shop"}],
    "metricNames": ["CheckoutLatencyHigh"],
    "sourceSite": "",
    "severity": "",
    "priority": "",
}


@pytest.mark.parametrize("name", ["firing.json", "resolved.json", "refired.json"])
def test_every_field_of_captured_alertmanager_bodies(name: str) -> None:
    sent = body(name)
    assert sent["version"] == "4"
    checkout, worker = sent["alerts"]
    assert incidents(sent, "alertmanager") == [
        expected(checkout, sent, **CHECKOUT),
        expected(worker, sent, **WORKER),
    ]


def test_the_captured_bodies_are_firing_resolved_and_refired() -> None:
    firing, resolved, refired = (
        body(f"{n}.json")["alerts"][0] for n in ("firing", "resolved", "refired")
    )
    assert firing["fingerprint"] == resolved["fingerprint"] == refired["fingerprint"]
    assert firing["endsAt"] == "0001-01-01T00:00:00Z"
    assert (resolved["status"], refired["status"]) == ("resolved", "firing")
    assert refired["startsAt"] > resolved["endsAt"] > resolved["startsAt"] == firing["startsAt"]
    (item,) = incidents(body("firing.json") | {"alerts": [firing]}, "am")
    assert item["endTime"] is None


def test_every_field_of_a_grafana_body() -> None:
    sent = body("grafana.json")
    (alert,) = sent["alerts"]
    assert incidents(sent, "grafana") == [
        {
            "type": "ALERT",
            "incidentId": "a7e1c2d3b4f50617",
            "source": "grafana",
            "title": "Disk / on db-1 is 91% full",
            "description": "",
            "recommendation": "",
            "category": "CONFIGURATION",
            "status": "OPEN",
            "resolution": "",
            # No service or job label: the alert's name.
            "services": [{"name": "DiskAlmostFull", "namespace": "storage"}],
            "metricNames": ["DiskAlmostFull"],
            # Go's nine fractional digits cut to six, for the columnar time parse.
            "startTime": "2024-05-01T14:05:00.123456+02:00",
            "endTime": None,
            "sourceSite": "eu-central-1",
            "severity": "warning",
            "priority": "",
            "metadata": {
                "labels": alert["labels"],
                "annotations": alert["annotations"],
                "generatorURL": alert["generatorURL"],
                "receiver": "incidents",
                "groupKey": sent["groupKey"],
                "externalURL": "https://grafana.example/",
            },
        }
    ]


def test_fingerprint_fallback_and_long_strings_are_cut() -> None:
    labels = {"b": "2", "alertname": "A" * 300, "severity": "critical-ish-long", "a": "1"}
    alert = {"status": "resolved", "labels": labels, "annotations": {"summary": "s" * 300}}
    (item,) = incidents({"alerts": [alert]}, "am")
    lines = f"a=1\nalertname={'A' * 300}\nb=2\nseverity=critical-ish-long"
    assert item["incidentId"] == hashlib.sha256(lines.encode()).hexdigest()[:16]
    assert item["title"] == "s" * 255
    assert item["metricNames"] == ["A" * 255]
    assert item["services"] == [{"name": "A" * 255, "namespace": ""}]
    assert item["severity"] == "critical-i"
    assert (item["startTime"], item["endTime"]) == (None, None)


def test_metadata_over_64_kib_drops_annotations_then_labels() -> None:
    alert = {"labels": {"alertname": "A"}, "annotations": {"big": "x" * 70_000}}
    (item,) = incidents({"alerts": [alert], "receiver": "r"}, "am")
    assert item["metadata"] == {"labels": {"alertname": "A"}, "receiver": "r"}
    alert = {"labels": {"alertname": "A", "big": "x" * 70_000}, "annotations": {"s": "t"}}
    (item,) = incidents({"alerts": [alert]}, "am")
    assert item["metadata"] == {}


# --- through the app -------------------------------------------------------------------


def post(client: TestClient, sent: Any, headers: dict[str, str], **params: str) -> Any:
    return client.post(HOOK, json=sent, headers=headers, params=params)


def listed(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    page = client.get("/api/v1/incidents", headers=headers, params={"pageSize": 100}).json()
    return {i["incidentId"]: i for i in page["data"]}


@pytest.mark.integration
def test_fire_resolve_refire_through_the_endpoint(shared_client: TestClient) -> None:
    headers = tenant()
    firing, resolved, refired = (body(n) for n in ("firing.json", "resolved.json", "refired.json"))
    checkout = firing["alerts"][0]["fingerprint"]
    answer = post(shared_client, firing, headers).json()
    assert answer["errors"] == []
    assert len(answer["ids"]) == 2
    again = post(shared_client, firing, headers).json()  # a re-sent group changes nothing
    assert again["ids"] == answer["ids"]
    assert len(listed(shared_client, headers)) == 2
    history = shared_client.get(f"/api/v1/incidents/{answer['ids'][0]}/history", headers=headers)
    assert [e["action"] for e in history.json()] == ["created"]

    post(shared_client, resolved, headers)
    gone = listed(shared_client, headers)[checkout]
    assert (gone["status"], gone["resolution"]) == ("RESOLVED", "auto")
    assert gone["endTime"] == gone["resolvedAt"] == resolved["alerts"][0]["endsAt"]

    post(shared_client, refired, headers)
    back = listed(shared_client, headers)
    assert len(back) == 2
    assert back[checkout]["status"] == "OPEN"
    assert back[checkout]["startTime"] == refired["alerts"][0]["startsAt"]
    assert back[checkout]["resolvedAt"] is None
    assert back[checkout]["endTime"] is None
    assert back[checkout]["id"] == answer["ids"][0]


@pytest.mark.integration
def test_source_parameter(shared_client: TestClient) -> None:
    headers = tenant()
    answer = post(shared_client, body("grafana.json"), headers, source="grafana").json()
    (incident,) = listed(shared_client, headers).values()
    assert (incident["source"], incident["id"]) == ("grafana", answer["ids"][0])
    assert_error(post(shared_client, body("grafana.json"), headers, source=""), 400, "source")
    assert_error(post(shared_client, body("grafana.json"), headers, source="s" * 256), 400)


@pytest.mark.integration
@pytest.mark.parametrize(
    "sent", [{}, [], {"alerts": {}}, {"alerts": None}, "alerts", {"alerts": [{}] * 10_001}]
)
def test_a_body_that_is_not_a_webhook_is_400(shared_client: TestClient, sent: Any) -> None:
    assert_error(post(shared_client, sent, tenant()), 400, "alerts")


@pytest.mark.integration
def test_invalid_alerts_are_listed_by_index(shared_client: TestClient) -> None:
    headers = tenant()
    sent = copy.deepcopy(body("firing.json"))
    sent["alerts"][1]["startsAt"] = "yesterday"
    sent["alerts"].append("not an alert")
    answer = post(shared_client, sent, headers).json()
    assert answer["ids"][0] is not None
    assert answer["ids"][1:] == [None, None]
    assert [e["index"] for e in answer["errors"]] == [1, 2]
    assert answer["errors"][0]["errors"][0]["path"] == "startTime"
    assert len(listed(shared_client, headers)) == 1


@pytest.mark.integration
def test_the_tenant_comes_from_a_single_org_key(shared_store: Store) -> None:
    org = org_of(tenant())
    keys = {"k-one": [org], "k-all": ["*"]}
    with TestClient(create_app(settings_for(shared_store.config, api_keys=keys))) as keyed:
        answer = post(keyed, body("firing.json"), {"Authorization": "Bearer k-one"})
        assert answer.status_code == 200, answer.text
        assert len(listed(keyed, {"X-Scope-OrgID": org, "Authorization": "Bearer k-one"})) == 2
        refused = post(keyed, body("firing.json"), {"Authorization": "Bearer k-all"})
        assert_error(refused, 401, "X-Scope-OrgID")


@pytest.mark.integration
def test_the_openapi_document_describes_the_webhook(shared_client: TestClient) -> None:
    operation = shared_client.get("/openapi.json").json()["paths"][HOOK]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["alerts"]
    assert schema["properties"]["alerts"]["maxItems"] == 10_000
    alert = schema["properties"]["alerts"]["items"]["anyOf"][0]
    assert {"labels", "annotations", "startsAt", "endsAt", "fingerprint"} <= set(
        alert["properties"]
    )
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/BatchAnswer"}
    assert "source" in [p["name"] for p in operation["parameters"]]
