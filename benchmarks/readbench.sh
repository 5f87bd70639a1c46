#!/usr/bin/env bash
# readbench (../shared/bench/readbench) against the service: starts `incidents serve` on a
# fresh data directory, runs R1 (chDB with hand-written SQL), optionally R2 (PostgreSQL) and
# S (the service) on the same generated data, prints the report and stops the service.
#   make readbench N=300000 SYSTEMS=R1,S        (the defaults; SYSTEMS=R1,R2,S for PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-300000}
SYSTEMS=${SYSTEMS:-R1,S}
PORT=${PORT:-8089}
RB=${READBENCH:-../shared/bench/readbench}
VENV=${READBENCH_VENV:-.venv-readbench}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet -r "$RB/requirements.txt"
DATA=$(mktemp -d)
INCIDENTS_DATA_DIR=$DATA INCIDENTS_LOG_LEVEL=warning .venv/bin/incidents serve --port "$PORT" &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null; wait $SERVICE 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
"$VENV/bin/python" "$RB/readbench.py" --base "http://127.0.0.1:$PORT/api/v1" --systems "$SYSTEMS" \
    --n "$N" --runs "${RUNS:-9}" --duration "${DURATION:-10}" --s-settle "${SETTLE:-30}" "$@"
