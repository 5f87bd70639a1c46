-- Incidents per severity whose start falls in each bucket of [from, to).
WITH
    {{bucket_of}}
SELECT toString(severity) AS key, bucket_of(start_time) AS bucket, count() AS count
FROM incidents FINAL
WHERE org_id = {org:String}
  AND start_time >= window_from
  AND start_time < window_to
GROUP BY key, bucket
