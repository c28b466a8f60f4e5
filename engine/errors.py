"""Errors a user can cause: each prints as one line and maps to exit code 2."""

from __future__ import annotations


def printable(text: str) -> str:
    """One line a terminal shows as it is: control characters (a newline or an escape sequence
    in a file name) written escaped, as Python writes them."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def size_text(n: float) -> str:
    """Bytes as an error line says them: `745 GB`, `1.9 GB`, `310 MB`."""
    if n >= 10 * 2**30:
        return f"{n / 2**30:,.0f} GB"
    if n >= 2**30:
        return f"{n / 2**30:.1f} GB"
    return f"{max(n / 2**20, 0.1):,.1f} MB" if n < 10 * 2**20 else f"{n / 2**20:,.0f} MB"


class InputError(Exception):
    """Bad input from the user (a file, a field, a flag). Printed as one line, exit code 2."""

    details: str = ""  # more than the line: e.g. the traceback of the user's code that raised

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.message = message
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)

    def with_source(self, source: str) -> InputError:
        """The same error, attributed to a file (keeps the subclass)."""
        if self.source:
            return self
        err = type(self).__new__(type(self))
        InputError.__init__(err, self.message, source=source)
        for key, value in vars(self).items():
            if key not in ("message", "source", "args"):
                setattr(err, key, value)
        return err


class SpaceError(InputError):
    """A search space that does not validate; `path` names the bad node, e.g. `optimizer.learning_rate`."""

    def __init__(self, path: str, message: str, *, source: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message, source=source)


class DataError(InputError):
    """A dataset that cannot be loaded or used for training."""


class RunDirError(InputError):
    """A run directory that is missing, not a run directory, locked, or not writable."""


def not_regular(path: object) -> str | None:
    """Why the file at `path` cannot be read as one, when it exists and is something else: `not
    a regular file (a FIFO)`; None for a regular file or nothing there (a FIFO would block the
    reader, and "no such file" would send the user looking for a file that is there)."""
    import os
    import stat

    try:
        mode = os.stat(str(path)).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a file")
    return f"not a regular file ({kind})"
