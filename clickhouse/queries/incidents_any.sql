-- Whether any incident of the filtered list lies within an inclusive (start_time, id)
-- range: what makes hasNext and hasPrevious exact on the side a page did not read.
SELECT id
FROM incidents FINAL
WHERE {{incident_filter}}
  AND {{incident_range}}
LIMIT 1
SETTINGS max_block_size = 1024, max_threads = 1
