(empty({types:Array(String)}) OR type IN {types:Array(String)}) AS match_type,
(empty({statuses:Array(String)}) OR status IN {statuses:Array(String)}) AS match_status,
(empty({categories:Array(String)}) OR category IN {categories:Array(String)}) AS match_category,
(empty({sources:Array(String)}) OR source IN {sources:Array(String)}) AS match_source,
(empty({services:Array(String)}) OR hasAny(service_names, {services:Array(String)})) AS match_service,
(empty({namespaces:Array(String)}) OR hasAny(service_namespaces, {namespaces:Array(String)})) AS match_namespace,
(empty({metrics:Array(String)}) OR hasAny(metric_names, {metrics:Array(String)})) AS match_metric,
({resolution:Nullable(String)} IS NULL OR resolution = {resolution:Nullable(String)}) AS match_resolution,
id IN (SELECT id FROM incident_acks WHERE org_id = {org:String}) AS acknowledged,
({acknowledged:Nullable(Bool)} IS NULL OR acknowledged = {acknowledged:Nullable(Bool)}) AS match_acknowledged,
9 - (
    match_type + match_status + match_category + match_source + match_service
    + match_namespace + match_metric + match_resolution + match_acknowledged
) AS misses
