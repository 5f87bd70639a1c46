"""Notes: ``/api/v1/incidents/{incidentId}/notes`` and ``/api/v1/notes/{noteId}``."""

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from service.http.context import Ctx
from service.incidents.routes import NO_INCIDENT, ONE, IncidentId
from service.notes import notes
from service.notes.notes import NoteBody
from vocabulary.documents import Note

router = APIRouter(prefix="/api/v1", tags=["notes"])

NOTE = "/notes/{note_id:int}"
# Note ids are 53-bit like incident ids; the same bound keeps a huge number a 400.
NoteId = IncidentId
NO_NOTE: dict[int | str, dict[str, Any]] = {404: {"description": "No such note in the tenant."}}


@router.get(ONE + "/notes", response_model=list[Note], responses=NO_INCIDENT)
def list_notes(incident_id: IncidentId, ctx: Ctx) -> Any:
    """The incident's notes, oldest first."""
    return JSONResponse(notes.notes_of(ctx.store, ctx.org_id, incident_id))


@router.post(
    ONE + "/notes",
    status_code=201,
    response_model=Note,
    responses={
        **NO_INCIDENT,
        201: {
            "headers": {
                "Location": {"description": "The note's URL.", "schema": {"type": "string"}}
            }
        },
    },
)
def add_note(incident_id: IncidentId, note: NoteBody, ctx: Ctx) -> Any:
    document = notes.add(ctx.store, ctx.writer, ctx.note_ids, ctx.org_id, incident_id, note)
    return JSONResponse(
        document, status_code=201, headers={"Location": f"/api/v1/notes/{document['id']}"}
    )


@router.get(NOTE, response_model=Note, responses=NO_NOTE)
def get_note(note_id: NoteId, ctx: Ctx) -> Any:
    return JSONResponse(notes.get(ctx.store, ctx.org_id, note_id))


@router.put(NOTE, response_model=Note, responses=NO_NOTE)
def edit_note(note_id: NoteId, note: NoteBody, ctx: Ctx) -> Any:
    """Replace the note's body."""
    return JSONResponse(
        notes.edit(ctx.store, ctx.writer, ctx.locks, ctx.org_id, note_id, note=note)
    )


@router.delete(NOTE, status_code=204, responses=NO_NOTE)
def delete_note(note_id: NoteId, ctx: Ctx) -> Response:
    notes.delete(ctx.store, ctx.writer, ctx.locks, ctx.org_id, note_id)
    return Response(status_code=204)
