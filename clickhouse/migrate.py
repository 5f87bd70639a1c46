"""Applies the numbered migration files in order, once each, recorded in schema_migrations.

Migration files are frozen and append-only; every statement in them is idempotent
(``IF NOT EXISTS``) so that two instances starting together, or a crash between a
statement and its record, do no harm.
"""

import logging

from clickhouse.sql import migration_files, statements
from clickhouse.store import Store

log = logging.getLogger("incidents.migrate")

def applied(store: Store) -> set[str]:
    """Names of the migrations already recorded."""
    return set(store.query("schema_migrations_applied").column("name").to_pylist())


def migrate(store: Store) -> list[str]:
    """Apply what has not run yet; returns the names applied by this call."""
    store.command("schema_migrations_create")
    done = applied(store)
    ran: list[str] = []
    for name, text in migration_files():
        if name in done:
            continue
        for number, statement in enumerate(statements(text)):
            store.statement(f"migration_{name}_{number}", statement)
        store.command("schema_migrations_record", {"name": name})
        log.info("applied migration %s", name)
        ran.append(name)
    return ran
