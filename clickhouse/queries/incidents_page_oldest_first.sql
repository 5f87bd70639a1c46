-- A page of the filtered list within an inclusive (start_time, id) range, oldest first:
-- the PREVIOUS direction, which the caller turns back into list order.
SELECT {{incident_document}}
FROM incidents FINAL
WHERE {{incident_filter}}
  AND {{incident_range}}
ORDER BY start_time ASC, id ASC
LIMIT {limit:UInt32}
SETTINGS max_block_size = 1024, max_threads = 1
