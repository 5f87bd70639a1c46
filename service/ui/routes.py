"""``/`` and ``/ui/...``: the dashboard's two pages, their assets and what they need to know.

The pages are static files shipped as package data; the browser asks ``/api/v1`` for
everything they show, as any client does, so these routes read no store and pass no
gate. None of them is part of the API: all stay out of the OpenAPI document.
"""

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from service.incidents.routes import IncidentId
from service.settings import Settings

UI = "/ui"
ASSETS = Path(__file__).parent / "static"
# Optional endpoints the dashboard asks only when the app has them: asking one that is
# absent would log a failed load in the person's console on every refresh.
OPTIONAL = {"responseTimes": "/api/v1/statistics/response-times"}
# Everything the pages load comes from this origin; the browser refuses anything else, so
# a page that tried to reach a CDN would fail loudly instead of leaking who reads it.
# uPlot sizes its canvas with inline styles, hence 'unsafe-inline' for styles only.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-cache",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)


def page(name: str) -> FileResponse:
    return FileResponse(ASSETS / name, media_type="text/html", headers=HEADERS)


@router.get("/")
def root(request: Request) -> RedirectResponse:
    """``/`` leads to the dashboard, keeping the query (``/?org=acme`` works)."""
    query = request.url.query
    return RedirectResponse(f"{UI}/" + (f"?{query}" if query else ""), status_code=307)


@router.get(f"{UI}/")
def dashboard() -> FileResponse:
    return page("index.html")


@router.get(f"{UI}/incidents/{{incident_id}}")
def incident_page(incident_id: IncidentId) -> FileResponse:
    """The incident's page; the id is checked here so that a mistyped one is a 400, and
    the page itself finds out whether the tenant has it."""
    del incident_id
    return page("incident.html")


@router.get(f"{UI}/config.json")
def config(request: Request) -> JSONResponse:
    """What the pages adapt to: whether a key is needed, whether a tenant may be left out,
    and which optional endpoints this app serves."""
    settings: Settings = request.app.state.services.settings
    paths = {getattr(route, "path", None) for route in request.app.routes}
    answer: dict[str, Any] = {
        "apiKeys": bool(settings.api_keys),
        "defaultOrg": settings.default_org is not None,
        "endpoints": {name: path in paths for name, path in OPTIONAL.items()},
    }
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Serve the pages and, under ``/ui/static``, their scripts, styles and vendored code."""
    app.mount(f"{UI}/static", StaticFiles(directory=ASSETS), name="ui-static")
    app.include_router(router)
