"""A body read from raw bytes (``service.http.bodies``) is answered exactly as a body
FastAPI reads: the same model, or the same 400 with the same fields and messages.

Two routes on one small app with the service's error handling, no store: one declares
its body to FastAPI, the other reads it with ``json_body``; every body goes to both.
"""

import json
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from service.http import errors
from service.http.bodies import json_body
from tests.helpers import incident
from vocabulary.incident import IncidentIn

JSON = {"Content-Type": "application/json"}


def _app() -> FastAPI:
    app = FastAPI()
    errors.install(app)

    @app.post("/declared")
    def declared(body: IncidentIn) -> Any:
        return json.loads(body.model_dump_json())

    @app.post("/raw")
    async def raw(body: Annotated[IncidentIn, json_body(IncidentIn)]) -> Any:
        return json.loads(body.model_dump_json())

    return app


CLIENT = TestClient(_app())
GOOD = json.dumps(incident()).encode()


def answers(body: bytes, headers: dict[str, str]) -> list[tuple[int, Any]]:
    """The answer of each route, without what differs by design (path, logref)."""
    found = []
    for route in ("/declared", "/raw"):
        response = CLIENT.post(route, content=body, headers=headers)
        document = response.json()
        if response.status_code != 200:
            document = (document["message"], document["_embedded"])
        found.append((response.status_code, document))
    return found


CASES = {
    "valid": (GOOD, JSON),
    "broken JSON": (b'{"type": ', JSON),
    "trailing comma": (b'{"type": "x",}', JSON),
    "not JSON": (b"hello", JSON),
    "trailing text": (GOOD + b" x", JSON),
    "empty": (b"", JSON),
    "array": (b"[]", JSON),
    "string": (b'"x"', JSON),
    "null": (b"null", JSON),
    "number": (b"5", JSON),
    "no content type": (GOOD, {}),
    "text/plain": (GOOD, {"Content-Type": "text/plain"}),
    "charset": (GOOD, {"Content-Type": "application/json; charset=utf-8"}),
    "+json": (GOOD, {"Content-Type": "application/merge-patch+json"}),
    "byte order mark": (b"\xef\xbb\xbf" + GOOD, JSON),
    "not UTF-8": (GOOD.replace(b"p99", b"\xff\xfe"), JSON),
    "lone surrogate": (GOOD.replace(b"p99 latency", b"\\ud800 latency"), JSON),
    "NaN": (GOOD.replace(b'"threshold": 2.0', b'"threshold": NaN'), JSON),
    "1e400": (GOOD.replace(b'"threshold": 2.0', b'"threshold": 1e400'), JSON),
    "huge integer": (GOOD.replace(b'"threshold": 2.0', b'"threshold": ' + b"9" * 30), JSON),
    "duplicate key": (GOOD[:-1] + b', "title": "' + b"y" * 300 + b'"}', JSON),
    "deep nesting": (GOOD.replace(b'"threshold": 2.0', b'"x": ' + b"[" * 5000), JSON),
    "missing fields": (b'{"type": "INCIDENT"}', JSON),
    "unknown field": (json.dumps(incident(bogus=1)).encode(), JSON),
    "snake case": (json.dumps({**incident(), "incident_id": "x"}).encode(), JSON),
    "services not objects": (json.dumps(incident(services=[{"namespace": 1}, "x"])).encode(), JSON),
    "epoch string": (json.dumps(incident(startTime="1700000000")).encode(), JSON),
    "epoch float": (json.dumps(incident(startTime=1700000000.5)).encode(), JSON),
    "boolean time": (json.dumps(incident(startTime=True)).encode(), JSON),
    "time past 2299": (json.dumps(incident(startTime="2400-01-01T00:00:00Z")).encode(), JSON),
}


@pytest.mark.parametrize("name", CASES)
def test_each_body_is_answered_as_fastapi_answers_it(name: str) -> None:
    declared, raw = answers(*CASES[name])
    assert raw == declared


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(sorted(incident())), value=JSON_VALUES)
def test_any_value_in_any_field_is_answered_as_fastapi_answers_it(field: str, value: Any) -> None:
    body = json.dumps(incident(**{field: value})).encode()
    declared, raw = answers(body, JSON)
    assert raw == declared
