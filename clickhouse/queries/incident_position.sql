-- Where an incident stands in the list order: the position a cursor names (the newest
-- version of its key row).
SELECT start_time
FROM incident_keys
WHERE org_id = {org:String} AND id = {id:UInt64}
ORDER BY version DESC
LIMIT 1
