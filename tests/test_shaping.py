"""The polars shaping of aggregate rows, without a database."""

import polars as pl

from service.analytics import shaping


def test_bucket_bounds_follow_the_contract_formula() -> None:
    assert shaping.bucket_bounds(100, 110, 4) == [(100, 102), (102, 105), (105, 107), (107, 110)]
    assert shaping.bucket_bounds(0, 2, 3) == [(0, 0), (0, 1), (1, 2)]
    assert shaping.bucket_bounds(5, 6, 1) == [(5, 6)]


def test_running_totals_sum_steps_per_key_and_drop_steps_past_the_end() -> None:
    deltas = pl.DataFrame(
        {"key": ["A", "A", "B", "B"], "bucket": [1, 3, 0, 4], "delta": [2, -1, 1, -1]},
        schema={"key": pl.String, "bucket": pl.Int64, "delta": pl.Int64},
    )
    totals = shaping.running_totals(deltas, 4)
    assert totals.sort("key", "bucket").rows() == [
        ("A", 0, 0),
        ("A", 1, 2),
        ("A", 2, 2),
        ("A", 3, 1),
        ("B", 0, 1),
        ("B", 1, 1),
        ("B", 2, 1),
        ("B", 3, 1),
    ]


def test_bucket_documents_zero_fill_every_bucket_and_key_in_order() -> None:
    counts = pl.DataFrame(
        {"key": ["b", "a", "z"], "bucket": [1, 1, 0], "count": [3, 1, 9]},
        schema={"key": pl.String, "bucket": pl.Int64, "count": pl.UInt64},
    )
    documents = shaping.bucket_documents(counts, ["b", "a", "c"], [(0, 5), (5, 10)])
    assert documents == [
        {"from": 0, "to": 5, "counts": {"b": 0, "a": 0, "c": 0}},
        {"from": 5, "to": 10, "counts": {"b": 3, "a": 1, "c": 0}},
    ]


def test_bucket_documents_without_rows_or_keys() -> None:
    empty = pl.DataFrame(schema={"key": pl.String, "bucket": pl.Int64, "count": pl.UInt64})
    assert shaping.bucket_documents(empty, ["X"], [(0, 1)]) == [
        {"from": 0, "to": 1, "counts": {"X": 0}}
    ]
    assert shaping.bucket_documents(empty, [], [(0, 1), (1, 2)]) == [
        {"from": 0, "to": 1, "counts": {}},
        {"from": 1, "to": 2, "counts": {}},
    ]
    assert shaping.occurring_keys(empty) == []


def test_count_map_puts_required_keys_first_then_the_rest_ascending() -> None:
    counts = pl.DataFrame({"status": ["RESOLVED", "ZZ", "AA"], "count": [2, 1, 1]})
    assert list(shaping.count_map(counts, "status", ["OPEN", "RESOLVED"]).items()) == [
        ("OPEN", 0),
        ("RESOLVED", 2),
        ("AA", 1),
        ("ZZ", 1),
    ]


def test_facet_documents_rank_cap_and_type_values() -> None:
    rows = pl.DataFrame(
        {
            "facet": ["metric"] * 60 + ["acknowledged", "acknowledged", "status"],
            "value": [f"m{i:02d}" for i in range(60)] + ["1", "0", "OPEN"],
            "count": [1] * 58 + [5, 5] + [2, 3, 4],
        }
    )
    facets = {f["name"]: f["values"] for f in shaping.facet_documents(rows)}
    assert list(facets) == list(shaping.FACET_FIELDS)
    assert facets["metric"][:3] == [
        {"value": "m58", "count": 5},
        {"value": "m59", "count": 5},
        {"value": "m00", "count": 1},
    ]
    assert len(facets["metric"]) == 50
    assert facets["metric"][-1] == {"value": "m47", "count": 1}
    assert facets["acknowledged"] == [{"value": False, "count": 3}, {"value": True, "count": 2}]
    assert facets["type"] == []
