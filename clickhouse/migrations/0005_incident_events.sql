-- Append-only history: what each change wrote (the full new state of an upsert or a
-- patch, the acknowledgement, the note), never a diff; the history endpoint compares
-- consecutive states when it is read, so writes never read to build history.
CREATE TABLE IF NOT EXISTS incident_events
(
    org_id String,
    id UInt64,
    version UInt64,
    at DateTime64(3, 'UTC'),
    action LowCardinality(String),
    user_id Nullable(String),
    payload String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (org_id, id, version);
