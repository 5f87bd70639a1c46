-- One live note by id: FINAL keeps its newest version and drops it once deleted.
SELECT note_id, incident_id, body, created_at, updated_at
FROM incident_notes FINAL
WHERE org_id = {org:String} AND note_id = {note_id:UInt64}
