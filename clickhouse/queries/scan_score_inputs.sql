-- What the cluster score needs from each source's newest report (by created_at, ties by
-- arrival): the raw JSON of every field a score may come from, '' where the field is
-- absent or the payload is not valid JSON. Payloads may be 16 MiB each, so they are
-- parsed here and only these small fragments leave the database. The newest positions
-- come from the key columns alone; the flat (source, created_at, version) IN set lets
-- the primary key pick the granules, so older reports' payloads are never read.
-- Trivy's MisconfSummary objects come as one array: those of Results[] (config, fs,
-- image) then those of Resources[].Results[] (k8s); results without one are left out.
SELECT
    source,
    JSONExtractRaw(payload, 'popeye', 'score') AS popeye_score,
    JSONExtractRaw(payload, 'Totals') AS kube_bench_totals,
    JSONExtractRaw(payload, 'summaryDetails', 'complianceScore') AS kubescape_score,
    arrayFilter(
        summary -> summary != '',
        arrayConcat(
            arrayMap(r -> JSONExtractRaw(r, 'MisconfSummary'), JSONExtractArrayRaw(payload, 'Results')),
            arrayFlatten(arrayMap(
                resource -> arrayMap(
                    r -> JSONExtractRaw(r, 'MisconfSummary'), JSONExtractArrayRaw(resource, 'Results')
                ),
                JSONExtractArrayRaw(payload, 'Resources')
            ))
        )
    ) AS trivy_summaries,
    JSONExtractRaw(payload, 'score') AS score
FROM scan_reports
WHERE org_id = {org:String}
  AND (source, created_at, version) IN (
      SELECT source, newest.1, newest.2
      FROM (
          SELECT source, max((created_at, version)) AS newest
          FROM scan_reports
          WHERE org_id = {org:String}
          GROUP BY source
      )
  )
ORDER BY source
