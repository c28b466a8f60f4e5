"""What every backend shares: its context, the stop controls, and trial bookkeeping.

A backend turns a space into a real search and reports through `ctx.emit`; it never decides
what a result means (the runner and the replay do).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from engine.backends.planner import Plan
from engine.run import events as ev
from engine.run.results import RunResults
from engine.run.rundir import STOP, RunDir
from engine.run.settings import RunSettings
from engine.space import Config, Space

Emit = Callable[[ev.Event], None]
SKIP = "skip-request"
SKIPPED = "skipped by user"


class StopSearch(Exception):
    """The user asked the search to stop now; the running trial is recorded as stopped."""


class SkipTrial(Exception):
    """The user asked to drop the running trial; it is recorded as stopped and the search goes on."""


class RecycleProcess(Exception):
    """The process has outgrown its memory: restart it (as `resume`) before the next trial."""


class TrialFailed(Exception):
    """A trial that cannot produce a meaningful score (e.g. its loss became NaN)."""


class StopControl:
    """Stop and skip requests, from signals (ctrl+c) or from files the console or `stop` write."""

    def __init__(self, run: RunDir) -> None:
        self.run = run
        self.interrupted = False
        self._stop_path = run.path / STOP
        self._skip_path = run.path / SKIP

    def install_signal_handlers(self) -> None:
        """First ctrl+c/SIGTERM: stop cleanly at the next batch; a second ctrl+c: abort at once."""

        def handler(signum: int, frame: Any) -> None:
            if self.interrupted and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.interrupted = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def _requests(self) -> tuple[str | None, str | None]:
        """(stop mode, trial to skip); two `stat` calls, cheap enough for every batch."""
        stop = self.run.stop_request() if os.path.exists(self._stop_path) else None
        skip = None
        if os.path.exists(self._skip_path):
            with contextlib.suppress(FileNotFoundError):
                skip = self._skip_path.read_text().strip() or "*"
        return stop, skip

    def stop_now(self) -> bool:
        return self.interrupted or self._requests()[0] == "now"

    def stop_after_trial(self) -> bool:
        return self.interrupted or self._requests()[0] is not None

    def check(self, trial_id: str) -> None:
        """Raise StopSearch or SkipTrial if asked; called at batch and epoch ends."""
        stop, skip = self._requests()
        if self.interrupted or stop == "now":
            raise StopSearch("interrupted" if self.interrupted else "stop requested")
        if skip is not None and skip in (trial_id, "*"):
            self._skip_path.unlink(missing_ok=True)
            raise SkipTrial(trial_id)


def needs_rerun(trial: Any) -> bool:
    """An interrupted or stopped trial runs again on resume; a finished or skipped one does not."""
    return trial.status == "running" or (trial.status == "stopped" and trial.reason != SKIPPED)


@dataclass
class SearchContext:
    space: Space
    settings: RunSettings
    plan: Plan
    run: RunDir
    emit: Emit
    stop: StopControl
    dataset: Any = None  # engine.data.datasets.Dataset; None for backends that need no data
    previous: RunResults = field(default_factory=RunResults)  # the journal so far (resume)
    recycle: bool = False  # may raise RecycleProcess between trials to shed leaked memory

    def epochs_for(self, config: Config) -> int:
        return self.settings.epochs or int(config["epochs"])

    def trial_config(self, config: Config) -> Config:
        """The configuration a trial trains: the epochs override applied, inactive values reset."""
        full = {**self.space.defaults(), **config}
        if self.settings.epochs is not None:
            full["epochs"] = self.settings.epochs
        return self.space.canonical(full)


class TrialClock:
    """Emits a trial's start and end with its duration, whatever way it ends."""

    def __init__(
        self,
        ctx: SearchContext,
        trial_id: str,
        number: int,
        config: Config,
        epochs: int | None = None,
        continues: str | None = None,
        initial_epoch: int = 0,
    ) -> None:
        self.ctx, self.trial_id = ctx, trial_id
        self.started = time.time()
        ctx.emit(
            ev.TrialStarted(
                trial_id=trial_id,
                number=number,
                hyperparameters=config,
                epochs=epochs or ctx.epochs_for(config),
                continues=continues,
                initial_epoch=initial_epoch,
            )
        )

    def end(
        self,
        status: str,
        score: float | None = None,
        reason: str | None = None,
        fold_scores: list[float] | None = None,
    ) -> None:
        self.ctx.emit(
            ev.TrialEnded(
                trial_id=self.trial_id,
                status=status,
                score=score,
                duration=round(time.time() - self.started, 3),
                reason=reason,
                fold_scores=fold_scores,
            )
        )


def describe_failure(exc: BaseException) -> str:
    """One line for the journal, the table and the CSV."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if isinstance(exc, TrialFailed) and text:
        return text[:300]
    if "OOM" in name or isinstance(exc, MemoryError) or "out of memory" in text.lower():
        return f"out of memory: {text or name}"[:300]
    return (f"{name}: {text}" if text else name)[:300]


class Backend(ABC):
    name: ClassVar[str]

    def __init__(self, ctx: SearchContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def run(self) -> None:
        """Run the search, emitting trial and epoch events; raise StopSearch when asked to stop."""
