-- Where the named incidents stand now (start and resolution time): the writer's one
-- read of prior state per flush. Candidates by org and id; the caller matches the
-- exact (org, id) pairs and the natural key.
SELECT org_id, id, source, incident_id, start_time, resolved_at
FROM incident_keys FINAL
WHERE org_id IN {orgs:Array(String)}
  AND id IN {ids:Array(UInt64)}
