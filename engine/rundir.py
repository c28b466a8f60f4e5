"""The run directory: a self-contained record of one search, and the lock of its runner.

space.yaml      the space searched            settings.yaml  backend, algorithm, budget, seed
events.jsonl    the journal (record of truth) events-<worker>.jsonl  distributed workers
best.yaml       the winner, when finished     best_model.keras  the retrained winner
state/          the backend's own state       stop-request   asks the runner to stop
runner.lock     held by the live runner (the kernel frees it when the process dies)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.atomic import write_text
from engine.errors import InputError, RunDirError
from engine.settings import RunSettings
from engine.space import Space, parse_text

SPACE = "space.yaml"
SETTINGS = "settings.yaml"
JOURNAL = "events.jsonl"
BEST = "best.yaml"
MODEL = "best_model.keras"
STATE = "state"
STOP = "stop-request"
LOCK = "runner.lock"
PID = "runner.pid"


class RunDir:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __truediv__(self, name: str) -> Path:
        return self.path / name

    # ---- creation and opening ------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, space: Space, settings: RunSettings) -> RunDir:
        """A new run directory; refuses one that holds a run or anything else of the user's."""
        run = cls(path)
        if run.path.exists():
            if not run.path.is_dir():
                raise RunDirError("exists and is not a directory", source=str(run.path))
            if (run.path / SETTINGS).exists():
                raise RunDirError(
                    f"already holds a run (continue it with: tunedeck resume {run.path})",
                    source=str(run.path),
                )
            if any(run.path.iterdir()):
                raise RunDirError("exists and is not empty", source=str(run.path))
        try:
            run.path.mkdir(parents=True, exist_ok=True)
            (run.path / STATE).mkdir(exist_ok=True)
            space.save(run.path / SPACE)
            run.save_settings(settings)
        except OSError as exc:
            raise RunDirError(f"cannot write ({exc.strerror})", source=str(run.path)) from None
        return run

    @classmethod
    def open(cls, path: str | Path) -> RunDir:
        run = cls(path)
        if not run.path.is_dir():
            raise RunDirError("no such run directory", source=str(run.path))
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
            return RunSettings.from_dict(parse_text(path.read_text(encoding="utf-8"), ".yaml"))
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

    # ---- stop requests -------------------------------------------------------------------
    def request_stop(self, mode: str = "after-trial") -> None:
        write_text(self.path / STOP, mode + "\n")

    def stop_request(self) -> str | None:
        try:
            return (self.path / STOP).read_text().strip() or "after-trial"
        except FileNotFoundError:
            return None

    def clear_stop(self) -> None:
        (self.path / STOP).unlink(missing_ok=True)

    # ---- the runner's lock ---------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the runner lock; a second runner fails at once with a clear message."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path / LOCK), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise RunDirError(
                f"a runner is already working here (pid {self.runner_pid() or '?'}); "
                f"stop it with: tunedeck stop {self.path}",
                source=str(self.path),
            ) from None
        except OSError as exc:
            raise RunDirError(f"cannot lock ({exc.strerror})", source=str(self.path)) from None
        try:
            write_text(self.path / PID, f"{os.getpid()}\n")
            yield
        finally:
            (self.path / PID).unlink(missing_ok=True)
            lock.release()

    def runner_pid(self) -> int | None:
        try:
            return int((self.path / PID).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def is_running(self) -> bool:
        """Whether a live process holds the runner lock (probed without taking it for long)."""
        from filelock import FileLock, Timeout

        if not (self.path / LOCK).exists():
            return False
        probe = FileLock(str(self.path / LOCK), timeout=0)
        try:
            probe.acquire()
        except Timeout:
            return True
        except OSError:
            return False
        probe.release()
        return False
