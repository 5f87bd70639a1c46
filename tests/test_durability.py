"""The service as a process: answered writes survive SIGTERM and SIGKILL.

Each test starts ``incidents serve`` on a fresh data directory, writes from 32 client
threads, stops it mid-load, starts it again on the same directory and checks that every
incident answered 200 is there with the answered content.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import HEADERS, incident

# Two service processes per test, and waits sized for a loaded machine.
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

CLIENTS = 32


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


def load_until(port: int, stop: threading.Event) -> dict[str, str]:
    """Write from CLIENTS threads until ``stop``; the titles answered 200, by incidentId."""
    answered: dict[str, str] = {}
    lock = threading.Lock()

    def client(number: int) -> None:
        sequence = 0
        while not stop.is_set():
            name = f"c{number}-{sequence % 40}"
            title = f"{number}:{sequence}"
            sequence += 1
            try:
                status, _ = request(
                    port, "POST", "/api/v1/incidents", incident(incidentId=name, title=title)
                )
            except (OSError, http.client.HTTPException):
                # Refused or cut off mid-answer while the process stops: not answered, so it
                # proves nothing either way; back off instead of spinning.
                time.sleep(0.05)
                continue
            if status == 200:
                with lock:
                    answered[name] = title

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answered


def stored_titles(port: int) -> dict[str, str]:
    titles: dict[str, str] = {}
    cursor = None
    while True:
        query = "/api/v1/incidents?pageSize=100" + (f"&cursor={cursor}" if cursor else "")
        status, body = request(port, "GET", query)
        assert status == 200
        page = json.loads(body)
        titles.update({d["incidentId"]: d["title"] for d in page["data"]})
        if not page["paging"]["hasNext"]:
            return titles
        cursor = page["paging"]["cursor"]["lastId"]


@pytest.mark.parametrize("stop_signal", [signal.SIGKILL, signal.SIGTERM])
def test_answered_writes_survive_the_process_stopping(tmp_path: Path, stop_signal: int) -> None:
    stop = threading.Event()
    with serving(tmp_path) as (process, port):
        answered: dict[str, str] = {}
        loader = threading.Thread(target=lambda: answered.update(load_until(port, stop)))
        loader.start()
        try:
            time.sleep(3)
            process.send_signal(stop_signal)
            if stop_signal == signal.SIGTERM:
                # Uvicorn drains, shuts down, then re-raises the signal it caught, so a
                # clean stop ends "killed by SIGTERM"; what matters is that it ends, and
                # that the data below is complete.
                assert process.wait(60) in (0, -signal.SIGTERM)
        finally:
            stop.set()
            loader.join(90)
    assert len(answered) > CLIENTS, "the load answered too little to prove anything"
    with serving(tmp_path) as (_, port):
        stored = stored_titles(port)

    # A write in flight when the process died may be stored without an answer, so an
    # incident may hold a later write of the same client than the answered one: never
    # an earlier one, and never nothing.
    def sequence(title: str | None) -> int:
        return -1 if title is None else int(title.split(":")[1])

    lost = {
        name: (title, stored.get(name))
        for name, title in answered.items()
        if sequence(stored.get(name)) < sequence(title)
    }
    assert lost == {}
