-- Every incident id the store holds (with repeats: one per version), read once when a
-- writer on the embedded engine starts, so that it reads prior state only for ids
-- that may exist (ingest/known.py).
SELECT id
FROM incident_keys
