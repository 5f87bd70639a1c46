"""The columnar write path's pieces, timed alone, with the alternatives its choices beat.

Prints, for a 10k-item JSON array (bodies as ``benchmarks.http_load`` writes them) and
for 100k rows: decoding (orjson), the column checks, the rules (``settle_columns``),
the history documents, and the two measured choices beside their alternatives (the
long-number scan, regex against translate; ISO times, Arrow's strftime against
polars). Medians of five.

    .venv/bin/python -m benchmarks.columns
"""

import gc
import io
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.compute
from pydantic import TypeAdapter

from benchmarks.http_load import incident_body
from benchmarks.stats import announce
from ingest.batch import json_array
from ingest.columns import check
from ingest.rules import settle_columns
from ingest.writer import NO_PRIORS
from vocabulary.incident import IncidentIn

# pyarrow's stubs know few compute overloads for string arrays.
pc: Any = pyarrow.compute
_DIGITS = bytes(ord("0") if chr(c).isdigit() and c < 128 else ord(" ") for c in range(256))


def timed(name: str, run: Callable[[], Any]) -> None:
    seconds = []
    for _ in range(5):
        gc.collect()  # the last result's objects go before the clock starts, not in it
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
        del result
    print(f"{name:<58} {statistics.median(seconds) * 1000:8.1f} ms", flush=True)


def writes(count: int) -> pa.Table:
    """``count`` writes of 60% as many incidents, some without a start, some resolved."""
    rng = np.random.default_rng(1)
    ids = rng.integers(0, int(count * 0.6), count).astype(np.uint64)
    millis = 1_714_557_600_000 + ids.astype(np.int64) * 1000
    time_type = pa.timestamp("ms", tz="UTC")
    return pa.table(
        {
            "org_id": pa.array(["org-00"] * count),
            "id": pa.array(ids),
            "source": pa.array([f"detector-{i % 8}" for i in ids.tolist()]),
            "incident_id": pa.array([str(i) for i in ids.tolist()]),
            "start_time": pa.array(millis, time_type, mask=rng.random(count) < 0.2),
            "end_time": pa.array(millis + 5000, time_type, mask=rng.random(count) < 0.5),
            "status": pa.array(np.where(rng.random(count) < 0.4, "RESOLVED", "OPEN")),
        }
    )


def main() -> None:
    announce()
    rng = random.Random(1)
    body = b"[" + b",".join(incident_body(n, rng) for n in range(10_000)) + b"]"
    items = orjson.loads(body)
    lines = b"\n".join(map(orjson.dumps, items))
    print(f"a 10k-item JSON array, {len(body):,} bytes", flush=True)
    timed("orjson.loads (a Python object per value)", lambda: orjson.loads(body))
    timed("ingest.columns.check of the decoded items", lambda: check(items))
    timed("ingest.batch.json_array (both of the above)", lambda: json_array(body))
    model = TypeAdapter(list[IncidentIn])
    timed("pydantic validate_json of the body (the path before)", lambda: model.validate_json(body))
    free_form = {"metadata": pl.String, "services": pl.String}  # kept as JSON text
    timed(
        "polars.read_ndjson of the same items, free-form ones as text",
        lambda: pl.read_ndjson(io.BytesIO(lines), schema_overrides=free_form),
    )

    timed("long-number scan: re.search(rb'\\d{20}')", lambda: re.search(rb"\d{20}", body))
    timed(
        "long-number scan: translate, then a substring search",
        lambda: b"0" * 20 in body.translate(_DIGITS),
    )
    batch = writes(100_000)
    now = datetime.now(UTC)
    timed(
        "settle_columns, 100k writes of 60k incidents",
        lambda: settle_columns(batch, NO_PRIORS, now),
    )
    times = batch["end_time"].combine_chunks()

    def arrow_iso() -> Any:
        text = pc.strftime(times, format="%Y-%m-%dT%H:%M:%S")
        text = pc.replace_substring_regex(text, pattern=r"\.000$", replacement="")
        return pc.binary_join_element_wise(text, "Z", "")

    def polars_iso() -> Any:
        series = pl.from_arrow(times)
        assert isinstance(series, pl.Series)
        text = series.dt.to_string("%Y-%m-%dT%H:%M:%S%.3fZ")
        return text.str.replace(".000Z", "Z", literal=True)

    timed("ISO times, 100k: Arrow strftime", arrow_iso)
    timed("ISO times, 100k: polars to_string", polars_iso)


if __name__ == "__main__":
    main()
