-- The standing acknowledgement of each incident (the first, by time then version), of
-- the ids bound, or of every incident of the tenant when ids is bound to nothing.
-- LIMIT 1 BY instead of an argMin aggregate: 4.4 ms against 6.0 ms for a page's 20 ids
-- on the 1M dataset.
FROM incident_acks
WHERE org_id = {org:String}
  AND id IN {ids:Array(UInt64)}  -- if ids
ORDER BY ack_time, version
LIMIT 1 BY id
