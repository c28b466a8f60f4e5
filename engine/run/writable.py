"""Whether a folder can be written, asked before anything heavy starts (the data, TensorFlow, a
download): a run directory, an export's folder or the datasets cache on a read-only file
system, without permission or on a full disk is one line naming the path and the reason, not
an OSError at the first file written minutes later. Nothing is written to find out."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from engine.errors import size_text

RUN_BYTES = 16 * 2**20  # a run's files, Keras Tuner's checkpoints, the retrained model: at least


def write_problem(path: str | Path, need: int = RUN_BYTES) -> str | None:
    """Why `path` (a folder, made if missing: then the nearest one above it that exists)
    cannot take `need` bytes: `Read-only file system`, `Permission denied`, `No space left on
    device: 3.2 MB free, 16 MB needed`; None when it can, or when something else is in the way (a file
    where a folder goes: the writer says so)."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return None
    code, free = _probe(folder, need)
    if code is None:
        return None
    reason = os.strerror(code)
    if code == errno.ENOSPC:
        reason += f": {size_text(free)} free, {size_text(need)} needed"
    return reason


def _probe(folder: Path, need: int) -> tuple[int | None, int]:
    """(the errno a write in `folder` would fail with, or None; the bytes free there). The one
    place that asks the file system: tests put a read-only or full disk here."""
    try:
        info = os.statvfs(folder)
    except OSError as exc:
        return exc.errno, 0
    free = info.f_bavail * info.f_frsize
    if info.f_flag & os.ST_RDONLY:
        return errno.EROFS, free
    if not os.access(folder, os.W_OK | os.X_OK):
        return errno.EACCES, free
    return (errno.ENOSPC if free < need else None), free
