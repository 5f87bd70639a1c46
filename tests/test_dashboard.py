"""The dashboard in a real browser: headless Chromium driven by Playwright, against the
whole app under uvicorn on a loopback port, with data written through the API.

What a person sees is checked against tests/oracle.py on the same data: the rows of the
list, every facet's counts, a ticked facet narrowing the list and landing in the URL,
back and forward, the charts, the incident page acknowledging and keeping notes, the
messages for 401, 403, 404 and an unreachable service, and a refresh that keeps the
person's place. Every page of every test also checks that no request leaves the
service's origin and that the console logs no error.

Debian's /usr/bin/chromium is used as it is (no ``playwright install``), with the flags
a closed network needs. The tests run on the embedded engine only: the page is the
subject here, and the API's answers on a server are the other tests' concern.
"""

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from clickhouse import StoreConfig
from service.app import create_app
from tests import oracle
from tests.conftest import fresh_database
from tests.helpers import incident, settings_for, tenant
from tests.serving import served_app

try:
    from playwright.sync_api import (
        Browser,
        ConsoleMessage,
        Page,
        Playwright,
        Route,
        sync_playwright,
    )

    NO_PLAYWRIGHT = None
except ImportError as missing:
    NO_PLAYWRIGHT = f"playwright is not importable ({missing}); pip install -e '.[dev]'"

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (containers), no GPU, and nothing of Chromium's own that reaches a network:
# QUIC probes, first-run pages, component and sync updates, background fetches.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WHY_NOT = NO_PLAYWRIGHT or (None if CHROMIUM.exists() else f"no Chromium at {CHROMIUM}")

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.timeout(300),
    pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or ""),
]

COUNT = 45
PAGE = 20


def launch(playwright: "Playwright") -> "Browser":
    """Debian's Chromium, headless, with the closed network's flags."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)


def written(now: datetime, count: int = COUNT, seed: int = 14) -> list[dict[str, Any]]:
    """``count`` varied create-or-update bodies starting in the 20 hours before ``now``;
    the resolved ones carry an end, so that no rule of the service's clock is involved."""
    draw = random.Random(seed)
    bodies = []
    for number in range(count):
        start = now - timedelta(seconds=draw.randrange(60, 20 * 3600))
        status = draw.choice(oracle.STATUSES)
        services = draw.sample(oracle.SERVICES, draw.randint(1, 2))
        bodies.append(
            incident(
                incidentId=f"ui-{number}",
                title=f"{draw.choice(('Latency', 'Errors', 'Saturation'))} on {services[0][0]}",
                type=draw.choice(oracle.TYPES),
                status=status,
                category=draw.choice(("PERFORMANCE", "SECURITY", "RELIABILITY")),
                severity=draw.choice(oracle.SEVERITIES),
                priority=draw.choice(oracle.PRIORITIES),
                resolution=draw.choice(("fixed", "wontfix")) if status == "RESOLVED" else "",
                source=draw.choice(oracle.SOURCES),
                sourceSite=draw.choice(oracle.SITES),
                services=[{"name": name, "namespace": space} for name, space in services],
                metricNames=draw.sample(oracle.METRICS, draw.randint(0, 2)),
                startTime=start,
                endTime=start + timedelta(minutes=draw.randint(1, 600))
                if status == "RESOLVED"
                else None,
            )
        )
    return bodies


def as_json(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in body.items()}


def write(api: httpx2.Client, org: str, bodies: list[dict[str, Any]]) -> oracle.Oracle:
    """Write ``bodies`` one create-or-update at a time, acknowledge every fourth, and give the
    oracle's reading of the result."""
    headers = {"X-Scope-OrgID": org}
    ids = []
    for body in bodies:
        answer = api.post("/api/v1/incidents", json=as_json(body), headers=headers)
        assert answer.status_code == 200, answer.text
        ids.append(int(answer.text))
    known = oracle.Oracle()
    for incident_id, body in zip(ids, bodies, strict=True):
        known.write(incident_id, body, datetime.now(UTC))
    for incident_id in ids[::4]:
        acked = api.post(
            f"/api/v1/incidents/{incident_id}/acknowledge", headers={**headers, "User-ID": "bob"}
        )
        assert acked.status_code == 200, acked.text
        known.incidents[incident_id].acknowledged = True
    return known


@dataclass
class Service:
    """The app under uvicorn, and a client of its API."""

    origin: str
    api: httpx2.Client


@contextmanager
def service(engine: StoreConfig, **overrides: Any) -> Iterator[Service]:
    """The whole app on a fresh database of ``engine``, served by uvicorn on loopback."""
    with (
        fresh_database(engine) as store,
        served_app(create_app(settings_for(store.config, **overrides))) as port,
    ):
        origin = f"http://127.0.0.1:{port}"
        with httpx2.Client(base_url=origin, timeout=60) as api:
            yield Service(origin, api)


@dataclass
class Data:
    """The shared tenant's data as the oracle knows it, and the window the tests look at."""

    org: str
    known: oracle.Oracle
    start: datetime
    end: datetime

    def url(self, origin: str, **params: Any) -> str:
        query = {
            "org": self.org,
            "startTimestamp": int(self.start.timestamp()),
            "endTimestamp": int(self.end.timestamp()),
            **params,
        }
        return f"{origin}/ui/?{urlencode(query, doseq=True)}"

    def filters(self, **filters: Any) -> dict[str, Any]:
        return {"startTimestamp": self.start, "endTimestamp": self.end, **filters}


@pytest.fixture(scope="module")
def served(chdb_engine: StoreConfig) -> Iterator[Service]:
    with service(chdb_engine) as running:
        yield running


@pytest.fixture(scope="module")
def data(served: Service) -> Data:
    now = datetime.now(UTC).replace(microsecond=0)
    org = tenant()["X-Scope-OrgID"]
    known = write(served.api, org, written(now))
    return Data(org, known, now - timedelta(hours=24), now + timedelta(hours=1))


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    with sync_playwright() as playwright:
        opened = launch(playwright)
        yield opened
        opened.close()


@dataclass
class Watched:
    """A page of a fresh browser context (no remembered org or key), and what it did."""

    page: "Page"
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    # Pages shown an error on purpose log the failed loads behind it; nothing else.
    failed_loads_expected: bool = False


def watch(browser: "Browser", origin: str) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    watched = Watched(context.new_page())

    def route(route: "Route") -> None:
        # Anything not for the service is refused before it leaves, and remembered.
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            watched.foreign.append(route.request.url)
            route.abort()

    def console(message: "ConsoleMessage") -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    context.route("**/*", route)
    watched.page.on("console", console)
    watched.page.on("pageerror", lambda error: watched.errors.append(f"page error: {error}"))
    try:
        yield watched
    finally:
        context.close()
    assert watched.foreign == []
    if watched.failed_loads_expected:
        assert all(e.startswith("Failed to load resource") for e in watched.errors), watched.errors
    else:
        assert watched.errors == []


@pytest.fixture
def seen(browser: "Browser", served: Service) -> Iterator[Watched]:
    yield from watch(browser, served.origin)


def ready(page: "Page") -> None:
    page.wait_for_selector("html[data-ready=true]")


def loads(page: "Page") -> int:
    return int(page.evaluate("document.documentElement.dataset.loads || '0'"))


def after_load(page: "Page", before: int) -> None:
    """Wait until the page has finished a load begun after ``before`` loads."""
    # A function, not a string to evaluate: the page's CSP refuses eval.
    page.wait_for_function(
        "n => Number(document.documentElement.dataset.loads || 0) > n", arg=before
    )


def row_ids(page: "Page") -> list[int]:
    return [
        int(i) for i in page.eval_on_selector_all("tr[data-id]", "rs => rs.map(r => r.dataset.id)")
    ]


def shown_facets(page: "Page") -> list[dict[str, Any]]:
    script = """sections => sections.map(s => ({name: s.dataset.facet, values:
        [...s.querySelectorAll('li')].map(li => ({value: li.dataset.value,
        count: Number(li.querySelector('.count').textContent.replace(/\\D/g, ''))}))}))"""
    found: list[dict[str, Any]] = page.eval_on_selector_all("section.facet", script)
    return found


def expected_facets(data: Data, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """The oracle's facets as the page writes values: booleans as JSON does."""
    now = datetime.now(UTC)
    return [
        {
            "name": facet["name"],
            "values": [
                {
                    "value": json.dumps(v["value"]) if isinstance(v["value"], bool) else v["value"],
                    "count": v["count"],
                }
                for v in facet["values"]
            ],
        }
        for facet in oracle.facets(data.known.all(), filters, now)
    ]


def expected_ids(data: Data, filters: dict[str, Any]) -> list[int]:
    return oracle.list_ids(data.known.all(), filters, datetime.now(UTC))


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


# --- the dashboard ------------------------------------------------------------------


def test_root_leads_to_the_dashboard_and_the_pages_stay_out_of_the_api_document(
    served: Service,
) -> None:
    answer = served.api.get("/?org=acme")
    assert answer.status_code == 307
    assert answer.headers["location"] == "/ui/?org=acme"
    page = served.api.get("/ui/")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert served.api.get("/ui/static/vendor/uplot/LICENSE").status_code == 200
    assert served.api.get("/ui/incidents/not-a-number").status_code == 400
    paths = served.api.get("/openapi.json").json()["paths"]
    assert [p for p in paths if p == "/" or p.startswith("/ui")] == []


def test_the_list_and_every_facet_show_what_was_written(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    page.goto(data.url(served.origin))
    ready(page)
    assert row_ids(page) == expected_ids(data, data.filters())[:PAGE]
    assert shown_facets(page) == expected_facets(data, data.filters())
    first = page.locator("tr[data-id]").first
    assert first.locator("td.title a").get_attribute("href", timeout=0) == (
        f"/ui/incidents/{row_ids(page)[0]}?org={data.org}"
    )


def test_ticking_facets_narrows_the_list_lands_in_the_url_and_back_restores_it(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    page.goto(data.url(served.origin))
    ready(page)
    everything = row_ids(page)

    before = loads(page)
    page.check('[data-key="status=OPEN"]')
    after_load(page, before)
    assert query_of(page.url)["status"] == ["OPEN"]
    assert row_ids(page) == expected_ids(data, data.filters(status=["OPEN"]))[:PAGE]
    assert shown_facets(page) == expected_facets(data, data.filters(status=["OPEN"]))

    # A second value of another facet: values within a facet are OR-ed.
    before = loads(page)
    page.check('[data-key="type=ALERT"]')
    after_load(page, before)
    before = loads(page)
    page.check('[data-key="type=ANOMALY"]')
    after_load(page, before)
    both = data.filters(status=["OPEN"], type=["ALERT", "ANOMALY"])
    assert query_of(page.url)["type"] == ["ALERT", "ANOMALY"]
    assert row_ids(page) == expected_ids(data, both)[:PAGE]
    assert shown_facets(page) == expected_facets(data, both)

    before = loads(page)
    page.go_back()
    after_load(page, before)
    assert query_of(page.url)["type"] == ["ALERT"]
    assert row_ids(page) == expected_ids(data, data.filters(status=["OPEN"], type=["ALERT"]))[:PAGE]
    assert page.is_checked('[data-key="type=ALERT"]')
    assert not page.is_checked('[data-key="type=ANOMALY"]')

    for _ in range(2):
        before = loads(page)
        page.go_back()
        after_load(page, before)
    assert "status" not in query_of(page.url)
    assert row_ids(page) == everything

    before = loads(page)
    page.go_forward()
    after_load(page, before)
    assert row_ids(page) == expected_ids(data, data.filters(status=["OPEN"]))[:PAGE]


def test_paging_follows_the_cursor_and_survives_a_reload(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    page.goto(data.url(served.origin))
    ready(page)
    expected = expected_ids(data, data.filters())
    assert len(expected) > 2 * PAGE, "the data should fill more than two pages"
    for number in (1, 2):
        before = loads(page)
        page.click("#older")
        after_load(page, before)
        assert row_ids(page) == expected[number * PAGE : (number + 1) * PAGE]
    assert query_of(page.url)["cursor"] == [str(expected[PAGE * 2 - 1])]
    assert page.is_disabled("#older") == (len(expected) <= 3 * PAGE)

    page.reload()
    ready(page)
    assert row_ids(page) == expected[2 * PAGE : 3 * PAGE]
    before = loads(page)
    page.click("#newer")
    after_load(page, before)
    assert row_ids(page) == expected[PAGE : 2 * PAGE]
    assert query_of(page.url)["direction"] == ["PREVIOUS"]


def labelled(text: str) -> dict[str, int]:
    """``"what: a 1, b 2"`` (after any ``"the most in one bucket, "``) as ``{a: 1, b: 2}``."""
    listed = text.split(": ", 1)[1].removeprefix("the most in one bucket, ")
    if listed == "none":
        return {}
    pairs = [item.rsplit(" ", 1) for item in listed.split(", ")]
    return {name: int(count) for name, count in pairs}


def test_the_charts_are_drawn_from_the_statistics(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    asked: dict[str, str] = {}
    page.on("request", lambda r: asked.update({urlsplit(r.url).path: r.url}))
    page.goto(data.url(served.origin))
    ready(page)
    for chart in ("#types", "#severities", "#top"):
        assert page.get_attribute(chart, "role") == "img"
    incidents = data.known.all()

    types = {k: int(v[0]) for k, v in query_of(asked["/api/v1/statistics/types"]).items()}
    assert types["timestampFrom"] == int(data.start.timestamp())
    expected_types = oracle.types(
        incidents, types["timestampFrom"], types["timestampTo"], types["buckets"]
    )
    most = {kind: max(b["counts"][kind] for b in expected_types) for kind in oracle.TYPES}
    assert labelled(page.get_attribute("#types", "aria-label") or "") == most

    severities = {k: int(v[0]) for k, v in query_of(asked["/api/v1/statistics/severities"]).items()}
    expected_severities = oracle.severities(
        incidents, severities["timestampFrom"], severities["timestampTo"], severities["buckets"]
    )
    started = {
        ("(none)" if key == "" else key): sum(b["counts"][key] for b in expected_severities)
        for key in expected_severities[0]["counts"]
    }
    assert labelled(page.get_attribute("#severities", "aria-label") or "") == started

    # The canvases hold drawn pixels, not just an element.
    for chart in ("#types", "#severities"):
        drawn = page.eval_on_selector(
            f"{chart} canvas",
            "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v > 0)",
        )
        assert drawn, chart

    top_url = next(url for path, url in asked.items() if path.endswith("/top-services"))
    top = {k: int(v[0]) for k, v in query_of(top_url).items()}
    expected_top = oracle.top_services(
        incidents, "INCIDENT", top["startTimestampFrom"], top["startTimestampTo"], 10
    )
    bars = page.eval_on_selector_all("#top svg text", "ts => ts.map(t => t.textContent)")
    names = [
        f"{r['namespace']}/{r['service']}" if r["namespace"] else r["service"] for r in expected_top
    ]
    assert bars == [
        item
        for name, row in zip(names, expected_top, strict=True)
        for item in (name, str(row["count"]))
    ]
    assert len(expected_top) > 0


def test_the_response_time_tiles_say_what_the_service_offers(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    page.goto(data.url(served.origin))
    ready(page)
    tiles = page.inner_text("#times")
    offered = served.api.get("/ui/config.json").json()["endpoints"]["responseTimes"]
    if not offered:
        assert tiles.count("not available") == 2
        return
    # Once the endpoint lands, the tiles show its medians for the same window.
    window = {
        "timestampFrom": int(data.start.timestamp()),
        "timestampTo": int(data.end.timestamp()),
    }
    answer = served.api.get(
        "/api/v1/statistics/response-times", params=window, headers={"X-Scope-OrgID": data.org}
    )
    assert answer.status_code == 200, answer.text
    group = answer.json()[0]["groups"][0]
    assert "not available" not in tiles
    assert f"{group['acknowledged']} of {group['count']}" in tiles


def test_the_window_presets_and_from_to_land_in_the_url(
    seen: Watched, served: Service, data: Data
) -> None:
    page = seen.page
    page.goto(f"{served.origin}/ui/?org={data.org}")
    ready(page)
    assert page.get_attribute('[data-window="24h"]', "aria-pressed") == "true"
    before = loads(page)
    page.click('[data-window="7d"]')
    after_load(page, before)
    assert query_of(page.url)["window"] == ["7d"]
    assert page.get_attribute('[data-window="7d"]', "aria-pressed") == "true"
    # Every incident written is open now or ended within the last day: all are listed.
    assert len(row_ids(page)) == PAGE

    before = loads(page)
    page.fill("#from", (data.end - timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#to", "")
    page.click(".window button[type=submit]")
    after_load(page, before)
    query = query_of(page.url)
    assert "window" not in query
    start = datetime.fromtimestamp(int(query["startTimestamp"][0]), UTC)
    assert start == (data.end - timedelta(hours=2)).replace(second=0)
    assert row_ids(page) == expected_ids(data, {"startTimestamp": start})[:PAGE]


# --- the incident page ----------------------------------------------------------------


def test_the_incident_page_acknowledges_and_keeps_notes(seen: Watched, served: Service) -> None:
    org = tenant()["X-Scope-OrgID"]
    headers = {"X-Scope-OrgID": org}
    body = written(datetime.now(UTC).replace(microsecond=0), count=1, seed=7)[0]
    answer = served.api.post("/api/v1/incidents", json=as_json(body), headers=headers)
    incident_id = int(answer.text)
    page = seen.page
    page.goto(f"{served.origin}/ui/incidents/{incident_id}?org={org}&user=alice")
    ready(page)
    stored = served.api.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()
    shown = page.eval_on_selector_all("dd[data-field]", "ds => ds.map(d => d.dataset.field)")
    assert shown == list(stored)
    assert page.inner_text('dd[data-field="title"]') == stored["title"]
    assert page.inner_text('dd[data-field="incidentId"]') == stored["incidentId"]

    page.click("#acknowledge")
    page.wait_for_selector("#acknowledge[disabled]")
    acked = served.api.get(f"/api/v1/incidents/{incident_id}", headers=headers).json()
    assert acked["ackUserId"] == "alice"
    assert "alice" in page.inner_text("#ack-by")

    page.fill("#note-body", "Pool exhausted; scaled to 8.")
    page.click("#add-note button[type=submit]")
    page.wait_for_selector("article.note")
    notes = served.api.get(f"/api/v1/incidents/{incident_id}/notes", headers=headers).json()
    assert [n["body"] for n in notes] == ["Pool exhausted; scaled to 8."]
    assert page.input_value("#note-body") == ""

    page.click("article.note button.edit")
    page.fill("article.note textarea", "Pool exhausted; scaled to 12.")
    page.click("article.note button[type=submit]")
    page.wait_for_selector("article.note .body:text('scaled to 12')")
    notes = served.api.get(f"/api/v1/incidents/{incident_id}/notes", headers=headers).json()
    assert [n["body"] for n in notes] == ["Pool exhausted; scaled to 12."]

    page.click("article.note button.delete")
    page.wait_for_selector("#notes .empty")
    notes = served.api.get(f"/api/v1/incidents/{incident_id}/notes", headers=headers).json()
    assert notes == []

    history = page.inner_text("#history")
    for action in ("created", "acknowledged", "note added", "note edited", "note deleted"):
        assert action in history
    assert "alice" in history


def test_acknowledging_without_a_user_asks_for_one(seen: Watched, served: Service) -> None:
    org = tenant()["X-Scope-OrgID"]
    body = as_json(written(datetime.now(UTC).replace(microsecond=0), count=1, seed=8)[0])
    answer = served.api.post("/api/v1/incidents", json=body, headers={"X-Scope-OrgID": org})
    page = seen.page
    page.goto(f"{served.origin}/ui/incidents/{answer.text}?org={org}")
    ready(page)
    page.click("#acknowledge")
    assert "user id" in page.inner_text("#message")
    stored = served.api.get(f"/api/v1/incidents/{answer.text}", headers={"X-Scope-OrgID": org})
    assert stored.json()["ackTime"] is None


# --- messages -----------------------------------------------------------------------


def test_no_tenant_and_an_unknown_incident_are_explained(seen: Watched, served: Service) -> None:
    seen.failed_loads_expected = True
    page = seen.page
    page.goto(f"{served.origin}/ui/")
    page.wait_for_selector("#message:not([hidden])")
    assert "needs a tenant" in page.inner_text("#message")

    org = tenant()["X-Scope-OrgID"]
    page.goto(f"{served.origin}/ui/incidents/12345?org={org}")
    page.wait_for_selector("#message:not([hidden])")
    assert f"Not found in tenant “{org}”" in page.inner_text("#message")


def test_an_unreachable_service_is_explained(seen: Watched, served: Service, data: Data) -> None:
    seen.failed_loads_expected = True
    page = seen.page
    page.goto(data.url(served.origin))
    ready(page)
    page.route("**/api/v1/**", lambda route: route.abort("connectionrefused"))
    page.click('[data-key="status=OPEN"]')
    page.wait_for_selector("#message:not([hidden])")
    assert "cannot be reached" in page.inner_text("#message")
    # The last rows shown stay: the person keeps what they had.
    assert len(row_ids(page)) == PAGE


@pytest.fixture(scope="module")
def keyed(chdb_engine: StoreConfig) -> Iterator[Service]:
    """The app with API keys: ``k-one`` may use one tenant only."""
    with service(chdb_engine, api_keys={"k-one": ["keyed-org"]}) as running:
        yield running


def test_with_api_keys_the_page_asks_for_one_and_explains_401_and_403(
    browser: "Browser", keyed: Service
) -> None:
    for seen in watch(browser, keyed.origin):
        seen.failed_loads_expected = True
        page = seen.page
        page.goto(f"{keyed.origin}/ui/?org=other-org")
        page.wait_for_selector("#message:not([hidden])")
        assert "needs an API key" in page.inner_text("#message")
        page.fill("#key", "k-one")
        page.click(".identity button[type=submit]")
        page.wait_for_selector("#message:has-text('may not read tenant')")
        page.fill("#org", "keyed-org")
        page.click(".identity button[type=submit]")
        ready(page)
        assert page.is_hidden("#message")
        assert query_of(page.url)["org"] == ["keyed-org"]
        # The key is kept for the tab only, never in the URL.
        assert "k-one" not in page.url
        assert page.evaluate("localStorage.getItem('incidents.key')") is None


# --- refreshing -------------------------------------------------------------------------


def test_a_refresh_shows_new_incidents_and_keeps_the_persons_place(
    seen: Watched, served: Service
) -> None:
    org = tenant()["X-Scope-OrgID"]
    now = datetime.now(UTC).replace(microsecond=0)
    write(served.api, org, written(now, count=30, seed=3))
    page = seen.page
    page.set_viewport_size({"width": 1400, "height": 500})
    page.goto(f"{served.origin}/ui/?org={org}&refresh=2")
    ready(page)
    # Typed first: filling a field scrolls it into view.
    page.fill("#user", "half-typed")
    page.mouse.wheel(0, 400)
    page.wait_for_function("() => window.scrollY > 0")
    scrolled = page.evaluate("window.scrollY")

    newest = written(now, count=1, seed=99)[0] | {
        "incidentId": "fresh",
        "status": "OPEN",
        "resolution": "",
        "startTime": now,
        "endTime": None,
    }
    answer = served.api.post(
        "/api/v1/incidents", json=as_json(newest), headers={"X-Scope-OrgID": org}
    )
    page.wait_for_selector(f'tr[data-id="{answer.text}"]', timeout=60_000)
    assert page.evaluate("window.scrollY") == scrolled
    assert page.input_value("#user") == "half-typed"
    assert query_of(page.url) == {"org": [org], "refresh": ["2"]}


def test_a_refresh_leaves_a_note_being_written_alone(seen: Watched, served: Service) -> None:
    org = tenant()["X-Scope-OrgID"]
    headers = {"X-Scope-OrgID": org}
    body = as_json(written(datetime.now(UTC).replace(microsecond=0), count=1, seed=5)[0])
    incident_id = served.api.post("/api/v1/incidents", json=body, headers=headers).text
    page = seen.page
    page.goto(f"{served.origin}/ui/incidents/{incident_id}?org={org}&refresh=2")
    ready(page)
    page.fill("#note-body", "still typing")
    note = served.api.post(
        f"/api/v1/incidents/{incident_id}/notes", json={"body": "from elsewhere"}, headers=headers
    )
    assert note.status_code == 201, note.text
    page.wait_for_selector("article.note .body:text('from elsewhere')", timeout=60_000)
    assert page.input_value("#note-body") == "still typing"
