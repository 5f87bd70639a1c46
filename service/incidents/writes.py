"""Incident writes: create-or-update (one or a batch) and PATCH, through the group commit."""

import logging

from clickhouse import Store
from ingest.batch import Validated
from ingest.group import GroupCommit
from ingest.rules import IncidentState, InvalidIncident
from ingest.writer import Patch, UnknownIncident, Upsert, Write
from service.incidents import reads
from vocabulary.documents import Document
from vocabulary.incident import IncidentPatch
from vocabulary.problems import BadRequest

log = logging.getLogger("incidents.domain")


def submit(ingest: GroupCommit, write: Write, size: int = 0) -> IncidentState:
    """Commit one write through the group-commit queue; a broken rule is a 400."""
    (outcome,) = ingest.submit([write], size)
    if isinstance(outcome, InvalidIncident):
        raise BadRequest(*[(field, f"{field}: {message}") for field, message in outcome.errors])
    if isinstance(outcome, UnknownIncident):
        assert isinstance(write, Patch)
        raise reads.not_found(write.id)
    return outcome


def submit_batch(ingest: GroupCommit, org_id: str, batch: Validated, size: int) -> Document:
    """Store the valid items of a batch; ids align with the input, errors by index."""
    writes = [(n, Upsert(org_id, item)) for n, item in enumerate(batch.items) if item is not None]
    ids: list[int | None] = [None] * len(batch.items)
    problems = dict(batch.errors)
    outcomes = ingest.submit([w for _, w in writes], size)
    for (index, _), outcome in zip(writes, outcomes, strict=True):
        if isinstance(outcome, IncidentState):
            ids[index] = outcome.id
        elif isinstance(outcome, InvalidIncident):
            problems[index] = [(f, f"{f}: {m}") for f, m in outcome.errors]
    return {
        "ids": ids,
        "errors": [
            {"index": index, "errors": [{"message": m, "path": p} for p, m in found]}
            for index, found in sorted(problems.items())
        ],
    }


def patch(
    store: Store, ingest: GroupCommit, org_id: str, incident_id: int, change: IncidentPatch
) -> Document:
    """Replace the patchable fields of the incident's state at commit time.

    The writer applies the PATCH to the state it reads (or has queued) when it commits,
    so a create-or-update answered just before is never undone by it.
    """
    submit(ingest, Patch(org_id, incident_id, change))
    return reads.get(store, org_id, incident_id)
