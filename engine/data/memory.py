"""Whether a dataset fits in memory, judged from what its file declares before anything is
allocated: an array's header (shape × dtype), a table's rows × columns. A compressed file of a
few MB can declare terabytes; reading it anyway ends in a MemoryError, or in the kernel killing
the process. The refusal names the file, the array or table, its size and what is available.

Available memory is the kernel's estimate (`MemAvailable`), lowered to what a container's
cgroup still allows. Standard library only."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from engine.errors import DataError, size_text

# What a search holds per value of x beyond the file's own arrays, measured on a 200,000 × 250
# float64 .npz (peak 4.9× its 0.4 GB): the float32 copy, the split parts, their scaled copies.
SEARCH_BYTES_PER_VALUE = 24
# What a table holds per value while it loads (measured on a 200,000 × 21 CSV: ~100 bytes a
# value): Python strings and lists before the columns become arrays.
TABLE_BYTES_PER_VALUE = 100
CHUNK = 1 << 22


def available_bytes() -> int | None:
    """Memory this process may still take: the kernel's MemAvailable, within the cgroup's limit;
    None where neither can be read (the check is then skipped)."""
    found = []
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    if not found and hasattr(os, "sysconf"):
        with contextlib.suppress(OSError, ValueError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    if (room := _cgroup_room()) is not None:
        found.append(room)
    return min(found) if found else None


def _cgroup_room() -> int | None:
    """A container's memory limit less its usage (cgroup v2, then v1), or None."""
    for limit, usage in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            most, used = Path(limit).read_text().strip(), Path(usage).read_text().strip()
        except OSError:
            continue
        if most.isdigit() and used.isdigit() and int(most) < 1 << 60:
            return max(int(most) - int(used), 0)
    return None


def check_fits(what: str, need: float, holds: float | None = None) -> None:
    """Refuse, naming `what` and its size, a load that would take more memory than is available
    (`holds`: what the file's own arrays take unpacked, when the search needs more)."""
    available = available_bytes()
    if available is None or need <= available:
        return
    size = f"would take about {size_text(need)} of memory"
    if holds is not None:
        size = f"takes {size_text(holds)} of memory unpacked, the search about {size_text(need)}"
    raise DataError(f"{what} {size}; {size_text(available)} is available")


def check_table(path: Path, columns: int) -> None:
    """A CSV's rows × columns against the memory its loading takes, from the file's size and,
    when that could be too much, its line count (read in chunks: nothing is kept)."""
    try:
        size = path.stat().st_size
    except OSError:
        return  # the reader says what is wrong
    available = available_bytes()
    if available is None or size * TABLE_BYTES_PER_VALUE <= available:
        return  # even a value a byte long fits
    rows = 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            rows += block.count(b"\n")
    check_fits(f"its {rows:,} rows × {columns} columns", rows * columns * TABLE_BYTES_PER_VALUE)
