org_id = {org:String}
AND start_time <= {window_end:DateTime64(3, 'UTC')}  -- if window_end
AND coalesce(end_time, resolved_at, now64(3)) >= {window_start:DateTime64(3, 'UTC')}  -- if window_start
