"""Loads the SQL files shipped under ``clickhouse/queries`` and ``clickhouse/migrations``.

A query file may include a shared fragment (a file whose name starts with ``_``) with
``{{fragment_name}}``, at the end of a line. Fragments are fixed text from this package,
never request input; values are always bound by ClickHouse as ``{name:Type}``.

A line that ends in ``-- if name`` is a condition that applies only when the parameter
``name`` is given: it is left out of the text when the call binds ``name`` to None or to
an empty list. A filter that is absent then costs the engine nothing; as
``empty({p}) OR ...`` on every row, the list filters took a first page from 13.0 to
17.6 ms (benchmarks.page_levers). Lines that are only a comment are not sent.
"""

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

_INCLUDE = re.compile(r"\{\{(\w+)\}\}")


def _read(folder: str, name: str) -> str:
    return resources.files("clickhouse").joinpath(folder, f"{name}.sql").read_text("utf-8")


_GUARDED = re.compile(r"^.*--\s*if (\w+)\s*$\n?", re.MULTILINE)


# Whole-line comments are the files' prose, for people. clickhouse-connect scans the
# text it sends in Python; without them a page's query took 11.67 ms against 12.26
# (800 interleaved calls through the client, timed by hand).
_COMMENT_LINE = re.compile(r"^\s*--.*$\n?", re.MULTILINE)


@cache
def query_text(name: str, absent: frozenset[str] = frozenset()) -> str:
    """The text of ``queries/<name>.sql`` with its fragments expanded and its comment
    lines left out, without the conditions on the parameters named in ``absent``."""
    if absent:
        return _GUARDED.sub(lambda m: "" if m.group(1) in absent else m.group(0), query_text(name))
    expanded = _INCLUDE.sub(lambda m: query_text(f"_{m.group(1)}").strip(), _read("queries", name))
    return _COMMENT_LINE.sub("", expanded)


def absent(params: Mapping[str, Any]) -> frozenset[str]:
    """The parameters bound to nothing: None, or an empty list."""
    return frozenset(k for k, v in params.items() if v is None or (isinstance(v, list) and not v))


def migration_files() -> list[tuple[str, str]]:
    """Every ``migrations/NNNN_*.sql`` as (name, text), in order."""
    folder = resources.files("clickhouse").joinpath("migrations")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(n.removesuffix(".sql"), folder.joinpath(n).read_text("utf-8")) for n in names]


def statements(text: str) -> list[str]:
    """Split a migration into statements at semicolons that end a line."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*$", body, flags=re.MULTILINE) if s.strip()]
