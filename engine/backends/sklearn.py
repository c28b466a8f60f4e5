"""The scikit-learn backend: GridSearchCV, RandomizedSearchCV and HalvingGridSearchCV running
scikeras' KerasClassifier, cross-validated on train+validation (the test part is never touched).

scikit-learn drives the search and calls `fit`/`score` on a clone per candidate × fold, telling
neither which. A tracked estimator finds out and reports:

* the candidate: the clone's parameters, matched against the candidate list of the current round
  (a wrapped `evaluate_candidates` sees each list: the grid, the random sample, every halving
  iteration);
* the fold: X handed to scikit-learn is a column of row numbers into the real arrays, so a fit
  knows exactly which rows it trains on (halving's subsamples included) and which fold left them.

Routing: every space parameter goes to the model function as `model__<name>`, except
`batch_size` and `epochs`, KerasClassifier's own fit parameters. Not `optimizer` /
`optimizer__learning_rate`: our builder compiles the optimizer itself, with a learning-rate
schedule and `beta_1`/`momentum` only for the optimizers that take them, which scikeras' routing
cannot express; one builder also keeps this backend's models identical to Keras Tuner's.

scikit-learn cannot resume, so every candidate × fold result is appended to
`state/sklearn_folds.jsonl` as it finishes; a re-run answers those fits from the file.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import warnings
from dataclasses import dataclass, field
from inspect import signature
from typing import Any

from engine.model import quiet_tensorflow

quiet_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
from scikeras.utils.transformers import ClassifierLabelEncoder  # noqa: E402
from scikeras.wrappers import KerasClassifier  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.experimental import enable_halving_search_cv  # noqa: E402, F401
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.utils import ClassifierTags  # noqa: E402

from engine import events as ev  # noqa: E402
from engine import model as engine_model  # noqa: E402
from engine.backends.base import (  # noqa: E402
    SKIPPED,
    Backend,
    SearchContext,
    SkipTrial,
    StopSearch,
    TrialClock,
    describe_failure,
    needs_rerun,
)
from engine.backends.reporter import EpochReporter  # noqa: E402
from engine.hyperparameters import Hyperparameter, Int  # noqa: E402
from engine.keras_build import make_callbacks  # noqa: E402
from engine.schema import PARAMS, children  # noqa: E402
from engine.space import Space  # noqa: E402

CACHE = "sklearn_folds.jsonl"
OWN = ("batch_size", "epochs")  # KerasClassifier's own parameters; the rest go to the model


def routed(name: str) -> str:
    return name if name in OWN else f"model__{name}"


# ---- the space as scikit-learn parameter grids ------------------------------------------------
class _Draw:
    """A continuous range as a scipy-style distribution that yields plain Python numbers."""

    def __init__(self, hp: Hyperparameter) -> None:
        self.hp = hp
        low, high = hp.min, hp.max  # type: ignore[union-attr]
        log = hp.sampling == "log"  # type: ignore[union-attr]
        self.dist = stats.loguniform(low, high) if log else stats.uniform(low, high - low)

    def rvs(self, random_state: Any = None) -> int | float:
        value = float(self.dist.rvs(random_state=random_state))
        return int(round(value)) if isinstance(self.hp, Int) else round(value, 12)


def _merge(parts: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for combo in itertools.product(*parts):
        merged: dict[str, Any] = {}
        for part in combo:
            merged.update(part)
        out.append(merged)
    return out


def _branches(space: Space, name: str) -> list[dict[str, Any]]:
    """Sub-grids of `name` and its descendants: one per set of children its values enable."""
    hp = space.params[name]
    values = hp.values()
    if values is None:
        return [{routed(name): _Draw(hp) if hp.min < hp.max else [hp.min]}]  # type: ignore[union-attr]
    groups: dict[tuple[str, ...], list[Any]] = {}
    for value in values:
        active = tuple(c.name for c in children(name) if value in c.when)
        groups.setdefault(active, []).append(value)
    out = []
    for active, chosen in groups.items():
        parts = [[{routed(name): chosen}]]
        for child in children(name):
            parts.append(
                _branches(space, child.name) if child.name in active else [_off(space, child.name)]
            )
        out.extend(_merge(parts))
    return out


def _off(space: Space, name: str) -> dict[str, Any]:
    """An inactive subtree, fixed at its defaults (so it cannot multiply the grid)."""
    out = {routed(name): [space.params[name].default]}
    for child in children(name):
        out.update(_off(space, child.name))
    return out


def param_grid(space: Space) -> list[dict[str, Any]]:
    """A list of dicts whose union is exactly `space.grid()` (lists; continuous ranges drawn)."""
    return _merge([_branches(space, p.name) for p in PARAMS if p.parent is None])


# ---- the estimator ---------------------------------------------------------------------------
def _keras_model(meta: dict[str, Any], **params: Any) -> keras.Model:
    """scikeras' `model`: our builder fed the routed `model__*` parameters."""
    config = {k: v for k, v in params.items() if k not in ("compile_kwargs", "params")}
    return engine_model.build(config, meta["X_shape_"][1:], int(meta["n_classes_"]))


class _TrackedClassifier(KerasClassifier):
    """KerasClassifier whose X is row numbers: the tracker trains, scores and reports each fit."""

    def __init__(self, model: Any = None, *, tracker: _Tracker | None = None, **kwargs: Any):
        super().__init__(model=model, **kwargs)
        self.tracker = tracker

    def __sklearn_tags__(self) -> Any:
        """scikeras' tags say "no estimator type" on scikit-learn >= 1.7 (so no stratified CV)."""
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = tags.classifier_tags or ClassifierTags()
        return tags

    @property
    def target_encoder(self) -> ClassifierLabelEncoder:
        """Every class, even one a halving subsample lacks, keeps its output unit."""
        categories = [np.arange(self.tracker.n_classes)]  # type: ignore[union-attr]
        return ClassifierLabelEncoder(loss=self.loss, categories=categories)

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **kwargs: Any) -> _TrackedClassifier:
        self.tracker.fit(self, np.asarray(X)[:, 0])  # type: ignore[union-attr]
        return self

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        return self.tracker.score(self, np.asarray(X)[:, 0])  # type: ignore[union-attr]


# ---- trials ------------------------------------------------------------------------------------
@dataclass
class _Trial:
    trial_id: str
    number: int
    params: dict[str, Any]  # the candidate as scikit-learn sets it
    config: dict[str, Any]  # what it trains (epochs override applied)
    key: str
    done: bool  # ended in the journal before this run: no events, no training
    fits: set[int] = field(default_factory=set)
    scores: dict[int, float] = field(default_factory=dict)
    reason: str | None = None  # failed
    stopped: str | None = None  # skipped by the user, or cut short by a stop (n_jobs > 1)
    clock: TrialClock | None = None


class _Quiet:
    """The context a joblib worker reports to: nothing crosses back, stop files still work."""

    def __init__(self, stop: Any) -> None:
        self.stop = stop

    def emit(self, event: ev.Event) -> None:
        pass


class _Tracker:
    """Shared by every clone (deep copies return it): trials, folds, cache, events."""

    def __init__(self, ctx: SearchContext, x: np.ndarray, y: np.ndarray, cv: StratifiedKFold):
        self.ctx, self.x, self.y = ctx, x, y
        self.n_classes = int(ctx.dataset.n_classes)
        self.seed = ctx.settings.seed
        self.live = ctx.settings.n_jobs == 1
        self.n_splits = cv.get_n_splits()
        self.test_fold = np.empty(len(y), dtype=np.int64)
        for k, (_, test) in enumerate(cv.split(np.zeros(len(y)), y)):
            self.test_fold[test] = k
        self.cache_path = ctx.run.state_dir / CACHE
        self.cache = self._read_cache()
        ended = {t: r for t, r in ctx.previous.trials.items() if not needs_rerun(r)}
        self.finished = {t: list(r.fold_scores or []) for t, r in ended.items()}
        self.reporter = EpochReporter(ctx)
        self.round: list[_Trial] = []
        self.cursor = self.offset = 0
        self.grid_index: dict[str, int] = {}
        self.running: _Trial | None = None

    def __deepcopy__(self, memo: dict) -> _Tracker:
        return self

    def __getstate__(self) -> dict[str, Any]:
        """For joblib workers (n_jobs > 1): no journal, no clocks; results go via the cache."""
        state = {**self.__dict__, "live": False, "running": None}
        state["ctx"] = _Quiet(self.ctx.stop)
        state["reporter"] = EpochReporter(state["ctx"])  # type: ignore[arg-type]
        state["round"] = [_Trial(**{**t.__dict__, "clock": None}) for t in self.round]
        return state

    # -- rounds ------------------------------------------------------------------------------
    def begin_round(self, candidates: list[dict[str, Any]], more: dict[str, list] | None) -> None:
        """A new list of candidates: the grid, the random sample or one halving iteration."""
        itr = more["iter"][0] if more else None
        resources = more["n_resources"][0] if more else None
        self.round, self.cursor = [], 0
        for i, params in enumerate(candidates):
            config = self.ctx.trial_config(
                {k.removeprefix("model__"): v for k, v in params.items()}
            )
            key = json.dumps(
                {"params": params, "iter": itr, "n": resources}, sort_keys=True, default=str
            )
            if itr is None:
                trial_id = f"c{i:03d}"
            else:
                found = self.grid_index.setdefault(_plain_key(params), len(self.grid_index))
                trial_id = f"h{itr}-c{found:03d}"
            number = self.offset + i + 1
            self.round.append(
                _Trial(trial_id, number, params, config, key, trial_id in self.finished)
            )
        self.offset += len(candidates)

    def _locate(self, est: _TrackedClassifier, ids: np.ndarray) -> tuple[_Trial, int]:
        """The trial (first match from the cursor: candidate-major order) and fold of a fit."""
        got = est.get_params()
        key = None
        present = np.zeros(self.n_splits, dtype=bool)
        present[self.test_fold[ids]] = True
        for index in [*range(self.cursor, len(self.round)), *range(self.cursor)]:
            trial = self.round[index]
            if key is None:
                key = _plain_key({name: got[name] for name in trial.params})
            if _plain_key(trial.params) != key:
                continue
            free = [k for k in range(self.n_splits) if not present[k] and k not in trial.fits]
            if free:
                self.cursor = index
                return trial, free[0]
        raise RuntimeError(f"fit of an unknown candidate: {key}")

    # -- fit and score -----------------------------------------------------------------------
    def fit(self, est: _TrackedClassifier, ids: np.ndarray) -> None:
        trial, fold = self._locate(est, ids)
        trial.fits.add(fold)
        est._trial, est._fold, est._logs = trial, fold, None
        if trial.done:
            return
        if trial.clock is None and self.live:
            self._start(trial)
        cached = self.cache.get(f"{trial.key}#{fold}")
        if cached is not None:
            for epoch, logs in enumerate(cached["logs"], start=1):
                self.ctx.emit(ev.EpochEnded(trial_id=trial.trial_id, epoch=epoch, logs=logs,
                                            fold=fold + 1, epochs=int(trial.config["epochs"])))  # fmt: skip
            trial.reason = trial.reason or cached["reason"]
            return
        if trial.reason or trial.stopped:
            return  # a failed or skipped candidate trains no further folds
        epochs = int(trial.config["epochs"])
        self.reporter.start(trial.trial_id, epochs, fold=fold + 1)
        keras.utils.set_random_seed(self.seed)
        est.callbacks = [self.reporter, *make_callbacks(trial.config)]
        est.validation_split = float(trial.config["validation_split"])
        try:
            KerasClassifier.fit(est, self.x[ids], self.y[ids], epochs=epochs)
            history = est.model_.history.history
            est._logs = [ev.clean_logs({k: v[i] for k, v in history.items()})
                         for i in range(len(history.get("loss", [])))]  # fmt: skip
        except StopSearch:
            raise
        except SkipTrial:
            trial.stopped = SKIPPED
        except Exception as exc:
            trial.reason = describe_failure(exc)
            self._save(trial, fold, None, [])
        finally:
            est.callbacks = None

    def score(self, est: _TrackedClassifier, ids: np.ndarray) -> float:
        trial, fold = est._trial, est._fold
        if trial.done:
            return self._previous(trial, fold)
        cached = self.cache.get(f"{trial.key}#{fold}")
        if cached is not None:
            score = math.nan if cached["score"] is None else float(cached["score"])
        elif est._logs is None:
            score = math.nan  # failed, skipped, or not trained after a failure
        else:
            score = float(KerasClassifier.score(est, self.x[ids], self.y[ids]))
            self._save(trial, fold, score, est._logs)
            keras.backend.clear_session()
        trial.scores[fold] = score
        if len(trial.scores) == self.n_splits and self.live:
            self._end(trial)
        return score

    def _previous(self, trial: _Trial, fold: int) -> float:
        """A finished trial's fold score: from the cache, else from the journal."""
        cached = self.cache.get(f"{trial.key}#{fold}")
        if cached is not None:
            return math.nan if cached["score"] is None else float(cached["score"])
        scores = self.finished[trial.trial_id]
        return float(scores[fold]) if fold < len(scores) and scores[fold] is not None else math.nan

    # -- events ------------------------------------------------------------------------------
    def _start(self, trial: _Trial) -> None:
        stop = self.ctx.stop
        if stop.stop_after_trial():
            raise StopSearch("interrupted" if stop.interrupted else "stop requested")
        trial.clock = TrialClock(self.ctx, trial.trial_id, trial.number, trial.config)
        self.running = trial

    def _end(self, trial: _Trial) -> None:
        clock = trial.clock or TrialClock(self.ctx, trial.trial_id, trial.number, trial.config)
        scores = [trial.scores.get(k, math.nan) for k in range(self.n_splits)]
        if trial.stopped:
            clock.end("stopped", reason=trial.stopped)
        elif trial.reason or not all(math.isfinite(s) for s in scores):
            clock.end("failed", reason=trial.reason or "no finite fold score")
        else:
            clock.end("completed", score=sum(scores) / len(scores), fold_scores=scores)
        self.running = None

    def abort(self, reason: str) -> None:
        """The search stops: the running trial is recorded stopped, never with a partial score."""
        if self.running is not None and self.running.clock is not None:
            self.running.clock.end("stopped", reason=reason)
        self.running = None

    def report_round(self, stop: str | None = None) -> None:
        """n_jobs > 1: workers cannot reach the journal; report their trials from the cache."""
        self.cache = self._read_cache()
        for trial in self.round:
            records = [self.cache.get(f"{trial.key}#{k}") for k in range(self.n_splits)]
            if trial.done or trial.clock is not None or (stop and not any(records)):
                continue
            for fold, record in enumerate(records):
                if record is None:
                    trial.stopped = stop or SKIPPED
                else:
                    trial.reason = trial.reason or record["reason"]
                    trial.scores[fold] = math.nan if record["score"] is None else record["score"]
            self._end(trial)

    # -- the fold cache ----------------------------------------------------------------------
    def _save(self, trial: _Trial, fold: int, score: float | None, logs: list[dict]) -> None:
        record = {"key": f"{trial.key}#{fold}", "trial_id": trial.trial_id, "fold": fold,
                  "score": score, "epochs": len(logs), "logs": logs, "reason": trial.reason}  # fmt: skip
        self.cache[record["key"]] = record
        line = (json.dumps(record, default=str) + "\n").encode()
        fd = os.open(self.cache_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)  # one append per line: safe from several joblib workers
            os.fsync(fd)
        finally:
            os.close(fd)

    def _read_cache(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        if self.cache_path.exists():
            for line in self.cache_path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                    out[record["key"]] = record
                except (ValueError, KeyError, TypeError):
                    continue  # a line torn by a kill
        return out


def _plain_key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


# ---- the searches ------------------------------------------------------------------------------
class _Rounds:
    """Mixin: shows the tracker each candidate list before scikit-learn evaluates it."""

    tracker: _Tracker

    def _run_search(self, evaluate_candidates: Any, *, callback_ctx: Any = None) -> Any:
        tracker = self.tracker

        def tracked(candidate_params: Any, cv: Any = None, more_results: Any = None, **kw: Any):
            candidates = [dict(c) for c in candidate_params]
            tracker.begin_round(candidates, more_results)
            results = evaluate_candidates(candidates, cv, more_results, **kw)
            if not tracker.live:
                tracker.report_round()
            return results

        parent = super()._run_search  # type: ignore[misc]
        if "callback_ctx" in signature(parent).parameters:  # scikit-learn >= 1.9
            return parent(tracked, callback_ctx=callback_ctx)
        return parent(tracked)


class _Grid(_Rounds, GridSearchCV):
    pass


class _Random(_Rounds, RandomizedSearchCV):
    pass


class _Halving(_Rounds, HalvingGridSearchCV):
    pass


class SklearnBackend(Backend):
    name = "sklearn"

    def search(self, tracker: _Tracker, cv: StratifiedKFold) -> Any:
        """The scikit-learn search object for the plan's algorithm."""
        ctx = self.ctx
        space, seed = ctx.space, ctx.settings.seed
        fixed = {routed(n): hp.default for n, hp in space.params.items()}
        estimator = _TrackedClassifier(model=_keras_model, tracker=tracker, verbose=0, **fixed)
        common: dict[str, Any] = {"cv": cv, "n_jobs": ctx.settings.n_jobs, "refit": False,
                                  "error_score": "raise"}  # fmt: skip
        grid = param_grid(space)
        if ctx.plan.algorithm == "random":
            search: Any = _Random(estimator, grid, n_iter=ctx.plan.planned_trials,
                                  random_state=seed, **common)  # fmt: skip
        elif ctx.plan.algorithm == "halving":
            search = _Halving(estimator, grid, random_state=seed, **common)
        else:
            search = _Grid(estimator, grid, **common)
        search.tracker = tracker
        return search

    def run(self) -> None:
        ctx, data = self.ctx, self.ctx.dataset
        x = np.concatenate([data.x_train, data.x_val])
        y = np.concatenate([data.y_train, data.y_val])
        cv = StratifiedKFold(ctx.settings.cv, shuffle=True, random_state=ctx.settings.seed)
        tracker = _Tracker(ctx, x, y, cv)
        search = self.search(tracker, cv)
        rows = np.arange(len(y)).reshape(-1, 1)  # X is row numbers: see the module docstring
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*test scores are non-finite")
                search.fit(rows, y)
        except StopSearch as exc:
            tracker.abort(str(exc) or "stop requested")
            if not tracker.live:
                tracker.report_round(stop=str(exc) or "stop requested")
            raise
