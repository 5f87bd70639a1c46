-- The standing acknowledgement of each named incident, for a page or one incident.
SELECT
    id,
    ack_time AS first_ack_time,
    user_id AS ack_user_id,
    user_email AS ack_user_email
{{standing_acks}}
