"""The write path: validated incidents become rows, and rows reach the store in batches.

Depends on ``clickhouse`` only; knows nothing of HTTP.
"""
