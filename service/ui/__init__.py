"""The dashboard: the service's own pages for people, a client of its own API."""
