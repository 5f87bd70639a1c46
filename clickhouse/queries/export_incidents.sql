-- Every incident the list filters select, newest first: the export's one streamed query.
-- The key is time-ordered, so the engine reads it in order and hands over block after
-- block without sorting the whole set; 8192-row blocks keep the service's memory small.
SELECT {{incident_columns}}, document
FROM incidents FINAL
WHERE {{incident_filter}}
ORDER BY start_time DESC, id DESC
SETTINGS max_block_size = 8192
