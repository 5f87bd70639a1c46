"""Ingest benchmark: single upserts over HTTP, the batch endpoint, the bulk loader.

(a) ``incidents serve`` in its own process, a load generator (benchmarks.http_load) in
another: /healthz at 64 connections (the HTTP stack's ceiling), then create-or-update
at 64 connections and at 1 (the latency of one request alone). (b) The batch endpoint
at 100, 1k and 10k items per request. (c) The bulk loader on an NDJSON file and on the
same rows as Parquet, against a raw chDB Arrow insert of the tables it stores.

    .venv/bin/python -m benchmarks.ingest [--seconds 10] [--rows 200000] [--loader-only]
"""

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.http_load import ORG, incident_body
from benchmarks.stats import announce
from clickhouse import Store, StoreConfig
from clickhouse.migrate import migrate
from clickhouse.tables import insert_tables
from ingest.loader import CHUNK, chunks, load_file
from ingest.writer import Rows, Writer
from tests.serving import free_port

BIN = Path(sys.executable).parent


def wait_until_answered(port: int, path: str, tries: int = 600) -> None:
    """Until ``GET path`` on ``port`` answers 200 (a server that is starting)."""
    for _ in range(tries):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)


@contextmanager
def serving(
    data_dir: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``incidents serve`` on a fresh port, with ``env`` added to its environment: the
    process and its port. Stopped with SIGTERM (drained) at the end."""
    port = free_port()
    env = {
        **os.environ,
        "INCIDENTS_DATA_DIR": str(data_dir),
        "INCIDENTS_LOG_LEVEL": "warning",
        **(env or {}),
    }
    process = subprocess.Popen([str(BIN / "incidents"), "serve", "--port", str(port)], env=env)
    try:
        wait_until_answered(port, "/readyz")
        yield process, port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


@contextmanager
def server(data_dir: Path) -> Iterator[int]:
    """``incidents serve`` on a fresh port (see ``serving``): its port."""
    with serving(data_dir) as (_, port):
        yield port


def http_load(port: int, kind: str, connections: int, seconds: float) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.http_load", "--port", str(port)]
    command += ["--kind", kind, "--connections", str(connections), "--seconds", str(seconds)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def batches(port: int, size: int, total: int, ndjson: bool = False) -> float:
    """Incidents per second through POST /incidents/batch, ``size`` items a request, as
    JSON arrays or (``ndjson``) NDJSON bodies, encoded before the clock starts."""
    rng = random.Random(size)
    first = size * (2_000_000 if ndjson else 1_000_000)  # new incidents in either form
    bodies = []
    for start in range(first, first + total, size):
        items = [incident_body(start + n, rng) for n in range(size)]
        bodies.append(b"\n".join(items) if ndjson else b"[" + b",".join(items) + b"]")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    kind = "application/x-ndjson" if ndjson else "application/json"
    headers = {"X-Scope-OrgID": ORG, "Content-Type": kind}
    started = time.perf_counter()
    for body in bodies:
        conn.request("POST", "/api/v1/incidents/batch", body=body, headers=headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or answer["errors"]:
            raise RuntimeError(f"batch refused: {answer}")
    return total / (time.perf_counter() - started)


def write_parquet(source: Path, target: Path) -> None:
    """The NDJSON file's rows as Parquet, as a sender would write them: metadata, which
    Parquet cannot hold as a free-form object, as its JSON text."""
    rows = [orjson.loads(line) for line in source.read_bytes().splitlines()]
    for row in rows:
        row["metadata"] = orjson.dumps(row["metadata"]).decode()
    pq.write_table(pa.Table.from_pylist(rows), target)


def _opened(data_dir: Path, database: str, cleanup: ExitStack) -> Writer:
    """A writer on a fresh database of ``data_dir``, closed (and its store) by ``cleanup``
    at the end of the run."""
    store = Store(StoreConfig(data_dir=data_dir, database=database))
    cleanup.callback(store.close)
    migrate(store)
    writer = Writer(store)
    cleanup.callback(writer.close)
    return writer


def loader_against_raw(rows: int, workdir: Path) -> tuple[dict[str, float], dict[str, float]]:
    """Rows/s of the bulk loader on an NDJSON file and on the same rows as Parquet, and
    of a raw insert of the very tables it stores, in that order in one run; and the CPU
    seconds of this process (every thread, the engine's too) that each took. Both keep
    the two cores busy, so the CPU a row costs is the steadier figure: rows/s swings
    with the host from run to run by a fifth.

    The raw side is what the loader's commits insert (incidents, incident_keys and
    incident_events, a loader's chunk a commit, the three side by side), made beforehand by the
    writer's own ``settle_rows`` and only inserted while the clock runs.
    """
    rng = random.Random(1)
    source = workdir / "incidents.ndjson"
    with source.open("wb") as handle:
        for number in range(rows):
            handle.write(incident_body(number, rng) + b"\n")
    parquet = workdir / "incidents.parquet"
    write_parquet(source, parquet)
    data_dir = workdir / "chdb"
    rates: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with ExitStack() as cleanup:
        for kind, path in (("ndjson", source), ("parquet", parquet)):
            writer = _opened(data_dir, f"loader_{kind}", cleanup)
            used = time.process_time()
            summary = load_file(writer, ORG, path)
            cpu[kind] = time.process_time() - used
            assert summary.stored == rows, summary
            rates[kind] = rows / summary.seconds
        writer = _opened(data_dir, "raw", cleanup)
        prepared = [
            writer.settle_rows([Rows(ORG, checks)])[0] for checks, _, _ in chunks(source, CHUNK)
        ]
        started, used = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(3) as pool:
            for tables in prepared:
                insert_tables(writer.store, tables, pool)
        rates["raw"] = rows / (time.perf_counter() - started)
        cpu["raw"] = time.process_time() - used
    return rates, cpu


def singles(port: int, seconds: float) -> None:
    """(a): single writes over HTTP, at 64 connections and at 1, against /healthz."""
    print("(a) single create-or-update over HTTP", file=sys.stderr, flush=True)
    ceiling = http_load(port, "healthz", 64, seconds)
    many = http_load(port, "upsert", 64, seconds)
    alone = http_load(port, "upsert", 1, seconds)
    for result in (ceiling, many, alone):
        print(json.dumps(result), flush=True)
    ratio = many["rps"] / ceiling["rps"]
    print(f"upserts at 64 connections: {ratio:.0%} of the /healthz rate", flush=True)


def batch_rates(port: int) -> None:
    """(b): the batch endpoint at three sizes, as JSON arrays and as NDJSON."""
    for size in (100, 1_000, 10_000):
        print(f"(b) batches of {size}", file=sys.stderr, flush=True)
        for ndjson in (False, True):
            rate = batches(port, size, max(50_000, size * 10), ndjson)
            form = "NDJSON" if ndjson else "array "
            print(f"batch of {size:>6} ({form}): {rate:>10,.0f} incidents/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="ingest benchmark")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--loader-only", action="store_true", help="(c) alone")
    parser.add_argument("--batches-only", action="store_true", help="(b) alone")
    args = parser.parse_args()
    announce()
    with tempfile.TemporaryDirectory(prefix="incidents-bench-") as scratch:
        workdir = Path(scratch)
        if not args.loader_only:
            with server(workdir / "served") as port:
                if not args.batches_only:
                    singles(port, args.seconds)
                batch_rates(port)
        if args.batches_only:
            return
        print(f"(c) loader against raw insert, {args.rows:,} rows", file=sys.stderr, flush=True)
        rates, cpu = loader_against_raw(args.rows, workdir)
        print(json.dumps({"rows/s": rates, "cpu s": cpu}), flush=True)
        for kind in ("ndjson", "parquet"):
            print(
                f"loader ({kind}) {rates[kind]:,.0f} rows/s, raw Arrow insert "
                f"{rates['raw']:,.0f} rows/s: {rates[kind] / rates['raw']:.2f}x; CPU "
                f"{cpu[kind]:.2f} s against {cpu['raw']:.2f}: {cpu['raw'] / cpu[kind]:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
