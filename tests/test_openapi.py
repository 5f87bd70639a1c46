"""The OpenAPI document and its browser views: honest, complete, and served locally.

The quick tests read the document and the pages from an app whose store is never opened.
The slow one runs schemathesis (every check, every phase) against ``incidents serve`` on
a fresh chDB directory, with the rules of ``schemathesis.toml``: any failure fails it.
"""

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from service.app import create_app
from service.http.docs import STATIC
from service.settings import Settings
from tests.helpers import ORG
from tests.serving import serving
from vocabulary.schemas import EPOCH_SECONDS, ISO_TIME, NUMERIC_SECONDS
from vocabulary.timestamps import EARLIEST, LATEST, parse_time

ROOT = Path(__file__).parents[1]
ERROR = {"$ref": "#/components/schemas/Error"}
# Small enough for about a minute on two cores; every phase still runs on every operation.
# One worker (the default): two trip CPython 3.11's ast now and then while schemathesis
# builds its strategies ("AST constructor recursion depth mismatch").
MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The app without its lifespan: the document and the pages need no store."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("unopened"))
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def document(app_client: TestClient) -> dict[str, Any]:
    answer = app_client.get("/openapi.json")
    assert answer.status_code == 200
    spec: dict[str, Any] = answer.json()
    return spec


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_no_422_anywhere(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        assert "422" not in operation["responses"], (method, path)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_operation_documents_its_errors_with_the_error_body(
    document: dict[str, Any],
) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        expected = {"500"}
        if path.startswith("/api/v1/"):
            expected |= {"400", "401", "403", "503"}
            assert "Retry-After" in responses["503"]["headers"]
        if "{incident_id}" in path or "{note_id}" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected.add("413")
        assert expected <= set(responses), (method, path)
        for code, response in responses.items():
            if int(code) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == ERROR, (method, path, code)
            elif int(code) != 204:
                assert response["content"], (method, path, code)


def test_every_api_operation_takes_the_tenant_header(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        if path.startswith("/api/v1/"):
            names = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert {"X-Scope-OrgID", "Api-Version"} <= names, (method, path)


def test_links_reach_every_operation_on_an_incident_and_a_note(document: dict[str, Any]) -> None:
    ids = {operation["operationId"] for _, _, operation in operations(document)}
    linked = {
        link["operationId"]
        for _, _, operation in operations(document)
        for response in operation["responses"].values()
        for link in response.get("links", {}).values()
    }
    assert linked <= ids
    needing_ids = {
        operation["operationId"]
        for path, _, operation in operations(document)
        if "{incident_id}" in path or "{note_id}" in path
    }
    assert needing_ids <= linked


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.from_regex(ISO_TIME["pattern"]),
        st.from_regex(NUMERIC_SECONDS["pattern"]),
        st.floats(EPOCH_SECONDS["minimum"], EPOCH_SECONDS["maximum"]),
    )
)
def test_a_time_the_document_allows_is_accepted(value: str | float) -> None:
    try:
        moment = parse_time(value)
    except ValueError:
        # Only an offset can carry a time of the range's first or last day out of it;
        # schemathesis.toml says so.
        assert isinstance(value, str)
        assert value[:4] in (f"{EARLIEST.year}", f"{LATEST.year}")
    else:
        assert EARLIEST <= moment <= LATEST


class _Assets(HTMLParser):
    """Every URL a page loads: scripts, styles, icons, and ``spec-url``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("script", "link", "img", "redoc"):
            return
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_only_what_the_service_serves(app_client: TestClient, page: str) -> None:
    answer = app_client.get(page)
    assert answer.status_code == 200
    assert not re.search(r"https?://|//[a-z]", answer.text, re.IGNORECASE)
    assert "fonts.googleapis" not in answer.text
    parser = _Assets()
    parser.feed(answer.text)
    assets = [url for url in parser.urls if url.startswith(STATIC + "/")]
    assert assets
    assert set(parser.urls) - set(assets) <= {"/openapi.json"}
    for url in assets:
        served = app_client.get(url)
        assert served.status_code == 200, url
        assert served.content, url


def test_vendored_assets_ship_their_licences(app_client: TestClient) -> None:
    for vendor in ("swagger-ui", "redoc"):
        assert app_client.get(f"{STATIC}/{vendor}/LICENSE").status_code == 200


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    """Every check in every phase; the rules no schema can state are in schemathesis.toml."""
    started = time.monotonic()
    with serving(tmp_path / "data") as (_, port):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"http://127.0.0.1:{port}/openapi.json",
                "--checks=all",
                "--phases=examples,coverage,fuzzing,stateful",
                f"--max-examples={MAX_EXAMPLES}",
                f"--header=X-Scope-OrgID: {ORG}",
                "--generation-database=none",
                "--no-color",
            ],
            cwd=ROOT,  # where schemathesis.toml is found
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    elapsed = time.monotonic() - started
    report = f"schemathesis took {elapsed:.0f} s\n{run.stdout}\n{run.stderr}"
    print(report)
    assert run.returncode == 0, report
