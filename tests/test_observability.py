"""Request ids, JSON log lines and Prometheus metrics, through the whole app."""

import asyncio
import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ingest.stats import IngestStats
from service.http.gate import Message, Receive, Scope, Send
from service.http.logs import JsonFormatter, request_id_from
from service.http.metrics import MULTIPROC_ENV, Metrics, RequestMetrics
from tests.helpers import HEADERS, ORG, incident

HEX_ID = r"[0-9a-f]{32}"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the access and store loggers write, formatted as the service formats it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("incidents.access", "incidents.store")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield stream
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample called ``name`` in a Prometheus text, by its sorted labels."""
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


@pytest.mark.integration
def test_a_sent_request_id_comes_back(shared_client: TestClient) -> None:
    response = shared_client.get("/healthz", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["X-Request-ID"] == "trace-42.a_b"


@pytest.mark.integration
@pytest.mark.parametrize("sent", [None, "has space", "x" * 129, "semi;colon", ""])
def test_a_missing_or_unsafe_request_id_is_replaced(
    shared_client: TestClient, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}
    first = shared_client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = shared_client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert re.fullmatch(HEX_ID, first)
    assert first != second


def test_request_id_bounds() -> None:
    assert request_id_from("a" * 128) == "a" * 128
    assert request_id_from("a" * 129) != "a" * 129


@pytest.mark.integration
def test_refused_requests_get_an_id_and_an_access_line(
    shared_client: TestClient, log_lines: io.StringIO
) -> None:
    response = shared_client.get("/api/v1/incidents", headers={"X-Request-ID": "no-tenant"})
    assert response.status_code == 401
    assert response.headers["X-Request-ID"] == "no-tenant"
    (line,) = [r for r in records(log_lines) if r["logger"] == "incidents.access"]
    assert line["status"] == 401
    assert line["request_id"] == "no-tenant"
    assert line["org_id"] is None


@pytest.mark.integration
def test_access_and_route_log_lines_are_json_with_request_and_tenant(
    client: TestClient, log_lines: io.StringIO
) -> None:
    response = client.get("/api/v1/incidents", headers={**HEADERS, "X-Request-ID": "req-1"})
    assert response.status_code == 200
    lines = records(log_lines)
    access = [r for r in lines if r["logger"] == "incidents.access"]
    assert len(access) == 1
    line = access[0]
    assert {"time", "level", "logger", "message"} <= set(line)
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/incidents"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert line["request_id"] == "req-1"
    assert line["org_id"] == ORG
    # Store logs come from the thread pool that runs the route: the context follows.
    store_lines = [r for r in lines if r["logger"] == "incidents.store"]
    assert store_lines
    assert {(r["request_id"], r["org_id"]) for r in store_lines} == {("req-1", ORG)}


def test_a_record_outside_requests_has_no_request_fields() -> None:
    record = logging.makeLogRecord({"name": "x", "levelname": "WARNING", "msg": "a %s b"})
    record.args = ("\n",)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line)["message"] == "a \n b"
    assert "request_id" not in json.loads(line)


@pytest.mark.integration
def test_metrics_count_requests_by_route_template_and_status(client: TestClient) -> None:
    client.get("/api/v1/metadata/types", headers=HEADERS)
    client.get("/api/v1/metadata/types", headers=HEADERS)
    client.get("/api/v1/incidents/12345", headers=HEADERS)
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    requests = samples(text, "incidents_http_requests_total")
    key = (("method", "GET"), ("route", "/api/v1/metadata/types"), ("status", "200"))
    assert requests[key] == 2.0
    # The template, whatever the route calls its id, and never the id itself.
    (one,) = [dict(k)["route"] for k in requests if dict(k)["status"] == "404" and "v1" in str(k)]
    assert re.fullmatch(r"/api/v1/incidents/\{\w+\}", one)
    unmatched = (("method", "GET"), ("route", "<unmatched>"), ("status", "404"))
    assert requests[unmatched] == 1.0
    latency = samples(text, "incidents_http_request_duration_seconds_count")
    assert latency[key] == 2.0
    errors = samples(text, "incidents_http_errors_total")
    assert errors[(("exception", "none"), ("route", one), ("status_class", "4xx"))] == 1.0
    queries = samples(text, "incidents_clickhouse_query_duration_seconds_count")
    assert any(dict(labels)["ok"] == "true" for labels in queries)
    assert all(value >= 1 for value in queries.values())


async def _failing_app(scope: Scope, receive: Receive, send: Send) -> None:
    del scope, receive, send
    raise RuntimeError("boom")


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Message) -> None:
    del message


def test_an_escaping_exception_is_counted_by_class() -> None:
    metrics = Metrics()
    middleware = RequestMetrics(_failing_app, metrics)
    scope: Scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
    with pytest.raises(RuntimeError):
        asyncio.run(middleware(scope, _receive, _send))
    text = metrics.render().decode()
    errors = samples(text, "incidents_http_errors_total")
    assert errors == {
        (("exception", "RuntimeError"), ("route", "<unmatched>"), ("status_class", "5xx")): 1.0
    }


def test_the_ingest_queue_numbers_are_exported() -> None:
    stats = IngestStats()
    metrics = Metrics()
    metrics.register_ingest(stats)
    with pytest.raises(ValueError, match="already"):
        metrics.register_ingest(stats)
    stats.queued(7)
    stats.flushed(250, 0.012)
    stats.flushed(50, 0.002)
    stats.rejected(3)
    stats.failed(40)
    text = metrics.render().decode()
    assert samples(text, "incidents_ingest_queue_rows") == {(): 7.0}
    assert samples(text, "incidents_ingest_batch_rows_sum") == {(): 300.0}
    assert samples(text, "incidents_ingest_batch_rows_count") == {(): 2.0}
    assert samples(text, "incidents_ingest_rejected_rows_total") == {(): 3.0}
    assert samples(text, "incidents_ingest_failed_flushes_total") == {(): 1.0}
    assert samples(text, "incidents_ingest_failed_rows_total") == {(): 40.0}
    # Deltas: a second scrape counts nothing twice.
    stats.rejected(2)
    text = metrics.render().decode()
    assert samples(text, "incidents_ingest_rejected_rows_total") == {(): 5.0}
    assert samples(text, "incidents_ingest_failed_rows_total") == {(): 40.0}


@pytest.mark.integration
def test_writes_through_the_app_show_in_the_ingest_metrics(client: TestClient) -> None:
    for number in range(3):
        body = incident(incidentId=f"m-{number}")
        assert client.post("/api/v1/incidents", json=body, headers=HEADERS).status_code == 200
    text = client.get("/metrics").text
    (rows,) = samples(text, "incidents_ingest_batch_rows_sum").values()
    assert rows == 3.0
    assert samples(text, "incidents_ingest_queue_rows") == {(): 0.0}


def test_metrics_add_up_over_worker_processes(tmp_path: Path) -> None:
    """In multiprocess mode (several workers), /metrics sums every process's counts."""
    script = (
        "from service.http.metrics import Metrics\n"
        "m = Metrics()\n"
        "m.observe_request('GET', '/healthz', 200, 0.001, None)\n"
        "print(m.render().decode())\n"
    )
    env = {**os.environ, MULTIPROC_ENV: str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        for _ in range(2)
    ]
    key = (("method", "GET"), ("route", "/healthz"), ("status", "200"))
    assert samples(runs[0].stdout, "incidents_http_requests_total") == {key: 1.0}
    assert samples(runs[1].stdout, "incidents_http_requests_total") == {key: 2.0}
