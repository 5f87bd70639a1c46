-- Every stored scan report; reads take the newest per source by created_at, ties by
-- arrival (version). Payloads can reach 16 MiB, hence the stronger codec.
CREATE TABLE IF NOT EXISTS scan_reports
(
    org_id String,
    source String,
    created_at DateTime64(3, 'UTC'),
    version UInt64,
    payload String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (org_id, source, created_at, version);
