start_time >= {lo_time:DateTime64(3, 'UTC')}
AND start_time <= {hi_time:DateTime64(3, 'UTC')}
AND (start_time > {lo_time:DateTime64(3, 'UTC')} OR id >= {lo_id:UInt64})
AND (start_time < {hi_time:DateTime64(3, 'UTC')} OR id <= {hi_id:UInt64})
