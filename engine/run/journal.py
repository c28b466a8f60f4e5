"""The append-only event journal: the record of truth of a search.

One writer per file (each worker of a distributed search has its own `events-<worker>.jsonl`).
Each record is one JSON line, written as it happens (`engine.run.jsonlines`: one whole-line
write through O_APPEND) and fsynced at trial and search boundaries, so a crash loses at most
the epochs of the running trial. A torn last line, left by a process killed mid-write, is
skipped on read, never fatal, and ended by the next writer before it writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
import types
from collections.abc import Iterator
from dataclasses import fields
from enum import Enum
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from engine.errors import RunDirError
from engine.run import jsonlines
from engine.run.events import Event, from_dict

DURABLE = frozenset(
    {"search_started", "trial_ended", "search_finished", "search_failed", "search_stopped"}
)


class JournalWriter:
    """Appends events to one journal file."""

    def __init__(self, path: str | Path, *, wait: float = 0.0) -> None:
        self.path = Path(path)
        try:  # a directory or a FIFO planted there: refused, never opened (a FIFO would block)
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            mode = stat.S_IFREG
        except OSError as exc:
            raise RunDirError(f"cannot read ({exc.strerror})", source=str(self.path)) from None
        if not stat.S_ISREG(mode):
            raise RunDirError("not a regular file (the journal must be one)", source=str(self.path))
        self._out = jsonlines.Appender(self.path)
        if not _claim(self._out.fd, wait):
            self._out.close()
            raise RunDirError("another process is writing this journal", source=str(self.path))
        try:
            self._out.seal()  # a previous writer was killed mid-line
        except OSError:
            self._out.close()
            raise

    def __call__(self, event: Event) -> None:
        self._out.write(event.to_json() + "\n", sync=event.type in DURABLE)

    def close(self) -> None:
        """Sync and close; a disk that filled up loses only what it could not take (the error
        that ends the search was raised by the write that failed)."""
        if self._out.closed:
            return
        with contextlib.suppress(OSError):
            self._out.sync()
        self._out.close()

    def __deepcopy__(self, memo: dict) -> JournalWriter:
        return self  # Keras Tuner and scikit-learn deep-copy callbacks; the file stays one


def _claim(fd: int, wait: float) -> bool:
    """One writer per journal: an exclusive lock on the file as long as its writer has it open
    (the kernel frees it when the writer dies); waits up to `wait` seconds for another to go."""
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        except OSError:  # a file system without locks: the runner lock still holds
            return True


def in_use(path: str | Path, wait: float = 0.0) -> bool:
    """Whether a live process writes the journal at `path` (still, after `wait` seconds)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not _claim(fd, wait):
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def written(paths: list[Path]) -> bool:
    """Whether a live process holds any of these journals open for writing (its lock), asked of
    the kernel without touching the locks: a probe that took one, even briefly, could turn
    away a writer opening it then. Without /proc, any journal counts as written."""
    try:
        inodes = {f":{path.stat().st_ino}" for path in paths}
        with open("/proc/locks") as handle:
            table = handle.read()
    except FileNotFoundError as exc:
        return exc.filename == "/proc/locks"
    except OSError:
        return True
    return any(
        len(line.split()) > 5 and any(line.split()[5].endswith(i) for i in inodes)
        for line in table.splitlines()
    )


def parse_lines(data: bytes) -> Iterator[Event]:
    """Events in complete lines of `data`; torn or foreign lines are skipped."""
    for record in jsonlines.decode(data):
        if isinstance(record, dict):
            try:
                event = from_dict(record)
            except (TypeError, ValueError):  # missing fields, an unknown status
                continue
            if event is not None and _well_typed(event):
                yield event


Check = Any  # a predicate on one value read from JSON
_CHECKS: dict[type[Event], tuple[tuple[str, Check], ...]] = {}


def _check(hint: Any) -> Check:
    """A predicate: whether a value read from JSON has the type a field declares (a
    hand-edited journal with `"trial_id": 5` or `"hyperparameters": []` is foreign, like a
    torn line). Built once per field; a plain isinstance per value after that."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        first, *rest = [_check(arg) for arg in get_args(hint)]
        other = _check(Union[tuple(get_args(hint)[1:])]) if len(rest) > 1 else rest[0]  # noqa: UP007
        return lambda value: first(value) or other(value)
    if hint is Any:
        return lambda value: True
    if origin is not None:
        return lambda value: isinstance(value, origin)
    if hint is float:
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return lambda value: isinstance(value, str)
    return lambda value: isinstance(value, hint)


def _well_typed(event: Event) -> bool:
    cls = type(event)
    checks = _CHECKS.get(cls)
    if checks is None:
        hints = get_type_hints(cls)
        checks = _CHECKS[cls] = tuple((f.name, _check(hints[f.name])) for f in fields(cls))
    return all(check(getattr(event, name)) for name, check in checks)


def read_journal(path: str | Path) -> list[Event]:
    """Every readable event of one journal file."""
    if not _regular(Path(path)):
        return []
    try:
        data = Path(path).read_bytes()
    except OSError:  # gone, or unreadable: no events
        return []
    return list(parse_lines(data))


def read_chunks(
    path: str | Path, offset: int, size: int = 8 << 20
) -> Iterator[tuple[list[Event], int]]:
    """The events of the complete lines after byte `offset`, about `size` bytes of lines at a
    time, each with the offset after its last line: a large journal is never held whole."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, read piece by piece
    except OSError:
        return
    with handle:
        handle.seek(offset)
        rest = b""
        while True:
            try:
                block = handle.read(size)
            except OSError:
                return
            if not block:
                return
            data = rest + block
            end = jsonlines.whole(data)
            rest = data[end:]
            if end:
                offset += end
                yield list(parse_lines(data[:end])), offset


def journal_files(run_dir: str | Path) -> list[Path]:
    """All journals of a run directory: the main one and one per distributed worker (regular
    files only: a directory or a FIFO by that name is never opened)."""
    return sorted(p for p in Path(run_dir).glob("events*.jsonl") if _regular(p))


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def read_run(run_dir: str | Path) -> list[Event]:
    """Every journal of a run merged in time order (stable within a file)."""
    merged: list[tuple[float, int, int, Event]] = []
    for file_index, path in enumerate(journal_files(run_dir)):
        for line_index, event in enumerate(read_journal(path)):
            merged.append((event.time, file_index, line_index, event))
    merged.sort(key=lambda item: item[:3])
    return [item[3] for item in merged]


class Tail:
    """Incremental reader of a run's journals: each `poll()` returns the events added since."""

    def __init__(
        self,
        run_dir: str | Path,
        exclude: tuple[str, ...] = (),
        offsets: dict[Path, int] | None = None,
    ) -> None:
        """`offsets`: where each journal was read up to already (`read_results` says)."""
        self.run_dir = Path(run_dir)
        self.exclude = exclude
        self._offsets: dict[Path, int] = dict(offsets or {})

    def poll(self) -> list[Event]:
        events: list[Event] = []
        for path in journal_files(self.run_dir):
            if path.name in self.exclude:
                continue
            offset = self._offsets.get(path, 0)
            try:
                with open(path, "rb") as handle:
                    handle.seek(offset)
                    data = handle.read()
            except FileNotFoundError:
                continue
            end = jsonlines.whole(data)  # a partial last line waits for the next poll
            if end:
                events.extend(parse_lines(data[:end]))
                self._offsets[path] = offset + end
        events.sort(key=lambda e: e.time)
        return events
