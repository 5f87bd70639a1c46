-- The runner's own record of which migration files have run; made before any of them.
CREATE TABLE IF NOT EXISTS schema_migrations
(
    name String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY name
