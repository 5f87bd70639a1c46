"""Webhooks of senders that cannot be changed: Prometheus Alertmanager and Grafana alerting."""
