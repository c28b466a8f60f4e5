"""A run's replayed results kept beside its journals (`.summary.json`), so that reading a run of
ten thousand trials replays only what was appended since the last reading.

The summary records, for each journal, how many bytes it covers (up to a line's end), the
file's size, modification time and inode then, and a SHA-1 of those bytes. It is trusted only
while every journal it covers is still there and still starts with exactly those bytes: an
unchanged file (same size, time and inode) is taken as it is; a grown one has its covered
prefix hashed again; anything else (a rewritten, shortened or vanished journal, a summary
written by another version, a damaged file) and the run is replayed from its first line and
the summary written anew. So a stale summary is never shown, only rebuilt. It is plain JSON
(never pickle: a run directory may come from someone else), curves stored as columns.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.system.atomic import write_text

SUMMARY = ".summary.json"
CHUNK = 1 << 20
REWRITE = 1 << 20  # bytes replayed past the summary that make a live run's summary worth renewing


@dataclass(frozen=True)
class Covered:
    """How much of one journal a summary has replayed, and how to tell it is still the same."""

    size: int  # bytes replayed (complete lines)
    length: int  # the file's size when it was read
    mtime: int  # its modification time then (ns)
    inode: int
    sha1: str  # of the first `size` bytes

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "length": self.length,
            "mtime": self.mtime,
            "inode": self.inode,
            "sha1": self.sha1,
        }


def prefix_sha1(path: Path, size: int) -> str | None:
    """The SHA-1 of the first `size` bytes of `path` (None: it is shorter, or unreadable)."""
    digest = hashlib.sha1(usedforsecurity=False)
    left = size
    try:
        with open(path, "rb") as handle:
            while left > 0:
                block = handle.read(min(CHUNK, left))
                if not block:
                    return None
                digest.update(block)
                left -= len(block)
    except OSError:
        return None
    return digest.hexdigest()


def still_covers(path: Path, covered: Covered) -> bool:
    """Whether `path` still begins with the bytes `covered` describes."""
    try:
        now = os.stat(path)
    except OSError:
        return False
    if now.st_size < covered.size:
        return False
    if (now.st_size, now.st_mtime_ns, now.st_ino) == (covered.length, covered.mtime, covered.inode):
        return True  # not written since: no need to read it
    return prefix_sha1(path, covered.size) == covered.sha1


def read_summary(run_dir: Path, shape: Any) -> tuple[Any, dict[str, Covered]] | None:
    """The kept results (as JSON) and what they cover, if the summary is there, whole, of this
    `shape` (the version of the records it holds) and current."""
    try:
        data = json.loads((run_dir / SUMMARY).read_bytes())
        if data["shape"] != shape:
            return None
        covered = {name: Covered(**spec) for name, spec in data["journals"].items()}
        for name, spec in covered.items():
            if not still_covers(run_dir / name, spec):
                return None
        return data["results"], covered
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, damaged or foreign: replayed from the start


def write_summary(run_dir: Path, shape: Any, results: Any, covered: dict[str, Covered]) -> None:
    """Keep the results beside the journals; a folder that refuses the file only loses speed."""
    data = {
        "shape": shape,
        "journals": {n: c.to_dict() for n, c in covered.items()},
        "results": results,
    }
    with contextlib.suppress(OSError, ValueError, TypeError):  # TypeError: not JSON
        write_text(run_dir / SUMMARY, json.dumps(data, separators=(",", ":"), allow_nan=False))


def covering(path: Path, size: int, before: Covered | None) -> Covered | None:
    """What a reading that replayed `path` up to byte `size` covers (None: it is gone)."""
    try:
        seen = os.stat(path)
    except OSError:
        return None
    if before is not None and before.size == size:
        return before
    return Covered(size, seen.st_size, seen.st_mtime_ns, seen.st_ino, prefix_sha1(path, size) or "")


# ---- a curve as columns: numbers as base64 of their machine form, read back only when used --
def _kind(values: list[Any]) -> str:
    if all(type(v) is int for v in values):
        return "i"
    if all(v is None or type(v) is float for v in values):
        return "f"
    return "j"


def pack_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A trial's curve in the summary's form: each column as the raw bytes of its numbers
    (int64, or float64 with NaN for a gap: a journal never holds NaN itself), or as JSON when
    it holds anything else; rows that do not all name the same columns stay as they are."""
    keys = list(rows[0]) if rows else []
    if any(list(row) != keys for row in rows):
        return {"rows": rows}
    cols = []
    for key in keys:
        values = [row[key] for row in rows]
        kind = _kind(values)
        if kind == "j":
            cols.append([key, kind, values])
            continue
        numbers = [math.nan if v is None else v for v in values]
        raw = array("q" if kind == "i" else "d", numbers).tobytes()
        cols.append([key, kind, base64.b64encode(raw).decode("ascii")])
    return {"n": len(rows), "cols": cols}


def _column(kind: str, data: Any) -> list[Any]:
    if kind == "j":
        return list(data)
    values = array("q" if kind == "i" else "d", base64.b64decode(data)).tolist()
    return values if kind == "i" else [None if v != v else v for v in values]


def unpack_rows(packed: dict[str, Any]) -> list[dict[str, Any]]:
    if "rows" in packed:
        return [dict(row) for row in packed["rows"]]
    keys = [key for key, _, _ in packed["cols"]]
    columns = [_column(kind, data) for _, kind, data in packed["cols"]]
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


def packed_keys(packed: dict[str, Any]) -> list[str]:
    if "rows" in packed:
        return list(dict.fromkeys(k for row in packed["rows"] for k in row))
    return [key for key, _, _ in packed["cols"]]


def packed_last(packed: dict[str, Any]) -> dict[str, Any]:
    """The last row ({} for none)."""
    if "rows" in packed:
        return dict(packed["rows"][-1]) if packed["rows"] else {}
    if not packed["n"]:
        return {}
    return {key: _column(kind, data)[-1] for key, kind, data in packed["cols"]}


def packed_max(packed: dict[str, Any], key: str) -> int:
    """The largest value of column `key` (0: none)."""
    if "rows" in packed:
        return max((int(row[key]) for row in packed["rows"]), default=0)
    for name, kind, data in packed["cols"]:
        if name == key:
            return int(max((v for v in _column(kind, data) if v is not None), default=0))
    return 0
