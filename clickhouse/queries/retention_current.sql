-- The table TTL each named table of this database carries now, as ClickHouse prints it
-- ('' when it has none): what lets start-up leave an unchanged retention alone.
SELECT name, extract(engine_full, ' TTL (.*?)(?: SETTINGS |$)') AS ttl
FROM system.tables
WHERE database = currentDatabase() AND name IN {tables:Array(String)}
