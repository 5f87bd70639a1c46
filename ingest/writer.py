"""The one function every incident write goes through: ``Writer.commit``.

A commit reads what the rules need in one query per table (the prior start and
resolution time of every incident from incident_keys; the full current row only for
PATCHes), applies the writes in arrival order (a later write sees an earlier one of the
same batch), and inserts one Arrow batch per table: incidents (with tombstones where a
start moved), incident_keys and incident_events. The group-commit queue in
``ingest.group`` calls it with many requests' writes at once; the bulk loader calls it
with file chunks.
"""

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from clickhouse import Store
from clickhouse.tables import insert_tables
from ingest.rows import commit_tables, incident_from_row
from ingest.rules import IncidentState, InvalidIncident, Prior, settle
from vocabulary.identity import VersionClock, incident_key
from vocabulary.incident import IncidentIn, IncidentPatch
from vocabulary.timestamps import now

NaturalKey = tuple[str, str, str]
IncidentRef = tuple[str, int]


@dataclass(frozen=True)
class Upsert:
    """Create-or-update of one incident for a tenant."""

    org_id: str
    incident: IncidentIn
    id: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", incident_key(*self.natural_key))

    @property
    def natural_key(self) -> NaturalKey:
        return (self.org_id, self.incident.source, self.incident.incident_id)


@dataclass(frozen=True)
class Patch:
    """A person's PATCH of an existing incident, applied to its state at flush time."""

    org_id: str
    id: int
    change: IncidentPatch


Write = Upsert | Patch


class UnknownIncident(LookupError):
    """A PATCH named an incident that does not exist (for this tenant)."""


Outcome = IncidentState | InvalidIncident | UnknownIncident


def _patched(base: IncidentIn, start: Prior, change: IncidentPatch) -> IncidentIn:
    """``base`` with the patchable fields replaced; the start it has is kept."""
    return base.model_copy(update={**dict(change), "start_time": start.start_time})


class Writer:
    """Turns writes into stored rows."""

    def __init__(self, store: Store, clock: VersionClock | None = None) -> None:
        self.store = store
        self.clock = clock or VersionClock()
        self._inserts = ThreadPoolExecutor(3, thread_name_prefix="insert")

    def close(self) -> None:
        """Stop the insert threads (after the last commit)."""
        self._inserts.shutdown(wait=True)

    def _priors(self, upserts: Sequence[Upsert]) -> dict[NaturalKey, Prior]:
        """The stored start and resolution time of every upserted incident, in one read."""
        if not upserts:
            return {}
        wanted = {u.natural_key for u in upserts}
        found = self.store.query(
            "incident_keys_lookup",
            {"orgs": sorted({u.org_id for u in upserts}), "ids": sorted({u.id for u in upserts})},
        )
        priors: dict[NaturalKey, Prior] = {}
        for row in found.to_pylist():
            key = (row["org_id"], row["source"], row["incident_id"])
            if key in wanted:
                priors[key] = Prior(row["start_time"], row["resolved_at"])
        return priors

    def _currents(self, patches: Sequence[Patch]) -> dict[IncidentRef, tuple[IncidentIn, Prior]]:
        """The stored state of every patched incident, in one read."""
        if not patches:
            return {}
        wanted = {(p.org_id, p.id) for p in patches}
        found = self.store.query(
            "incidents_current_of",
            {"orgs": sorted({p.org_id for p in patches}), "ids": sorted({p.id for p in patches})},
        )
        return {
            (row["org_id"], row["id"]): (
                incident_from_row(row),
                Prior(row["start_time"], row["resolved_at"]),
            )
            for row in found.to_pylist()
            if (row["org_id"], row["id"]) in wanted
        }

    def commit(self, writes: Sequence[Write]) -> list[Outcome]:
        """Store ``writes``; one outcome per write, in order: its state or why it failed."""
        upserts = [w for w in writes if isinstance(w, Upsert)]
        priors = self._priors(upserts)
        currents = self._currents([w for w in writes if isinstance(w, Patch)])
        latest: dict[IncidentRef, IncidentState] = {}
        moment = now()
        outcomes: list[Outcome] = []
        for write, version in zip(writes, self.clock.take(len(writes)), strict=True):
            try:
                state = self._settle(write, priors, currents, latest, moment, version)
            except (InvalidIncident, UnknownIncident) as failed:
                outcomes.append(failed)
                continue
            key = (state.org_id, state.incident.source, state.incident.incident_id)
            priors[key] = state.as_prior()
            latest[(state.org_id, state.id)] = state
            outcomes.append(state)
        states = [o for o in outcomes if isinstance(o, IncidentState)]
        if states:
            insert_tables(self.store, commit_tables(states), self._inserts)
        return outcomes

    @staticmethod
    def _settle(
        write: Write,
        priors: dict[NaturalKey, Prior],
        currents: dict[IncidentRef, tuple[IncidentIn, Prior]],
        latest: dict[IncidentRef, IncidentState],
        moment: datetime,
        version: int,
    ) -> IncidentState:
        if isinstance(write, Upsert):
            prior = priors.get(write.natural_key)
            return settle(write.org_id, write.id, write.incident, prior, moment, version)
        ref = (write.org_id, write.id)
        earlier = latest.get(ref)
        if earlier is not None:
            base, prior = earlier.incident, earlier.as_prior()
        elif ref in currents:
            base, prior = currents[ref]
        else:
            raise UnknownIncident(f"no incident {write.id}")
        incident = _patched(base, prior, write.change)
        return settle(write.org_id, write.id, incident, prior, moment, version, patch=True)
