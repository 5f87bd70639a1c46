-- Notes on incidents; an edit or a delete is a new version (is_deleted for deletes).
-- Keyed by the time-ordered note id so a note is a point read; the bloom filter on the
-- incident id serves "the notes of an incident".
CREATE TABLE IF NOT EXISTS incident_notes
(
    org_id String,
    note_id UInt64,
    incident_id UInt64,
    body String,
    created_at DateTime64(3, 'UTC'),
    updated_at DateTime64(3, 'UTC'),
    version UInt64,
    is_deleted UInt8,
    INDEX idx_incident_id incident_id TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (org_id, note_id);
