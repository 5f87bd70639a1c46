"""The contract's rules for an incident's start and resolution, as pure functions.

An update without a start keeps the start it had (a new incident starts now); the
resolution time of a RESOLVED incident is its endTime, else the earlier resolution time
if it was already resolved, else now; reopening clears it. When the start moves, the row
at the old position in the time-ordered key must be tombstoned.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute

from clickhouse.tables import Column, each_once
from vocabulary.enums import HistoryAction, IncidentStatus
from vocabulary.incident import IncidentIn

# pyarrow's stubs know few compute overloads.
pc: Any = pyarrow.compute


@dataclass(frozen=True)
class Prior:
    """What the store knows of an incident before a write."""

    start_time: datetime
    resolved_at: datetime | None


@dataclass(frozen=True)
class IncidentState:
    """The full state a write stores, with everything the rules decided."""

    org_id: str
    id: int
    incident: IncidentIn
    start_time: datetime
    resolved_at: datetime | None
    updated_at: datetime
    version: int
    action: HistoryAction
    moved_from: datetime | None

    def as_prior(self) -> Prior:
        return Prior(self.start_time, self.resolved_at)


class InvalidIncident(ValueError):
    """An item that breaks a rule needing prior state; carries (field, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors))
        self.errors = errors


def settle(
    org_id: str,
    incident_id: int,
    incident: IncidentIn,
    prior: Prior | None,
    now: datetime,
    version: int,
    *,
    patch: bool = False,
) -> IncidentState:
    """Apply the start and resolution rules to one write."""
    start = incident.start_time or (prior.start_time if prior else now)
    if incident.end_time is not None and incident.end_time < start:
        raise InvalidIncident([("endTime", "must not be before the incident's start")])
    resolved_at: datetime | None = None
    if incident.status is IncidentStatus.RESOLVED:
        resolved_at = incident.end_time or (prior.resolved_at if prior else None) or now
    action = (
        HistoryAction.CREATED
        if prior is None
        else HistoryAction.PATCHED
        if patch
        else HistoryAction.UPDATED
    )
    moved_from = prior.start_time if prior and prior.start_time != start else None
    return IncidentState(
        org_id=org_id,
        id=incident_id,
        incident=incident,
        start_time=start,
        resolved_at=resolved_at,
        updated_at=now,
        version=version,
        action=action,
        moved_from=moved_from,
    )


# The key that names one incident in a batch, as the prior-state read returns it.
KEY = ["org_id", "id", "source", "incident_id"]


@dataclass(frozen=True)
class Settled:
    """What ``settle_columns`` decided for a batch, row by row for the rows it kept."""

    kept: np.ndarray  # which input rows broke no rule, in input order
    start_time: Column
    resolved_at: Column
    action: Column
    moved_from: Column


def _first_of_incident() -> pl.Expr:
    """Whether a row, in a frame sorted by incident, is its incident's first."""
    return pl.any_horizontal([pl.col(k) != pl.col(k).shift(1) for k in KEY]).fill_null(True)


def _settle_creations(batch: pa.Table, now: datetime) -> Settled:
    """``settle_columns`` where every write creates its incident: none is stored, none
    written twice. Each starts at its start or now, is refused for an end before that,
    and is resolved at its end or now; the sort and join the general case needs are
    7-13 ms of a 10k chunk, this 0.6-1.0 (by hand)."""
    moment = pa.scalar(now, batch.schema.field("start_time").type)
    start = pc.coalesce(batch["start_time"], moment)
    kept = ~pc.fill_null(pc.less(batch["end_time"], start), False).to_numpy()
    resolved = pc.equal(batch["status"], IncidentStatus.RESOLVED.value)
    resolved_at = pc.if_else(resolved, pc.coalesce(batch["end_time"], moment), None)
    chosen = pa.array(kept)
    count = int(kept.sum())
    return Settled(
        kept,
        start.filter(chosen).combine_chunks(),
        resolved_at.filter(chosen).combine_chunks(),
        pa.repeat(pa.scalar(HistoryAction.CREATED.value), count),
        pa.nulls(count, moment.type),
    )


def settle_columns(batch: pa.Table, priors: pa.Table, now: datetime) -> Settled:
    """``settle`` for a whole batch at once, as a join with the prior state.

    ``batch`` holds the natural key, ``start_time``, ``end_time`` and ``status`` of each
    write in arrival order; ``priors`` the stored state (``start_time``, ``resolved_at``)
    of the incidents named. A later write of the same incident sees the earlier one, as
    in a loop over ``settle``. A refused write (an end before its start) changes
    nothing: those refused by their own start go first; one refused by a start it
    carried had no start of its own, so later starts are the same without it, and it
    is dropped before the rest (resolution, action, moved start) is decided.

    The rows are sorted by incident, then arrival, once: "the write before" is the row
    before, and a value carried on is a forward fill that cannot leak from the incident
    before, because each incident's first row has one. Windows over the key (``over``)
    measured 4.5 us a row at 100k rows; this takes 1.2-1.5 (benchmarks.columns). A
    batch that only creates (nothing stored, no incident named twice: a bulk load's
    usual chunk) needs neither sort nor join.
    """
    if not priors.num_rows and each_once(batch["id"]):
        return _settle_creations(batch, now)
    moment = pl.lit(now, dtype=pl.Datetime("ms", "UTC"))
    writes = pl.from_arrow(batch.select([*KEY, "start_time", "end_time", "status"]))
    assert isinstance(writes, pl.DataFrame)
    known = pl.from_arrow(priors.select([*KEY, "start_time", "resolved_at"]))
    assert isinstance(known, pl.DataFrame)
    known = known.rename({"start_time": "prior_start", "resolved_at": "prior_resolved"})
    # An end before the write's own start is refused without looking further, and
    # must not carry its start on to later writes.
    kept = ~(writes["end_time"] < writes["start_time"]).fill_null(False).to_numpy()
    first = _first_of_incident()
    frame = (
        writes.with_row_index("position")
        .filter(pl.Series(kept))
        .join(
            known.with_columns(pl.lit(True).alias("known")),
            on=KEY,
            how="left",
            maintain_order="left",
        )
        .sort([*KEY, "position"])
        .with_columns(
            pl.when(first)
            .then(pl.coalesce("start_time", "prior_start", moment))
            .otherwise("start_time")
            .forward_fill()
            .alias("start")
        )
    )
    carried = (frame["end_time"] < frame["start"]).fill_null(False)
    refused = frame.filter(carried)["position"].to_numpy()
    kept[refused] = False
    resolved = pl.col("status") == IncidentStatus.RESOLVED.value
    run_start = resolved & (first | ~resolved.shift(1)).fill_null(True)
    base = pl.when(first).then(pl.col("prior_resolved").fill_null(moment)).otherwise(moment)
    decided = (
        frame.filter(~carried)
        .with_columns(
            pl.when(resolved & pl.col("end_time").is_not_null())
            .then("end_time")
            .when(run_start)
            .then(base)
            .alias("resolution"),
            pl.when(first)
            .then("prior_start")
            .otherwise(pl.col("start").shift(1))
            .alias("previous"),
            pl.when(first & pl.col("known").is_null())
            .then(pl.lit(HistoryAction.CREATED.value))
            .otherwise(pl.lit(HistoryAction.UPDATED.value))
            .alias("action"),
        )
        .with_columns(
            # A run of resolved writes starts with a resolution, so the fill stays in it.
            pl.when(resolved).then(pl.col("resolution").forward_fill()).alias("resolved_at"),
            pl.when(pl.col("previous") != pl.col("start")).then("previous").alias("moved_from"),
        )
        .sort("position")
    )
    table = decided.select("start", "resolved_at", "action", "moved_from").to_arrow()
    return Settled(
        kept,
        table["start"].combine_chunks(),
        table["resolved_at"].combine_chunks(),
        table["action"].combine_chunks().cast(pa.string()),
        table["moved_from"].combine_chunks(),
    )
