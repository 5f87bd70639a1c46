"""Small helpers every benchmark prints with: percentiles and the machine it ran on."""

import os
import platform
import sys

import chdb


def percentile(values: list[float], share: float) -> float:
    """The value at ``share`` (0-1) of the sorted values, nearest rank; 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def announce() -> None:
    """Print the machine and the command that ran: every benchmark's first two lines."""
    main = sys.modules["__main__"]
    spec = getattr(main, "__spec__", None)
    program = ["-m", spec.name] if spec is not None else [sys.argv[0]]
    print(machine(), flush=True)
    python = os.path.relpath(sys.executable)
    print("command:", " ".join([python, *program, *sys.argv[1:]]), flush=True)


def machine() -> str:
    """CPU model, cores, memory, Python and chDB versions."""
    cpu = platform.processor() or "unknown CPU"
    memory = "RAM unknown"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
        memory = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}, Python {platform.python_version()}, "
        f"chDB {chdb.__version__}"
    )
