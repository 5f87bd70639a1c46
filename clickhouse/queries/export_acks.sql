-- The standing acknowledgement of every incident of the tenant (ids bound to nothing):
-- an export's one read of them, before its first row. The engine renders
-- what the formats show: ack_members, the acknowledgement's part of the Incident's JSON
-- text (as service/incidents/documents.py renders it for a page), and ack_time_text,
-- its time as CSV shows it. Rendering costs the engine some 5 ms a query whatever the
-- rows, so pages and single reads render in Python, exports here.
WITH
    {{iso_time}}
SELECT
    id,
    ack_time,
    user_id AS ack_user_id,
    user_email AS ack_user_email,
    iso_time(ack_time) AS ack_time_text,
    concat(
        '"ackTime":"', ack_time_text,
        '","ackUserId":', toJSONString(user_id),
        ',"ackUserEmail":', if(user_email IS NULL, 'null', toJSONString(assumeNotNull(user_email)))
    ) AS ack_members
{{standing_acks}}
SETTINGS output_format_json_escape_forward_slashes = 0
