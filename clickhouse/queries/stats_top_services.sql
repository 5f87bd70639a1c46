-- The services most often affected by incidents of one type starting in [from, to):
-- an incident counts once per distinct (service, namespace) it names. Most first, ties
-- by service then namespace.
SELECT pair.1 AS service, pair.2 AS namespace, count() AS count
FROM (
    SELECT arrayJoin(arrayDistinct(arrayZip(service_names, service_namespaces))) AS pair
    FROM incidents FINAL
    WHERE org_id = {org:String}
      AND type = {type:String}
      AND start_time >= toDateTime64({from:Int64}, 3, 'UTC')
      AND start_time < toDateTime64({to:Int64}, 3, 'UTC')
)
GROUP BY service, namespace
ORDER BY count DESC, service, namespace
LIMIT {limit:UInt32}
