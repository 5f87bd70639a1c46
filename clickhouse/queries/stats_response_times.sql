-- Per bucket of start time and group: incidents started, acknowledged, now resolved, and
-- the mean and exact p50/p90/p95 of time to acknowledge (first acknowledgement) and to
-- resolve, in milliseconds, negatives as 0. A quantile is v[min(n-1, floor(Q*n/100))] of
-- the sorted values; quantileExact takes v[floor(level*n)] with level*n in floats, which
-- is the same index for the levels 0.5, 0.9 and 0.95 at every n (test_response_times
-- holds the two to each other for n up to 3,000). quantilesExact against sorting each
-- group's values into an array and indexing it: 128 against 184 ms (30 days of the 1M
-- dataset's biggest tenant by service, the same run). The group's key is the one line
-- of the seven whose by_<group> is bound (the rest are left out): as a multiIf of all
-- of them on a bound group name it cost 35 ms more of the 170. An incident counts once
-- per distinct service name it has. tta and ttr are NULL for an incident not acknowledged
-- or not resolved, and the aggregates skip NULLs.
WITH
    {{bucket_of}}
SELECT * EXCEPT (ttas, ttrs)
FROM (
SELECT
    bucket,
    key,
    count() AS count,
    count(tta) AS acknowledged,
    count(ttr) AS resolved,
    quantilesExact(0.5, 0.9, 0.95)(tta) AS ttas,
    quantilesExact(0.5, 0.9, 0.95)(ttr) AS ttrs,
    if(acknowledged = 0, NULL, sum(tta) / acknowledged / 1000) AS tta_mean,
    if(acknowledged = 0, NULL, ttas[1] / 1000) AS tta_p50,
    if(acknowledged = 0, NULL, ttas[2] / 1000) AS tta_p90,
    if(acknowledged = 0, NULL, ttas[3] / 1000) AS tta_p95,
    if(resolved = 0, NULL, sum(ttr) / resolved / 1000) AS ttr_mean,
    if(resolved = 0, NULL, ttrs[1] / 1000) AS ttr_p50,
    if(resolved = 0, NULL, ttrs[2] / 1000) AS ttr_p90,
    if(resolved = 0, NULL, ttrs[3] / 1000) AS ttr_p95
FROM (
    SELECT
        bucket_of(i.start_time) AS bucket,
        arrayJoin(
            arrayMap(s -> toNullable(s), arrayDistinct(i.service_names))  -- if by_service
            [toNullable(toString(i.type))]  -- if by_type
            [toNullable(toString(i.category))]  -- if by_category
            [toNullable(toString(i.severity))]  -- if by_severity
            [toNullable(toString(i.priority))]  -- if by_priority
            [toNullable(i.source)]  -- if by_source
            [CAST(NULL, 'Nullable(String)')]  -- if by_nothing
        ) AS key,
        if(a.first_ack IS NULL, NULL,
            greatest(toInt64(0), toUnixTimestamp64Milli(assumeNotNull(a.first_ack)) - toUnixTimestamp64Milli(i.start_time))) AS tta,
        if(i.status != 'RESOLVED' OR i.resolved_at IS NULL, NULL,
            greatest(toInt64(0), toUnixTimestamp64Milli(assumeNotNull(i.resolved_at)) - toUnixTimestamp64Milli(i.start_time))) AS ttr
    FROM (
        SELECT id, start_time, resolved_at, status, type, category, severity, priority, source, service_names
        FROM incidents FINAL
        WHERE org_id = {org:String}
          AND start_time >= window_from
          AND start_time < window_to
          AND type IN {types:Array(String)}  -- if types
    ) AS i
    LEFT JOIN (
        SELECT id, min(ack_time) AS first_ack
        FROM incident_acks
        WHERE org_id = {org:String}
        GROUP BY id
    ) AS a ON a.id = i.id
)
GROUP BY bucket, key
)
SETTINGS join_use_nulls = 1
