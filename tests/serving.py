"""The service served for tests (and benchmarks) that talk to it over a socket: in this
process on a uvicorn thread, or as the ``incidents serve`` process."""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from service.cli import HTTP, LOOP
from tests.helpers import HEADERS


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: object = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body)
        headers = {**HEADERS, "Content-Type": "application/json"}
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def serving(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``incidents serve`` on a free port over ``data_dir``, once it is ready: the
    process and its port. Killed at the end if it still runs."""
    port = free_port()
    env = {**os.environ, "INCIDENTS_DATA_DIR": str(data_dir), "INCIDENTS_LOG_LEVEL": "warning"}
    env.pop("INCIDENTS_CLICKHOUSE_URL", None)
    command = [str(Path(sys.executable).parent / "incidents"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the service did not become ready"
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        if process.stderr:
            process.stderr.close()


@contextmanager
def served_app(app: FastAPI) -> Iterator[int]:
    """``app`` served by uvicorn as ``incidents serve`` runs it; yields the port."""
    # IPPROTO_TCP named, as uvicorn's own listener has it: asyncio sets TCP_NODELAY only on
    # connections whose socket says so, and without it a reply waits out delayed ACKs (44 ms).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, loop=LOOP, http=HTTP, ws="none", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped before it started"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()
