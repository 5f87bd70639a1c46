"""An HTTP/1.1 load generator on asyncio streams, run as its own process.

Keeps ``--connections`` keep-alive connections busy for ``--seconds`` and prints one
JSON line: requests, requests/s, p50/p99 latency, errors by status. ``--kind upsert``
posts a different incident on every request (ids spread over ``--incidents``);
``--kind healthz`` measures the HTTP stack's ceiling on the same server.

    python -m benchmarks.http_load --port 8080 --kind upsert --connections 64 --seconds 10
"""

import argparse
import asyncio
import json
import random
import time
from collections import Counter

from benchmarks.stats import percentile

ORG = "bench"


def incident_body(number: int, rng: random.Random) -> bytes:
    body = {
        "type": "ANOMALY",
        "incidentId": f"i{number}",
        "title": f"latency anomaly {rng.randint(0, 10**6)}",
        "category": "PERFORMANCE",
        "description": "p99 latency above its baseline for 5 minutes",
        "recommendation": "check the recent deploy",
        "source": "bench-detector",
        "status": rng.choice(["OPEN", "OPEN", "RESOLVED"]),
        "resolution": "",
        "services": [{"name": f"svc-{number % 300}", "namespace": f"ns-{number % 20}"}],
        "metricNames": [f"metric_{number % 100}"],
        "sourceSite": "eu-1",
        "severity": "high",
        "priority": "P2",
        "metadata": {"baseline": 120, "observed": 480},
    }
    return json.dumps(body).encode()


def _request(kind: str, number: int, rng: random.Random) -> bytes:
    if kind == "healthz":
        return b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"
    body = incident_body(number, rng)
    head = (
        "POST /api/v1/incidents HTTP/1.1\r\nHost: bench\r\n"
        f"X-Scope-OrgID: {ORG}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _connection(
    port: int,
    kind: str,
    incidents: int,
    stop: float,
    latencies: list[float],
    statuses: Counter[int],
    seed: int,
) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            request = _request(kind, rng.randrange(incidents), rng)
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[int(status_line.split()[1])] += 1
    finally:
        writer.close()


async def run(
    port: int, kind: str, connections: int, seconds: float, incidents: int
) -> dict[str, object]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    stop = started + seconds
    await asyncio.gather(
        *(
            _connection(port, kind, incidents, stop, latencies, statuses, seed)
            for seed in range(connections)
        )
    )
    elapsed = time.perf_counter() - started
    return {
        "kind": kind,
        "connections": connections,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "errors": {str(s): n for s, n in statuses.items() if s >= 400},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP load generator")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--kind", choices=["upsert", "healthz"], default="upsert")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--incidents", type=int, default=100_000)
    args = parser.parse_args()
    result = asyncio.run(run(args.port, args.kind, args.connections, args.seconds, args.incidents))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
