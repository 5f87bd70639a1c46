-- Which incidents a tenant still has rows of in each retained table (raw rows, no FINAL:
-- what a TTL removes): what a retention check compares before and after expiry.
SELECT 'incidents' AS table, id FROM incidents WHERE org_id = {org:String}
UNION ALL
SELECT 'incident_events' AS table, id FROM incident_events WHERE org_id = {org:String}
UNION ALL
SELECT 'incident_notes' AS table, incident_id AS id FROM incident_notes WHERE org_id = {org:String}
UNION ALL
SELECT 'incident_keys' AS table, id FROM incident_keys WHERE org_id = {org:String}
