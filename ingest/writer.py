"""The one function every incident write goes through.

``Writer.commit`` reads the prior state of every incident in the batch in one query,
applies the rules in arrival order (a later item sees an earlier item of the same
batch), and inserts one Arrow batch per table: incidents (with tombstones for moved
starts), incident_keys and incident_events.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from clickhouse import Store
from ingest.identity import VersionClock, incident_key
from ingest.model import IncidentIn
from ingest.rows import event_rows, incident_rows, key_rows
from ingest.rules import IncidentState, InvalidIncident, Prior, settle
from ingest.timestamps import now

NaturalKey = tuple[str, str, str]


@dataclass(frozen=True)
class Write:
    """One incident to store for a tenant; ``patch`` marks a person's PATCH."""

    org_id: str
    incident: IncidentIn
    patch: bool = False

    @property
    def natural_key(self) -> NaturalKey:
        return (self.org_id, self.incident.source, self.incident.incident_id)

    @property
    def id(self) -> int:
        return incident_key(*self.natural_key)


Outcome = IncidentState | InvalidIncident


class Writer:
    """Turns writes into stored rows."""

    def __init__(self, store: Store, clock: VersionClock | None = None) -> None:
        self.store = store
        self.clock = clock or VersionClock()

    def priors(self, writes: Sequence[Write]) -> dict[NaturalKey, Prior]:
        """The stored state of every incident in ``writes``, in one read."""
        if not writes:
            return {}
        wanted = {w.natural_key for w in writes}
        found = self.store.query(
            "incident_keys_lookup",
            {
                "orgs": sorted({w.org_id for w in writes}),
                "ids": sorted({w.id for w in writes}),
            },
        )
        priors: dict[NaturalKey, Prior] = {}
        for row in found.to_pylist():
            key = (row["org_id"], row["source"], row["incident_id"])
            if key in wanted:
                priors[key] = Prior(row["start_time"], row["resolved_at"])
        return priors

    def commit(self, writes: Sequence[Write]) -> list[Outcome]:
        """Store ``writes``; one outcome per write, in order: its state or why it failed."""
        priors = self.priors(writes)
        moment = now()
        outcomes: list[Outcome] = []
        for write, version in zip(writes, self.clock.take(len(writes)), strict=True):
            try:
                state = settle(
                    write.org_id,
                    write.id,
                    write.incident,
                    priors.get(write.natural_key),
                    moment,
                    version,
                    patch=write.patch,
                )
            except InvalidIncident as invalid:
                outcomes.append(invalid)
                continue
            priors[write.natural_key] = state.as_prior()
            outcomes.append(state)
        states = [o for o in outcomes if isinstance(o, IncidentState)]
        if states:
            self.store.insert("incidents", incident_rows(states))
            self.store.insert("incident_keys", key_rows(states))
            self.store.insert("incident_events", event_rows(states))
        return outcomes
