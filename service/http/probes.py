"""Liveness, readiness and the metadata endpoints."""

from typing import Any

from fastapi import APIRouter, Request

from service.http.errors import error_response
from vocabulary.enums import IncidentType

router = APIRouter()


@router.get("/healthz", tags=["service"])
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", tags=["service"])
def readyz(request: Request) -> Any:
    """The store answers a query."""
    if request.app.state.services.store.ping():
        return {"status": "ready"}
    return error_response(request.url.path, 503, [("store", "the store does not answer")])


@router.get("/api/v1/metadata/types", tags=["metadata"])
def incident_types() -> list[str]:
    return [t.value for t in IncidentType]
