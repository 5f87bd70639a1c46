-- The columns CSV and Parquet export as stored, under their contract names, in any
-- order: service/lists/export.py lays each block out in the contract's.
id, type, incident_id AS incidentId, title, category, description, recommendation, source,
status, resolution, source_site AS sourceSite, severity, priority
