"""Valid request bodies to build tests from."""

from typing import Any


def incident(**fields: Any) -> dict[str, Any]:
    """A complete create-or-update body; ``fields`` override any of it."""
    body: dict[str, Any] = {
        "type": "INCIDENT",
        "incidentId": "inc-1",
        "title": "p99 latency above 2s",
        "category": "PERFORMANCE",
        "description": "Latency of checkout rose.",
        "recommendation": "Scale the checkout pool.",
        "source": "detector-a",
        "status": "OPEN",
        "resolution": "",
        "services": [{"name": "checkout", "namespace": "shop"}],
        "metricNames": ["http_latency_p99"],
        "sourceSite": "eu-1",
        "severity": "high",
        "priority": "P1",
        "metadata": {"threshold": 2.0},
    }
    body.update(fields)
    return body


def patch(**fields: Any) -> dict[str, Any]:
    """A complete PATCH body."""
    body: dict[str, Any] = {
        "title": "patched title",
        "description": "patched description",
        "recommendation": "patched recommendation",
        "status": "OPEN",
        "resolution": "",
        "severity": "low",
        "priority": "P3",
    }
    body.update(fields)
    return body
