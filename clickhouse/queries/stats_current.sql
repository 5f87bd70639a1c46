-- Incidents now in a status, per priority: their sum is the count of /statistics/current.
SELECT toString(priority) AS priority, count() AS count
FROM incidents FINAL
WHERE org_id = {org:String}
  AND status = {status:String}
  AND (empty({types:Array(String)}) OR type IN {types:Array(String)})
GROUP BY priority
ORDER BY priority
