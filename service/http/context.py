"""What a request handler needs: the tenant and the app's long-lived services."""

from dataclasses import dataclass, fields
from typing import Annotated

from fastapi import Depends, Request

from clickhouse import Store
from ingest.group import GroupCommit
from ingest.writer import Writer
from service.locks import StripedLocks
from service.settings import Settings
from vocabulary.identity import NoteIds


@dataclass(frozen=True)
class Services:
    """The long-lived parts the app's lifespan opens and closes."""

    settings: Settings
    store: Store
    writer: Writer
    ingest: GroupCommit
    locks: StripedLocks
    note_ids: NoteIds


@dataclass(frozen=True)
class Context(Services):
    """The app's services, with the tenant the gate admitted for this request."""

    org_id: str


_SHARED = tuple(f.name for f in fields(Services))


async def context(request: Request) -> Context:
    """The tenant the gate admitted, with the app's services.

    A coroutine because it does no I/O: FastAPI runs a plain ``def`` dependency on the
    thread pool, a hop every request would pay for nothing.
    """
    services: Services = request.app.state.services
    shared = {name: getattr(services, name) for name in _SHARED}
    return Context(**shared, org_id=request.state.org_id)


Ctx = Annotated[Context, Depends(context)]
