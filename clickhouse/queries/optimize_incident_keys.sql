-- Forces a merge of every part of incident_keys, which also drops the rows whose TTL has
-- expired (ClickHouse otherwise drops them in its own time). Heavy on a large table.
OPTIMIZE TABLE incident_keys FINAL
