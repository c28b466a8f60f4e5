"""How an engine process ends: without the interpreter's teardown.

When a command has returned, everything it promised is on disk: journals are fsynced and
files replaced atomically. What is left is CPython finalising every module, and with
TensorFlow loaded that takes 0.9–1.5 s a process (measured on the 2-core box: 0.90 s after
only importing TensorFlow, 1.25–1.5 s after a search), which a user waits for at the end of
every headless command, and a parallel search once more per worker. `leave` runs what exit
handlers promise (logging's flush, temporary folders' cleanup, `atexit` registrations) and
then ends the process at once. A thread that is still working makes it fall back to a plain
exit, which waits for that thread as Python always does; so does a profiler (`python -m
cProfile -m engine …`), which writes its figures at teardown.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from typing import NoReturn


def leave(code: int | str | None) -> NoReturn:
    """End this process with `code` as `sys.exit` would, minus module teardown."""
    if _threads_at_work() or sys.getprofile() is not None:
        sys.exit(code)  # Python waits for the thread; a profiler writes at teardown
    status = _status(code)
    try:
        atexit._run_exitfuncs()  # what interpreter exit runs first; stdlib, present since 3.0
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
                stream.flush()
        os._exit(status)


def _threads_at_work() -> bool:
    main = threading.main_thread()
    return any(t is not main and t.is_alive() and not t.daemon for t in threading.enumerate())


def _status(code: int | str | None) -> int:
    """`sys.exit`'s rules: None is 0, an int is itself, anything else is printed and is 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
