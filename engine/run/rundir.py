"""The run directory: a self-contained record of one search, the lock of its runner, and the
control files through which anyone asks that runner something (the command contract's files).

space.yaml      the space searched            settings.yaml  backend, algorithm, budget, seed
events.jsonl    the journal (record of truth) events-<worker>.jsonl  distributed workers
best.yaml       the winner, when finished     best_model.keras  the retrained winner
state/          the backend's own state       runner.log     a console-started runner's output
stop-request    "after-trial" or "now": asks the runner to stop (`request_stop`)
skip-request    a trial id (or empty: any): asks the runner to drop that trial (`request_skip`)
runner.lock     held by the live runner (the kernel frees it when the process dies); runner.pid
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

from engine.errors import InputError, RunDirError
from engine.run.control import command_hint
from engine.run.settings import RunSettings
from engine.run.writable import write_problem
from engine.space import Space, parse_text
from engine.space.reading import read_text
from engine.system.atomic import write_text

SPACE = "space.yaml"
SETTINGS = "settings.yaml"
JOURNAL = "events.jsonl"
BEST = "best.yaml"
MODEL = "best_model.keras"
STATE = "state"
STOP = "stop-request"
SKIP = "skip-request"
LOCK = "runner.lock"
PID = "runner.pid"
ANY_TRIAL = "*"


class RunnerBusyError(RunDirError):
    """Another process holds the runner lock."""


class StopMode(StrEnum):
    AFTER_TRIAL = "after-trial"  # let the running trial finish
    NOW = "now"  # stop the running trial too (it is recorded as stopped, never completed)


class RunDir:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.created: Path | None = None  # the topmost folder `create` made, if any
        self._lock: Any = None  # the runner lock while this object holds it
        self._holds = 0  # how many `acquire`s it is held for (it is reentrant)

    def __getstate__(self) -> dict[str, Any]:
        """A copy sent to another process (scikit-learn's workers) does not hold the lock."""
        return {**self.__dict__, "_lock": None, "_holds": 0}

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    # ---- creation and opening ------------------------------------------------------------
    @classmethod
    def create(
        cls, path: str | Path, space: Space, settings: RunSettings, *, keep_lock: bool = False
    ) -> RunDir:
        """A new run directory; refuses one that holds a run or anything else of the user's.

        The runner lock is taken before anything is written, and every check is made under it:
        of two runs started at once on one directory, the loser fails with one line and never
        touches the winner's files. `keep_lock` hands the lock on to the search that follows
        (`release` it when done); otherwise it is released once the directory is ready.
        """
        run = cls(path)
        if run.path.exists() and not run.path.is_dir():
            raise RunDirError("exists and is not a directory", source=str(run.path))
        check_writable(run.path)
        created = _topmost_missing(run.path)
        try:
            run.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(run.path)) from None
        had_lock_file = (run.path / LOCK).exists()
        try:
            run.acquire()
        except RunnerBusyError:
            raise  # the winner's: touch nothing
        except RunDirError:
            if not had_lock_file:
                with contextlib.suppress(OSError):
                    (run.path / LOCK).unlink(missing_ok=True)
            _remove_empty(run.path, created)  # the folders it made, if nothing else is in them
            raise
        run.created = created
        try:
            if (run.path / SETTINGS).exists():
                raise RunDirError(
                    f"already holds a run (continue it with: {command_hint('resume', run.path)})",
                    source=str(run.path),
                )
            if any(p.name not in (LOCK, PID) for p in run.path.iterdir()):
                raise RunDirError("exists and is not empty", source=str(run.path))
            (run.path / STATE).mkdir(exist_ok=True)
            space.save(run.path / SPACE)
            run.save_settings(settings)
        except OSError as exc:
            run.discard_unstarted()
            run.release()
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(run.path)) from None
        except BaseException:  # refused: leave the directory as it was found
            if not (run.path / SETTINGS).exists():
                run.discard_unstarted()  # only the lock and folders it made itself
            if not had_lock_file:
                (run.path / LOCK).unlink(missing_ok=True)
            run.release()
            raise
        if not keep_lock:
            run.release()
        return run

    def discard_unstarted(self) -> bool:
        """Undo `create` when no search event was ever journaled (e.g. the dataset did not load).

        Removes only what `create` and the runner's lock wrote, then the folders `create` made;
        anything else in the directory keeps it all in place. Returns whether it removed it.
        """
        scaffold = {SPACE, SETTINGS, STATE, LOCK, PID, JOURNAL}
        try:
            if not self.path.is_dir():
                return False
            names = {p.name for p in self.path.iterdir()}
            journal = self.path / JOURNAL
            if not names <= scaffold or (journal.exists() and journal.stat().st_size):
                return False
            if STATE in names:
                (self.path / STATE).rmdir()  # fails, keeping everything, if the state is not empty
            for name in names - {STATE}:
                (self.path / name).unlink(missing_ok=True)
            if not _remove_empty(self.path, self.created):
                return False
        except OSError:
            return False
        return True

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        run = cls(path)
        if not run.path.is_dir():
            problem = "not a directory" if run.path.exists() else "no such run directory"
            raise RunDirError(problem, source=str(run.path))
        if not (run.path / SETTINGS).is_file() or not (run.path / SPACE).is_file():
            raise RunDirError(
                f"not a run directory (no {SETTINGS} or {SPACE})", source=str(run.path)
            )
        return run

    def is_run(self) -> bool:
        return (self.path / SETTINGS).is_file()

    # ---- contents ------------------------------------------------------------------------
    def space(self) -> Space:
        return Space.load(self.path / SPACE)

    def settings(self) -> RunSettings:
        path = self.path / SETTINGS
        try:
            return RunSettings.from_dict(parse_text(read_text(path), ".yaml"))
        except InputError as exc:
            raise exc.with_source(str(path)) from None
        except OSError as exc:
            raise RunDirError(f"cannot read ({exc.strerror})", source=str(path)) from None

    def save_settings(self, settings: RunSettings) -> None:
        import yaml

        write_text(self.path / SETTINGS, yaml.safe_dump(settings.to_dict(), sort_keys=False))

    @property
    def state_dir(self) -> Path:
        path = self.path / STATE
        path.mkdir(exist_ok=True)
        return path

    # ---- requests to the runner (written by anyone, read by the runner) ----------------
    def request_stop(self, mode: StopMode = StopMode.AFTER_TRIAL) -> None:
        self._request(STOP, mode)

    def stop_request(self) -> StopMode | None:
        text = self._read_request(STOP)
        if text is None:
            return None
        return StopMode.NOW if text == StopMode.NOW else StopMode.AFTER_TRIAL

    def clear_stop(self) -> None:
        (self.path / STOP).unlink(missing_ok=True)

    def request_skip(self, trial_id: str = ANY_TRIAL) -> None:
        self._request(SKIP, trial_id)

    def skip_request(self) -> str | None:
        """The trial id to drop (`ANY_TRIAL` for whichever runs), or None."""
        text = self._read_request(SKIP)
        return None if text is None else text or ANY_TRIAL

    def clear_skip(self) -> None:
        (self.path / SKIP).unlink(missing_ok=True)

    def clear_requests(self) -> None:
        """Drop every request: they were written for a runner that is gone."""
        self.clear_stop()
        self.clear_skip()

    def _request(self, name: str, text: str) -> None:
        try:
            write_text(self.path / name, text + "\n")
        except OSError as exc:
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(self.path)) from None

    def _read_request(self, name: str) -> str | None:
        """A control file's text, or None: one failed open when there is none (every batch)."""
        try:
            return (self.path / name).read_text().strip()
        except FileNotFoundError:
            return None

    # ---- the runner's lock ---------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the runner lock; a second runner fails at once with a clear message."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        """Take the runner lock (again, if this object holds it already) or fail at once."""
        if self._holds:
            self._holds += 1
            return
        check_writable(self.path)  # a resume on a full or read-only disk: before any work
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path / LOCK), timeout=0, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise RunnerBusyError(self._busy(), source=str(self.path)) from None
        except OSError as exc:
            raise RunDirError(f"cannot lock ({exc.strerror})", source=str(self.path)) from None
        try:
            write_text(self.path / PID, f"{os.getpid()}\n")
        except OSError as exc:
            lock.release()
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(self.path)) from None
        self._lock, self._holds = lock, 1

    def release(self) -> None:
        if not self._holds:
            return
        self._holds -= 1
        if not self._holds:
            (self.path / PID).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def _busy(self) -> str:
        return (
            f"a runner is already working here (pid {self.runner_pid() or '?'}); "
            f"stop it with: {command_hint('stop', self.path)}"
        )

    def runner_pid(self) -> int | None:
        try:
            return int((self.path / PID).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def is_running(self) -> bool:
        """Whether a live process holds the runner lock, asked of the kernel without touching
        the lock (a probe that took it, even briefly, could turn away a runner starting then)."""
        try:
            inode = (self.path / LOCK).stat().st_ino
        except OSError:
            return False
        try:
            with open("/proc/locks") as handle:
                table = handle.read()
        except OSError:  # no /proc: trust the pid file
            pid = self.runner_pid()
            return pid is not None and _pid_alive(pid)
        return any(
            line.split()[5].endswith(f":{inode}")
            for line in table.splitlines()
            if len(line.split()) > 5
        )


def check_writable(path: Path) -> None:
    """A run directory (or where one will be made) that cannot be written is one line naming
    it and the reason (read-only file system, permission denied, no space left)."""
    if why := write_problem(path):
        raise RunDirError(f"cannot write ({why})", source=str(path))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_empty(path: Path, top: Path | None) -> bool:
    """Remove `path` and its parents up to `top` (the folders `mkdir(parents=True)` made), as
    long as they are empty; whether all went."""
    if top is None:
        return True
    folder = path
    try:
        while True:
            folder.rmdir()
            if folder == top:
                return True
            folder = folder.parent
    except OSError:
        return False


def _topmost_missing(path: Path) -> Path | None:
    """The highest folder of `path` that does not exist yet (what `mkdir(parents=True)` makes)."""
    missing = None
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing = folder
    return missing
