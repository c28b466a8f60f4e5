"""The Keras Tuner backend: RandomSearch, GridSearch, BayesianOptimization and Hyperband.

The tuner's own hooks report each trial; our `EpochReporter` reports each epoch (Keras Tuner
keeps only one value per trial). A stop request becomes a `FatalError` (the search stops and
stays resumable, the trial is recorded as stopped, never completed with a truncated score); a
skipped or broken trial becomes a `FailedTrialError` (recorded, the search goes on).

With `prune` on (random, grid, Bayesian), `_PruneCheck` asks the median rule
(`engine.plan.pruning`) at each epoch end; a trial it prunes stops training, is journaled
`pruned` (no score: not a result), and Keras Tuner's oracle is told its best score so far, so
Bayesian optimisation still learns that the region is weak. Keras Tuner's own state then holds
the trial as COMPLETED, with the reason as its message (how `rejournal` tells it apart).

Each trial keeps its latest epoch in a checkpoint (`engine.model.checkpoint`, named by the
trial id, which Keras Tuner's oracle gives the interrupted trial again on reload, whichever
worker runs it): a resumed trial trains on from there, and the checkpoint goes when it ends.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import statistics
from typing import Any

import keras
import keras_tuner
from keras_tuner.src import config as kt_config
from keras_tuner.src import utils as kt_utils
from keras_tuner.src.engine import tuner_utils

from engine.backends.base import (
    Backend,
    RecycleProcess,
    SearchContext,
    StopSearch,
    TrialClock,
    needs_rerun,
)
from engine.backends.environment import EnvironmentFailure
from engine.backends.keras_tuner.cluster import parallel
from engine.backends.keras_tuner.coordinator import coordinate
from engine.backends.keras_tuner.hyperparameters import declare, to_config
from engine.backends.keras_tuner.rejournal import rejournal
from engine.backends.keras_tuner.scalarise import Scalariser, oracle_objective, uses_scalar
from engine.backends.keras_tuner.scores import handed_over_score, handed_over_values
from engine.backends.keras_tuner.supply import ENQUEUED, supply
from engine.backends.keras_tuner.updates import disk_errors_end_the_search
from engine.backends.memory import MemoryWatch
from engine.backends.reporter import EpochReporter, journal_restored
from engine.model.epoch_checkpoint import EpochCheckpoint
from engine.model.keras_build import make_callbacks
from engine.model.user_fit import Fitted, fit_user
from engine.plan.planner import HYPERBAND_FACTOR, bayesian_starts, max_epochs
from engine.plan.pruning import PRUNED, Pruner, Verdict, best_by_epoch, objective_curve, prunes
from engine.run import events as ev
from engine.run.results import TrialRecord
from engine.run.states import TrialStatus
from engine.system.atomic import write_text

kt_config.DEBUG = False  # failed trials are reported in the journal, not as tracebacks


def _save_json_atomically(path: str, obj: Any) -> str:
    """Keras Tuner writes its oracle and trial state in place: a kill mid-write would leave a
    torn file that makes the project impossible to reload. Write and rename instead."""
    text = json.dumps(obj)
    write_text(path, text)
    return text


kt_utils.save_json = _save_json_atomically
ALGORITHMS = {
    "random": keras_tuner.RandomSearch,
    "grid": keras_tuner.GridSearch,
    "bayesian": keras_tuner.BayesianOptimization,
    "hyperband": keras_tuner.Hyperband,
}


class _Stopped(keras_tuner.errors.FatalError):
    """Carries a stop request through Keras Tuner, which re-raises fatal errors."""


class _Recycle(keras_tuner.errors.FatalError):
    """Carries a process restart through Keras Tuner (the trial just created runs after it)."""


class _Environment(keras_tuner.errors.FatalError):
    """Carries a full or broken disk through Keras Tuner: the search ends, the trial stays
    unrecorded (it runs again on resume)."""


class _PruneCheck(keras.callbacks.Callback):
    """Asks the median rule after every epoch but the last (after the reporter journaled it);
    a pruned trial finishes the epoch it is in and stops, keeping its verdict for `run_trial`."""

    def __init__(self, pruner: Pruner) -> None:
        super().__init__()
        self.pruner = pruner
        self.curve: list[float | None] = []
        self.verdict: Verdict | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.curve.append(ev.clean_logs(logs).get(self.pruner.objective.metric))
        if epoch + 1 >= int(self.params.get("epochs") or 0):
            return  # trained to the end: nothing left to save, the trial is completed
        self.verdict = self.pruner.judge(self.curve)
        if self.verdict is not None:
            self.model.stop_training = True


class _HyperModel(keras_tuner.HyperModel):
    def __init__(self, ctx: SearchContext, skip: tuple[str, ...]) -> None:
        super().__init__()
        self.ctx, self.skip = ctx, skip

    def declare_hyperparameters(self, hp: keras_tuner.HyperParameters) -> None:
        declare(hp, self.ctx.space, skip=self.skip)

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        declare(hp, self.ctx.space, skip=self.skip)
        config = self.config(hp)
        if "tuner/trial_id" in hp.values:  # a Hyperband continuation loads its parent's
            return self.ctx.models().build(config)  # file: a fresh optimizer skips its state
        rows = len(self.ctx.dataset.x_train)
        return self.ctx.models().trial_model(config, rows, int(config["batch_size"]))

    def config(self, hp: keras_tuner.HyperParameters) -> dict[str, Any]:
        config = self.ctx.trial_config(to_config(self.ctx.space, hp.values))
        if "tuner/epochs" in hp.values:
            config["epochs"] = int(hp.values["tuner/epochs"])
        return config


class _Reporting(keras_tuner.Tuner):
    """Trial bookkeeping and a lean fit: no TensorBoard, checkpoints only where Hyperband needs
    them. A Hyperband continuation (`tuner/trial_id` in its values) is built by Keras Tuner's
    `Hyperband._build_hypermodel` from its parent's build config and best-epoch weights, which
    this fit therefore saves, and trains on from `tuner/initial_epoch`."""

    ctx: SearchContext
    reporter: EpochReporter
    memory: MemoryWatch
    pruner: Pruner | None
    scalariser: Scalariser | None

    def _try_build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        """Keras Tuner clears the session and collects garbage before every build: ~0.5 s a
        trial here, mostly retracing. The runner restarts its process when memory has grown
        (`engine.backends.memory`), which bounds what skipping it leaks."""
        return self._build_hypermodel(hp)

    def _activate_all_conditions(self) -> None:
        """Keras Tuner builds models until every conditional scope was seen; our declaration
        registers every scope up front, so no model needs building (nor any data, on a chief)."""

    def on_trial_begin(self, trial: keras_tuner.engine.trial.Trial) -> None:
        if self.ctx.stop.stop_after_trial():
            raise _Stopped("stop requested")
        if self.ctx.recycle and self.memory.outgrown():
            raise _Recycle("memory outgrown")
        self._recorded = self.ctx.previous.trials.get(trial.trial_id)
        if self._recorded is not None and needs_rerun(self._recorded):
            self._recorded = None  # interrupted or stopped: it runs again
        if self._recorded is not None:
            return  # finished before a crash the tuner did not record: not run again
        hypermodel: _HyperModel = self.hypermodel
        hp = trial.hyperparameters.copy()
        declare(hp, self.ctx.space, skip=hypermodel.skip)
        config = hypermodel.config(hp)
        self._clock = TrialClock(
            self.ctx,
            trial.trial_id,
            int(trial.trial_id) + 1,
            config,
            epochs=int(config["epochs"]),
            continues=hp.values.get("tuner/trial_id"),
            initial_epoch=int(hp.values.get("tuner/initial_epoch", 0)),
            enqueued=bool(hp.values.get(ENQUEUED)),
        )
        self._config = config
        keras.utils.set_random_seed(self.ctx.settings.seed + int(trial.trial_id))

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
        if self._recorded is not None:
            return self._recorded_score(self._recorded)
        config = self._config
        epochs = int(kwargs.get("epochs", config["epochs"]))
        self.reporter.start(trial.trial_id, epochs)
        check = _PruneCheck(self.pruner) if self.pruner is not None else None
        callbacks: list[Any] = [self.reporter, *([check] if check else []), *make_callbacks(config)]
        if isinstance(self, keras_tuner.Hyperband):
            callbacks.append(
                tuner_utils.SaveBestEpoch(
                    objective=oracle_objective(self.ctx.objective),
                    filepath=self._get_checkpoint_fname(trial.trial_id),
                )
            )
        initial = int(kwargs.get("initial_epoch", 0))
        resume = self._checkpoint(trial.trial_id, config, epochs, initial)
        try:
            callbacks += self.ctx.callbacks().for_trial(config, trial.trial_id)  # the space's own
            model = self._try_build(trial.hyperparameters)
            if isinstance(self, keras_tuner.Hyperband):  # a continuation rebuilds from it
                kt_utils.save_json(
                    self._get_build_config_fname(trial.trial_id), model.get_build_config()
                )
            if resume is not None and resume.restore_model(model):
                journal_restored(self.ctx, trial.trial_id, resume, epochs, initial)
            fitted = self._fit(model, config, epochs, initial, callbacks, resume)
            pruned = check is not None and check.verdict is not None
            scored = [self._scored(model, fitted, callbacks, config, initial, not pruned)]
            for _ in range(1, 1 if pruned else self.ctx.settings.executions):
                again = make_callbacks(config)  # further executions: fresh model, silent
                model = self._try_build(trial.hyperparameters)
                fitted = self._fit(model, config, epochs, initial, again)
                scored.append(self._scored(model, fitted, again, config, initial))
        except Exception as exc:  # stopped, skipped or failed
            if self._clock.retry(exc):  # --oom-retry: once more, at half the batch size
                self._config = self._clock.config
                return self.run_trial(trial, *args, **kwargs)
            try:
                reason = self._clock.end_by(exc)
            except EnvironmentFailure as failure:  # no trial's fault: the search ends
                raise _Environment(str(failure)) from exc
            if isinstance(exc, StopSearch):  # resumed later: from its checkpoint
                raise _Stopped(str(exc)) from exc
            self.ctx.checkpoints().remove(trial.trial_id)  # ended: it never resumes
            raise keras_tuner.errors.FailedTrialError(reason) from None
        objective = self.ctx.objective
        if any(s is None for s in scored):
            self._clock.end(TrialStatus.FAILED, reason=f"no finite {objective.metric}")
            self.ctx.checkpoints().remove(trial.trial_id)
            raise keras_tuner.errors.FailedTrialError(f"no finite {objective.metric}")
        best, values = statistics.fmean(s[0] for s in scored if s is not None), {}
        if check is not None and check.verdict is not None:  # no result: nothing to evaluate
            self._clock.end(TrialStatus.PRUNED, reason=check.verdict.reason, epoch_score=best)
            trial.message = PRUNED + check.verdict.reason  # Keras Tuner's record (`rejournal`)
            score = best  # what the oracle learns from: the best so far
        else:  # the handed-over models' score, averaged over the executions (Keras Tuner's way)
            score = statistics.fmean(s[1] for s in scored if s is not None)
            values = handed_over_values(model, self.ctx, fitted.history, callbacks, config)
            self._clock.end(TrialStatus.COMPLETED, score=score, epoch_score=best, values=values)
        self.ctx.checkpoints().remove(trial.trial_id)  # journaled as ended: no resume needed
        self.memory.trial_done(self.ctx.held())
        if self.scalariser is not None:  # several objectives or constraints: ParEGO's value
            return self.scalariser.metrics(trial.trial_id, score, values)
        return {objective.metric: score}

    def _scored(
        self,
        model: Any,
        fitted: Fitted,
        callbacks: list,
        config: dict[str, Any],
        initial: int,
        evaluate: bool = True,
    ) -> tuple[float, float] | None:
        """(the best epoch's objective, the handed-over model's: the best again unless
        `evaluate`) of one fit; None when the objective has no finite value."""
        metric = self.ctx.objective.metric
        rows = fitted.history.get(metric) or [fitted.score]
        scores = [v for v in rows if v is not None]
        if not scores or not all(math.isfinite(s) for s in scores):
            return None
        best = float(self.ctx.objective.best_of(scores))
        if not evaluate:  # a pruned trial: no result, nothing to evaluate
            return best, best
        if self.ctx.models().user_fit is not None:  # its data may be its own: no re-evaluation
            kept = fitted.value(metric, callbacks, initial)
        else:
            restored = any(getattr(c, "restore_best_weights", False) for c in callbacks)
            kept = handed_over_score(
                model,
                self.ctx,
                metric,
                int(config["batch_size"]),
                history=None if restored else fitted.history,
            )
        return best, best if kept is None else kept

    def _checkpoint(
        self, trial_id: str, config: dict[str, Any], epochs: int, initial: int
    ) -> EpochCheckpoint | None:
        """The trial's checkpointing callback (its last checkpoint, if any): none for a
        HyperModel's own `fit`, whose data order is its own, nor when checkpoints are off."""
        if self.ctx.models().user_fit is not None:
            return None
        resume = self.ctx.checkpoints().fit(trial_id, [config, initial], epochs)
        if resume is not None:
            resume.extra["initial"] = initial
        return resume

    def _fit(
        self,
        model: Any,
        config: dict[str, Any],
        epochs: int,
        initial_epoch: int,
        callbacks: list,
        resume: EpochCheckpoint | None = None,
    ) -> Fitted:
        """Train the trial's model: through the HyperModel's own `fit` when it has one, else on
        the search's kept pipelines (from `resume`'s epoch on, when it restored one)."""
        data, factory = self.ctx.dataset, self.ctx.models()
        if factory.user_fit is not None:
            return fit_user(
                factory.user_fit,
                config,
                model,
                data.x_train,
                data.y_train,
                label=factory.label,
                metric=self.ctx.objective.metric,
                validation_data=(data.x_val, data.y_val),
                epochs=epochs,
                batch_size=int(config["batch_size"]),
                callbacks=callbacks,
                initial_epoch=initial_epoch,
            )
        start = max(resume.start, initial_epoch) if resume is not None else initial_epoch
        history = self.ctx.feed().fit(
            model,
            data.x_train,
            data.y_train,
            validation_data=(data.x_val, data.y_val),
            batch_size=int(config["batch_size"]),
            epochs=epochs,
            initial_epoch=start,
            first_pass=start - initial_epoch,
            callbacks=resume.watch(callbacks) if resume is not None else callbacks,
        )
        return Fitted(resume.history(history.history) if resume is not None else history.history)

    def _recorded_score(self, recorded: TrialRecord) -> dict[str, float]:
        """What the oracle is told of a trial the journal ended before a crash cut Keras Tuner
        short: its score, or a pruned trial's best so far (from its epoch rows)."""
        metric = self.ctx.objective.metric
        if recorded.status == TrialStatus.PRUNED:
            best = best_by_epoch(objective_curve(recorded, metric), self.ctx.objective)
            if best and best[-1] is not None:
                return {metric: float(best[-1])}
        if recorded.status != TrialStatus.COMPLETED or recorded.score is None:
            raise keras_tuner.errors.FailedTrialError(recorded.reason or "failed")
        if self.scalariser is not None:
            return self.scalariser.metrics(recorded.trial_id, recorded.score, recorded.values)
        return {metric: float(recorded.score)}


def _tuner_class(algorithm: str) -> type:
    return type(
        f"Tunedeck{ALGORITHMS[algorithm].__name__}", (ALGORITHMS[algorithm], _Reporting), {}
    )


def tuner_seed(seed: int) -> int:
    """Keras Tuner takes a seed of 0 for none and draws a random one: map every seed, 0 included,
    to a distinct positive one so that the same seed always gives the same trials."""
    return seed % (2**31 - 2) + 1


def make_tuner(ctx: SearchContext) -> keras_tuner.Tuner:
    """The tuner for `ctx`'s plan over the run's project directory (reloaded when it exists).

    In a distributed run the `KERASTUNER_*` environment makes it a chief (serving the oracle)
    or a worker (asking the chief for trials), as Keras Tuner decides.
    """
    algorithm = ctx.plan.algorithm
    skip = ("epochs",) if algorithm == "hyperband" else ()
    kwargs: dict[str, Any] = {
        "hypermodel": _HyperModel(ctx, skip),
        "objective": oracle_objective(ctx.objectives),
        "directory": str(ctx.run.state_dir),
        "project_name": "keras_tuner",
        "overwrite": False,
        "seed": tuner_seed(ctx.settings.seed),
        "max_consecutive_failed_trials": ctx.plan.planned_trials + 1,
    }
    if algorithm == "hyperband":
        kwargs.update(
            max_epochs=max_epochs(ctx.space, ctx.settings),
            factor=HYPERBAND_FACTOR,
            hyperband_iterations=ctx.plan.hyperband_iterations,
        )
    else:
        kwargs["max_trials"] = ctx.plan.planned_trials
    if algorithm == "bayesian":  # a reloaded oracle keeps the count it started with
        tuned = len(ctx.space.tuned())
        kwargs["num_initial_points"] = bayesian_starts(tuned, ctx.plan.planned_trials)
    with contextlib.redirect_stdout(io.StringIO()):  # "Reloading Tuner from …" on resume
        tuner = _tuner_class(algorithm)(**kwargs)
    supply(tuner.oracle, ctx, skip)  # budget, changed space, queued configurations
    disk_errors_end_the_search(tuner.oracle, _Environment)
    tuner.ctx = ctx
    tuner.reporter = EpochReporter(ctx)
    tuner.memory = MemoryWatch()
    tuner.pruner, tuner.scalariser = None, None
    if uses_scalar(ctx.objectives):
        seen = [v for t in ctx.previous.leaderboard() if (v := ctx.previous.vector(t))]
        tuner.scalariser = Scalariser(ctx.objectives, ctx.settings.seed, seen)
    if prunes(ctx.plan.backend, algorithm, ctx.settings.prune) and not ctx.objectives.multi:
        tuner.pruner = Pruner(ctx.run.path, ctx.objective)
    return tuner


class KerasTunerBackend(Backend):
    name = "keras-tuner"

    def run(self) -> None:
        if parallel(self.ctx):  # Keras Tuner's distributed mode: a chief and workers
            coordinate(self.ctx, make_tuner, rejournal, search_with)
        else:
            self.search()

    def search(self) -> None:
        """Trials in this process: the whole search, or one worker's share of a parallel one."""
        tuner = make_tuner(self.ctx)
        if not parallel(self.ctx):
            rejournal(tuner, self.ctx)  # a parallel run's chief does it (it holds the oracle)
        search_with(tuner)


def search_with(tuner: keras_tuner.Tuner) -> None:
    """Run `tuner`'s trials, its way of saying stop, restart or broken disk made ours."""
    try:
        tuner.search(verbose=0)
    except _Stopped as exc:
        raise StopSearch(str(exc)) from None
    except _Recycle:
        raise RecycleProcess from None
    except _Environment as exc:
        raise EnvironmentFailure(str(exc)) from exc.__cause__
