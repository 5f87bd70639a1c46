"""HTTP plumbing every route shares: the gate, logs, metrics, errors, probes."""
