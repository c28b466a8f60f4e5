"""Configurations put first in line (`tunedeck enqueue`): a file in the run directory that
anyone appends to and the runner takes from, each under one lock.

A running search takes the first before it starts its next trial; a search that is not
running takes them first when it is resumed. Each runs as one trial more than the budget
(its `TrialStarted` says `enqueued`), so no planned trial is given up for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import RunDirError
from engine.system.atomic import write_text

QUEUE = "queue.jsonl"
QUEUE_LOCK = "queue.lock"


class TrialQueue:
    """The run directory's queue of hand-written configurations, oldest first."""

    def __init__(self, run_path: str | Path) -> None:
        self.path = Path(run_path) / QUEUE
        self._lock_path = Path(run_path) / QUEUE_LOCK

    @contextmanager
    def _locked(self) -> Iterator[None]:
        from filelock import FileLock

        try:
            with FileLock(str(self._lock_path), timeout=10):
                yield
        except OSError as exc:
            raise RunDirError(f"cannot lock ({exc.strerror})", source=str(self.path)) from None

    def put(self, config: dict[str, Any]) -> int:
        """Append `config`; returns its place in line (1: next)."""
        with self._locked():
            entries = self._read()
            entries.append(config)
            self._write(entries)
            return len(entries)

    def pending(self) -> list[dict[str, Any]]:
        """What waits, without taking it (one failed open when nothing does)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return _parse(text)

    def take(self) -> dict[str, Any] | None:
        """The first configuration in line, removed from the queue (None: none waits)."""
        if not self.path.exists():
            return None
        with self._locked():
            entries = self._read()
            if not entries:
                return None
            self._write(entries[1:])
            return entries[0]

    def _read(self) -> list[dict[str, Any]]:
        try:
            return _parse(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []

    def _write(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        try:
            write_text(self.path, "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
        except OSError as exc:
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(self.path)) from None


def _parse(text: str) -> list[dict[str, Any]]:
    entries = []
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # written atomically: only a hand edit can garble a line
        if isinstance(entry, dict):
            entries.append(entry)
    return entries
