-- One incident by id. Its position comes from incident_keys, so the read of incidents is
-- a primary-key point read. If two triples share an id, the most recently written wins.
SELECT {{incident_document}}
FROM incidents FINAL
WHERE org_id = {org:String}
  AND id = {id:UInt64}
  AND start_time IN (
      SELECT start_time
      FROM incident_keys
      WHERE org_id = {org:String} AND id = {id:UInt64}
      ORDER BY version DESC
      LIMIT 1 BY source, incident_id
  )
ORDER BY version DESC
LIMIT 2
