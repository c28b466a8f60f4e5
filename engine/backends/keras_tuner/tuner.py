"""The Keras Tuner backend: RandomSearch, GridSearch, BayesianOptimization and Hyperband.

The tuner's own hooks report each trial; our `EpochReporter` reports each epoch (Keras Tuner
keeps only one value per trial). A stop request becomes a `FatalError` (the search stops and
stays resumable, the trial is recorded as stopped, never completed with a truncated score); a
skipped or broken trial becomes a `FailedTrialError` (recorded, the search goes on).

With `prune` on (random, grid, Bayesian), `PruneCheck` asks the median rule
(`engine.plan.pruning`), or under several objectives the dominance rule
(`engine.plan.front_pruning`), at each epoch end, and stops a model that breaks a constraint on
its size or latency before it trains; a trial it prunes stops training, is journaled `pruned`
(no score: not a result), and Keras Tuner's oracle is told its best score so far (or the
scalar of its values there), so Bayesian optimisation still learns that the region is weak.
Keras Tuner's own state then holds the trial as COMPLETED, with the reason as its message (how
`rejournal` tells it apart).

Each trial keeps its latest epoch in a checkpoint (`engine.model.checkpoint`, named by the
trial id, which Keras Tuner's oracle gives the interrupted trial again on reload, whichever
worker runs it): a resumed trial trains on from there, and the checkpoint goes when it ends.
"""

from __future__ import annotations

import contextlib
import io
import math
import statistics
from typing import Any

import keras
import keras_tuner

from engine.backends.base import (
    Backend,
    RecycleProcess,
    SearchContext,
    StopSearch,
    TrialClock,
    needs_rerun,
)
from engine.backends.environment import EnvironmentFailure, disk_error
from engine.backends.keras_tuner import compat
from engine.backends.keras_tuner.cluster import parallel
from engine.backends.keras_tuner.coordinator import coordinate
from engine.backends.keras_tuner.hyperparameters import declare, to_config
from engine.backends.keras_tuner.prune_check import PruneCheck, pruner_for
from engine.backends.keras_tuner.rejournal import rejournal
from engine.backends.keras_tuner.scalarise import Scalariser, oracle_objective, uses_scalar
from engine.backends.keras_tuner.scores import handed_over_score, handed_over_values
from engine.backends.keras_tuner.supply import ENQUEUED, supply
from engine.backends.memory import MemoryWatch
from engine.backends.reporter import EpochReporter, journal_restored
from engine.model.epoch_checkpoint import EpochCheckpoint
from engine.model.keras_build import make_callbacks
from engine.model.user_fit import Fitted, fit_user
from engine.plan.front_pruning import Breach, FrontPruner
from engine.plan.planner import HYPERBAND_FACTOR, bayesian_starts, max_epochs
from engine.plan.pruning import PRUNED, Pruner, best_by_epoch, objective_curve, prunes
from engine.run.results import TrialRecord
from engine.run.states import TrialStatus

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


class _Reporting(compat.Tuner):
    """Trial bookkeeping and a lean fit: no TensorBoard, checkpoints only where Hyperband needs
    them. A Hyperband continuation (`tuner/trial_id` in its values) is built by Keras Tuner's
    Hyperband from its parent's build config and best-epoch weights, which this fit therefore
    saves (`compat.Tuner`), and trains on from `tuner/initial_epoch`."""

    ctx: SearchContext
    reporter: EpochReporter
    memory: MemoryWatch
    pruner: Pruner | FrontPruner | None
    scalariser: Scalariser | None

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
        check = PruneCheck(self.pruner, self.ctx.objectives) if self.pruner else None
        callbacks: list[Any] = [self.reporter, *([check] if check else []), *make_callbacks(config)]
        if isinstance(self, keras_tuner.Hyperband):
            objective = oracle_objective(self.ctx.objective)
            callbacks.append(self.best_epoch_saver(trial.trial_id, objective))
        initial = int(kwargs.get("initial_epoch", 0))
        resume = self._checkpoint(trial.trial_id, config, epochs, initial)
        try:
            callbacks += self.ctx.callbacks().for_trial(config, trial.trial_id)  # the space's own
            model = self.build_model(trial.hyperparameters)
            if isinstance(self, keras_tuner.Hyperband):  # a continuation rebuilds from it
                self.save_build_config(trial.trial_id, model)
            if resume is not None and resume.restore_model(model):
                journal_restored(self.ctx, trial.trial_id, resume, epochs, initial)
            pruned = check is not None and check.before(model, self.ctx.dataset.x_val)
            scored = []  # none: the model broke a constraint before it trained
            if not pruned:
                fitted = self._fit(model, config, epochs, initial, callbacks, resume)
                pruned = check is not None and check.verdict is not None
                scored = [self._scored(model, fitted, callbacks, config, initial, not pruned)]
            for _ in range(1, 1 if pruned else self.ctx.settings.executions):
                again = make_callbacks(config)  # further executions: fresh model, silent
                model = self.build_model(trial.hyperparameters)
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
        if check is not None and isinstance(check.verdict, Breach):
            return self._pruned(trial, check, None)
        if any(s is None for s in scored):
            self._clock.end(TrialStatus.FAILED, reason=f"no finite {objective.metric}")
            self.ctx.checkpoints().remove(trial.trial_id)
            raise keras_tuner.errors.FailedTrialError(f"no finite {objective.metric}")
        best = statistics.fmean(s[0] for s in scored if s is not None)
        if check is not None and check.verdict is not None:  # no result: nothing to evaluate
            return self._pruned(trial, check, best)
        # the handed-over models' score, averaged over the executions (Keras Tuner's way)
        score = statistics.fmean(s[1] for s in scored if s is not None)
        values = handed_over_values(model, self.ctx, fitted.history, callbacks, config)
        self._clock.end(TrialStatus.COMPLETED, score=score, epoch_score=best, values=values)
        self.ctx.checkpoints().remove(trial.trial_id)  # journaled as ended: no resume needed
        self.memory.trial_done(self.ctx.held())
        if self.scalariser is not None:  # several objectives or constraints: ParEGO's value
            return self.scalariser.metrics(trial.trial_id, score, values)
        return {objective.metric: score}

    def _pruned(self, trial: Any, check: PruneCheck, best: float | None) -> dict[str, float]:
        """A pruned trial's end: journaled with its verdict and its values where it stopped,
        no score (not a result); the oracle learns its best so far (`best`; None: stopped
        before training), or the scalar of its values under several objectives."""
        assert check.verdict is not None
        values = check.values()
        reason = check.verdict.reason
        self._clock.end(TrialStatus.PRUNED, reason=reason, epoch_score=best, values=values)
        trial.message = PRUNED + reason  # Keras Tuner's record (`rejournal`)
        self.ctx.checkpoints().remove(trial.trial_id)
        self.memory.trial_done(self.ctx.held())
        if self.scalariser is not None:
            return self.scalariser.metrics(trial.trial_id, best, values)
        assert best is not None  # one objective, no constraint: pruned after an epoch
        return {self.ctx.objective.metric: best}

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
            so_far = best[-1] if best else None
            if self.scalariser is not None:
                return self.scalariser.metrics(recorded.trial_id, so_far, recorded.values)
            if so_far is not None:
                return {metric: float(so_far)}
        if recorded.status != TrialStatus.COMPLETED or recorded.score is None:
            raise keras_tuner.errors.FailedTrialError(recorded.reason or "failed")
        if self.scalariser is not None:
            return self.scalariser.metrics(recorded.trial_id, recorded.score, recorded.values)
        return {metric: float(recorded.score)}


def _disk_error_ends_the_search(exc: Exception) -> _Environment | None:
    """A disk error while the oracle records a trial's result ends the search like every other
    (one line, resumable) instead of failing the trial in Keras Tuner's own state only."""
    if isinstance(exc, OSError) and disk_error(exc) is not None:
        return _Environment(str(exc))
    return None


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
    compat.install()
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
    compat.fatal_update_errors(tuner.oracle, _disk_error_ends_the_search)
    tuner.ctx = ctx
    tuner.reporter = EpochReporter(ctx)
    tuner.memory = MemoryWatch()
    tuner.pruner, tuner.scalariser = None, None
    if uses_scalar(ctx.objectives):
        seen = [v for t in ctx.previous.leaderboard() if (v := ctx.previous.vector(t))]
        tuner.scalariser = Scalariser(ctx.objectives, ctx.settings.seed, seen)
    if prunes(ctx.plan.backend, algorithm, ctx.settings.prune):
        tuner.pruner = pruner_for(ctx.run.path, ctx.objectives)
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
