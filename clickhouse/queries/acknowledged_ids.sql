-- Every incident with an acknowledgement row (of any tenant), read once on the embedded
-- engine, so that a page of incidents none of which is acknowledged asks nothing more
-- (service/incidents/acked.py).
SELECT DISTINCT id
FROM incident_acks
