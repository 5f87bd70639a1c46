"""Webhook throughput: one Alertmanager body of 10,000 alerts, against the batch endpoint
on the 10,000 incidents the mapping makes of it, in the same run and app.

Each round posts to a fresh tenant (every alert a new incident, the batch's case too), in
process through the app (no network), on chDB under benchmarks/data/webhooks. Also times
the parts: decoding the body with orjson against a pydantic model per alert, and the
mapping. Run: ``.venv/bin/python -m benchmarks.webhooks [rounds]``.
"""

import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson
from fastapi.testclient import TestClient

from benchmarks.stats import announce
from service.app import create_app
from service.integrations.alerts import incidents
from service.integrations.models import AlertWebhook
from service.settings import Settings

DATA = Path(__file__).parent / "data" / "webhooks"
ALERTS = 10_000


def webhook(count: int) -> dict[str, Any]:
    """A group of ``count`` firing alerts as Alertmanager 0.25 sends it."""
    alerts = [
        {
            "status": "firing",
            "labels": {
                "alertname": "HighLatency",
                "service": f"svc-{n % 50}",
                "namespace": "shop",
                "severity": "critical",
                "instance": f"10.0.{n // 256}.{n % 256}:9100",
                "job": "node",
            },
            "annotations": {
                "summary": f"p99 latency high on instance {n}",
                "description": "p99 above 2 s for 5 minutes",
                "runbook_url": "https://runbooks.example/latency",
            },
            "startsAt": "2026-12-02T08:14:54.816604123Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
            "fingerprint": f"{n:016x}",
        }
        for n in range(count)
    ]
    return {
        "receiver": "incidents", "status": "firing", "alerts": alerts, "groupLabels": {},
        "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
        "version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0,
    }  # fmt: skip


def median_seconds(run: Any, rounds: int) -> float:
    times = []
    for n in range(rounds):
        started = time.perf_counter()
        run(n)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    announce()
    body = orjson.dumps(webhook(ALERTS))
    items = orjson.dumps(incidents(webhook(ALERTS), "alertmanager"))
    print(f"webhook body {len(body) / 2**20:.1f} MiB, batch body {len(items) / 2**20:.1f} MiB")
    decode = median_seconds(lambda _: orjson.loads(body), rounds)
    models = median_seconds(lambda _: AlertWebhook.model_validate_json(body), rounds)
    mapping = median_seconds(lambda _: incidents(orjson.loads(body), "am"), rounds)
    print(f"decode: orjson {decode * 1e3:.0f} ms, a pydantic model per alert {models * 1e3:.0f} ms")
    print(f"decode and map {ALERTS} alerts: {mapping * 1e3:.0f} ms")
    shutil.rmtree(DATA, ignore_errors=True)
    with TestClient(create_app(Settings(data_dir=DATA))) as client:
        json = {"Content-Type": "application/json"}

        def post(path: str, content: bytes, kind: str) -> Any:
            def run(n: int) -> None:
                headers = {**json, "X-Scope-OrgID": f"{kind}-{n}"}
                answer = client.post(path, content=content, headers=headers)
                assert answer.status_code == 200, answer.text
                assert answer.json()["errors"] == []

            return run

        hook = median_seconds(post("/api/v1/integrations/alertmanager", body, "hook"), rounds)
        batch = median_seconds(post("/api/v1/incidents/batch", items, "batch"), rounds)
    for name, seconds in (("webhook", hook), ("batch", batch)):
        print(f"{name}: median {seconds * 1e3:.0f} ms, {ALERTS / seconds:,.0f} items/s")
    shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
