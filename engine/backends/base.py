"""What every backend shares: its context, the stop controls, and trial bookkeeping.

A backend turns a space into a real search and reports through `ctx.emit`; it never decides
what a result means (the runner and the replay do).
"""

from __future__ import annotations

import signal
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from engine.backends.environment import EnvironmentFailure, disk_error
from engine.backends.oom import halved, is_out_of_memory, oom_note
from engine.objective.metric import Objective
from engine.objective.several import Objectives
from engine.plan.planner import Plan
from engine.run import events as ev
from engine.run.resources import Sampler, peaks, reset_peaks
from engine.run.results import RunResults, TrialRecord
from engine.run.rundir import ANY_TRIAL, RunDir, StopMode
from engine.run.settings import RunSettings
from engine.run.states import TrialStatus
from engine.run.tracebacks import save_traceback
from engine.space import Config, Space

Emit = Callable[[ev.Event], None]
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
    """The runner's side of the requests: signals (ctrl+c) and the run directory's stop and skip
    files (`RunDir.request_stop` / `request_skip`, written by the console or `tunedeck stop`)."""

    def __init__(self, run: RunDir) -> None:
        self.run = run
        self.interrupted = False

    def install_signal_handlers(self) -> None:
        """First ctrl+c/SIGTERM: stop cleanly at the next batch; a second ctrl+c: abort at once."""

        def handler(signum: int, frame: Any) -> None:
            if self.interrupted and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.interrupted = True

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def why(self) -> str:
        """The reason a stop gives: ctrl+c (or SIGTERM) here, or a request from elsewhere."""
        return "interrupted" if self.interrupted else "stop requested"

    def stop_now(self) -> bool:
        return self.interrupted or self.run.stop_request() == StopMode.NOW

    def stop_after_trial(self) -> bool:
        return self.interrupted or self.run.stop_request() is not None

    def check(self, trial_id: str) -> None:
        """Raise StopSearch or SkipTrial if asked; called at batch and epoch ends (two failed
        opens when nothing is asked, cheap enough for every batch)."""
        if self.stop_now():
            raise StopSearch(self.why())
        skip = self.run.skip_request()
        if skip is not None and skip in (trial_id, ANY_TRIAL):
            self.run.clear_skip()
            raise SkipTrial(trial_id)


def needs_rerun(trial: TrialRecord) -> bool:
    """An interrupted or stopped trial runs again on resume; a finished or skipped one does not."""
    return trial.status == TrialStatus.RUNNING or (
        trial.status == TrialStatus.STOPPED and trial.reason != SKIPPED
    )


def _nothing(event: ev.Event) -> None:
    pass


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
    relay: Emit = _nothing  # live sinks only: events that other processes journaled themselves
    factory: Any = None  # engine.model.factory.ModelFactory, made on first use
    pipelines: Any = None  # engine.model.feed.Feed, made on first use
    trial_callbacks: Any = None  # engine.model.callbacks.TrialCallbacks, made on first use
    saved_fits: Any = None  # engine.model.checkpoint.Checkpoints, made on first use
    sampler: Sampler | None = None  # this process's resource samples, made on first tick
    space_changed: bool = False  # the space differs from the one the last session searched
    excluded: dict[str, str] = field(default_factory=dict)  # trials it no longer holds: why

    def models(self) -> Any:
        """The model factory for this space and dataset (imports the user's module once)."""
        if self.factory is None:
            from engine.model.factory import make_factory

            self.factory = make_factory(self.space, self.dataset, note=self._note)
        return self.factory

    def _note(self, text: str) -> None:
        self.emit(ev.LogMessage(level="warning", message=text))

    def callbacks(self) -> Any:
        """The space's own callbacks, made afresh for each trial (`engine.model.callbacks`)."""
        if self.trial_callbacks is None:
            from engine.model.callbacks import TrialCallbacks

            self.trial_callbacks = TrialCallbacks.of(self.space, self.run.path, self.objective)
        return self.trial_callbacks

    def checkpoints(self) -> Any:
        """The running fits' latest-epoch checkpoints (`engine.model.checkpoint`)."""
        if self.saved_fits is None:
            from engine.model.checkpoint import Checkpoints

            self.saved_fits = Checkpoints(self.run.state_dir)
        return self.saved_fits

    def feed(self) -> Any:
        """The search's data as pipelines kept for every trial (`engine.model.feed`)."""
        if self.pipelines is None:
            from engine.model.feed import Feed

            self.pipelines = Feed(self.settings.seed)
        return self.pipelines

    def tick(self) -> None:
        """Called at every batch (and trial start): a resource sample when one is due."""
        if self.sampler is None:
            self.sampler = Sampler(self.emit)
        self.sampler.tick()

    def parameter_count(self, config: Config) -> int | None:
        """The configuration's parameters, counted without allocating them (None: no model,
        or one that cannot be built so)."""
        if self.dataset is None:
            return None
        from engine.model.size import parameter_count

        return parameter_count(self.models(), config)

    def held(self) -> int:
        """How much the search keeps on purpose (pooled models and optimizers, kept pipelines),
        as a count that grows while they fill and stays once they are full: a memory watch
        re-bases on it instead of counting it as a leak."""
        pool = self.factory.pool if self.factory is not None else None
        return (pool.held() if pool is not None else 0) + (
            self.pipelines.held() if self.pipelines is not None else 0
        )

    @property
    def objective(self) -> Objective:
        """What trials are scored by: the factory's (it knows the task) when there is data."""
        if self.dataset is None:
            return self.space.source.objective_for("classification")
        return self.models().objective

    @property
    def objectives(self) -> Objectives:
        """Every objective (the primary is `objective`) and the constraints trials must meet."""
        source = self.space.source
        return Objectives.of(self.objective, source.more_objectives, source.constraints)

    def epochs_for(self, config: Config) -> int:
        return self.settings.epochs or int(config["epochs"])

    def trial_config(self, config: Config) -> Config:
        """The configuration a trial trains: the epochs override applied, inactive values reset."""
        full = {**self.space.defaults(), **config}
        if self.settings.epochs is not None:
            full["epochs"] = self.settings.epochs
        return self.space.canonical(full)


def trial_end(exc: BaseException) -> tuple[TrialStatus, str]:
    """How a trial that raised ends, the same on every backend: a stop or a skip leaves it
    stopped (never completed with a truncated score), anything else failed with its reason.
    A full or broken disk is no trial's fault: it raises EnvironmentFailure, recording nothing."""
    if disk_error(exc) is not None:
        raise EnvironmentFailure(str(exc)) from exc
    if isinstance(exc, StopSearch):
        return TrialStatus.STOPPED, str(exc) or "stop requested"
    if isinstance(exc, SkipTrial):
        return TrialStatus.STOPPED, SKIPPED
    if is_out_of_memory(exc):
        return TrialStatus.OOM, describe_failure(exc)
    return TrialStatus.FAILED, describe_failure(exc)


def raised(
    exc: BaseException, clock: TrialClock | None, config: Config | None = None
) -> tuple[TrialStatus, str]:
    """`trial_end`, an out-of-memory note naming the batch size and (with a clock, in the
    search's process) the parameter count."""
    status, reason = trial_end(exc)
    if status == TrialStatus.OOM:
        reason = clock.oom_reason(exc) if clock else oom_note(exc, config or {}, None)
    return status, reason


class TrialClock:
    """Emits a trial's start and end with its duration and peak memory, whatever way it ends."""

    def __init__(
        self,
        ctx: SearchContext,
        trial_id: str,
        number: int,
        config: Config,
        epochs: int | None = None,
        continues: str | None = None,
        initial_epoch: int = 0,
        enqueued: bool = False,
    ) -> None:
        self.ctx, self.trial_id, self.config = ctx, trial_id, config
        self.note: str | None = None  # why its values changed (a retry at half the batch size)
        self.started = time.time()
        self._start = ev.TrialStarted(
            trial_id=trial_id,
            number=number,
            hyperparameters=config,
            epochs=epochs or ctx.epochs_for(config),
            continues=continues,
            initial_epoch=initial_epoch,
            enqueued=enqueued,
        )
        reset_peaks()
        ctx.emit(self._start)
        ctx.tick()

    def end(
        self,
        status: TrialStatus,
        score: float | None = None,
        reason: str | None = None,
        fold_scores: list[float] | None = None,
        epoch_score: float | None = None,
        peak: tuple[int | None, int | None] | None = None,
        values: dict[str, float | None] | None = None,
    ) -> None:
        """`peak`: measured elsewhere (a joblib worker's folds); else this process's.
        `values`: the other objectives' and the constrained metrics' (a completed trial
        breaking a constraint is journaled infeasible)."""
        memory, gpu_memory = peak or peaks()
        if self.note:
            reason = f"{reason}; {self.note}" if reason else self.note
        values = dict(values or {})
        infeasible = None
        if status == TrialStatus.COMPLETED and self.ctx.objectives.constraints:
            infeasible = self.ctx.objectives.infeasible(score, values)
        self.ctx.emit(
            ev.TrialEnded(
                trial_id=self.trial_id,
                status=status,
                score=score,
                duration=round(time.time() - self.started, 3),
                reason=reason,
                fold_scores=fold_scores,
                epoch_score=epoch_score,
                peak_memory=memory,
                peak_gpu_memory=gpu_memory,
                values=values,
                infeasible=infeasible,
            )
        )

    def end_by(self, exc: BaseException) -> str:
        """End the trial as `trial_end` says for `exc`; returns the reason recorded. Out of
        memory, the note names the batch size and the parameter count."""
        status, reason = raised(exc, self)
        if status in (TrialStatus.FAILED, TrialStatus.OOM):
            save_traceback(self.ctx.run.path, self.trial_id, exc)
        self.end(status, reason=reason)
        return reason

    def oom_reason(self, exc: BaseException | None) -> str:
        try:
            params = self.ctx.parameter_count(self.config)
        except Exception:  # noqa: BLE001 - a model that cannot be counted: the note says less
            params = None
        return oom_note(exc, self.config, params)

    def retry(self, exc: BaseException) -> bool:
        """With `--oom-retry`, an out-of-memory trial runs once more at half its batch size:
        True when it should (its start is journaled again with the halved values, and its end
        will say why); the caller trains `self.config` again."""
        smaller = halved(self.config)
        if not self.ctx.settings.oom_retry or self.note or smaller is None:
            return False
        if not is_out_of_memory(exc):
            return False
        self.note = f"retried at batch size {smaller['batch_size']} after {self.oom_reason(exc)}"
        self.config = smaller
        self._start = replace(self._start, hyperparameters=smaller, time=time.time())
        self.ctx.emit(self._start)
        return True


def describe_failure(exc: BaseException) -> str:
    """One line for the journal, the table and the CSV."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    if isinstance(exc, TrialFailed) and text:
        return text[:300]
    if is_out_of_memory(exc):
        return f"out of memory: {text or name}"[:300]
    return (f"{name}: {text}" if text else name)[:300]


class Backend(ABC):
    """A search engine behind the runner; `tests/engine/backends/contract.py` holds every
    backend to the duties of `run`."""

    name: ClassVar[str]

    def __init__(self, ctx: SearchContext) -> None:
        self.ctx = ctx

    @abstractmethod
    def run(self) -> None:
        """Run (or continue) the search of `self.ctx` to the end of its plan. Its duties:

        - events: a `TrialStarted` and exactly one `TrialEnded` per trial it runs (`TrialClock`),
          an `EpochEnded` per epoch (per fold, if it cross-validates), through `ctx.emit`;
          events that other processes journal themselves go to `ctx.relay`.
        - stop checks: `ctx.stop.check(trial_id)` at every batch or epoch end, and
          `ctx.stop.stop_after_trial()` before a trial starts. A stop raises StopSearch after
          the running trial is ended as stopped; a skip ends that trial as stopped and goes
          on; a trial that raises anything else ends failed and the search goes on
          (`trial_end` / `TrialClock.end_by` decide, alike for every backend).
        - resume: a trial that ended in `ctx.previous` and does not `needs_rerun` is never
          trained again nor re-journaled; an interrupted one runs again under the same id.
        - recycle: with `ctx.recycle`, it may raise RecycleProcess between two trials once
          the process has outgrown its memory (`engine.backends.memory`), leaving its own
          state so that a `resume` carries on from there.
        - parallel mode: its own (Keras Tuner's distributed chief and workers, joblib's
          n_jobs for scikit-learn), chosen from `ctx.settings.workers`.
        """
