-- One row per acknowledgement. The first one stands, so reads take the earliest
-- (argMin over ack_time, then version) rather than replacing rows.
CREATE TABLE IF NOT EXISTS incident_acks
(
    org_id String,
    id UInt64,
    ack_time DateTime64(3, 'UTC'),
    user_id String,
    user_email Nullable(String),
    version UInt64
)
ENGINE = MergeTree
ORDER BY (org_id, id, ack_time, version);
