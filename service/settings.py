"""All configuration, read from ``INCIDENTS_*`` environment variables (or a ``.env`` file)."""

from pathlib import Path
from typing import Annotated

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from clickhouse import StoreConfig


class Settings(BaseSettings):
    """Service settings; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="INCIDENTS_", env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    data_dir: Path = Path("data")
    clickhouse_url: str | None = None
    database: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")] = "incidents"
    default_org: str | None = None
    api_keys: dict[str, list[str]] = {}
    query_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    log_level: str = "info"

    def store_config(self) -> StoreConfig:
        return StoreConfig(
            data_dir=self.data_dir,
            url=self.clickhouse_url or None,
            database=self.database,
            max_execution_time=self.query_timeout_seconds,
        )
