"""Atomic file writes: a reader (or a crash) never sees half a file.

Every whole-file write of the engine goes through `replacing`: a temporary file beside the
target, renamed over it once complete (the journal, which only appends, is the exception).
The temporary's name is fresh and unpredictable (64 random bits) and it is created exclusively,
so a file or symlink planted beside the target is never written through; it gets the mode
`open` gives (0666 less the umask), as every user-facing file does. The folder is fsynced after
the rename: until then a power cut may bring back the old name, or none.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A new, empty temporary file beside `path` to write to (same suffix, for writers that go
    by it, like Keras; the user's default permissions, as `open` gives), renamed over `path`
    when the block ends, removed if it raises."""
    path = Path(path)
    while True:
        tmp = path.with_name(f".{path.name}.{os.urandom(8).hex()}.tmp{path.suffix}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: str | Path) -> None:
    """Make the folder's entries durable (a rename or a new name in it); a file system that
    cannot open or sync a folder (some network and Windows ones) is left as it is."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` durably (fsynced before the rename)."""
    with replacing(path) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_text(path: str | Path, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def copy_file(source: str | Path, target: str | Path) -> None:
    with replacing(target) as tmp:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
