"""The vocabulary every layer shares: enums, the incident as sent, times, ids, problems.

Below every other package: it imports none of them and does no I/O (no store, no HTTP,
no files), so the write path, the reads, the storage and the routes can all speak it.
"""
