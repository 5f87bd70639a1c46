id, type, incident_id, title, category, description, recommendation, source, status,
resolution, services, metric_names, start_time, end_time, source_site, severity,
priority, metadata, resolved_at, updated_at
