-- Where each incident stands now: its current start (the position in incidents' key)
-- and resolution time. Ordered by id for point lookups: GET by id, cursor positions and
-- the writer's view of prior state all read it.
CREATE TABLE IF NOT EXISTS incident_keys
(
    org_id String,
    id UInt64,
    source String,
    incident_id String,
    start_time DateTime64(3, 'UTC'),
    resolved_at Nullable(DateTime64(3, 'UTC')),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (org_id, id, source, incident_id);
