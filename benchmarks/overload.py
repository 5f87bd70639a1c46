"""Overload: a flood of create-or-update from 1,000 connections for 30 s.

``incidents serve`` runs on a fresh data directory (``benchmarks.ingest.serving``);
wrk floods it with ``overload.lua``, where every request creates a new incident, so
each id answered 200 names exactly one write. Printed: answers/s, the share of 503s,
p50/p90/p99 of every answer (200 and 503 alike), the server's peak resident memory
(VmHWM), and the check that every write answered 200 is stored: once the server has
drained and stopped, the answered ids are read back from its data directory.

    .venv/bin/python -m benchmarks.overload [--connections 1000] [--seconds 30]
        [--env INCIDENTS_INGEST_MAX_WAIT_MS=500 ...]
"""

import argparse
import http.client
import json
import os
import tempfile
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from benchmarks.ingest import serving
from benchmarks.stats import announce
from benchmarks.wrk import wrk
from clickhouse import Store, StoreConfig

SCRIPT = Path(__file__).with_name("overload.lua")
ORG = "flood-org"
# Ids per read-back query: a bound array parameter of this size reads in well under 1 s.
CHUNK = 10_000


def peak_resident_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


def served_within(port: int, seconds: float) -> float:
    """The share of create-or-update answers the app itself timed at ``seconds`` or less
    (its latency histogram, from routing to answer: the time before the app reads a
    request, in the sockets and the event loop, is not in it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    within = total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name.endswith("_bucket") and labels.get("route") == "/api/v1/incidents":
                if labels["le"] == "+Inf":
                    total += sample.value
                elif float(labels["le"]) == seconds:
                    within += sample.value
    return within / total if total else 0.0


def stored_of(data_dir: Path, ids: list[int]) -> set[int]:
    """Which of ``ids`` the stopped server's data directory holds as incidents."""
    store = Store(StoreConfig(data_dir=data_dir))
    try:
        found: set[int] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = store.query("incidents_current_of", {"orgs": [ORG], "ids": chunk})
            found.update(value for value in rows.column("id").to_pylist() if value is not None)
        return found
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="create-or-update flood")
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    args = parser.parse_args()
    announce()
    env = dict(pair.split("=", 1) for pair in args.env)
    with tempfile.TemporaryDirectory(prefix="incidents-overload-") as scratch:
        data_dir = Path(scratch) / "data"
        answered_file = Path(scratch) / "answered.txt"
        with serving(data_dir, env) as (process, port):
            url = f"http://127.0.0.1:{port}/api/v1/incidents"
            run = wrk(
                url,
                SCRIPT,
                args.connections,
                args.seconds,
                threads=args.threads,
                env={**os.environ, "OVERLOAD_IDS": str(answered_file)},
            )
            peak = peak_resident_mib(process.pid)
            in_app = served_within(port, 1.0)
        answered = sorted({int(line) for line in answered_file.read_text().split()})
        missing = len(set(answered) - stored_of(data_dir, answered))
    share = run["busy"] / run["answers"] if run["answers"] else 0.0
    report = {
        **run,
        "share_503": round(share, 4),
        "peak_rss_mib": round(peak, 1),
        "in_app_within_1s": round(in_app, 4),
        "answered_ids": len(answered),
        "answered_not_stored": missing,
    }
    print(json.dumps(report), flush=True)
    print(
        f"{run['rps']:,.0f} answers/s, {share:.1%} 503, p50 {run['p50_ms']:.0f} ms, "
        f"p99 {run['p99_ms']:.0f} ms ({in_app:.1%} within 1 s as the app timed them), "
        f"peak RSS {peak:,.0f} MiB; "
        f"{len(answered):,} writes answered 200, {missing} of them not stored",
        flush=True,
    )
    if missing or run["other"]:
        raise SystemExit("an answered write is missing, or an answer was neither 200 nor 503")


if __name__ == "__main__":
    main()
