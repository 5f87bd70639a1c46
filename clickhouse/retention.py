"""Retention: ClickHouse TTLs rendered from settings and applied at start-up (removed when
unset), and a periodic purge of resolved incidents.

A TTL cannot take bound parameters (it is DDL), so its text is formatted here: the day
counts are validated integers and the type names come from the ``IncidentType`` enum via
the settings, never from a request; both are checked again below before they are put
into SQL. Rows go when ClickHouse merges their part after they expire (or at once on
``OPTIMIZE ... FINAL``), not at the instant they expire.

Every TTL counts from the time a row was written (``updated_at``, ``at``, a note's last
edit, the key's version time), so an incident still being updated never expires (an
acknowledgement or a note is not an update of the incident).

- ``incidents``: per type (a type's own days replace the default) and a tenant-wide
  default. An older version of an incident is never younger than a newer one, so it
  expires first and FINAL never falls back to it. The exception: an incident whose type
  changed to one kept for less time shows its older version until that expires too.
- Resolved incidents are not a TTL: ClickHouse applies a TTL to each part before it
  replaces versions (measured on chDB 26.9: an expired RESOLVED version in one part and
  its OPEN predecessor in another merged into the OPEN one in 44 of 45 trials), so a
  status rule would bring older versions back. ``purge_resolved`` deletes every version
  of an incident whose current version is resolved and old enough, at start-up and then
  hourly.
- ``incident_events``, ``incident_notes``, ``incident_keys``: a TTL can only see its own
  row, and these rows do not carry the incident's type or status, so they keep the
  longest incident retention from their own write time (an approximation: history and
  notes of a short-lived type stay as long as the longest-lived type's). They get none
  unless a default is set, since without one some incidents are kept forever.
- ``incident_acks`` and ``scan_reports`` keep no TTL: an ack must not vanish from an
  incident that is still live, and a source's newest report is its current state.
"""

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from clickhouse.cluster import cluster_name
from clickhouse.store import Store, StoreError

log = logging.getLogger("incidents.retention")

PURGE_EVERY_SECONDS = 3600.0

TABLES = ("incidents", "incident_events", "incident_notes", "incident_keys")
# The column each follower table counts from; the key's version is the writer's clock in
# nanoseconds, written with every incident version.
_FOLLOWERS = {
    "incident_events": "at",
    "incident_notes": "updated_at",
    "incident_keys": "fromUnixTimestamp64Nano(toInt64(version), 'UTC')",
}
_TYPE_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


@dataclass(frozen=True)
class RetentionPolicy:
    """Days to keep incidents for; None keeps them forever."""

    default_days: int | None = None
    resolved_days: int | None = None
    days_by_type: Mapping[str, int] = field(default_factory=dict)

    @property
    def longest(self) -> int | None:
        """The longest any incident is kept, or None when some are kept forever."""
        if self.default_days is None:
            return None
        return max([self.default_days, *self.days_by_type.values()])


def _checked_days(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"retention days must be a positive integer, not {value!r}")
    return value


def _days(value: int) -> str:
    return f"toIntervalDay({_checked_days(value)})"


def _type_literal(name: str) -> str:
    if not _TYPE_NAME.fullmatch(name):
        raise ValueError(f"not an incident type name: {name!r}")
    return f"'{name}'"


def table_ttls(policy: RetentionPolicy) -> dict[str, str]:
    """The TTL each table should carry ("" for none), in the form ClickHouse prints it back
    (``system.tables.engine_full``), so that an unchanged TTL is recognised and left alone."""
    rules = [
        f"updated_at + {_days(days)} WHERE type = {_type_literal(name)}"
        for name, days in sorted(policy.days_by_type.items())
    ]
    if policy.default_days is not None:
        rule = f"updated_at + {_days(policy.default_days)}"
        if policy.days_by_type:
            others = ", ".join(_type_literal(name) for name in sorted(policy.days_by_type))
            rule += f" WHERE type NOT IN ({others})"
        rules.append(rule)
    ttls = {"incidents": ", ".join(rules)}
    longest = policy.longest
    for table, column in _FOLLOWERS.items():
        ttls[table] = "" if longest is None else f"{column} + {_days(longest)}"
    return ttls


def retention_statements(
    policy: RetentionPolicy, current: Mapping[str, str], cluster: str = ""
) -> list[tuple[str, str]]:
    """(table, statement) for every table whose TTL differs from the policy's.

    ``current`` maps each table to the TTL it carries now ("" for none). On a cluster the
    TTL belongs to the replicated ``<table>_local`` tables, changed on every node at once.
    """
    on_cluster = f" ON CLUSTER '{cluster_name(cluster)}'" if cluster else ""
    found: list[tuple[str, str]] = []
    for table, wanted in table_ttls(policy).items():
        have = current.get(table, "")
        if wanted == have:
            continue
        target = f"{table}_local" if cluster else table
        change = f"MODIFY TTL {wanted}" if wanted else "REMOVE TTL"
        found.append((table, f"ALTER TABLE {target}{on_cluster} {change}"))
    return found


def current_ttls(store: Store) -> dict[str, str]:
    """The TTL each retained table carries now, by its single-node name."""
    cluster = store.config.cluster
    names = {f"{table}_local" if cluster else table: table for table in TABLES}
    rows = store.query("retention_current", {"tables": list(names)}).to_pylist()
    return {names[row["name"]]: row["ttl"] for row in rows}


def apply_retention(store: Store, policy: RetentionPolicy) -> list[str]:
    """Bring every table's TTL to ``policy``; returns the tables changed.

    A changed TTL is materialised over existing parts (ClickHouse's default, a mutation
    that runs in the background); an unchanged one is not touched, so restarts cost one
    read of ``system.tables``.
    """
    changes = retention_statements(policy, current_ttls(store), store.config.cluster)
    for table, statement in changes:
        store.statement(f"retention_{table}", statement)
    return [table for table, _ in changes]


# Incidents per DELETE of the resolved purge: each one's key is a literal in the statement.
PURGE_BATCH = 10_000


def purge_statement(cluster: str = "") -> str:
    """Delete every version of the incidents ``{ids:Array(Tuple(String, UInt64))}`` (org and
    id) that has not changed for ``{days:UInt32}`` days (a lightweight delete; all bound).

    The ids are read first (``retention_purge_candidates.sql``: current version resolved
    and as old) and bound here, rather than asked for by a subquery inside the DELETE:
    ClickHouse runs a delete part by part and evaluates such a subquery again for each
    part, so once the part holding the resolved version is done, a part holding an older
    version of the same incident no longer finds it resolved and keeps that version, which
    FINAL then shows (measured on chDB 26.9: one open version in an older part, one
    resolved in a newer one kept the open one in 5 of 200 runs; ten incidents whose
    resolved version sat in the earlier part kept one in each of 10 runs). Bound ids are
    the same for every part. The time bound keeps a version written since the read (a
    reopening). On a cluster each shard deletes from its own replicated table, which holds
    every version of its incidents.
    """
    on_cluster = f" ON CLUSTER '{cluster_name(cluster)}'" if cluster else ""
    table = "incidents_local" if cluster else "incidents"
    expired = "updated_at < now64(3) - toIntervalDay({days:UInt32})"
    return (
        f"DELETE FROM {table}{on_cluster} WHERE {expired} "
        "AND (org_id, id) IN {ids:Array(Tuple(String, UInt64))}"
    )


def purge_resolved(store: Store, policy: RetentionPolicy) -> bool:
    """Run the resolved purge if the policy has one; whether it ran."""
    if policy.resolved_days is None:
        return False
    days = _checked_days(policy.resolved_days)
    found = store.query("retention_purge_candidates", {"days": days})
    ids = list(zip(found.column("org_id").to_pylist(), found.column("id").to_pylist(), strict=True))
    statement = purge_statement(store.config.cluster)
    for first in range(0, len(ids), PURGE_BATCH):
        batch = ids[first : first + PURGE_BATCH]
        store.statement("retention_purge_resolved", statement, {"days": days, "ids": batch})
    return True


async def keep_purging(
    store: Store, policy: RetentionPolicy, every: float = PURGE_EVERY_SECONDS
) -> None:
    """Purge resolved incidents now and every ``every`` seconds, until cancelled."""
    while policy.resolved_days is not None:
        try:
            await asyncio.to_thread(purge_resolved, store, policy)
        except StoreError:
            log.warning(
                "the purge of resolved incidents failed; it runs again in %ss", every, exc_info=True
            )
        await asyncio.sleep(every)
