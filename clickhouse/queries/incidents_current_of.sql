-- The current rows of the named incidents, for PATCHes: the writer applies a PATCH to
-- the full stored state at flush time, so that it never works on an older state.
SELECT org_id, {{incident_columns}}
FROM incidents FINAL
WHERE org_id IN {orgs:Array(String)}
  AND id IN {ids:Array(UInt64)}
  AND (org_id, id, start_time) IN (
      SELECT org_id, id, start_time
      FROM incident_keys
      WHERE org_id IN {orgs:Array(String)} AND id IN {ids:Array(UInt64)}
      ORDER BY version DESC
      LIMIT 1 BY org_id, id, source, incident_id
  )
