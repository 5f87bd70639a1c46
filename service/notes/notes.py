"""Notes on incidents: add, read, list, edit and delete, each change in the history.

A note is a row of ``incident_notes`` (a ReplacingMergeTree on ``(org_id, note_id)``):
an edit or a delete appends a new version, a delete with ``is_deleted = 1``, and reads
use FINAL, so a deleted note is gone for every verb. Edits and deletes of one note are
serialised by the app's striped locks, so that an edit racing a delete cannot bring the
note back with a higher version. Note ids come from the app's ``vocabulary.identity.NoteIds``,
handed in: one generator per process keeps them increasing.
"""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from clickhouse import Store
from clickhouse.tables import insert_rows
from ingest.writer import Writer
from service.incidents import events, reads
from service.locks import StripedLocks
from vocabulary.documents import Document
from vocabulary.enums import HistoryAction
from vocabulary.identity import NoteIds
from vocabulary.problems import NotFound
from vocabulary.timestamps import format_time, now

BODY_LIMIT = 10_000


def _written_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # JSON's \ud800 escapes decode to lone surrogates, which no store can hold.
        raise ValueError("must be valid Unicode (no lone surrogates)") from None
    return value


class NoteBody(BaseModel):
    """Body of adding or editing a note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: Annotated[
        str,
        StringConstraints(min_length=1, max_length=BODY_LIMIT),
        AfterValidator(_written_text),
    ]


def not_found(note_id: int) -> NotFound:
    return NotFound(("noteId", f"noteId: no note {note_id}"))


def note_document(row: dict[str, Any]) -> Document:
    return {
        "id": row["note_id"],
        "incidentId": row["incident_id"],
        "body": row["body"],
        "createdAt": format_time(row["created_at"]),
        "updatedAt": format_time(row["updated_at"]),
    }


def _require_incident(store: Store, org_id: str, incident_id: int) -> None:
    if store.query("incident_position", {"org": org_id, "id": incident_id}).num_rows == 0:
        raise reads.not_found(incident_id)


def _current(store: Store, org_id: str, note_id: int) -> dict[str, Any]:
    found = store.query("note_get", {"org": org_id, "note_id": note_id}).to_pylist()
    if not found:
        raise not_found(note_id)
    row: dict[str, Any] = found[0]
    return row


def _store_version(
    store: Store,
    writer: Writer,
    org_id: str,
    row: dict[str, Any],
    action: HistoryAction,
    before: dict[str, Any] | None,
) -> None:
    """Write a version of the note and its history event, both under one new version
    and at the row's ``updated_at``; a NOTE_DELETED version is the deletion."""
    version, at = writer.clock.next(), row["updated_at"]
    deleted = action is HistoryAction.NOTE_DELETED
    stored = {**row, "org_id": org_id, "version": version, "is_deleted": int(deleted)}
    insert_rows(store, "incident_notes", [stored])
    after = None if deleted else {"id": row["note_id"], "body": row["body"]}
    event = events.row(
        org_id,
        row["incident_id"],
        version=version,
        at=at,
        action=action,
        user_id=None,
        changes={"note": events.change(before, after)},
    )
    insert_rows(store, "incident_events", [event])


def notes_of(store: Store, org_id: str, incident_id: int) -> list[Document]:
    """The live notes of an incident, oldest first."""
    _require_incident(store, org_id, incident_id)
    rows = store.query("note_list", {"org": org_id, "incident_id": incident_id})
    return [note_document(row) for row in rows.to_pylist()]


def get(store: Store, org_id: str, note_id: int) -> Document:
    return note_document(_current(store, org_id, note_id))


def add(
    store: Store, writer: Writer, ids: NoteIds, org_id: str, incident_id: int, note: NoteBody
) -> Document:
    """A new note on an existing incident, its id from ``ids``."""
    _require_incident(store, org_id, incident_id)
    at = now()
    row = {
        "note_id": ids.next(),
        "incident_id": incident_id,
        "body": note.body,
        "created_at": at,
        "updated_at": at,
    }
    _store_version(
        store,
        writer,
        org_id,
        row,
        HistoryAction.NOTE_ADDED,
        None,
    )
    return note_document(row)


def edit(
    store: Store, writer: Writer, locks: StripedLocks, org_id: str, note_id: int, *, note: NoteBody
) -> Document:
    """Replace a note's body; the same body again writes nothing."""
    with locks(org_id, "note", note_id):
        current = _current(store, org_id, note_id)
        if current["body"] == note.body:
            return note_document(current)
        at = now()
        row = {**current, "body": note.body, "updated_at": at}
        _store_version(
            store,
            writer,
            org_id,
            row,
            HistoryAction.NOTE_EDITED,
            {"id": note_id, "body": current["body"]},
        )
        return note_document(row)


def delete(store: Store, writer: Writer, locks: StripedLocks, org_id: str, note_id: int) -> None:
    """Delete a live note; a note already deleted is not found."""
    with locks(org_id, "note", note_id):
        current = _current(store, org_id, note_id)
        at = now()
        _store_version(
            store,
            writer,
            org_id,
            {**current, "updated_at": at},
            HistoryAction.NOTE_DELETED,
            {"id": note_id, "body": current["body"]},
        )
