"""Applies the numbered migration files in order, once each, recorded in schema_migrations.

Migration files are frozen and append-only; every statement in them is idempotent
(``IF NOT EXISTS``) so that two instances starting together, or a crash between a
statement and its record, do no harm.
"""

import logging

from clickhouse.cluster import bootstrap_statements, cluster_statements
from clickhouse.sql import migration_files, query_text, statements
from clickhouse.store import Store

log = logging.getLogger("incidents.migrate")


def applied(store: Store) -> set[str]:
    """Names of the migrations already recorded."""
    return {
        str(name) for name in store.query("schema_migrations_applied").column("name").to_pylist()
    }


def migrate(store: Store) -> list[str]:
    """Apply what has not run yet; returns the names applied by this call.

    With a cluster configured, the same files are rendered as replicated and distributed
    tables (clickhouse/cluster.py) and run ON CLUSTER.
    """
    cluster = store.config.cluster
    if cluster:
        create = query_text("schema_migrations_create")
        for number, statement in enumerate(bootstrap_statements(create, cluster, store.database)):
            store.statement(f"cluster_bootstrap_{number}", statement)
    else:
        store.command("schema_migrations_create")
    done = applied(store)
    ran: list[str] = []
    for name, text in migration_files():
        if name in done:
            continue
        found = cluster_statements(text, cluster, store.database) if cluster else statements(text)
        for number, statement in enumerate(found):
            store.statement(f"migration_{name}_{number}", statement)
        store.command("schema_migrations_record", {"name": name})
        log.info("applied migration %s", name)
        ran.append(name)
    return ran
