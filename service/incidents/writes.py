"""Incident writes: create-or-update (one or a batch) and PATCH, through the group commit.

A write awaits its commit on the event loop (``GroupCommit.submit_async``), so a waiting
request holds no thread.
"""

import logging

from anyio import to_thread

from clickhouse import Store
from ingest.columns import Checks
from ingest.group import GroupCommit
from ingest.rules import IncidentState, InvalidIncident
from ingest.writer import Patch, Rows, RowsOutcome, UnknownIncident, Upsert
from service.incidents import reads
from vocabulary.documents import Document
from vocabulary.incident import IncidentPatch
from vocabulary.problems import BadRequest

log = logging.getLogger("incidents.domain")


async def submit(ingest: GroupCommit, write: Upsert | Patch, size: int = 0) -> IncidentState:
    """Commit one write through the group-commit queue; a broken rule is a 400."""
    (outcome,) = await ingest.submit_async([write], size)
    if isinstance(outcome, InvalidIncident):
        raise BadRequest(*[(field, f"{field}: {message}") for field, message in outcome.errors])
    if isinstance(outcome, UnknownIncident):
        assert isinstance(write, Patch)
        raise reads.not_found(write.id)
    assert isinstance(outcome, IncidentState), "only a Rows write has a RowsOutcome"
    return outcome


async def submit_batch(ingest: GroupCommit, org_id: str, checks: Checks, size: int) -> Document:
    """Store the valid items of a batch; ids align with the input, errors by index."""
    (outcome,) = await ingest.submit_async([Rows(org_id, checks)], size)
    assert isinstance(outcome, RowsOutcome)
    return {
        "ids": outcome.ids,
        "errors": [
            {"index": index, "errors": [{"message": m, "path": p} for p, m in found]}
            for index, found in sorted(outcome.errors.items())
        ],
    }


async def patch(
    store: Store, ingest: GroupCommit, org_id: str, incident_id: int, change: IncidentPatch
) -> Document:
    """Replace the patchable fields of the incident's state at commit time.

    The writer applies the PATCH to the state it reads (or has queued) when it commits,
    so a create-or-update answered just before is never undone by it.
    """
    await submit(ingest, Patch(org_id, incident_id, change))
    return await to_thread.run_sync(reads.get, store, org_id, incident_id)
