-- Every incident the list filters select, newest first, as the CSV export's cells: text
-- as CSV shows it (times ISO, services as name/namespace joined by ';', metric names
-- joined by ';'), NULL for an empty cell. Streamed in 8192-row blocks on one
-- thread, read in key order (export_documents.sql says why).
WITH {{iso_time}}
SELECT
    {{export_text_columns}},
    arrayStringConcat(
        arrayMap((n, ns) -> concat(n, '/', ns), service_names, service_namespaces), ';'
    ) AS services,
    arrayStringConcat(metric_names, ';') AS metricNames,
    iso_time(start_time) AS startTime,
    iso_time(end_time) AS endTime,
    iso_time(resolved_at) AS resolvedAt,
    iso_time(updated_at) AS updatedAt
FROM incidents FINAL
WHERE {{incident_filter}}
ORDER BY start_time DESC, id DESC
SETTINGS max_block_size = 8192, max_threads = 1
