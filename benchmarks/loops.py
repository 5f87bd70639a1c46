"""The event loop under a flood: the bare reference app on uvloop and on asyncio's loop.

``../shared/bench/bare_app.py`` (no storage, no middleware) answers ``overload.lua``'s
creates from 1,000 connections, on each loop in turn, in alternating rounds. Printed:
answers/s, p50, p99 and the slowest answer of each run. It is the measurement behind
``service.cli.LOOP``: a loop that serves some connections late shows it in p99 and max
with no storage in the way.

    .venv/bin/python -m benchmarks.loops [--rounds 2] [--seconds 15] [--connections 1000]
"""

import argparse
import json
import os
import tempfile
from pathlib import Path

from benchmarks import SHARED_BENCH
from benchmarks.overload import SCRIPT
from benchmarks.single import UPSERTS, bare_app
from benchmarks.stats import announce
from benchmarks.wrk import wrk

LOOPS = ("uvloop", "asyncio")


def main() -> None:
    parser = argparse.ArgumentParser(description="the bare app's tail on each event loop")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--bench-dir", type=Path, default=SHARED_BENCH)
    args = parser.parse_args()
    announce()
    with tempfile.TemporaryDirectory(prefix="incidents-loops-") as scratch:
        env = {**os.environ, "OVERLOAD_IDS": str(Path(scratch) / "answered.txt")}
        for round_ in range(1, args.rounds + 1):
            for loop in LOOPS:
                with bare_app(args.bench_dir, loop) as port:
                    url = f"http://127.0.0.1:{port}{UPSERTS}"
                    run = wrk(url, SCRIPT, args.connections, args.seconds, env=env)
                print(json.dumps({"round": round_, "loop": loop, **run}), flush=True)
                print(
                    f"round {round_} {loop}: {run['rps']:,.0f} answers/s, p50 "
                    f"{run['p50_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms, "
                    f"max {run['max_ms']:.0f} ms",
                    flush=True,
                )


if __name__ == "__main__":
    main()
