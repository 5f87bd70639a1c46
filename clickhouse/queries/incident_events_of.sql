-- Every recorded change of one incident, oldest first.
SELECT version, at, action, user_id, payload
FROM incident_events
WHERE org_id = {org:String} AND id = {id:UInt64}
ORDER BY version
