"""The storage package: client factory, the one query chokepoint, migrations and the SQL.

Only this package imports ``clickhouse_connect``. It knows nothing of HTTP or of the
ingest writer; callers name a query file and bind values.
"""

from clickhouse.config import StoreConfig
from clickhouse.store import Store, StoreBusy, StoreError, StoreTimeout

__all__ = ["Store", "StoreBusy", "StoreConfig", "StoreError", "StoreTimeout"]
