"""The readbench client's own ceiling when it loads S: what its Python costs per version.

readbench (``../shared/bench/readbench``) loads the service by turning each version row
into a request body in Python (``sys_http.incident_bodies``, then ``json.dumps``) on
threads that share one interpreter lock, and reading each answer's ids. This does the
same work for every version of the same generated dataset, with no server, and prints
the CPU seconds it took: S's ``load`` row cannot be faster than that on these cores,
whatever the service does. Run it with readbench's own virtualenv (it needs httpx):

    .venv-readbench/bin/python -m benchmarks.readbench_client [--n 300000]
"""

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

from benchmarks import SHARED_BENCH
from benchmarks.stats import announce

# As benchmarks/readbench.sh finds it.
READBENCH = Path(os.environ.get("READBENCH", SHARED_BENCH / "readbench"))
# readbench.py's default seed.
SEED = 42


def main() -> None:
    parser = argparse.ArgumentParser(description="readbench's client cost of loading S")
    parser.add_argument("--n", type=int, default=300_000)
    args = parser.parse_args()
    announce()
    sys.path.insert(0, str(READBENCH))  # readbench is a folder of scripts, not a package
    datagen = importlib.import_module("datagen")
    sys_http = importlib.import_module("sys_http")

    anchor = int(time.time()) // 86_400 * 86_400
    versions = datagen.generate(args.n, SEED, anchor, log=lambda _: None).versions
    started = time.process_time()
    size = 0
    for offset in range(0, versions.num_rows, sys_http.BATCH):
        rows = versions.slice(offset, sys_http.BATCH)
        size += len(json.dumps(sys_http.incident_bodies(rows)).encode())
        answer = json.dumps({"ids": list(range(2**52, 2**52 + rows.num_rows)), "errors": []})
        json.loads(answer)
    cpu = time.process_time() - started
    print(
        f"{versions.num_rows:,} versions, {size / 1e6:,.0f} MB of bodies: {cpu:.1f} s of client "
        f"CPU, a ceiling of {versions.num_rows / cpu:,.0f} versions/s for S's load",
        flush=True,
    )


if __name__ == "__main__":
    main()
