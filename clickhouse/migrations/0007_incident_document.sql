-- Each version's Incident document (its fields and resolvedAt, as the history stores
-- them) beside its columns, so that a list page reads two columns for its rows instead
-- of twenty (benchmarks/README.md, "Reads"). The writer sends it with every row
-- (ingest/rows.py renders it); the default renders the same document from the columns
-- for the rows stored before this column existed, and tests hold the two equal.
ALTER TABLE incidents ADD COLUMN IF NOT EXISTS document String DEFAULT concat(
    '{"type":', toJSONString(toString(type)),
    ',"incidentId":', toJSONString(incident_id),
    ',"title":', toJSONString(title),
    ',"category":', toJSONString(toString(category)),
    ',"description":', toJSONString(description),
    ',"recommendation":', toJSONString(recommendation),
    ',"source":', toJSONString(source),
    ',"status":', toJSONString(toString(status)),
    ',"resolution":', toJSONString(toString(resolution)),
    ',"services":', services,
    ',"metricNames":', toJSONString(metric_names),
    ',"startTime":', toJSONString(concat(replaceRegexpOne(replaceOne(toString(start_time), ' ', 'T'), '\\.000$', ''), 'Z')),
    ',"endTime":', if(end_time IS NULL, 'null', toJSONString(concat(replaceRegexpOne(replaceOne(toString(assumeNotNull(end_time)), ' ', 'T'), '\\.000$', ''), 'Z'))),
    ',"sourceSite":', toJSONString(toString(source_site)),
    ',"severity":', toJSONString(toString(severity)),
    ',"priority":', toJSONString(toString(priority)),
    ',"metadata":', metadata,
    ',"resolvedAt":', if(resolved_at IS NULL, 'null', toJSONString(concat(replaceRegexpOne(replaceOne(toString(assumeNotNull(resolved_at)), ' ', 'T'), '\\.000$', ''), 'Z'))),
    '}'
) CODEC(ZSTD(1))
AFTER is_deleted;
