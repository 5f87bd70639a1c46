{{incident_window}}
AND type IN {types:Array(String)}  -- if types
AND status IN {statuses:Array(String)}  -- if statuses
AND category IN {categories:Array(String)}  -- if categories
AND source IN {sources:Array(String)}  -- if sources
AND hasAny(service_names, {services:Array(String)})  -- if services
AND hasAny(service_namespaces, {namespaces:Array(String)})  -- if namespaces
AND hasAny(metric_names, {metrics:Array(String)})  -- if metrics
AND resolution = {resolution:String}  -- if resolution
AND (id IN (SELECT id FROM incident_acks WHERE org_id = {org:String})) = {acknowledged:Bool}  -- if acknowledged
