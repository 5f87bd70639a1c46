{{incident_window}}
AND (empty({types:Array(String)}) OR type IN {types:Array(String)})
AND (empty({statuses:Array(String)}) OR status IN {statuses:Array(String)})
AND (empty({categories:Array(String)}) OR category IN {categories:Array(String)})
AND (empty({sources:Array(String)}) OR source IN {sources:Array(String)})
AND (empty({services:Array(String)}) OR hasAny(service_names, {services:Array(String)}))
AND (empty({namespaces:Array(String)}) OR hasAny(service_namespaces, {namespaces:Array(String)}))
AND (empty({metrics:Array(String)}) OR hasAny(metric_names, {metrics:Array(String)}))
AND ({resolution:Nullable(String)} IS NULL OR resolution = {resolution:Nullable(String)})
AND (
    {acknowledged:Nullable(Bool)} IS NULL
    OR (id IN (SELECT id FROM incident_acks WHERE org_id = {org:String})) = {acknowledged:Nullable(Bool)}
)
