"""Where the store lives: an embedded chDB directory or a ClickHouse server URL."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


@dataclass(frozen=True)
class StoreConfig:
    """Connection facts for one store; ``url`` set means server mode, else embedded chDB."""

    data_dir: Path = Path("data")
    url: str | None = None
    database: str = "incidents"
    max_execution_time: float = 30.0
    max_result_rows: int = 1_000_000
    # A ClickHouse cluster name (remote_servers) for the cluster DDL; empty: one node.
    cluster: str = ""

    @property
    def embedded(self) -> bool:
        return self.url is None

    @property
    def effective_database(self) -> str:
        """The database named in the server URL's path wins over the configured one."""
        if self.url:
            path = urlsplit(self.url).path.strip("/")
            if path:
                return path
        return self.database

    def describe(self) -> str:
        """A description safe to log: never the URL's credentials."""
        if self.url is None:
            return f"chdb:{self.data_dir.resolve()}/{self.database}"
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 8123}/{self.effective_database}"
