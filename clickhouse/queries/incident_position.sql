-- Where an incident stands in the list order: the position a cursor names.
SELECT start_time
FROM incident_keys FINAL
WHERE org_id = {org:String} AND id = {id:UInt64}
ORDER BY version DESC
LIMIT 1
