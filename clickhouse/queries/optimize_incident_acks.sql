-- Forces a merge of every part of incident_acks: each acknowledgement is an insert of
-- its own, so the table gathers small parts that every page's acknowledgement read opens.
OPTIMIZE TABLE incident_acks FINAL
