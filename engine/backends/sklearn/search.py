"""The scikit-learn backend: GridSearchCV, RandomizedSearchCV and HalvingGridSearchCV (resource
n_samples) over scikeras' KerasClassifier, cross-validated with a seeded StratifiedKFold on
train+validation (the test part is never touched).

scikit-learn fits a clone per candidate × fold and says neither which. The candidate is the
clone's parameters, matched against the current round's list (a wrapped `evaluate_candidates`
sees each: the grid, the random sample, each halving iteration; a later iteration of a candidate
is a new trial). A trial's id is its number counted from 0 (`007`), as on every backend; a run
begun with the older names (`c007`, `h1-c003`, `r1-c000`) keeps them. The fold comes from the rows: X handed to scikit-learn is a column of
row numbers into the real arrays, so a fit knows which rows it trains on (subsamples included).

Every space parameter goes to the model function as `model__<name>`, except KerasClassifier's
own `batch_size` and `epochs`; not scikeras' `optimizer__learning_rate` routing, because our
builder compiles the optimizer itself (learning-rate schedules, `beta_1`/`momentum` only where
the optimizer takes them), which keeps these models identical to Keras Tuner's.

scikit-learn cannot resume: each candidate × fold result is appended to `state/sklearn_folds.jsonl`
as it finishes, and a re-run answers those fits from the file without training. The fold that
was running resumes from its latest-epoch checkpoint (`engine.model.checkpoint`, one per fold,
named by trial and fold, removed once the fold's result is in the file).
"""
# ruff: noqa: E402 - TensorFlow is quietened before Keras loads

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from engine.model.builder import quiet_tensorflow

quiet_tensorflow()

import keras
import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

from engine.backends.base import (
    SKIPPED,
    Backend,
    SearchContext,
    StopSearch,
    TrialClock,
    TrialFailed,
    describe_failure,
    needs_rerun,
    raised,
)
from engine.backends.oom import failure_status
from engine.backends.reporter import EpochReporter
from engine.backends.sklearn import folds as fold_files
from engine.backends.sklearn.estimators import (
    TrackedClassifier,
    TrackedRegressor,
    model_function,
)
from engine.backends.sklearn.fold_values import fold_values, mean_values
from engine.backends.sklearn.grid import first_of_grid, param_grid, routed
from engine.backends.sklearn.rounds import Round, read_rounds
from engine.backends.sklearn.searches import SEARCHES
from engine.model.keras_build import make_callbacks
from engine.run import events as ev
from engine.run.resources import peak_rss, reset_peaks
from engine.run.rundir import RunDir
from engine.run.settings import RunSettings
from engine.run.states import TrialStatus
from engine.run.tracebacks import save_traceback

CACHE = "sklearn_folds.jsonl"
Tracked = TrackedClassifier | TrackedRegressor


# ---- trials --------------------------------------------------------------------------------
@dataclass
class _Trial:
    trial_id: str
    number: int
    params: dict[str, Any]  # the candidate as scikit-learn sets it
    config: dict[str, Any]  # what it trains (the epochs override applied)
    key: str  # of its fold records in the cache
    done: bool  # ended in the journal before this run: no events, no training
    fits: set[int] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)
    reason: str | None = None  # failed (or out of memory: `oom`)
    stopped: str | None = None  # skipped, or cut short by a stop (n_jobs > 1)
    clock: TrialClock | None = None
    enqueued: bool = False  # a hand-written configuration (`engine.run.queue`)
    values: dict[int, dict[str, Any]] = field(default_factory=dict)  # other objectives', per fold


def _nothing(event: ev.Event) -> None:
    pass


class _Tracker:
    """Shared by every clone (deep copies return it): trials, folds, the cache, the events."""

    def __init__(self, ctx: SearchContext, x: np.ndarray, y: np.ndarray, cv: Any):
        self.ctx, self.x, self.y, self.seed = ctx, x, y, ctx.settings.seed
        self.n_classes, self.n_splits = int(ctx.dataset.n_classes), cv.get_n_splits()
        self.objective, self.goals = ctx.objective, ctx.objectives
        builtin_classifier = ctx.models().ref is None and ctx.dataset.task == "classification"
        self.plain_accuracy = builtin_classifier and self.objective.metric == "val_accuracy"
        self.live = jobs(ctx.settings) == 1  # joblib workers cannot reach ctx.emit
        self.test_fold = np.empty(len(y), dtype=np.int64)
        for k, (_, test) in enumerate(cv.split(np.zeros(len(y)), y)):
            self.test_fold[test] = k
        self.cache_path = ctx.run.state_dir / CACHE
        self.cache = self._read_cache()
        ended = [t for t in ctx.previous.trials.values() if not needs_rerun(t)]
        self.finished = {t.trial_id: list(t.fold_scores or []) for t in ended}
        self.named_by_round = any(not t.isdigit() for t in ctx.previous.trials)  # older names
        self.reporter = EpochReporter(ctx)
        self.feed = ctx.feed()  # the folds recur for every candidate: kept pipelines
        self.callbacks = ctx.callbacks()  # the space's own, made afresh for each fit
        own_fit = ctx.models().user_fit is not None  # its data order is its own: no resume
        self.saves = fold_files.FoldCheckpoints(ctx.checkpoints(), own_fit)  # running folds'
        self.round: list[_Trial] = []
        self.cursor = self.offset = 0
        self.grid_index: dict[str, int] = {}
        self.running: _Trial | None = None

    def __deepcopy__(self, memo: dict) -> _Tracker:
        return self

    def __getstate__(self) -> dict[str, Any]:
        """For joblib workers (n_jobs > 1): no journal, no clocks; results go via the cache."""
        quiet = SimpleNamespace(stop=self.ctx.stop, emit=_nothing)
        trials = [_Trial(**{**t.__dict__, "clock": None}) for t in self.round]
        return {
            **self.__dict__,
            "live": False,
            "running": None,
            "ctx": quiet,
            "reporter": EpochReporter(quiet),  # type: ignore[arg-type]
            "round": trials,
        }

    def begin_round(
        self, candidates: list[dict[str, Any]], more: dict[str, list] | None, extra: Round | None
    ) -> None:
        """A new candidate list: the grid, the random sample, one halving iteration, or a round
        that continues the search (`extra`)."""
        itr, size = (more["iter"][0], more["n_resources"][0]) if more else (None, None)
        self.round, self.cursor = [], 0
        if extra is not None:  # numbered after the plan and the rounds before it
            self.offset = self.ctx.plan.planned_trials + sum(
                len(r.configs) for r in read_rounds(self.ctx.run.state_dir)[: extra.number - 1]
            )
        for i, params in enumerate(candidates):
            plain = {k.removeprefix("model__"): v for k, v in params.items()}
            trial_id = f"{self.offset + i:03d}"  # its number from 0, as every backend's
            if self.named_by_round:
                trial_id = f"{extra.prefix if extra else 'c'}{i:03d}"
                if itr is not None:
                    index = self.grid_index.setdefault(_key(params), len(self.grid_index))
                    trial_id = f"h{itr}-c{index:03d}"
            key = hashlib.sha256(_key([params, itr, size]).encode()).hexdigest()[:20]
            done = trial_id in self.finished
            config = self.ctx.trial_config(plain)
            self.round.append(
                _Trial(
                    trial_id,
                    self.offset + i + 1,
                    params,
                    config,
                    key,
                    done,
                    enqueued=extra is not None and extra.enqueued,
                )
            )
        self.offset += len(candidates)

    def _locate(self, est: Tracked, ids: np.ndarray) -> tuple[_Trial, int]:
        """A fit's trial (the first match from the cursor: candidate-major order) and fold."""
        got = est.get_params()
        present = np.zeros(self.n_splits, dtype=bool)
        present[self.test_fold[ids]] = True  # a fold's rows are absent from its training rows
        for index in [*range(self.cursor, len(self.round)), *range(self.cursor)]:
            trial = self.round[index]
            if _key(trial.params) == _key({name: got[name] for name in trial.params}):
                free = [k for k in range(self.n_splits) if not present[k] and k not in trial.fits]
                if free:
                    self.cursor = index
                    return trial, free[0]
        raise RuntimeError("scikit-learn fitted a candidate this search did not list")

    # -- fit and score ---------------------------------------------------------------------
    def fit(self, est: Tracked, ids: np.ndarray) -> None:
        trial, fold = self._locate(est, ids)
        trial.fits.add(fold)
        est._trial, est._fold, est._logs = trial, fold, None
        if trial.done:
            return
        if trial.clock is None and self.live:
            self._start(trial)
        cached = self.cache.get(f"{trial.key}#{fold}")
        if cached is not None:
            self._replay(trial, fold, cached)
            trial.reason = trial.reason or cached["reason"]
            return
        if trial.reason or trial.stopped:
            return  # a failed or skipped candidate trains no further folds
        if not self.live:
            reset_peaks()  # this fold's peak, for its record (a joblib worker journals nothing)
        epochs = int(trial.config["epochs"])
        self.reporter.start(trial.trial_id, epochs, fold=fold + 1)
        keras.utils.set_random_seed(self.seed)
        est.validation_split, est.batch_size = (
            inner_validation(trial.config),
            int(trial.config["batch_size"]),
        )
        try:
            own = self.callbacks.for_trial(
                trial.config, trial.trial_id, f"fold_{fold + 1}", validated=est.validation_split > 0
            )
            est.callbacks = [self.reporter, *make_callbacks(trial.config), *own]
            est._resume = self.saves.open(trial, fold, epochs)  # its latest epoch, if any
            held_out = self.test_fold == fold  # a fit that returns its score is scored on them
            est._held_out, est._fitted_score = (self.x[held_out], self.y[held_out]), None
            est.train(self.x[ids], self.y[ids], epochs)
            history = est.history_
            est._logs = [
                ev.clean_logs({k: v[i] for k, v in history.items()})
                for i in range(len(history.get("loss", [])))
            ]
        except StopSearch:
            raise
        except Exception as exc:  # skipped; or a build or fit error, a NaN loss: it fails
            if not trial.scores and trial.clock is not None and trial.clock.retry(exc):
                trial.config, trial.fits = trial.clock.config, trial.fits - {fold}  # --oom-retry:
                est.batch_size = trial.params.get("batch_size", est.batch_size)  # the same
                return self.fit(est, ids)  # trial and fold once more, at half the batch size
            status, reason = raised(exc, trial.clock, trial.config)
            if status == TrialStatus.STOPPED:
                trial.stopped = reason
            else:
                trial.reason = reason
                if isinstance(getattr(self.ctx, "run", None), RunDir):  # not in joblib workers
                    save_traceback(self.ctx.run.path, trial.trial_id, exc)
                self._save(trial, fold, None, [])
            self.saves.remove(trial, fold)  # skipped or failed: it never resumes
        finally:
            est.callbacks = est._resume = est._held_out = None

    def score(self, est: Tracked, ids: np.ndarray) -> float:
        trial, fold = est._trial, est._fold
        if not (self.test_fold[ids] == fold).all():
            return math.nan  # training rows: not asked for (return_train_score=False)
        cached = self.cache.get(f"{trial.key}#{fold}")
        if cached is not None:
            score = math.nan if cached["score"] is None else float(cached["score"])
            trial.values[fold] = cached.get("values") or {}
        elif trial.done:  # no record (cache lost): the journal's fold score
            scores = self.finished[trial.trial_id]
            score = float(scores[fold]) if fold < len(scores) else math.nan
        elif est._logs is None:
            score = math.nan  # failed, skipped, or not trained after a failure
        else:
            try:
                returned = getattr(est, "_fitted_score", None)  # what the user's fit returned
                score = self._evaluate(est, ids) if returned is None else float(returned)
                trial.values[fold] = fold_values(
                    est, self.goals, self.x[ids], self.y[ids], self.feed
                )
            except Exception as exc:  # a prediction that breaks fails the candidate too
                score, trial.reason = math.nan, describe_failure(exc)
            self._save(trial, fold, None if math.isnan(score) else score, est._logs)
            self.saves.remove(trial, fold)  # its result is in the fold records
        trial.scores[fold] = score
        if len(trial.scores) == self.n_splits and self.live and not trial.done:
            self._end(trial)
        return score if self.objective.maximise else -score  # scikit-learn maximises

    def _evaluate(self, est: Tracked, ids: np.ndarray) -> float:
        """The objective's metric on the fold's held-out rows (`val_auc` → `auc`). The
        built-in classifier's accuracy comes from scikeras' own `score` (a prediction: ~0.06 s
        a fit cheaper than Keras' `evaluate`, which traces a test function per model)."""
        if self.plain_accuracy:
            return float(TrackedClassifier.score_rows(est, self.x[ids], self.y[ids]))
        batch = int(est.batch_size)
        logs = self.feed.evaluate(est.model_, self.x[ids], self.y[ids], batch)
        metric = self.objective.metric.removeprefix("val_")
        if metric not in logs:
            raise TrialFailed(f"the model does not report {metric} (it reports {', '.join(logs)})")
        return float(logs[metric])

    # -- events ----------------------------------------------------------------------------
    def _start(self, trial: _Trial) -> None:
        if self.ctx.stop.stop_after_trial():
            raise StopSearch(self.ctx.stop.why())
        trial.clock = TrialClock(
            self.ctx, trial.trial_id, trial.number, trial.config, enqueued=trial.enqueued
        )
        self.running = trial

    def _replay(self, trial: _Trial, fold: int, record: dict[str, Any] | None) -> None:
        """The epochs of a fold trained earlier (or by a worker), so the curve is complete."""
        for epoch, logs in enumerate(record["logs"] if record else [], start=1):
            self.ctx.emit(
                ev.EpochEnded(
                    trial_id=trial.trial_id,
                    epoch=epoch,
                    logs=logs,
                    fold=fold + 1,
                    epochs=int(trial.config["epochs"]),
                )
            )

    def _end(self, trial: _Trial, peak: tuple[int | None, int | None] | None = None) -> None:
        clock = trial.clock or TrialClock(
            self.ctx, trial.trial_id, trial.number, trial.config, enqueued=trial.enqueued
        )
        scores = [trial.scores.get(k, math.nan) for k in range(self.n_splits)]
        if trial.stopped:
            clock.end(TrialStatus.STOPPED, reason=trial.stopped)
        elif trial.reason or not all(math.isfinite(s) for s in scores):
            clock.end(
                failure_status(trial.reason),
                reason=trial.reason or "no finite fold score",
                peak=peak,
            )
        else:
            clock.end(
                TrialStatus.COMPLETED,
                score=sum(scores) / len(scores),
                fold_scores=scores,
                peak=peak,
                values=mean_values(trial.values),
            )
        self.running = None  # no keras.backend.clear_session(): measured, it frees nothing here

    def abort(self, reason: str) -> None:
        """The search stops: the running trial is recorded stopped, never with a partial score."""
        if self.running is not None and self.running.clock is not None:
            self.running.clock.end(TrialStatus.STOPPED, reason=reason)
        self.running = None
        if not self.live:
            self.report_round(stop=reason)

    def report_round(self, stop: str | None = None) -> None:
        """n_jobs > 1: after a round (or a stop), report the workers' trials from the cache."""
        self.cache = self._read_cache()
        for trial in self.round:
            records = [self.cache.get(f"{trial.key}#{k}") for k in range(self.n_splits)]
            if trial.done or trial.clock is not None or (stop and not any(records)):
                continue
            trial.clock = TrialClock(
                self.ctx, trial.trial_id, trial.number, trial.config, enqueued=trial.enqueued
            )
            for fold, record in enumerate(records):
                self._replay(trial, fold, record)
                if record is None:
                    trial.stopped = stop or SKIPPED
                else:
                    trial.reason = trial.reason or record["reason"]
                    trial.scores[fold] = math.nan if record["score"] is None else record["score"]
                    trial.values[fold] = record.get("values") or {}
            peaks = [int(r["peak_memory"]) for r in records if r and r.get("peak_memory")]
            self._end(trial, (max(peaks, default=None), None))  # the workers' own, per fold

    # -- the fold cache --------------------------------------------------------------------
    def _save(self, trial: _Trial, fold: int, score: float | None, logs: list[dict]) -> None:
        record: dict[str, Any] = {
            "key": f"{trial.key}#{fold}",
            "trial_id": trial.trial_id,
            "fold": fold,
            "score": score,
            "epochs": len(logs),
            "logs": logs,
            "reason": trial.reason,
            "peak_memory": None if self.live else peak_rss(),
            "values": trial.values.get(fold),
        }
        self.cache[record["key"]] = record
        fold_files.append_record(self.cache_path, record)

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        return fold_files.read_records(self.cache_path)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def inner_validation(config: dict[str, Any]) -> float:
    """Part of a fold's training rows held out for Keras: only when early stopping watches a
    validation metric (the fold's own held-out part gives the score; an inner split would
    train on less data and evaluate every epoch for nothing)."""
    watches_val = config["early_stopping"] and str(config["monitor"]).startswith("val_")
    return float(config["validation_split"]) if watches_val else 0.0


def jobs(settings: RunSettings) -> int:
    """joblib's n_jobs: `--n-jobs`, or `--workers` (the same meaning on this backend)."""
    return settings.n_jobs if settings.n_jobs != 1 else max(settings.workers, 1)  # auto: 1


class SklearnBackend(Backend):
    name = "sklearn"

    def build(self) -> tuple[Any, np.ndarray, np.ndarray]:
        """The search for the plan's algorithm, its X (row numbers into train+val) and its y."""
        ctx, data, seed = self.ctx, self.ctx.dataset, self.ctx.settings.seed
        x = np.concatenate([data.x_train, data.x_val])
        y = np.concatenate([data.y_train, data.y_val])
        regression = getattr(data, "task", "classification") == "regression"
        folds = KFold if regression else StratifiedKFold
        cv = folds(ctx.settings.cv, shuffle=True, random_state=seed)
        tracker = _Tracker(ctx, x, y, cv)
        fixed = {routed(n): hp.default for n, hp in ctx.space.params.items()}
        wrapper = TrackedRegressor if regression else TrackedClassifier
        model = model_function(ctx.models())
        estimator = wrapper(model=model, tracker=tracker, verbose=0, **fixed)
        kwargs: dict[str, Any] = {
            "cv": cv,
            "n_jobs": jobs(ctx.settings),
            "refit": False,
            "error_score": "raise",
            "return_train_score": False,
        }
        if ctx.plan.algorithm == "random":
            kwargs.update(n_iter=ctx.plan.planned_trials, random_state=seed)
        elif ctx.plan.algorithm == "halving":
            kwargs.update(random_state=seed)
        grid = param_grid(ctx.space, draw=ctx.plan.algorithm == "random")
        if ctx.plan.algorithm == "grid" and ctx.plan.planned_trials < (ctx.space.grid_size() or 0):
            grid = first_of_grid(ctx.space, ctx.plan.planned_trials)
        search = SEARCHES[ctx.plan.algorithm](estimator, grid, **kwargs)
        search.tracker = tracker
        return search, np.arange(len(y)).reshape(-1, 1), y

    def run(self) -> None:
        search, rows, y = self.build()
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*test scores are non-finite")
                search.fit(rows, y)
        except StopSearch as exc:
            search.tracker.abort(str(exc) or "stop requested")
            raise
