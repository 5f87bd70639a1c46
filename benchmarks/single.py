"""Single create-or-update at 64 connections: the service against the bare reference app.

The reference (``../shared/bench/bare_app.py``) validates the same bodies with pydantic
and answers, with no storage and no middleware: the REST stack's own ceiling. It runs
as its README says (uvicorn with uvloop and httptools), the service as ``incidents
serve`` (asyncio's loop, ``service.cli.LOOP``) on a fresh data directory; wrk sends
both ``upsert.lua`` (2,000 incidents of one tenant, creates then updates) in
alternating runs, so that both see the same machine. Printed: every run, the service's
rate over the reference's in each pair, their median, and the p99s.

    .venv/bin/python -m benchmarks.single [--seconds 10] [--pairs 3]
"""

import argparse
import json
import statistics
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks import SHARED_BENCH
from benchmarks.ingest import BIN, serving, wait_until_answered
from benchmarks.stats import announce
from benchmarks.wrk import wrk
from tests.serving import free_port

UPSERTS = "/api/v1/incidents"


@contextmanager
def bare_app(bench_dir: Path, loop: str = "uvloop") -> Iterator[int]:
    """The reference app, run as its README says (or on another ``loop``), on a fresh port."""
    port = free_port()
    command = [str(BIN / "uvicorn"), "bare_app:app", "--port", str(port), "--loop", loop]
    command += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=bench_dir)
    try:
        wait_until_answered(port, "/healthz", tries=300)
        yield port
    finally:
        process.terminate()
        process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description="single create-or-update against bare_app")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--bench-dir", type=Path, default=SHARED_BENCH)
    args = parser.parse_args()
    announce()
    script = args.bench_dir / "upsert.lua"
    ratios: list[float] = []
    p99s: list[float] = []
    failed = 0
    with (
        tempfile.TemporaryDirectory(prefix="incidents-single-") as scratch,
        bare_app(args.bench_dir) as bare,
        serving(Path(scratch)) as (_, service),
    ):
        urls = {"bare": f"http://127.0.0.1:{bare}{UPSERTS}"}
        urls["service"] = f"http://127.0.0.1:{service}{UPSERTS}"
        for url in urls.values():
            wrk(url, script, args.connections, 2)
        for pair in range(1, args.pairs + 1):
            runs = {
                name: wrk(url, script, args.connections, args.seconds) for name, url in urls.items()
            }
            for name, run in runs.items():
                print(json.dumps({"pair": pair, "app": name, **run}), flush=True)
                failed += int(run["errors"] + run["non2xx"])
            ratios.append(runs["service"]["rps"] / runs["bare"]["rps"])
            p99s.append(runs["service"]["p99_ms"])
            print(f"pair {pair}: service/bare = {ratios[-1]:.3f}", flush=True)
    print(
        f"median ratio {statistics.median(ratios):.3f} (pairs: "
        f"{', '.join(f'{r:.3f}' for r in ratios)}); service p99 median "
        f"{statistics.median(p99s):.1f} ms, max {max(p99s):.1f} ms; failed requests {failed}",
        flush=True,
    )


if __name__ == "__main__":
    main()
