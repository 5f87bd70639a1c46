-- The live notes of one incident, oldest first. The bloom filter on incident_id skips
-- granules holding only other incidents' notes; incident_id never changes between a
-- note's versions, so filtering on it cannot pick a stale version under FINAL.
SELECT note_id, incident_id, body, created_at, updated_at
FROM incident_notes FINAL
WHERE org_id = {org:String} AND incident_id = {incident_id:UInt64}
ORDER BY created_at, note_id
