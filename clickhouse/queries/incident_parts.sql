-- How many active parts incidents has and how many rows they hold: what a list page's
-- FINAL read has to merge across, and the size a compaction rewrites.
SELECT count() AS parts, sum(rows) AS stored_rows
FROM system.parts
WHERE database = currentDatabase() AND table = 'incidents' AND active
