"""Running wrk (a load generator in C, light enough to share two cores with the service)
with a Lua script that prints one ``WRK key=value ...`` line, and reading that line.

wrk is a system package (``apt-get install wrk``); the scripts are in this directory
and in ``../shared/bench``.
"""

import shutil
import subprocess
from pathlib import Path


def wrk(
    url: str,
    script: Path,
    connections: int,
    seconds: float,
    threads: int = 2,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """The numbers of the script's ``WRK`` line for one run against ``url``."""
    binary = shutil.which("wrk")
    if binary is None:
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    # A long timeout: a slow answer is counted in the latencies, not dropped as an error.
    command = [binary, f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
    command += ["-s", str(script), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    return {key: float(value) for key, value in (part.split("=") for part in line.split()[1:])}
