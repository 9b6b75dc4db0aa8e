"""What machine the figures were measured on: cores, memory, CPU model, load, versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = ("pandas", "numpy", "altair", "ipywidgets", "anywidget", "vl-convert-python",
            "ipykernel", "jupyter_client", "nbclient", "nbgrader")


def _meminfo_kb(field: str, path: str = "/proc/meminfo") -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def cpu_model(path: str = "/proc/cpuinfo") -> str:
    """The processor's model name (Linux), else what :mod:`platform` knows."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the system has none."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def _cgroup_cpu_limit() -> float | None:
    """CPUs allowed by a cgroup v2 quota (containers), or None if unlimited or unknown."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    return round(int(quota) / int(period), 2)


def _git(*args: str) -> str | None:
    """Read-only git queries (commit and whether the tree has changes)."""
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def describe() -> dict:
    """Everything a reader needs to judge the figures (call at the start of a run)."""
    mem_kb = _meminfo_kb("MemTotal")
    avail_kb = _meminfo_kb("MemAvailable")
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": _usable_cores(),
        "cgroup_cpu_limit": _cgroup_cpu_limit(),
        "memory_gib": round(mem_kb / 1024**2, 1) if mem_kb else None,
        "memory_available_gib_at_start": round(avail_kb / 1024**2, 1) if avail_kb else None,
        "load_average_start": load_average(),
        "os": f"{platform.system()} {platform.release()}",
        "python_implementation": sys.implementation.name,
        "versions": versions(),
        "commit": (commit + ("+changes" if dirty else "")) if commit else None,
    }


def finish(info: dict) -> dict:
    """Add the end time and load average (call at the end of a run)."""
    info["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    info["load_average_end"] = load_average()
    return info


def one_line(info: dict) -> str:
    """A short statement of the machine, for the top of a report."""
    mem = f"{info['memory_gib']} GiB" if info.get("memory_gib") else "unknown memory"
    cores = info.get("cores_usable") or info.get("cores_logical")
    limit = f" (cgroup limit {info['cgroup_cpu_limit']} CPUs)" if info.get("cgroup_cpu_limit") else ""
    start = info.get("load_average_start")
    end = info.get("load_average_end")
    if start and end:
        load = (f"load average (1/5/15 min) {'/'.join(map(str, start))} at start, "
                f"{'/'.join(map(str, end))} at end")
    elif start:
        load = f"load average (1/5/15 min) {'/'.join(map(str, start))} at start"
    else:
        load = "load average unknown"
    return (f"{info['cpu_model']}, {cores} cores{limit}, {mem}; {info['os']}, "
            f"Python {info['versions']['python']}; {load}")
