"""Append-only JSON lines, written and read one way everywhere (the sklearn fold cache,
`seeds.jsonl`; the journal's writer keeps its file open but writes its lines the same way).

A record is one `write` of a whole line through O_APPEND, then fsync: appends from several
processes never interleave, and a kill leaves at most one torn last line. The next append
starts on a line of its own, and reading skips a torn or malformed line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def line_of(record: dict[str, Any]) -> str:
    """A record as one line (values JSON cannot hold, such as numpy scalars, as text)."""
    return json.dumps(record, default=str) + "\n"


def append(path: str | Path, record: dict[str, Any]) -> None:
    """Append `record` as one line and fsync it; a torn last line (a killed writer's) is
    ended first, so the record is never glued to it (a writer appending beside it may make
    that an empty line, which reading skips)."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(fd).st_size
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
        os.write(fd, (("\n" if torn else "") + line_of(record)).encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every whole record of the file, in order; a missing file has none, and a torn or
    malformed line (or one that is not an object) is skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record
