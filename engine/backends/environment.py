"""Failures of the machine, not of a trial: a full disk, a disk quota, a read-only or broken
file system. Such a failure ends the search with one line naming the disk (exit 1) and records
nothing against the trial that was running: `tunedeck resume` runs it again once there is room.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

DISK = {
    errno.ENOSPC: "no space left",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EIO: "input/output error",
}


class EnvironmentFailure(Exception):
    """The machine failed the search (its one line is the message); no trial is to blame."""


def disk_error(exc: BaseException | None) -> OSError | None:
    """The disk error `exc` is or was raised from (Keras and scikit-learn may wrap it)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in DISK:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def mount_point(path: str | Path) -> Path:
    """The mount point of the file system holding `path` (its nearest existing folder)."""
    folder = Path(os.path.abspath(path))
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    while not os.path.ismount(folder) and folder != folder.parent:
        folder = folder.parent
    return folder


def environment_failure(exc: BaseException, where: str | Path) -> EnvironmentFailure | None:
    """An EnvironmentFailure for a disk error while writing under `where`, or None."""
    error = disk_error(exc)
    if error is None:
        return exc if isinstance(exc, EnvironmentFailure) else None
    target = error.filename or where
    return EnvironmentFailure(
        f"{DISK[error.errno or 0]} on the disk mounted at {mount_point(target)} (writing "
        f"{target}); the running trial was not recorded and runs again on resume"
    )
