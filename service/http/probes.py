"""Liveness, readiness and the metadata endpoints."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.http.errors import error_response
from vocabulary.documents import Health
from vocabulary.enums import IncidentType

router = APIRouter()

TYPES = [t.value for t in IncidentType]


@router.get("/healthz", tags=["service"], response_model=Health)
def healthz() -> Any:
    """The process answers."""
    return JSONResponse({"status": "ok"})


@router.get(
    "/readyz",
    tags=["service"],
    response_model=Health,
    responses={503: {"description": "The store does not answer."}},
)
def readyz(request: Request) -> Any:
    """The store answers a query."""
    if request.app.state.services.store.ping():
        return JSONResponse({"status": "ready"})
    return error_response(request.url.path, 503, [("store", "the store does not answer")])


@router.get("/api/v1/metadata/types", tags=["metadata"], response_model=list[IncidentType])
def incident_types() -> Any:
    """Every incident type."""
    return JSONResponse(TYPES)
