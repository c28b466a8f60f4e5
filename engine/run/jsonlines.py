"""Append-only JSON lines, written and read one way everywhere: the event journal, the
scikit-learn fold cache and `seeds.jsonl`.

A record is one `write` of a whole line through O_APPEND: appends from several processes never
interleave, and a kill leaves at most one torn last line. The next append starts on a line of
its own, and reading skips a torn or malformed line. `append` opens, writes and fsyncs one
record; an `Appender` is held open by a file's one writer (the journal), which chooses the
records worth an fsync.
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


class Appender:
    """An append-only file held open: each `write` is one whole line, fsynced when asked.

    A torn last line (a killed writer's) is ended before the first line this one writes, in
    the same write, or at once by `seal`; so is one this writer tore itself when a write
    failed part-way (a full disk), so the next record never glues onto it."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:  # read too, to look at the last byte
            self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
        except PermissionError:  # a file that may be appended to but not read
            self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self._sealed = False  # whether the file is known to end with a whole line

    def _torn(self) -> bool:
        size = os.fstat(self.fd).st_size
        try:
            return size > 0 and os.pread(self.fd, 1, size - 1) != b"\n"
        except OSError:  # not readable: taken as whole
            return False

    def seal(self) -> None:
        """End a torn last line now, so that readers see the lines before it as they are."""
        if not self._sealed:
            self.write("", sync=False)

    def write(self, line: str, *, sync: bool = True) -> None:
        """Append `line` (one JSON line with its newline) in one write; fsync it if `sync`."""
        data = line.encode()
        if not self._sealed:
            data = (b"\n" if self._torn() else b"") + data
            self._sealed = True
        try:
            written = os.write(self.fd, data)
            while written < len(data):  # a regular file takes it whole, short of a full disk
                written += os.write(self.fd, data[written:])
        except OSError:
            self._sealed = False  # perhaps part of it written: looked at again next time
            raise
        if sync:
            os.fsync(self.fd)

    def sync(self) -> None:
        os.fsync(self.fd)

    @property
    def closed(self) -> bool:
        return self.fd < 0

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __enter__(self) -> Appender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def append(path: str | Path, record: dict[str, Any]) -> None:
    """Append `record` as one line and fsync it; a torn last line (a killed writer's) is
    ended first, in the same write, so the record is never glued to it (a writer appending
    beside it may make that an empty line, which reading skips)."""
    with Appender(path) as out:
        out.write(line_of(record))


def whole(data: bytes) -> int:
    """How many bytes of `data` are complete lines (a torn or still-written last line is
    left for later)."""
    return data.rfind(b"\n") + 1


def decode(data: bytes) -> list[Any]:
    """The JSON values of `data`'s lines, a line that does not parse (torn, foreign) skipped.

    The lines are decoded as one JSON array when they all parse (a third of the time of one
    call per line); any line that does not sends the whole block through line by line."""
    body = data.strip(b"\n")
    try:
        return json.loads(b"[" + body.replace(b"\n", b",") + b"]") if body else []
    except (json.JSONDecodeError, UnicodeDecodeError):
        pass
    values = []
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            values.append(json.loads(raw))
        except (json.JSONDecodeError, UnicodeDecodeError):
            continue
    return values


def records(path: str | Path) -> Iterator[dict[str, Any]]:
    """Every whole record of the file, in order; a missing file has none, and a torn or
    malformed line (or one that is not an object) is skipped."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return
    for record in decode(data):
        if isinstance(record, dict):
            yield record
