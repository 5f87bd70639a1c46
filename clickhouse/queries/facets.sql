-- Facets of the filtered incident list: per facet field, the number of incidents per
-- value among those that match every filter except the field's own (disjunctive), the
-- top 50 per field by count descending, then value.
-- Each filter's match is a column of the tenant's window (facet_rows); a row that misses
-- two or more filters counts nowhere, a row that misses one counts only in that field's
-- facet. Single-valued fields are one GROUPING SETS aggregation whose keys stay
-- LowCardinality (NULL where the row does not count); each array field is its own
-- aggregation of each row's distinct values, so an incident counts once per distinct
-- value. On a 400k-incident tenant the GROUPING SETS and one aggregation of (facet,
-- value) pairs for the three arrays took about two thirds of the time of one such
-- aggregation for every field; on the 10M dataset's 4M-incident tenant the three arrays
-- apart took 445 ms against 753 for their pairs (benchmarks/README.md).
SELECT facet, value, count
FROM (
    SELECT
        multiIf(
            grouping(k_type) = 0, 'type', grouping(k_status) = 0, 'status',
            grouping(k_category) = 0, 'category', grouping(k_severity) = 0, 'severity',
            grouping(k_priority) = 0, 'priority', grouping(k_resolution) = 0, 'resolution',
            grouping(k_source) = 0, 'source', grouping(k_site) = 0, 'sourceSite',
            'acknowledged'
        ) AS facet,
        assumeNotNull(multiIf(
            grouping(k_type) = 0, toString(k_type),
            grouping(k_status) = 0, toString(k_status),
            grouping(k_category) = 0, toString(k_category),
            grouping(k_severity) = 0, toString(k_severity),
            grouping(k_priority) = 0, toString(k_priority),
            grouping(k_resolution) = 0, toString(k_resolution),
            grouping(k_source) = 0, k_source,
            grouping(k_site) = 0, toString(k_site),
            toString(k_acknowledged)
        ) AS found) AS value,
        count() AS count
    FROM (
        SELECT
            if(misses <= NOT match_type, type, NULL) AS k_type,
            if(misses <= NOT match_status, status, NULL) AS k_status,
            if(misses <= NOT match_category, category, NULL) AS k_category,
            if(misses = 0, severity, NULL) AS k_severity,
            if(misses = 0, priority, NULL) AS k_priority,
            if(misses <= NOT match_resolution, resolution, NULL) AS k_resolution,
            if(misses <= NOT match_source, source, NULL) AS k_source,
            if(misses = 0, source_site, NULL) AS k_site,
            if(misses <= NOT match_acknowledged, acknowledged, NULL) AS k_acknowledged
        FROM {{facet_rows}}
        WHERE misses <= 1
    )
    GROUP BY GROUPING SETS (
        (k_type), (k_status), (k_category), (k_severity), (k_priority), (k_resolution),
        (k_source), (k_site), (k_acknowledged)
    )
    -- Each set's NULL group holds the rows that do not count in that facet.
    HAVING found IS NOT NULL

    UNION ALL

    SELECT 'service' AS facet, v AS value, count() AS count
    FROM {{facet_rows}}
    ARRAY JOIN arrayDistinct(service_names) AS v
    WHERE misses <= NOT match_service
    GROUP BY v

    UNION ALL

    SELECT 'namespace' AS facet, v AS value, count() AS count
    FROM {{facet_rows}}
    ARRAY JOIN arrayDistinct(service_namespaces) AS v
    WHERE misses <= NOT match_namespace
    GROUP BY v

    UNION ALL

    SELECT 'metric' AS facet, v AS value, count() AS count
    FROM {{facet_rows}}
    ARRAY JOIN arrayDistinct(metric_names) AS v
    WHERE misses <= NOT match_metric
    GROUP BY v
)
ORDER BY facet, count DESC, value
LIMIT 50 BY facet
