"""Facets and statistics: the dashboard's aggregate reads."""
