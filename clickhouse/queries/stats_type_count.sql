-- Incidents of one type starting in [from, to), per current status.
SELECT toString(status) AS status, count() AS count
FROM incidents FINAL
WHERE org_id = {org:String}
  AND type = {type:String}
  AND start_time >= toDateTime64({from:Int64}, 3, 'UTC')
  AND start_time < toDateTime64({to:Int64}, 3, 'UTC')
GROUP BY status
