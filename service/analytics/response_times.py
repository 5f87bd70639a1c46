"""How fast incidents are acknowledged and resolved, per bucket of start time and group.

One query computes every statistic (``stats_response_times.sql``); the pure functions
here lay its cells out as the contract's buckets with polars: every bucket present, the
groups of each by count descending then key, a bucket with no incident an empty list.
"""

from typing import Any

import polars as pl

from clickhouse import Store
from service.analytics import shaping
from service.analytics.statistics import Buckets, WindowQuery, query_frame, window
from service.lists.filters import Types
from vocabulary.analytics import ResponseTimeGroup

STATISTICS = ("mean", "p50", "p90", "p95")
DURATIONS = (("timeToAcknowledge", "tta"), ("timeToResolve", "ttr"))


class ResponseTimesQuery(WindowQuery):
    type: Types = []  # noqa: RUF012 - a pydantic field: each instance gets a copy
    groupBy: ResponseTimeGroup | None = None  # noqa: N815 - the contract's name
    buckets: Buckets = 1


def ordered_groups(cells: pl.DataFrame) -> pl.DataFrame:
    """The cells by bucket, then count descending, then key (a null key last)."""
    return cells.sort(["bucket", "count", "key"], descending=[False, True, False], nulls_last=True)


def bucket_documents(cells: pl.DataFrame, bounds: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """``(bucket, key, count, acknowledged, resolved, tta_*, ttr_*)`` cells as one
    document per bucket of ``bounds``."""
    groups: list[list[dict[str, Any]]] = [[] for _ in bounds]
    for row in ordered_groups(cells).iter_rows(named=True):
        groups[row["bucket"]].append(
            {
                "key": row["key"],
                "count": row["count"],
                "acknowledged": row["acknowledged"],
                "resolved": row["resolved"],
                **{
                    name: {stat: row[f"{prefix}_{stat}"] for stat in STATISTICS}
                    for name, prefix in DURATIONS
                },
            }
        )
    return [
        {"from": lo, "to": hi, "groups": found}
        for (lo, hi), found in zip(bounds, groups, strict=True)
    ]


def group_lines(group: ResponseTimeGroup | None) -> dict[str, bool | None]:
    """The parameters that keep the key line of ``group`` (None: one group of all) in
    ``stats_response_times.sql`` and leave the others out."""
    chosen = f"by_{group.value}" if group else "by_nothing"
    names = [f"by_{g.value}" for g in ResponseTimeGroup] + ["by_nothing"]
    return {name: True if name == chosen else None for name in names}


def response_times(store: Store, org_id: str, query: ResponseTimesQuery) -> list[dict[str, Any]]:
    start, end = window(query.timestampFrom, query.timestampTo, "timestampFrom")
    params = {
        "org": org_id,
        "from": start,
        "to": end,
        "buckets": query.buckets,
        "types": [t.value for t in query.type],
        **group_lines(query.groupBy),
    }
    cells = query_frame(store, "stats_response_times", params)
    return bucket_documents(cells, shaping.bucket_bounds(start, end, query.buckets))
