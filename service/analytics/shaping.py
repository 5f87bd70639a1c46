"""Pure shaping of aggregate rows into the contract's documents, with polars.

The SQL answers only the (key, bucket) cells where something counts; these functions
make every bucket and every key present, zero-filled, and lay the answer out as JSON.
Nothing here reads the store, so everything is tested without a database.
"""

import itertools
from collections.abc import Sequence
from typing import Any

import polars as pl

Bucket = dict[str, Any]


def bucket_bounds(start: int, end: int, buckets: int) -> list[tuple[int, int]]:
    """The ``n`` buckets of ``[start, end)``: bucket ``i`` starts at
    ``start + floor(i * (end - start) / n)``."""
    span = end - start
    edges = [start + i * span // buckets for i in range(buckets + 1)]
    return list(itertools.pairwise(edges))


def _buckets(count: int) -> pl.DataFrame:
    return pl.DataFrame({"bucket": range(count)}, schema={"bucket": pl.Int64})


def running_totals(deltas: pl.DataFrame, buckets: int) -> pl.DataFrame:
    """``(key, bucket, delta)`` steps as ``(key, bucket, count)``: the running sum per key.

    Steps at ``bucket >= buckets`` (after the last bucket) are dropped; every key that has
    a step gets every bucket.
    """
    keys = deltas.select(pl.col("key").unique())
    grid = keys.join(_buckets(buckets), how="cross")
    return (
        grid.join(deltas.select("key", "bucket", "delta"), on=["key", "bucket"], how="left")
        .sort("key", "bucket")
        .with_columns(pl.col("delta").fill_null(0).cum_sum().over("key").alias("count"))
        .select("key", "bucket", "count")
    )


def bucket_documents(
    counts: pl.DataFrame, keys: Sequence[str], bounds: Sequence[tuple[int, int]]
) -> list[Bucket]:
    """``(key, bucket, count)`` cells as one document per bucket with every key, 0 if absent.

    ``[{"from": 1700000000, "to": 1700003600, "counts": {"INCIDENT": 1, ...}}]``; the keys
    in the order given, cells of other keys ignored.
    """
    wanted = list(keys)
    grid = _buckets(len(bounds))
    cells = counts.filter(pl.col("key").is_in(wanted)).select(
        pl.col("key").cast(pl.String), pl.col("bucket").cast(pl.Int64), pl.col("count")
    )
    if wanted and cells.height:
        wide = cells.pivot(on="key", index="bucket", values="count", aggregate_function="sum")
        grid = grid.join(wide, on="bucket", how="left")
    grid = grid.with_columns(
        [
            (pl.col(k) if k in grid.columns else pl.lit(0)).fill_null(0).cast(pl.Int64).alias(k)
            for k in wanted
        ]
    ).sort("bucket")
    rows = grid.select(wanted).rows() if wanted else [() for _ in bounds]
    return [
        {"from": lo, "to": hi, "counts": dict(zip(wanted, row, strict=True))}
        for (lo, hi), row in zip(bounds, rows, strict=True)
    ]


def occurring_keys(counts: pl.DataFrame) -> list[str]:
    """The keys with a non-zero count, ascending: the keys of severities and priorities."""
    found = counts.filter(pl.col("count") > 0).get_column("key").unique().sort()
    return [str(k) for k in found.to_list()]


def count_map(counts: pl.DataFrame, key: str, keys: Sequence[str] = ()) -> dict[str, int]:
    """``(key, count)`` rows as ``{key: count}``: ``keys`` first (0 if absent), then the
    rest ascending."""
    found = dict(counts.select(pl.col(key).cast(pl.String), pl.col("count")).sort(key).rows())
    return {k: int(found.get(k, 0)) for k in [*keys, *(k for k in found if k not in keys)]}


FACET_FIELDS = (
    "type",
    "status",
    "category",
    "severity",
    "priority",
    "resolution",
    "source",
    "sourceSite",
    "service",
    "namespace",
    "metric",
    "acknowledged",
)
FACET_LIMIT = 50


def facet_documents(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """``(facet, value, count)`` rows as the contract's facets: every field in contract
    order, values by count descending then value ascending, at most 50 each;
    ``acknowledged`` values as booleans (the store gives ``0``/``1``)."""
    ordered = rows.select(
        pl.col("facet").cast(pl.String), pl.col("value").cast(pl.String), pl.col("count")
    ).sort(["facet", "count", "value"], descending=[False, True, False])
    grouped = {
        str(name): frame.head(FACET_LIMIT)
        for (name,), frame in ordered.group_by(["facet"], maintain_order=True)
    }
    facets = []
    for name in FACET_FIELDS:
        frame = grouped.get(name)
        pairs = frame.select("value", "count").rows() if frame is not None else []
        values = [
            {"value": value in ("1", "true") if name == "acknowledged" else value, "count": n}
            for value, n in pairs
        ]
        facets.append({"name": name, "values": values})
    return facets
