"""Renders the cluster variant of the schema from the single-node migration files.

The migrations stay the one source of truth; this pure renderer turns each
``CREATE TABLE <t>`` into a replicated ``<t>_local`` on every node and a ``Distributed``
``<t>`` over them, both ``ON CLUSTER``, so every query file runs unchanged on a cluster;
an ``ALTER TABLE <t> ADD COLUMN`` goes to both.
It formats DDL text, so the names it puts in are checked against identifier patterns;
it never sees request input.

Sharding keys, chosen so that every read that must see all versions of something finds
them on one shard:

- ``incidents``, ``incident_keys``, ``incident_acks``, ``incident_events``:
  ``cityHash64(org_id, id)``. Every version and tombstone of an incident has the same
  (org_id, id), so FINAL on each shard sees all of them, and the point read, the ack
  lookup and the history of one incident touch one shard (with
  ``optimize_skip_unused_shards``). The query files' ``IN (SELECT ...)`` between these
  tables stay shard-local under ``distributed_product_mode = 'local'``, which the
  cluster's user profile sets (deploy/clickhouse/users.xml).
- ``incident_notes``: ``cityHash64(org_id, incident_id)``: a note's versions always carry
  its incident's id (a note never moves), so they meet on one shard, beside the incident.
- ``scan_reports``: ``cityHash64(org_id, source)``: a source's newest report is found on
  its own shard, so the score's per-source newest stays correct.
- ``schema_migrations`` is not sharded: one replicated copy on every node, so any node
  knows what has run (its ``{replica}`` macro must be unique across the whole cluster).
"""

import re
from dataclasses import dataclass

from clickhouse.config import database_name
from clickhouse.sql import statements

SHARDING_KEYS = {
    "incidents": "cityHash64(org_id, id)",
    "incident_keys": "cityHash64(org_id, id)",
    "incident_acks": "cityHash64(org_id, id)",
    "incident_events": "cityHash64(org_id, id)",
    "incident_notes": "cityHash64(org_id, incident_id)",
    "scan_reports": "cityHash64(org_id, source)",
}
LOCAL_SUFFIX = "_local"

_CREATE = re.compile(
    r"CREATE TABLE IF NOT EXISTS (?P<name>\w+)\s*(?P<columns>\(.*\))\s*"
    r"ENGINE = (?P<engine>\w*MergeTree)(?:\((?P<args>[^)]*)\))?(?P<rest>.*)",
    re.DOTALL,
)
_ADD_COLUMN = re.compile(r"ALTER TABLE (?P<name>\w+) (?P<change>ADD COLUMN .*)", re.DOTALL)
_CLUSTER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}|\{cluster\}")


@dataclass(frozen=True)
class Table:
    """One single-node ``CREATE TABLE``, taken apart."""

    name: str
    columns: str
    engine: str
    args: str
    rest: str


def parse_table(statement: str) -> Table:
    """The parts of a migration's ``CREATE TABLE IF NOT EXISTS ... ENGINE = *MergeTree``."""
    match = _CREATE.fullmatch(statement.strip())
    if match is None:
        raise ValueError(f"no cluster rendering for this statement: {statement[:80]!r}")
    return Table(
        match["name"], match["columns"], match["engine"], match["args"] or "", match["rest"]
    )


def cluster_name(name: str) -> str:
    """``name`` if it may be put into DDL as a cluster name (or the ``{cluster}`` macro)."""
    if not _CLUSTER_NAME.fullmatch(name):
        raise ValueError(f"not a cluster name: {name!r}")
    return name


def _names(cluster: str, database: str) -> None:
    cluster_name(cluster)
    database_name(database)


def _replicated(table: Table, cluster: str, name: str, zookeeper_path: str) -> str:
    # {shard}, {replica} and {database} are the server's macros, expanded on each node.
    args = ", ".join(filter(None, [f"'{zookeeper_path}'", "'{replica}'", table.args]))
    return (
        f"CREATE TABLE IF NOT EXISTS {name} ON CLUSTER '{cluster}'\n{table.columns}\n"
        f"ENGINE = Replicated{table.engine}({args}){table.rest}"
    )


def sharded_table(statement: str, cluster: str, database: str) -> list[str]:
    """A replicated ``<t>_local`` on every node and a ``Distributed`` ``<t>`` over them."""
    _names(cluster, database)
    table = parse_table(statement)
    key = SHARDING_KEYS.get(table.name)
    if key is None:
        raise ValueError(f"table {table.name!r} has no sharding key: add it to SHARDING_KEYS")
    local = table.name + LOCAL_SUFFIX
    return [
        _replicated(table, cluster, local, f"/clickhouse/tables/{{shard}}/{{database}}/{local}"),
        f"CREATE TABLE IF NOT EXISTS {table.name} ON CLUSTER '{cluster}' AS {local}\n"
        f"ENGINE = Distributed('{cluster}', '{database}', '{local}', {key})",
    ]


def everywhere_table(text: str, cluster: str, database: str) -> str:
    """The one table in ``text`` replicated, whole, to every node (one path for all)."""
    _names(cluster, database)
    (statement,) = statements(text)
    table = parse_table(statement)
    path = f"/clickhouse/tables/all/{{database}}/{table.name}"
    return _replicated(table, cluster, table.name, path)


def altered_table(statement: str, cluster: str, database: str) -> list[str]:
    """An ``ALTER TABLE <t> ADD COLUMN ...`` of ``<t>_local`` on every node and of the
    ``Distributed`` ``<t>`` over them, which must list the column too."""
    _names(cluster, database)
    match = _ADD_COLUMN.fullmatch(statement.strip())
    if match is None or match["name"] not in SHARDING_KEYS:
        raise ValueError(f"no cluster rendering for this statement: {statement[:80]!r}")
    name, change = match["name"], match["change"]
    return [
        f"ALTER TABLE {name}{LOCAL_SUFFIX} ON CLUSTER '{cluster}' {change}",
        f"ALTER TABLE {name} ON CLUSTER '{cluster}' {change}",
    ]


def cluster_statements(migration: str, cluster: str, database: str) -> list[str]:
    """Every statement of one single-node migration file, rendered for the cluster."""
    return [
        rendered
        for statement in statements(migration)
        for rendered in (altered_table if statement.startswith("ALTER TABLE") else sharded_table)(
            statement, cluster, database
        )
    ]


def bootstrap_statements(migrations_table: str, cluster: str, database: str) -> list[str]:
    """What must exist on every node before the first migration: the database and the
    migrations record (``migrations_table`` is its single-node ``CREATE TABLE``)."""
    _names(cluster, database)
    return [
        f"CREATE DATABASE IF NOT EXISTS `{database}` ON CLUSTER '{cluster}'",
        everywhere_table(migrations_table, cluster, database),
    ]
