-- The standing acknowledgement (the first) of each named incident. The tuple keeps a
-- NULL email with its row: argMin over a Nullable column alone would skip it.
SELECT
    id,
    min(ack_time) AS first_ack_time,
    argMin((user_id, user_email), (ack_time, version)) AS who,
    who.1 AS ack_user_id,
    who.2 AS ack_user_email
FROM incident_acks
WHERE org_id = {org:String} AND id IN {ids:Array(UInt64)}
GROUP BY id
