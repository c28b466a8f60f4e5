"""A warm engine for the console: a process that has imported TensorFlow and Keras and waits,
so that `r` (a search) and `m` (a model summary) do not pay for the import (5-10 s on 2 cores).

One JSON object per line on stdin (`engine.run.standby_protocol`): become a search (output
to its log, stdin let go, exit with the command's code; the console starts a fresh standby),
or run a command and answer on stdout, then wait again (a summary).

It writes `ready` once warm, and ends at the end of stdin: when the console quits, unless it
has become a search by then. Started as `python -m engine.standby --priority P`
(`engine.run.control.standby_command`).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Any

from engine.run.standby_protocol import READY, Answer, read_request


def serve(priority: str) -> int:
    from engine.model.builder import quiet_tensorflow
    from engine.run.control import Priority
    from engine.system.priority import lower_priority

    if priority == Priority.IDLE:
        lower_priority()  # warming up never delays the console's keys
    quiet_tensorflow()
    import keras  # noqa: F401  - the import the console's requests would otherwise wait for

    try:
        search = _next_search()
    except BrokenPipeError:  # the console is gone: nobody to answer
        return 0
    if search is None:
        return 0
    args, log = search
    _become(log)
    return _run(args)


def _next_search() -> tuple[list[str], str] | None:
    """Answer questions until asked to become a search (its command and log), or input ends."""
    _say(READY)
    for line in sys.stdin:
        request = read_request(line)
        if request is None:
            continue  # not from the console: nothing to do with it
        if request.log is not None:
            return request.args, request.log
        _say(Answer(request.ident, *_captured(request.args)).line())
    return None


def _run(args: list[str]) -> int:
    from engine.cli import main

    try:
        return main(args)
    except SystemExit as exc:  # argparse
        return exc.code if isinstance(exc.code, int) else 2


def _captured(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = _run(args)
    return code, out.getvalue(), err.getvalue()


def _become(log: str) -> None:
    """From here on this process is a search: its output goes to `log`, and the console's end
    of stdin and stdout no longer matters."""
    sys.stdout.flush()
    with open(os.devnull, "rb") as null:
        os.dup2(null.fileno(), 0)
    with open(log, "ab") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)


def _say(text: Any) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


if __name__ == "__main__":
    from engine.system.leave import leave

    leave(serve(sys.argv[sys.argv.index("--priority") + 1] if "--priority" in sys.argv else ""))
