(
    SELECT
        type, status, category, severity, priority, resolution, source, source_site,
        service_names, service_namespaces, metric_names,
        {{incident_matches}}
    FROM incidents FINAL
    WHERE {{incident_window}}
)
