"""The one function every incident write goes through: ``Writer.commit``.

A commit reads what the rules need in one query per table (the prior start and
resolution time of every incident from incident_keys, unless this writer is the store's
only one and knows it already, ``ingest.known``; the full current row only for
PATCHes), applies the writes in arrival order (a later write sees an earlier one of the
same batch), and inserts one Arrow batch per table: incidents (with tombstones where a
start moved), incident_keys and incident_events. The group-commit queue in
``ingest.group`` calls it with many requests' writes at once; the bulk loader calls it
with file chunks.
"""

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import cast

import numpy as np
import polars as pl
import pyarrow as pa

from clickhouse import Store
from clickhouse.tables import INCIDENT_KEYS, insert_tables
from ingest.columns import Checks, kept_rows
from ingest.known import KnownIds, LatestStates, among
from ingest.rows import SETTLED, commit_tables, incident_from_row, settled_rows
from ingest.rules import KEY, IncidentState, InvalidIncident, Prior, settle, settle_columns
from vocabulary.identity import VersionClock, incident_key, incident_keys
from vocabulary.incident import IncidentIn, IncidentPatch
from vocabulary.problems import FieldError
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


@dataclass(frozen=True)
class Rows:
    """Many create-or-updates of one tenant, checked as columns (a batch, a file chunk)."""

    org_id: str
    checks: Checks


@dataclass(frozen=True)
class RowsOutcome:
    """What became of a ``Rows`` write: each valid item's id by its input index, and
    by index what is wrong with each other (the checks', then the rules')."""

    ids: list[int | None]
    errors: dict[int, list[FieldError]]


Write = Upsert | Patch | Rows


class UnknownIncident(LookupError):
    """A PATCH named an incident that does not exist (for this tenant)."""


Outcome = IncidentState | InvalidIncident | UnknownIncident | RowsOutcome
NO_PRIORS = INCIDENT_KEYS.empty_table().drop_columns("version")
_END_BEFORE_START = [("endTime", "endTime: must not be before the incident's start")]


def _patched(base: IncidentIn, start: Prior, change: IncidentPatch) -> IncidentIn:
    """``base`` with the patchable fields replaced; the start it has is kept."""
    return base.model_copy(update={**dict(change), "start_time": start.start_time})


class Writer:
    """Turns writes into stored rows."""

    def __init__(self, store: Store, clock: VersionClock | None = None) -> None:
        self.store = store
        self.clock = clock or VersionClock()
        self._inserts = ThreadPoolExecutor(3, thread_name_prefix="insert")
        # Only the embedded engine has this process as its one writer (ingest/known.py);
        # the ids are read at the first commit, so that making a writer does no I/O.
        self._known: KnownIds | None = None
        self._latest = LatestStates() if store.config.embedded else None

    def close(self) -> None:
        """Stop the insert threads (after the last commit)."""
        self._inserts.shutdown(wait=True)

    def _priors(self, upserts: Sequence[Upsert]) -> dict[NaturalKey, Prior]:
        """The stored start and resolution time of every upserted incident: those this
        writer stored lately from memory, the others in one read."""
        priors: dict[NaturalKey, Prior] = {}
        unread: list[Upsert] = []
        for u in upserts:
            prior = (
                None
                if self._latest is None
                else self._latest.prior(u.org_id, u.id, *u.natural_key[1:])
            )
            if prior is None:
                unread.append(u)
            else:
                priors[u.natural_key] = prior
        if not unread:
            return priors
        wanted = {u.natural_key for u in unread}
        found = self._prior_rows({u.org_id for u in unread}, [u.id for u in unread])
        for row in found.to_pylist():
            key = (row["org_id"], row["source"], row["incident_id"])
            if key in wanted:
                priors[key] = Prior(row["start_time"], row["resolved_at"])
        return priors

    def _prior_rows(
        self, orgs: set[str], ids: Sequence[int], in_flight: pa.Table | None = None
    ) -> pa.Table:
        """Where the named incidents stand, from one read of the ids that may be stored;
        ``in_flight``, the incident_keys rows of a commit still being inserted, stands
        in for the store where it names an incident (its rows are the newer)."""
        named = ids
        if (known := self._known_ids()) is not None:
            ids = [i for i, maybe in zip(ids, known.maybe_known(ids), strict=True) if maybe]
        stored = (
            self.store.query(
                "incident_keys_lookup", {"orgs": sorted(orgs), "ids": sorted(set(ids))}
            )
            if ids
            else NO_PRIORS
        )
        if in_flight is None:
            return stored
        # A bulk load's chunks seldom name an incident of the chunk before: then the
        # store's answer stands as it is (the merge was 6% of a load's main thread, py-spy).
        named_in_flight = among(in_flight["id"].to_numpy(), np.asarray(named, np.uint64))
        if not named_in_flight.any():
            return stored
        newer = pl.from_arrow(in_flight.filter(named_in_flight).drop_columns("version"))
        assert isinstance(newer, pl.DataFrame)
        newer = newer.unique(KEY, keep="last")
        older = pl.from_arrow(stored)
        assert isinstance(older, pl.DataFrame)
        merged = pl.concat([older.join(newer, on=KEY, how="anti"), newer])
        return merged.to_arrow().cast(NO_PRIORS.schema)

    def _known_ids(self) -> KnownIds | None:
        if self._known is None and self.store.config.embedded:
            self._known = KnownIds.of(self.store, "incident_ids")
        return self._known

    def _insert(self, tables: dict[str, pa.Table]) -> None:
        if not tables["incidents"].num_rows:
            return
        keys = tables["incident_keys"]
        ids = cast(list[int], keys["id"].to_pylist())
        if (known := self._known_ids()) is not None:
            # Known before the insert: should it fail halfway, the ids are read next time.
            known.add(ids)
        try:
            insert_tables(self.store, tables, self._inserts)
        except BaseException:
            if self._latest is not None:  # what was stored of them is read next time
                self._latest.forget(ids)
            raise
        if self._latest is not None:
            self._latest.remember(keys)

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
        """Store ``writes``; one outcome per write, in order: its state or why it failed.

        Single writes and PATCHes are decided one by one, runs of ``Rows`` as columns;
        each run is one commit, so a later run reads what an earlier one stored.
        """
        outcomes: list[Outcome] = []
        for columnar, run in groupby(writes, key=lambda w: isinstance(w, Rows)):
            if columnar:
                outcomes += self._commit_rows([w for w in run if isinstance(w, Rows)])
            else:
                outcomes += self._commit_one_by_one([w for w in run if not isinstance(w, Rows)])
        return outcomes

    def _commit_one_by_one(self, writes: Sequence[Upsert | Patch]) -> list[Outcome]:
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
            self._insert(commit_tables(settled_rows(states)))
        return outcomes

    def _commit_rows(self, writes: Sequence[Rows]) -> list[Outcome]:
        tables, outcomes = self.settle_rows(writes)
        self._insert(tables)
        return outcomes

    def commit_chunks(self, chunks: Iterable[Sequence[Rows]]) -> Iterator[list[Outcome]]:
        """Commit columnar chunks in order, each one's outcomes once it is stored, while
        the next is prepared: a bulk load's inserts (a quarter of its time, and they
        release the GIL) overlap the Python of the chunk after. A chunk is inserted only
        once the one before is stored and its outcomes were taken; stop taking them, and
        nothing further is inserted."""
        with ThreadPoolExecutor(1, thread_name_prefix="chunk") as inserter:
            inserting: Future[None] | None = None
            in_flight: pa.Table | None = None
            previous: list[Outcome] = []
            for writes in chunks:
                tables, outcomes = self.settle_rows(writes, in_flight)
                if inserting is not None:
                    inserting.result()
                    yield previous
                inserting = inserter.submit(self._insert, tables)
                in_flight, previous = tables["incident_keys"], outcomes
            if inserting is not None:
                inserting.result()
                yield previous

    def settle_rows(
        self, writes: Sequence[Rows], in_flight: pa.Table | None = None
    ) -> tuple[dict[str, pa.Table], list[Outcome]]:
        """What committing columnar ``writes`` inserts, by table, and their outcomes: ids,
        one read of prior state (with ``in_flight`` standing in for a commit still being
        inserted), the rules as a join. Nothing is inserted here."""
        batch = pa.concat_tables([w.checks.table for w in writes])
        orgs = pa.array(
            np.repeat(
                np.array([w.org_id for w in writes], object), [w.checks.valid for w in writes]
            ),
            pa.string(),
        )
        ids = [
            key
            for w in writes
            for key in incident_keys(
                w.org_id,
                cast(list[str], w.checks.table["source"].to_pylist()),
                cast(list[str], w.checks.table["incident_id"].to_pylist()),
            )
        ]
        batch = batch.add_column(0, "id", pa.array(ids, pa.uint64())).add_column(0, "org_id", orgs)
        if not ids:
            return commit_tables(SETTLED.empty_table()), self._rows_outcomes(writes, [], kept=[])
        priors = self._prior_rows({w.org_id for w in writes}, ids, in_flight)
        moment = now()
        settled = settle_columns(batch, priors, moment)
        versions = self.clock.take(batch.num_rows)
        rows = kept_rows(batch, settled.kept).set_column(
            batch.schema.get_field_index("start_time"), "start_time", settled.start_time
        )
        columns = {
            **{name: rows[name] for name in rows.column_names},
            "resolved_at": settled.resolved_at,
            "updated_at": pa.repeat(
                pa.scalar(moment, SETTLED.field("updated_at").type), rows.num_rows
            ),
            "version": pa.array(
                np.arange(versions.start, versions.stop, dtype=np.uint64)[settled.kept]
            ),
            "action": settled.action,
            "moved_from": settled.moved_from,
        }
        table = pa.table([columns[name] for name in SETTLED.names], schema=SETTLED)
        return commit_tables(table), self._rows_outcomes(writes, ids, settled.kept.tolist())

    @staticmethod
    def _rows_outcomes(
        writes: Sequence[Rows], ids: list[int], kept: Sequence[bool]
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        offset = 0
        for write in writes:
            checks = write.checks
            answer = RowsOutcome([None] * checks.total, dict(checks.errors))
            for n, index in enumerate(checks.index.tolist(), start=offset):
                if kept[n]:
                    answer.ids[index] = ids[n]
                else:
                    answer.errors[index] = list(_END_BEFORE_START)
            offset += checks.valid
            outcomes.append(answer)
        return outcomes

    @staticmethod
    def _settle(
        write: Upsert | Patch,
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
