"""All configuration, read from ``INCIDENTS_*`` environment variables (or a ``.env`` file)."""

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clickhouse import StoreConfig
from clickhouse.config import checked_url, database_name
from ingest.group import GroupSettings
from vocabulary.enums import IncidentType


class Settings(BaseSettings):
    """Service settings; see the configuration table in README.md."""

    # A refused value is not echoed: the server URL and the API keys carry secrets.
    model_config = SettingsConfigDict(
        env_prefix="INCIDENTS_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    data_dir: Path = Path("data")
    # Checked by the store's own rule, so that a bad name is refused here, at start-up.
    clickhouse_url: Annotated[str, AfterValidator(checked_url)] | None = None
    database: Annotated[str, AfterValidator(database_name)] = "incidents"
    default_org: str | None = None
    api_keys: dict[str, list[str]] = {}
    query_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    log_level: str = "info"
    ingest_max_rows: Annotated[int, Field(ge=1, le=1_000_000)] = 10_000
    ingest_max_bytes: Annotated[int, Field(ge=1024)] = 32 * 1024 * 1024
    ingest_max_delay_ms: Annotated[float, Field(ge=0, le=1000)] = 0.0
    ingest_max_wait_ms: Annotated[float, Field(gt=0)] = 500.0
    ingest_capacity: Annotated[int, Field(ge=1)] = 100_000
    shutdown_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    threads: Annotated[int, Field(ge=1, le=1000)] = 128
    workers: Annotated[int, Field(ge=1)] = 1
    cluster: Annotated[str, Field(pattern=r"^([A-Za-z_][A-Za-z0-9_-]{0,63}|\{cluster\})?$")] = ""
    retention_days: Annotated[int, Field(ge=1)] | None = None
    retention_resolved_days: Annotated[int, Field(ge=1)] | None = None
    retention_days_by_type: dict[IncidentType, Annotated[int, Field(ge=1)]] = {}
    compaction: bool = True
    compaction_idle_seconds: Annotated[float, Field(gt=0)] = 10.0

    @model_validator(mode="after")
    def _wait_beyond_delay(self) -> "Settings":
        # A flush waits up to max_delay for its oldest write on purpose: a bound below it
        # would refuse writes that are only being gathered.
        if self.ingest_max_wait_ms <= self.ingest_max_delay_ms:
            raise ValueError("ingest_max_wait_ms must be above ingest_max_delay_ms")
        return self

    def group_settings(self) -> GroupSettings:
        return GroupSettings(
            max_rows=self.ingest_max_rows,
            max_bytes=self.ingest_max_bytes,
            max_delay=self.ingest_max_delay_ms / 1000,
            max_wait=self.ingest_max_wait_ms / 1000,
            capacity=self.ingest_capacity,
        )

    def store_config(self) -> StoreConfig:
        return StoreConfig(
            data_dir=self.data_dir,
            url=self.clickhouse_url or None,
            database=self.database,
            max_execution_time=self.query_timeout_seconds,
            cluster=self.cluster,
        )
