-- A page of the filtered list within an inclusive (start_time, id) range, newest first.
-- The key is time-ordered, so this reads it backwards and stops at the limit; one thread
-- and 1024-row blocks keep each part from reading a whole default block first. Filters
-- stay in WHERE: an explicit PREWHERE together with FINAL returned stale versions.
SELECT {{incident_document}}
FROM incidents FINAL
WHERE {{incident_filter}}
  AND {{incident_range}}
ORDER BY start_time DESC, id DESC
LIMIT {limit:UInt32}
-- No JIT: a page reads a few thousand rows at most, and compiling its expressions and
-- its sort on the fourth run of a query took 33-44 ms once per filter shape and process
-- (12.3 ms against 46-56 for that run; the p50 of 190 runs unchanged, by hand).
SETTINGS max_block_size = 1024, max_threads = 1,
    compile_expressions = 0, compile_sort_description = 0
