"""Creates the store's database, then applies the numbered migration files in order, once
each, recorded in schema_migrations.

Migration files are frozen and append-only; every statement in them is idempotent
(``IF NOT EXISTS``) so that two instances starting together, or a crash between a
statement and its record, do no harm. What runs is worked out by a pure function,
``planned_statements``, which ``incidents schema`` prints.
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


# The first step of every plan: the runner's own record of what has run.
BOOTSTRAP = "schema_migrations"


def planned_statements(cluster: str, database: str) -> list[tuple[str, list[str]]]:
    """What ``migrate`` runs on a fresh database, as (step, statements) in order: the
    migrations record first (on a cluster, with the database on every node), then each
    migration file by name. With ``cluster`` set, rendered to run ON CLUSTER
    (clickhouse/cluster.py). Pure: it reads the shipped SQL files only, so the schema can
    be printed before anything connects (``incidents schema``)."""
    create = query_text("schema_migrations_create")
    if cluster:
        bootstrap = bootstrap_statements(create, cluster, database)
        files = [(n, cluster_statements(text, cluster, database)) for n, text in migration_files()]
    else:
        bootstrap = statements(create)
        files = [(n, statements(text)) for n, text in migration_files()]
    return [(BOOTSTRAP, bootstrap), *files]


def migrate(store: Store) -> list[str]:
    """Create the database if need be, then apply what has not run yet; returns the names
    applied by this call.

    With a cluster configured, the same files are rendered as replicated and distributed
    tables (clickhouse/cluster.py) and run ON CLUSTER.
    """
    # On this node first, even with a cluster: the store's own clients connect to it
    # before the cluster's bootstrap creates it everywhere.
    store.create_database()
    cluster = store.config.cluster
    (_, bootstrap), *files = planned_statements(cluster, store.database)
    for number, statement in enumerate(bootstrap):
        operation = f"cluster_bootstrap_{number}" if cluster else "schema_migrations_create"
        store.statement(operation, statement)
    done = applied(store)
    ran: list[str] = []
    for name, found in files:
        if name in done:
            continue
        for number, statement in enumerate(found):
            store.statement(f"migration_{name}_{number}", statement)
        store.command("schema_migrations_record", {"name": name})
        log.info("applied migration %s", name)
        ran.append(name)
    return ran
