"""The Dockerfile, .dockerignore and docker-compose.yml, checked by parsing them.

No Docker engine runs where these tests run, so nothing is built or started; what can
go wrong silently (a setting name that does not exist, a URL to the wrong port, a root
user, a healthcheck on the wrong path) is what these tests look for.
"""

import json
import re
import tomllib
from urllib.parse import urlsplit

from tests.helpers import PINNED_IMAGE, ROOT, assert_settings_exist, load_compose

_DEFAULTS = re.compile(r"\$\{(\w+):-([^}]*)\}")


def with_defaults(value: str) -> str:
    """A compose value as it reads with no variable set (``${X:-d}`` becomes ``d``)."""
    return _DEFAULTS.sub(lambda m: m.group(2), value)


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) per Dockerfile instruction, continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, arguments = line.strip().partition(" ")
            found.append((instruction.upper(), " ".join(arguments.split())))
    return found


def test_compose_runs_a_pinned_clickhouse_with_a_volume_and_a_healthcheck() -> None:
    compose = load_compose("docker-compose.yml")
    assert set(compose["services"]) == {"clickhouse", "incidents"}
    clickhouse = compose["services"]["clickhouse"]
    assert PINNED_IMAGE.fullmatch(clickhouse["image"])
    assert "clickhouse-data:/var/lib/clickhouse" in clickhouse["volumes"]
    assert "clickhouse-data" in compose["volumes"]
    assert "8123/ping" in " ".join(clickhouse["healthcheck"]["test"])


def test_compose_points_the_service_at_clickhouse_over_http() -> None:
    compose = load_compose("docker-compose.yml")
    service = compose["services"]["incidents"]
    clickhouse = compose["services"]["clickhouse"]["environment"]
    environment = service["environment"]
    assert_settings_exist(environment)
    url = urlsplit(with_defaults(environment["INCIDENTS_CLICKHOUSE_URL"]))
    assert (url.scheme, url.hostname, url.port) == ("http", "clickhouse", 8123)
    assert url.username == clickhouse["CLICKHOUSE_USER"]
    assert url.password == with_defaults(clickhouse["CLICKHOUSE_PASSWORD"])
    assert url.path == "/" + clickhouse["CLICKHOUSE_DB"]
    assert environment["INCIDENTS_HOST"] == "0.0.0.0"
    assert int(with_defaults(environment["INCIDENTS_WORKERS"])) > 1
    assert service["ports"] == ["8080:8080"]
    assert service["depends_on"] == {"clickhouse": {"condition": "service_healthy"}}
    assert "/healthz" in " ".join(service["healthcheck"]["test"])
    assert service["build"] == "."


def test_the_image_installs_the_project_and_serves_as_a_user() -> None:
    steps = dockerfile()
    instructions = [instruction for instruction, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    (user,) = [arguments for instruction, arguments in steps if instruction == "USER"]
    assert user not in ("root", "0")
    install = next(i for i, (kind, args) in enumerate(steps) if "pip install ." in args)
    assert install < instructions.index("USER") < instructions.index("CMD")
    (health,) = [arguments for instruction, arguments in steps if instruction == "HEALTHCHECK"]
    assert "/healthz" in health
    assert "CMD python" in health
    (command,) = [arguments for instruction, arguments in steps if instruction == "CMD"]
    assert json.loads(command) == ["incidents", "serve"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "incidents" in project["project"]["scripts"]
    environment = " ".join(arguments for instruction, arguments in steps if instruction == "ENV")
    assert "INCIDENTS_HOST=0.0.0.0" in environment


def test_the_image_gets_every_file_the_install_needs_and_nothing_private() -> None:
    steps = dockerfile()
    copied = {
        source
        for instruction, arguments in steps
        if instruction == "COPY"
        for source in arguments.split()[:-1]
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    packages = {p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert {"pyproject.toml", project["project"]["readme"]} <= copied
    assert packages <= copied
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env", "data"} <= ignored
    assert not copied & ignored
