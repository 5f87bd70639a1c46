"""Alertmanager (``"version": "4"``) and Grafana webhook alerts as incidents, per API.md.

Pure: a decoded webhook body in, one create-or-update item per alert out, as the plain
dicts the batch endpoint's columnar checks take (``ingest.columns.check``), so that a
webhook of 10,000 alerts is checked and stored as a batch is; a model object per alert
took about twice as long to decode (benchmarks/README.md, webhooks). The sender cannot
be changed, so a string over its limit is cut (limits read off ``IncidentIn``), never
refused; an alert that is still not an incident (not an object, a time that is not one)
is refused by the checks, by index, as a batch item would be.
"""

import hashlib
import re
from typing import Any

from ingest.batch import MAX_ITEMS
from vocabulary.enums import IncidentCategory, IncidentStatus, IncidentType
from vocabulary.incident import METADATA_LIMIT, IncidentIn, storable_json

_SCHEMA = IncidentIn.model_json_schema()
_LIMITS: dict[str, int] = {
    name: spec["maxLength"] for name, spec in _SCHEMA["properties"].items() if "maxLength" in spec
}
_SERVICE_LIMITS = {n: s["maxLength"] for n, s in _SCHEMA["$defs"]["Service"]["properties"].items()}
_METRIC_LIMIT: int = _SCHEMA["properties"]["metricNames"]["items"]["maxLength"]
_CATEGORIES = frozenset(IncidentCategory)
# Go's zero time, which Alertmanager and Grafana send for "no end".
ZERO_TIME = "0001-01-01T00:00:00Z"
# Go writes up to nine fractional digits; past six the columnar checks hand the item to
# the model one by one, and only milliseconds are stored anyway.
_PAST_MICROS = re.compile(r"(\.\d{6})\d+")
# The body fields metadata keeps, beside the alert's own.
_ALERT_KEYS = ("labels", "annotations", "generatorURL")
_BODY_KEYS = ("receiver", "groupKey", "externalURL")


class NotAWebhook(ValueError):
    """The body is not an alert webhook (no ``alerts`` array), or has too many alerts."""


def _cut(value: Any, limit: int) -> Any:
    return value[:limit] if type(value) is str and len(value) > limit else value


def _label(labels: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` with a non-empty string value (Prometheus: empty is absent)."""
    for name in names:
        value = labels.get(name)
        if type(value) is str and value:
            return value
    return None


def _time(value: Any) -> Any:
    if value is None or value == ZERO_TIME:
        return None
    return _PAST_MICROS.sub(r"\1", value, count=1) if type(value) is str else value


def fingerprint(labels: dict[str, Any]) -> str:
    """Alertmanager's absent fingerprint: SHA-256 of the sorted ``name=value`` lines."""
    lines = "\n".join(f"{name}={value}" for name, value in sorted(labels.items()))
    return hashlib.sha256(lines.encode()).hexdigest()[:16]


def _metadata(alert: dict[str, Any], body: dict[str, Any]) -> Any:
    """What the incident keeps of the alert as sent; annotations, then labels, dropped
    while it is over the limit."""
    metadata: dict[str, Any] = {key: alert[key] for key in _ALERT_KEYS if key in alert}
    metadata.update((key, body[key]) for key in _BODY_KEYS if key in body)
    for drop in ("annotations", "labels"):
        try:
            if len(storable_json(metadata)) <= METADATA_LIMIT:
                break
        except ValueError:
            break  # not storable at all: the checks refuse it and say why
        metadata.pop(drop, None)
    return metadata


def incident(alert: Any, body: dict[str, Any], source: str) -> Any:
    """One alert as a create-or-update item; what is not an object is left to the checks."""
    if type(alert) is not dict:
        return alert
    labels = alert.get("labels")
    labels = labels if type(labels) is dict else {}
    annotations = alert.get("annotations")
    annotations = annotations if type(annotations) is dict else {}
    alertname = _label(labels, "alertname")
    category = (_label(labels, "category") or "").upper()
    resolved = alert.get("status") == "resolved"
    sent_id = alert.get("fingerprint")
    return {
        "type": IncidentType.ALERT.value,
        "incidentId": _cut(
            sent_id if type(sent_id) is str and sent_id else fingerprint(labels),
            _LIMITS["incidentId"],
        ),
        "title": _cut(_label(annotations, "summary") or alertname or "", _LIMITS["title"]),
        "category": category if category in _CATEGORIES else IncidentCategory.RELIABILITY.value,
        "description": _cut(_label(annotations, "description") or "", _LIMITS["description"]),
        "recommendation": _cut(_label(annotations, "runbook_url") or "", _LIMITS["recommendation"]),
        "source": source,
        "status": (IncidentStatus.RESOLVED if resolved else IncidentStatus.OPEN).value,
        "resolution": "auto" if resolved else "",
        "services": [
            {
                "name": _cut(
                    _label(labels, "service", "job", "alertname") or "", _SERVICE_LIMITS["name"]
                ),
                "namespace": _cut(_label(labels, "namespace") or "", _SERVICE_LIMITS["namespace"]),
            }
        ],
        "metricNames": [_cut(alertname, _METRIC_LIMIT)] if alertname else [],
        "startTime": _time(alert.get("startsAt")),
        "endTime": _time(alert.get("endsAt")) if resolved else None,
        "sourceSite": _cut(_label(labels, "cluster") or "", _LIMITS["sourceSite"]),
        "severity": _cut(_label(labels, "severity") or "", _LIMITS["severity"]),
        "priority": _cut(_label(labels, "priority") or "", _LIMITS["priority"]),
        "metadata": _metadata(alert, body),
    }


def incidents(body: Any, source: str) -> list[Any]:
    """Every alert of a webhook body as an item, in order."""
    alerts = body.get("alerts") if type(body) is dict else None
    if type(alerts) is not list:
        raise NotAWebhook("expected an alert webhook: a JSON object with an alerts array")
    if len(alerts) > MAX_ITEMS:
        raise NotAWebhook(f"at most {MAX_ITEMS} alerts, got {len(alerts)}")
    return [incident(alert, body, source) for alert in alerts]
