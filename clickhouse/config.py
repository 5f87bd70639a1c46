"""Where the store lives: an embedded chDB directory or a ClickHouse server URL.

It owns the rule for a database name, which the settings use too: the name is put
into DDL as an identifier, so it is checked wherever it comes from.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

# What a database name may be (a plain identifier), wherever it comes from: a setting, a
# server URL's path, a test's fixture.
DATABASE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def database_name(name: str) -> str:
    """``name`` if it may name a database, else ValueError saying why."""
    if not DATABASE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a database name: 1-64 characters of A-Za-z0-9_, "
            "not starting with a digit"
        )
    return name


def url_database(url: str) -> str | None:
    """The database a server URL's path names, checked; None when it names none."""
    path = urlsplit(url).path.strip("/")
    if not path:
        return None
    try:
        return database_name(path)
    except ValueError as bad:
        raise ValueError(f"the database in the URL's path: {bad}") from None


def checked_url(url: str) -> str:
    """``url`` when the database its path names, if any, is a valid name."""
    url_database(url)
    return url


@dataclass(frozen=True)
class StoreConfig:
    """Connection facts for one store; ``url`` set means server mode, else embedded chDB.

    Made only with a valid database name: the configured one and the URL's are checked.
    """

    data_dir: Path = Path("data")
    url: str | None = None
    database: str = "incidents"
    max_execution_time: float = 30.0
    max_result_rows: int = 1_000_000
    # A ClickHouse cluster name (remote_servers) for the cluster DDL; empty: one node.
    cluster: str = ""

    def __post_init__(self) -> None:
        database_name(self.database)
        if self.url:
            checked_url(self.url)

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def effective_database(self) -> str:
        """The database named in the server URL's path wins over the configured one."""
        return (url_database(self.url) if self.url else None) or self.database

    def describe(self) -> str:
        """A description safe to log: never the URL's credentials."""
        if self.url is None:
            return f"chdb:{self.data_dir.resolve()}/{self.database}"
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 8123}/{self.effective_database}"
