-- Incidents of each type whose resolution time falls in each bucket of [from, to).
WITH
    {{bucket_of}}
SELECT type AS key, bucket_of(assumeNotNull(resolved_at)) AS bucket, count() AS count
FROM incidents FINAL
WHERE org_id = {org:String}
  AND resolved_at >= window_from
  AND resolved_at < window_to
  AND (empty({types:Array(String)}) OR type IN {types:Array(String)})
  AND ({resolution:Nullable(String)} IS NULL OR resolution = {resolution:Nullable(String)})
GROUP BY key, bucket
