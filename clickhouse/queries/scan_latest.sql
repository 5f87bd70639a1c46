-- The newest report of one source: by created_at, ties by arrival (version). The sort
-- key (org_id, source, created_at, version) is read backwards and stops at the first
-- row, so the payloads of older reports are never read.
SELECT source, created_at, payload
FROM scan_reports
WHERE org_id = {org:String} AND source = {source:String}
ORDER BY created_at DESC, version DESC
LIMIT 1
