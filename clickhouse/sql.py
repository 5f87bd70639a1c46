"""Loads the SQL files shipped under ``clickhouse/queries`` and ``clickhouse/migrations``.

A query file may include a shared fragment (a file whose name starts with ``_``) with
``{{fragment_name}}``. Fragments are fixed text from this package, never request input;
values are always bound by ClickHouse as ``{name:Type}``.
"""

import re
from functools import cache
from importlib import resources

_INCLUDE = re.compile(r"\{\{(\w+)\}\}")


def _read(folder: str, name: str) -> str:
    return resources.files("clickhouse").joinpath(folder, f"{name}.sql").read_text("utf-8")


@cache
def query_text(name: str) -> str:
    """The text of ``queries/<name>.sql`` with its fragments expanded."""
    return _INCLUDE.sub(lambda m: query_text(f"_{m.group(1)}").strip(), _read("queries", name))


def migration_files() -> list[tuple[str, str]]:
    """Every ``migrations/NNNN_*.sql`` as (name, text), in order."""
    folder = resources.files("clickhouse").joinpath("migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(n.removesuffix(".sql"), folder.joinpath(n).read_text("utf-8")) for n in names]


def statements(text: str) -> list[str]:
    """Split a migration into statements at semicolons that end a line."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", body, flags=re.MULTILINE) if s.strip()]
