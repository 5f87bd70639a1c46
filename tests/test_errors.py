"""Every error answered through the one table: typed errors, validation, routing (405 with
its Allow), the store's capacity errors as 503, values the engine cannot hold as 400, and
an unexpected exception as a 500 that leaves the keep-alive connection up."""

import http.client
import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from http import HTTPStatus

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from httpx2 import Response
from starlette.exceptions import HTTPException

from clickhouse import Store, StoreBusy, StoreError, StoreTimeout
from ingest.group import Closed, FlushFailed, Overloaded
from service.app import create_app
from service.http.errors import problem_of
from tests.helpers import HEADERS, assert_error, create, incident, settings_for, tenant
from tests.serving import served_app
from tests.test_store import CAPACITY_ERRORS, another_query_running
from vocabulary.problems import NotFound, PayloadTooLarge
from vocabulary.timestamps import parse_time

TEST_ONLY = "/api/v1/test-only"
# Every method a route could take; a 405's Allow must name exactly those that answer.
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
# Paths outside the OpenAPI document that still answer.
UNDOCUMENTED = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")


def app_of(client: TestClient) -> FastAPI:
    app = client.app
    assert isinstance(app, FastAPI)
    return app


def add_test_route(app: FastAPI, run: Callable[[Store], object]) -> str:
    """A route that only this test has: it calls ``run`` with the app's own store."""

    def endpoint(request: Request) -> None:
        run(request.app.state.services.store)

    app.add_api_route(TEST_ONLY, endpoint, methods=["GET"])
    return TEST_ONLY


def assert_no_server_text(response: Response) -> None:
    for text in ("DB::Exception", "Code:", "(version"):
        assert text not in response.text


def fail(store: Store) -> None:
    del store
    raise RuntimeError("an unexpected failure")


@pytest.mark.parametrize(
    ("exc", "status", "retry_after"),
    [
        (NotFound(("", "no such thing")), 404, None),
        (PayloadTooLarge(("body", "too big")), 413, None),
        (HTTPException(405, headers={"Allow": "GET"}), 405, None),
        (StoreTimeout("q"), 503, "1"),
        (StoreBusy("q"), 503, "1"),
        (StoreError("q"), 500, None),
        (Overloaded(retry_after=2.6), 503, "3"),
        (Closed(), 503, "1"),
        (FlushFailed(), 500, None),
        (ZeroDivisionError(), 500, None),
    ],
)
def test_each_exception_has_one_answer(
    exc: Exception, status: int, retry_after: str | None
) -> None:
    problem = problem_of(exc)
    assert problem.status == status
    assert problem.headers.get("Retry-After") == retry_after
    assert problem.errors


@pytest.mark.parametrize(
    "value", [10**18, -(10**18), 10**400, 1e308, -1e308, float("nan"), float("inf"), 2.0**70]
)
def test_an_epoch_the_store_cannot_hold_is_a_value_error(value: float) -> None:
    """A ValueError, which validation turns into a 400; OverflowError would be a 500."""
    with pytest.raises(ValueError, match=r"finite|1900-2299"):
        parse_time(value)


@pytest.mark.parametrize("value", [-0.0, "-0", 0])
def test_negative_zero_is_the_epoch(value: float | str) -> None:
    assert parse_time(value).timestamp() == 0


HUGE_START = incident(startTime=10**18)
# The first shape schemathesis found: a float epoch far past the year 2299, with a cursor.
HUGE_END = "cursor=15&endTimestamp=6.75832439654046e%2B16"
HUGE_REPORT = {"source": "s", "createdAt": 10**18, "payload": ""}
INFINITE_METADATA = json.dumps(incident(metadata={"x": 0})).replace('"x": 0', '"x": 1e400')
INFINITE_SERVICE_KEY = json.dumps(incident(services=[{"name": "a", "weight": 0}])).replace(
    '"weight": 0', '"weight": [1, -1e400]'
)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", f"/api/v1/incidents?{HUGE_END}", None, "endTimestamp"),
        ("GET", f"/api/v1/incidents/facets?{HUGE_END}", None, "endTimestamp"),
        ("GET", "/api/v1/incidents?endTimestamp=10000000000000000", None, "endTimestamp"),
        ("GET", "/api/v1/incidents?startTimestamp=1e400", None, "startTimestamp"),
        ("GET", f"/api/v1/incidents?cursor={1 << 64}", None, "cursor"),
        ("GET", f"/api/v1/incidents/facets?cursor={1 << 64}", None, "cursor"),
        ("GET", f"/api/v1/incidents/{1 << 64}", None, "incident_id"),
        ("GET", f"/api/v1/notes/{1 << 64}", None, "note_id"),
        ("GET", "/api/v1/statistics/types?timestampTo=99999999999999999999", None, "timestampTo"),
        ("POST", "/api/v1/incidents", json.dumps(HUGE_START), "startTime"),
        ("POST", "/api/v1/incidents", json.dumps(incident(startTime=1e308)), "startTime"),
        ("POST", "/api/v1/incidents", json.dumps(incident(endTime=10**400)), "endTime"),
        ("POST", "/api/v1/scan-reports", json.dumps(HUGE_REPORT), "createdAt"),
        # JSON's 1e400 parses as infinity, which the stored JSON would turn into null.
        ("POST", "/api/v1/incidents", INFINITE_METADATA, "metadata"),
        ("POST", "/api/v1/incidents", INFINITE_SERVICE_KEY, "services[0]"),
    ],
)
def test_a_value_the_engine_cannot_hold_is_a_400_naming_it(
    shared_client: TestClient, method: str, url: str, body: str | None, field: str
) -> None:
    headers = {**tenant(), "Content-Type": "application/json"}
    assert_error(shared_client.request(method, url, content=body, headers=headers), 400, field)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps([HUGE_START])),
        ("application/x-ndjson", json.dumps(HUGE_START) + "\n"),
    ],
)
def test_a_batch_item_the_engine_cannot_hold_is_listed_as_invalid(
    shared_client: TestClient, content_type: str, body: str
) -> None:
    response = shared_client.post(
        "/api/v1/incidents/batch",
        content=body,
        headers={**tenant(), "Content-Type": content_type},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["ids"] == [None]
    (item,) = answer["errors"]
    assert item["index"] == 0
    assert "startTime" in [e["path"] for e in item["errors"]]


@pytest.mark.integration
def test_a_cursor_past_uint64_does_not_wrap_to_another_incident(
    shared_client: TestClient,
) -> None:
    """Bound as UInt64, 2^64 + id would be read as id: an unknown cursor taken as known."""
    headers = tenant()
    incident_id = create(shared_client, headers)
    for path in ("/api/v1/incidents", "/api/v1/incidents/facets"):
        assert shared_client.get(f"{path}?cursor={incident_id}", headers=headers).is_success
        wrapped = shared_client.get(f"{path}?cursor={incident_id + (1 << 64)}", headers=headers)
        assert_error(wrapped, 400, "cursor")


@pytest.mark.integration
@pytest.mark.parametrize(("sql", "failure", "code", "crowded"), CAPACITY_ERRORS)
def test_a_store_at_capacity_is_a_503_with_retry_after(
    client: TestClient,
    store: Store,
    sql: str,
    failure: type[StoreError],
    code: int,
    crowded: bool,
) -> None:
    del failure, code
    path = add_test_route(app_of(client), lambda app_store: app_store.statement("probe", sql))
    crowd: AbstractContextManager[None] = another_query_running(store) if crowded else nullcontext()
    with crowd:
        response = client.get(path, headers=HEADERS)
    assert_error(response, 503)
    assert response.headers["Retry-After"] == "1"
    assert_no_server_text(response)


@pytest.mark.integration
def test_any_other_store_error_is_a_500_without_the_server_text(client: TestClient) -> None:
    path = add_test_route(
        app_of(client), lambda store: store.statement("probe", "SELECT * FROM no_such_table")
    )
    response = client.get(path, headers=HEADERS)
    assert_error(response, 500)
    assert "Retry-After" not in response.headers
    assert_no_server_text(response)
    assert "no_such_table" not in response.text


def allow_is_what_answers(client: TestClient, path: str) -> set[str]:
    """The methods ``path`` answers (anything but 405), after checking that every 405 on
    it allows exactly those."""
    # A tenant of its own: every request here is refused, and none may find another's data.
    headers = tenant()
    answers = {method: client.request(method, path, headers=headers) for method in METHODS}
    taken = {method for method, response in answers.items() if response.status_code != 405}
    for method, response in answers.items():
        if response.status_code == 405:
            if method != "HEAD":  # which has no body
                assert_error(response, 405)
            assert set(response.headers["Allow"].split(", ")) == taken, (method, path)
    return taken


@pytest.mark.integration
def test_a_405_allows_exactly_the_methods_that_answer(shared_client: TestClient) -> None:
    """Which is what the OpenAPI document lists: FastAPI's routes take no HEAD."""
    for template, methods in app_of(shared_client).openapi()["paths"].items():
        path = "/".join("1" if "{" in part else part for part in template.split("/"))
        taken = allow_is_what_answers(shared_client, path)
        assert taken == {m.upper() for m in methods}, template
    for path in UNDOCUMENTED:
        assert len(allow_is_what_answers(shared_client, path)) < len(METHODS), path


@pytest.mark.integration
def test_an_unexpected_exception_is_a_500_body(client: TestClient) -> None:
    response = client.get(add_test_route(app_of(client), fail), headers=HEADERS)
    assert_error(response, 500)
    assert "unexpected failure" not in response.text


@pytest.mark.integration
def test_after_a_500_the_keep_alive_connection_still_serves(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Starlette re-raises after its 500, and uvicorn then resets the connection; the
    exception is answered inside the app instead, and logged once."""
    app = create_app(settings_for(store.config))
    path = add_test_route(app, fail)
    with served_app(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers=HEADERS)
        failed = connection.getresponse()
        body = json.loads(failed.read())
        connection.request("GET", "/healthz")
        after = connection.getresponse()
        after.read()
        connection.close()
    assert failed.status == 500
    assert failed.getheader("Connection") != "close"
    assert body["message"] == HTTPStatus.INTERNAL_SERVER_ERROR.phrase
    assert body["path"] == path
    assert after.status == 200
    logged = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert [r.name for r in logged] == ["incidents.errors"]
