-- Every incident the list filters select, newest first, as the columns of its document:
-- the NDJSON export's one streamed query. Three columns instead of twenty: decoding the
-- rows, not the engine, is what an export spends its time on.
SELECT {{incident_document}}
FROM incidents FINAL
WHERE {{incident_filter}}
ORDER BY start_time DESC, id DESC
SETTINGS max_block_size = 8192
