-- The columns CSV and Parquet export as stored, under their contract names.
id, type, incident_id AS incidentId, title, category, description, recommendation, source,
status, resolution
