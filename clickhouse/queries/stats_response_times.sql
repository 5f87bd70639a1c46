-- Per bucket of start time and group: incidents started, acknowledged, now resolved, and
-- the mean and exact p50/p90/p95 of time to acknowledge (first acknowledgement) and to
-- resolve, in milliseconds, negatives as 0. Quantiles index the sorted values with whole
-- integer arithmetic, v[min(n-1, floor(Q*n/100))], so no float rounding moves an index
-- (quantileExact computes level*n in floats). The group is picked by a bound value; an
-- incident counts once per distinct service name it has.
WITH
    {{bucket_of}}
SELECT * EXCEPT (ttas, ttrs)
FROM (
SELECT
    bucket,
    key,
    count() AS count,
    arraySort(groupArrayIf(tta, tta IS NOT NULL)) AS ttas,
    arraySort(groupArrayIf(ttr, ttr IS NOT NULL)) AS ttrs,
    length(ttas) AS acknowledged,
    length(ttrs) AS resolved,
    if(acknowledged = 0, NULL, arraySum(ttas) / acknowledged / 1000) AS tta_mean,
    if(acknowledged = 0, NULL, ttas[least(acknowledged, intDiv(50 * acknowledged, 100) + 1)] / 1000) AS tta_p50,
    if(acknowledged = 0, NULL, ttas[least(acknowledged, intDiv(90 * acknowledged, 100) + 1)] / 1000) AS tta_p90,
    if(acknowledged = 0, NULL, ttas[least(acknowledged, intDiv(95 * acknowledged, 100) + 1)] / 1000) AS tta_p95,
    if(resolved = 0, NULL, arraySum(ttrs) / resolved / 1000) AS ttr_mean,
    if(resolved = 0, NULL, ttrs[least(resolved, intDiv(50 * resolved, 100) + 1)] / 1000) AS ttr_p50,
    if(resolved = 0, NULL, ttrs[least(resolved, intDiv(90 * resolved, 100) + 1)] / 1000) AS ttr_p90,
    if(resolved = 0, NULL, ttrs[least(resolved, intDiv(95 * resolved, 100) + 1)] / 1000) AS ttr_p95
FROM (
    SELECT
        bucket_of(i.start_time) AS bucket,
        arrayJoin(multiIf(
            {group:String} = 'service', arrayMap(s -> toNullable(s), arrayDistinct(i.service_names)),
            {group:String} = 'type', [toNullable(toString(i.type))],
            {group:String} = 'category', [toNullable(toString(i.category))],
            {group:String} = 'severity', [toNullable(toString(i.severity))],
            {group:String} = 'priority', [toNullable(toString(i.priority))],
            {group:String} = 'source', [toNullable(i.source)],
            [CAST(NULL, 'Nullable(String)')]
        )) AS key,
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
