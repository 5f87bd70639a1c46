-- Which of the named incidents the tenant has, each with whether an acknowledgement
-- stands: the one read of an acknowledgement of many. Starts come from incident_keys, so
-- the read of incidents is a primary-key lookup, as for one incident.
SELECT DISTINCT
    id,
    id IN (
        SELECT id FROM incident_acks
        WHERE org_id = {org:String} AND id IN {ids:Array(UInt64)}
    ) AS acknowledged
FROM incidents FINAL
WHERE org_id = {org:String}
  AND id IN {ids:Array(UInt64)}
  AND start_time IN (
      SELECT start_time FROM incident_keys
      WHERE org_id = {org:String} AND id IN {ids:Array(UInt64)}
  )
