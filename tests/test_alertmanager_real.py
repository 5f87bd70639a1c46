"""Against the real programs: Debian's Alertmanager 0.25 delivers alerts to the service
running as a process, and promtool checks its ``/metrics``.

Alertmanager runs on a free loopback port with tests/fixtures/alertmanager/alertmanager.yml
(the configuration README.md quotes), its webhook pointing at the service with a bearer
key allowed one org: the key names the tenant, as Alertmanager 0.25 cannot send headers.
"""

import json
import shutil
import string
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.serving import free_port, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
PROMTOOL = shutil.which("promtool")
TEMPLATE = Path(__file__).parent / "fixtures" / "alertmanager" / "alertmanager.yml"
KEY = "k-shop"
ORG = "shop"


def call(url: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {})
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        text = answer.read()
    return json.loads(text) if text.strip().startswith((b"{", b"[")) else text


@contextmanager
def alertmanager(tmp_path: Path, webhook: str) -> Iterator[str]:
    assert ALERTMANAGER is not None
    config = tmp_path / "alertmanager.yml"
    template = string.Template(TEMPLATE.read_text("utf-8"))
    config.write_text(template.substitute(url=webhook, key=KEY), "utf-8")
    base = f"http://127.0.0.1:{free_port()}"
    command = [
        ALERTMANAGER,
        f"--config.file={config}",
        f"--storage.path={tmp_path / 'alertmanager'}",
        f"--web.listen-address={base.removeprefix('http://')}",
        "--cluster.listen-address=",  # one instance: no gossip port
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "Alertmanager exited"
            try:
                call(f"{base}/-/ready")
                break
            except OSError:
                assert time.monotonic() < deadline, "Alertmanager did not become ready"
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(30)


def until(check: Any, seconds: float = 30) -> Any:
    """Poll ``check`` until it answers something truthy (deliveries are asynchronous)."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not delivered in time"
        time.sleep(0.2)
    return found


@pytest.mark.skipif(
    ALERTMANAGER is None, reason="Alertmanager not installed (Debian: prometheus-alertmanager)"
)
def test_alertmanager_delivers_to_the_keys_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INCIDENTS_API_KEYS", json.dumps({KEY: [ORG], "k-other": ["other"]}))
    with serving(tmp_path / "data") as (_, port):
        service = f"http://127.0.0.1:{port}"
        hook = f"{service}/api/v1/integrations/alertmanager"
        with alertmanager(tmp_path, hook) as manager:
            now = datetime.now(UTC).replace(microsecond=0)
            started = now - timedelta(minutes=5)
            alert: dict[str, Any] = {
                "labels": {"alertname": "CheckoutDown", "service": "checkout", "namespace": "shop"},
                "annotations": {"summary": "Checkout is down"},
                "startsAt": started.isoformat(),
            }
            call(f"{manager}/api/v2/alerts", [alert])

            def listed(org: str, key: str) -> list[Any]:
                url = f"{service}/api/v1/incidents"
                page = call(url, headers={"X-Scope-OrgID": org, "Authorization": f"Bearer {key}"})
                data: list[Any] = page["data"]
                return data

            (incident,) = until(lambda: listed(ORG, KEY))
            assert (incident["type"], incident["status"]) == ("ALERT", "OPEN")
            assert incident["title"] == "Checkout is down"
            assert incident["startTime"] == started.isoformat().replace("+00:00", "Z")

            ended = now - timedelta(minutes=1)
            call(f"{manager}/api/v2/alerts", [{**alert, "endsAt": ended.isoformat()}])
            resolved = until(lambda: [i for i in listed(ORG, KEY) if i["status"] == "RESOLVED"])[0]
            assert resolved["id"] == incident["id"]
            assert resolved["endTime"] == ended.isoformat().replace("+00:00", "Z")
            assert resolved["resolution"] == "auto"
            assert listed("other", "k-other") == []


@pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed (Debian: prometheus)")
def test_promtool_accepts_the_metrics(tmp_path: Path) -> None:
    assert PROMTOOL is not None
    with serving(tmp_path / "data") as (_, port):
        call(f"http://127.0.0.1:{port}/api/v1/incidents", headers={"X-Scope-OrgID": "a"})
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as answer:
            metrics = answer.read()
    checked = subprocess.run(
        [PROMTOOL, "check", "metrics"], check=False, input=metrics, capture_output=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert b"http_request" in metrics or b"incidents_" in metrics
