"""The document's browser views, ``/docs`` (Swagger UI) and ``/redoc``, from shipped assets.

Both pages load only what the service serves under ``/static`` (vendored from the npm
packages swagger-ui-dist and redoc, with their licences beside them): no CDN, no web
fonts, and Swagger UI's online validator badge is off, so the pages work air-gapped
and tell no third party who reads them.
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/static"
ASSETS = Path(__file__).parent / "static"
SWAGGER_UI = f"{STATIC}/swagger-ui"
REDOC = f"{STATIC}/redoc"
FAVICON = f"{SWAGGER_UI}/favicon-32x32.png"


def install(app: FastAPI) -> None:
    """Serve the assets and the two pages; FastAPI's own, CDN-bound pages must be off."""
    assert app.docs_url is None
    assert app.redoc_url is None
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"
    app.mount(STATIC, StaticFiles(directory=ASSETS), name="static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{SWAGGER_UI}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_UI}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{REDOC}/redoc.standalone.js",
            redoc_favicon_url=FAVICON,
            with_google_fonts=False,
        )
