"""What a request handler needs: the tenant and the app's long-lived services."""

from dataclasses import dataclass
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
class Context:
    org_id: str
    store: Store
    writer: Writer
    ingest: GroupCommit
    locks: StripedLocks
    note_ids: NoteIds


def context(request: Request) -> Context:
    """The tenant the gate admitted, with the app's services."""
    services: Services = request.app.state.services
    return Context(
        request.state.org_id,
        services.store,
        services.writer,
        services.ingest,
        services.locks,
        services.note_ids,
    )


Ctx = Annotated[Context, Depends(context)]
