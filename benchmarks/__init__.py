"""Benchmarks: a seeded dataset generator and the read benchmark."""
