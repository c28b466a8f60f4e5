"""The command contract: how the console, a coordinator or a restarting runner ask the engine
to run, as the one `python -m engine …` command line. Requests to a running search (stop, skip)
are the run directory's control files: `RunDir.request_stop` / `request_skip`.

Every engine child process is started from `engine_command` with arguments built here, so the
flags they pass are the flags `engine.cli` parses (tests/engine/test_control.py checks both).
"""

from __future__ import annotations

import shlex
import sys
from enum import StrEnum
from pathlib import Path

PROGRAM = "tunedeck"
RUNNER_LOG = "runner.log"  # what a search the console started prints, in its run directory


class Priority(StrEnum):
    """How a search shares the CPU: `idle` yields it to anything else (the console's keys)."""

    NORMAL = "normal"
    IDLE = "idle"


class Output(StrEnum):
    """What a headless search prints: a line per trial, only the summary, or JSON events."""

    LINES = "lines"
    QUIET = "quiet"
    JSONL = "jsonl"


def engine_command(*args: str) -> list[str]:
    """`python -m engine ARGS` with this interpreter (the caller's own environment)."""
    return [sys.executable, "-m", "engine", *args]


def standby_command(priority: Priority) -> list[str]:
    """`python -m engine.standby`: the console's warm engine (see `engine.standby`)."""
    return [sys.executable, "-m", "engine.standby", "--priority", str(priority)]


def resume_args(
    run_dir: str | Path,
    *,
    output: Output = Output.LINES,
    priority: Priority = Priority.NORMAL,
    restarted: bool = False,
    more: int | None = None,
) -> list[str]:
    """`resume RUN_DIR …`: continue (or start) the search of a prepared run directory.

    `restarted` marks a runner re-executing itself to free memory: it goes on without
    announcing the search again. `more` adds that many trials (a finished search too)."""
    args = ["resume", str(run_dir), "--priority", str(priority)]
    if more is not None:
        args += ["--more", str(more)]
    if output is not Output.LINES:
        args.append(f"--{output}")
    return [*args, "--restarted"] if restarted else args


def start_args(request_dir: str | Path, run_dir: str | Path, *, priority: Priority) -> list[str]:
    """`run --request DIR --run-dir RUN --quiet`: the console's start of a search.

    DIR holds the space and settings the console has in hand (written by
    `engine.prepare.write_request`, removed once read). The data and the model are checked
    before RUN is made, so a search that cannot start leaves no run directory."""
    return [
        "run",
        "--request",
        str(request_dir),
        "--run-dir",
        str(run_dir),
        "--priority",
        str(priority),
        f"--{Output.QUIET}",
    ]


def _parent(parent: int | None) -> list[str]:
    """`--parent PID`: the process dies with its coordinator (it never outlives it)."""
    return [] if parent is None else ["--parent", str(parent)]


def rerun_args(run_dir: str | Path, *, top: int, seeds: int) -> list[str]:
    """`rerun RUN_DIR --top K --seeds N`: the top K configurations trained again, N seeds each."""
    return ["rerun", str(run_dir), "--top", str(top), "--seeds", str(seeds)]


def chief_args(run_dir: str | Path, listen: str, parent: int | None = None) -> list[str]:
    """`chief --listen HOST:PORT RUN_DIR`: serve the Keras Tuner oracle of a parallel run."""
    return ["chief", "--listen", listen, *_parent(parent), str(run_dir)]


def worker_args(
    run_dir: str | Path, chief: str, tuner_id: str, parent: int | None = None
) -> list[str]:
    """`worker --chief HOST:PORT --tuner-id ID RUN_DIR`: train the trials the chief hands out
    (the id and the run directory end the command line: `pgrep -f "--tuner-id ID RUN_DIR"`)."""
    return ["worker", "--chief", chief, *_parent(parent), "--tuner-id", tuner_id, str(run_dir)]


def _control(char: str) -> bool:
    return ord(char) < 32 or ord(char) == 127


def shell_quote(word: str | Path) -> str:
    """`word` as one shell word that runs nothing when pasted: `$(…)`, spaces and quotes are
    single-quoted; control characters (a newline in a file name) are written escaped in
    bash's `$'…'` form, so the hint stays on one line."""
    text = str(word)
    if not any(_control(c) for c in text):
        return shlex.quote(text)
    escaped = {"\\": "\\\\", "'": "\\'"}
    body = "".join(f"\\x{ord(c):02x}" if _control(c) else escaped.get(c, c) for c in text)
    return f"$'{body}'"


def command_hint(*words: str | Path) -> str:
    """A `tunedeck …` command line to print for the user to paste (every word shell-quoted)."""
    return " ".join(shell_quote(w) for w in (PROGRAM, *words))
