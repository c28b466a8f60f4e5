"""The cores this process may really use: `os.cpu_count()` counts the machine's, but taskset,
Slurm and containers give a process fewer (its CPU affinity, a cgroup's CPU quota), and a
worker per counted core would then share a few cores among many TensorFlow processes.

The quota is read from cgroup v2 (`cpu.max`, along the process's own cgroup path and its
parents: a parent's limit binds its children) or v1 (`cpu.cfs_quota_us` / `cpu.cfs_period_us`);
a fractional quota rounds up, as joblib's loky does.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


def usable() -> int:
    """The fewest of the machine's cores, the affinity's and the cgroup quota's (at least 1)."""
    limits = [os.cpu_count() or 1, affinity(), quota(CGROUP_ROOT, PROC_CGROUP)]
    return max(1, min(n for n in limits if n))


def affinity() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return None


def quota(root: Path, proc_cgroup: Path) -> int | None:
    """The CPU quota in whole cores (rounded up), or None when nothing limits it."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return None
    found: list[float] = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers == "":  # cgroup v2
            found += _v2(root, path)
        elif "cpu" in controllers.split(","):
            found += _v1(root / "cpu", path) or _v1(root / "cpu,cpuacct", path)
    return max(1, math.ceil(min(found))) if found else None


def _v2(root: Path, path: str) -> list[float]:
    found = []
    for folder in _up(root, path):
        text = _read(folder / "cpu.max")
        if text:
            limit, _, period = text.partition(" ")
            if limit != "max" and _positive(limit) and _positive(period):
                found.append(int(limit) / int(period))
    return found


def _v1(root: Path, path: str) -> list[float]:
    found = []
    for folder in _up(root, path):
        limit, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
        if _positive(limit) and _positive(period):
            found.append(int(limit) / int(period))
    return found


def _up(root: Path, path: str) -> list[Path]:
    """`root/path` and each folder above it up to `root` (a container sees its own cgroup at
    the root, whatever path /proc names)."""
    parts = [p for p in path.strip("/").split("/") if p and p != ".."]
    folders = [root.joinpath(*parts[:n]) for n in range(len(parts), -1, -1)]
    return [f for f in folders if f.is_dir()]


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _positive(text: str) -> bool:
    return text.isdigit() and int(text) > 0
