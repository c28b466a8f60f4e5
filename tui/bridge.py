"""The only road between the console and the engine's heavy parts: child processes and files.

A search runs in its own process and session (`start_new_session`), so closing the console, or
an SSH hang-up, never stops it; the console learns what happens by tailing the run's journal.
Summaries and exports also run as `python -m engine …` children, so TensorFlow, scikit-learn
and friends are never imported into the console.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from engine.face import (
    READY,
    RUNNER_LOG,
    Output,
    Priority,
    Request,
    RunDir,
    RunSettings,
    Space,
    engine_command,
    new_log,
    read_answer,
    rerun_args,
    resume_args,
    standby_command,
    start_args,
    write_request,
)

POLL_SECONDS = 0.05  # an epoch reaches the table within this; a poll is a few syscalls
ERROR_PREFIX = "tunedeck: error: "


@dataclass(frozen=True)
class Starting:
    """A search asked for, until its run directory exists: the engine checks the data and the
    model first, and makes the directory only if both are fine."""

    run_dir: Path
    process: subprocess.Popen[bytes]
    request: Path  # the space and settings handed over (the engine removes it once read)
    log: Path  # what the engine prints until the run directory exists

    def news(self) -> str:
        """The last line the engine printed so far (a download's progress, say)."""
        try:
            with open(self.log, "rb") as log:
                log.seek(max(log.seek(0, 2) - 4096, 0))
                lines = log.read().decode(errors="replace").replace("\r", "\n").splitlines()
        except OSError:
            return ""
        return next((line.strip() for line in reversed(lines) if line.strip()), "")

    def outcome(self) -> str | None:
        """None while it checks; "" once the run directory exists; else why it cannot start.

        A refusal (exit code 2, its last line `tunedeck: error: …`) says everything in that
        line: its log is removed. Any other end is a crash whose output is worth reading: its
        log is kept (pruned with the others, `engine.system.places`) and named."""
        if (self.run_dir / "settings.yaml").exists():
            self.log.unlink(missing_ok=True)
            return ""
        code = self.process.poll()
        if code is None:
            return None
        shutil.rmtree(self.request, ignore_errors=True)
        try:
            lines = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        last = lines[-1].strip() if lines else ""
        if (code == 2 and last.startswith(ERROR_PREFIX)) or not lines:
            self.log.unlink(missing_ok=True)
            return last.removeprefix(ERROR_PREFIX) or f"the engine exited with code {code}"
        return f"the engine exited with code {code}: {last} (its output: {self.log})"


def start_search(
    run_dir: str | Path, space: Space, settings: RunSettings, standby: Standby | None = None
) -> Starting:
    """Hand the search to `python -m engine run` (raises InputError for settings the plan
    refuses): to the warm `standby` when there is one, else to a new process in a new
    session. `Starting.outcome` says when it has begun."""
    request = write_request(space, settings)
    log = new_log("start")  # in the user's state folder: one left by a killed console is pruned
    args = start_args(request, run_dir, priority=search_priority())
    process = None
    if standby is not None and standby.ready():
        with contextlib.suppress(OSError):  # it died since it said ready: a new process then
            process = standby.become(args, log)
    if process is None:
        process = _spawn(engine_command(*args), log)
    return Starting(Path(run_dir), process, request, log)


class Standby:
    """A warm engine (`engine.standby`): TensorFlow imported ahead, in its own session at the
    searches' priority, so a search or a summary starts in about a second. It ends when the
    console closes its stdin, unless it has become a search."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            standby_command(search_priority()),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
            start_new_session=True,
        )
        self._lock = threading.Lock()  # one question at a time
        self._asked = 0
        self._ready = False

    def alive(self) -> bool:
        return self.process.poll() is None and self.process.stdin is not None

    def ready(self) -> bool:
        """Alive and warm (it said `ready`): a standby still importing is no faster than a new
        process, so a search is not handed to it."""
        if self._ready or not self.alive():
            return self._ready and self.alive()
        out = self.process.stdout
        if out is not None and select.select([out], [], [], 0)[0]:
            self._ready = out.readline().strip() == READY.encode()
        return self._ready

    def busy(self) -> bool:
        """Answering a question (a summary, a timing): a search is not made to wait for it."""
        return self._lock.locked()

    def wait_idle(self, timeout: float) -> None:
        """Until its question is answered, or `timeout` seconds (blocking: call it in a thread)."""
        if self._lock.acquire(timeout=timeout):
            self._lock.release()

    def become(self, args: list[str], log: Path) -> subprocess.Popen[bytes]:
        """The standby turns into this engine command (output to `log`); it is no longer a
        standby, and its process is returned."""
        with self._lock:
            self._send(Request(args, log=str(log)))
            self.close()
        return self.process

    def ask(self, *args: str) -> EngineResult:
        """Run an engine command in the standby and return its output (blocking: call it in a
        thread). Raises OSError when the standby is gone."""
        with self._lock:
            self._asked += 1
            ident = self._asked
            self._send(Request(list(args), ident=ident))
            assert self.process.stdout is not None
            for line in self.process.stdout:
                if line.strip() == READY.encode():
                    self._ready = True
                    continue
                answer = read_answer(line)
                if answer is not None and answer.ident == ident:
                    return EngineResult(answer.code, answer.out, answer.err)
        raise OSError("the warm engine exited")

    def close(self) -> None:
        """Let it go: a standby ends at the end of its stdin; a search it became goes on."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.process.stdin = self.process.stdout = None

    def _send(self, request: Request) -> None:
        if self.process.stdin is None:
            raise OSError("the warm engine was handed away")
        self.process.stdin.write(request.line())
        self.process.stdin.flush()


def search_priority() -> Priority:
    """The search yields the CPU to the console (the idle scheduling class), so keys stay quick
    while it trains; TUNEDECK_PRIORITY=normal in the console's environment turns this off."""
    wanted = os.environ.get("TUNEDECK_PRIORITY", "")
    return Priority.NORMAL if wanted == Priority.NORMAL else Priority.IDLE


def start_rerun(run_dir: str | Path, top: int, seeds: int) -> subprocess.Popen[bytes]:
    """`python -m engine rerun` in its own session (it outlives the console), printing to
    RUN/seeds.log; it continues where an earlier one stopped."""
    path = Path(run_dir)
    return _spawn(engine_command(*rerun_args(path, top=top, seeds=seeds)), path / "seeds.log")


def start_runner(run_dir: str | Path, more: int | None = None) -> subprocess.Popen[bytes]:
    """`python -m engine resume RUN --priority idle --quiet [--more N]` in a new session,
    output to RUN/runner.log."""
    path = Path(run_dir)
    args = resume_args(path, output=Output.QUIET, priority=search_priority(), more=more)
    return _spawn(engine_command(*args), path / RUNNER_LOG)


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    """A search process in its own session (it outlives the console), printing to `log_path`."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def runner_log_tail(run_dir: str | Path, lines: int = 3) -> str:
    """The last lines the runner printed (why it exited, when the journal does not say)."""
    try:
        text = (Path(run_dir) / RUNNER_LOG).read_text(errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


class Liveness:
    """Whether the runner is alive: our child's exit status, or the run's lock for `attach`."""

    def __init__(self, run_dir: str | Path, process: subprocess.Popen[bytes] | None) -> None:
        self.run = RunDir(run_dir)
        self.process = process
        self._checked = 0.0
        self._alive = process is not None or self.run.is_running()

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        now = time.monotonic()
        if now - self._checked > 2.0:  # the lock probe costs a file lock: not every frame
            self._checked = now
            self._alive = self.run.is_running()
        return self._alive


@dataclass(frozen=True)
class EngineResult:
    returncode: int
    stdout: str
    stderr: str


async def ask_engine(standby: Standby | None, *args: str) -> EngineResult:
    """An engine command's output: from the warm standby when there is one (no TensorFlow
    import to wait for), else from a new `python -m engine` process."""
    if standby is not None and standby.alive():
        with contextlib.suppress(OSError):
            return await asyncio.to_thread(standby.ask, *args)
    return await run_engine(*args)


async def run_engine(*args: str, timeout: float = 300.0) -> EngineResult:
    """Run `python -m engine ARGS` without blocking the console; returns its output."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = await asyncio.create_subprocess_exec(
        *engine_command(*args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except (TimeoutError, asyncio.CancelledError):
        proc.kill()
        await proc.wait()
        raise
    return EngineResult(
        proc.returncode or 0, out.decode(errors="replace"), err.decode("utf-8", "replace")
    )
