"""Scan reports and the cluster score."""
