-- The incidents the resolved purge deletes: those whose current version is resolved and
-- has not changed for {days} days. Read on their own and bound into the DELETE as
-- literals (clickhouse/retention.py says why). On a cluster this reads the Distributed
-- table, and each shard's FINAL sees every version of its incidents.
SELECT org_id, id
FROM incidents FINAL
WHERE status = 'RESOLVED' AND updated_at < now64(3) - toIntervalDay({days:UInt32})
