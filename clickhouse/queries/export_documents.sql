-- Every incident the list filters select, newest first, as its Incident JSON text around
-- the acknowledgement (head: the id and the stored document's members; tail: updatedAt):
-- the NDJSON export's one streamed query, the same text a page renders in Python
-- (service/incidents/documents.py). The key is time-ordered, so the engine reads it in
-- order and hands over block after block without sorting the whole set.
-- One thread: with two, FINAL's streams ran ahead of a slow reader and held 230 MB of
-- the biggest tenant's rows, with one 100 MB. 4096-row blocks, as documents are the
-- widest rows: an export of that tenant grew the process by 28-76 MB, with 8192 by
-- 35-106 MB (after the process's first export).
WITH {{iso_time}}
SELECT
    id,
    concat('{"id":', toString(id), ',', substring(document, 2, length(document) - 2), ',') AS head,
    concat(',"updatedAt":"', iso_time(updated_at), '"}') AS tail
FROM incidents FINAL
WHERE {{incident_filter}}
ORDER BY start_time DESC, id DESC
SETTINGS max_block_size = 4096, max_threads = 1
