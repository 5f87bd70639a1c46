-- Incidents of each type open at some moment of each bucket of [from, to) (start before
-- the bucket's end, and no resolution time or one at or after the bucket's start), as
-- deltas: +1 at the first bucket an incident is open in, -1 after its last. The running
-- sum of the deltas per type is the count; two steps per incident keep the work
-- independent of the number of buckets (10,000 buckets over long-open incidents would
-- otherwise expand each incident into 10,000 rows). A resolution time before the start
-- (a start moved past an earlier resolution) leaves the incident open in no bucket.
WITH
    {{bucket_of}}
SELECT type AS key, step.1 AS bucket, toInt64(sum(step.2)) AS delta
FROM (
    SELECT type, arrayJoin([(first, 1), (last + 1, -1)]) AS step
    FROM (
        SELECT
            type,
            if(start_time < window_from, 0, bucket_of(start_time)) AS first,
            if(resolved_at IS NULL OR resolved_at >= window_to,
                {buckets:Int64} - 1, bucket_of(assumeNotNull(resolved_at))) AS last
        FROM incidents FINAL
        WHERE org_id = {org:String}
          AND start_time < window_to
          AND (resolved_at IS NULL OR resolved_at >= window_from)
          AND (empty({types:Array(String)}) OR type IN {types:Array(String)})
          AND ({resolution:Nullable(String)} IS NULL
               OR resolution = {resolution:Nullable(String)})
    )
    WHERE first <= last
)
GROUP BY key, bucket
