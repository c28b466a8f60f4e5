"""Results rebuilt by replaying the journal: trials, curves, leaderboard, best, run state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from engine.objective.metric import Objective
from engine.objective.pareto import front_order, front_ranks
from engine.objective.several import Objectives, from_journal
from engine.run import events as ev
from engine.run.estimate import Estimate
from engine.run.states import RunState, TrialStatus
from engine.run.summary import pack_rows, packed_keys, packed_last, packed_max, unpack_rows


@dataclass(eq=False)
class TrialRecord:
    trial_id: str
    number: int
    hyperparameters: dict[str, Any]
    worker: str = "main"
    status: TrialStatus = TrialStatus.RUNNING
    score: float | None = None
    duration: float | None = None
    reason: str | None = None
    fold_scores: list[float] | None = None
    epoch_score: float | None = (
        None  # Keras Tuner: the best epoch's objective (score: the kept model's)
    )
    epochs_planned: int = 0
    started: float = 0.0
    continues: str | None = None  # Hyperband: the trial whose weights this one trains on
    initial_epoch: int = 0
    gpu: str | None = None  # the GPU it ran on (a parallel run's worker given one)
    peak_memory: int | None = None  # bytes: its process's resident high-water mark
    peak_gpu_memory: int | None = None  # bytes: TensorFlow's peak on its GPU
    enqueued: bool = False  # a hand-written configuration, run besides the budget
    outside: str | None = None  # why the run's (changed) space no longer holds it: not ranked
    values: dict[str, float | None] = field(default_factory=dict)  # other objectives' values
    infeasible: str | None = None  # the constraint it broke: never ranked nor best
    # the curve, or its packed columns as a summary keeps them (unpacked on first use)
    _rows: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _packed: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def curve(self) -> list[dict[str, Any]]:
        """Every epoch's row: {"epoch", "fold", **logs}."""
        if self._packed is not None:
            self._rows, self._packed = unpack_rows(self._packed), None
        return self._rows

    @curve.setter
    def curve(self, rows: list[dict[str, Any]]) -> None:
        self._rows, self._packed = rows, None

    @property
    def index(self) -> int:
        """Where a trial axis puts it: its number counted from 0, the number its id spells on
        every backend (trial 006 is 6), so a plot, a table and a command line agree."""
        return self.number - 1

    @property
    def epochs_trained(self) -> int:
        """The highest epoch it reported (0: none), without unpacking a packed curve."""
        if self._packed is not None:
            return packed_max(self._packed, "epoch")
        return max((int(row["epoch"]) for row in self._rows), default=0)

    def curve_keys(self) -> list[str]:
        """The names its rows use, without unpacking a packed curve."""
        if self._packed is not None:
            return packed_keys(self._packed)
        return list(dict.fromkeys(k for row in self._rows for k in row))

    @property
    def last_logs(self) -> dict[str, Any]:
        """The last row of its curve ({} without one), without unpacking a packed curve."""
        if self._packed is not None:
            return packed_last(self._packed)
        return self._rows[-1] if self._rows else {}

    def pack(self) -> None:
        """Keep the curve packed (about a seventh of the memory) until it is read again."""
        if self._packed is None and self._rows:
            self._packed, self._rows = pack_rows(self._rows), []

    def _key(self) -> tuple[Any, ...]:
        return (
            *(getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")),
            self.curve,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TrialRecord) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value


@dataclass(frozen=True)
class Ranking:
    """What every view of a run reads: the ranked trials best first and, with several
    objectives, each one's Pareto front. Computed once per change of the trials (`key`), and
    kept in the run's summary (`engine.run.kept`) so that a reading need not rank them again."""

    key: tuple[int, int]  # (the results' changes, their trial count) it was computed at
    order: tuple[str, ...]  # the ranked trials' ids, best first
    fronts: Mapping[str, int]  # several objectives: each ranked trial's front (0: the front)


@dataclass
class RunResults:
    backend: str = ""
    algorithm: str = ""
    reason: str = ""
    objective: str = "val_accuracy"
    direction: str = "max"
    planned: int = 0
    planned_epochs: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    space: dict[str, Any] = field(default_factory=dict)
    state: RunState = RunState.NEW  # as the journal says: new, running or an end
    trials: dict[str, TrialRecord] = field(default_factory=dict)
    best_trial_id: str | None = None
    test_score: float | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    test_by_fit: bool = False  # the test score is what the HyperModel's own fit returned
    failure: str | None = None
    started: float | None = None
    ended: float | None = None
    logs: list[ev.LogMessage] = field(default_factory=list)
    estimate: Estimate = field(default_factory=lambda: Estimate(0, 1))  # said before it started
    resources: dict[str, ev.ResourcesSampled] = field(default_factory=dict)  # latest per worker
    objectives: list[dict[str, str]] = field(default_factory=list)  # several: the first is primary
    constraints: list[str] = field(default_factory=list)
    _goals: Objectives | None = field(default=None, repr=False, compare=False)
    latest: float | None = None  # the time of the last event applied
    _changes: int = field(default=0, repr=False, compare=False)  # events that move the ranking
    _ranking: Ranking | None = field(default=None, repr=False, compare=False)

    @property
    def done(self) -> int:
        return sum(1 for t in self.trials.values() if t.status != TrialStatus.RUNNING)

    @property
    def epochs_done(self) -> int:
        """Epochs the ended trials were planned to train (a continuation: only its extra ones)."""
        return sum(
            max(t.epochs_planned - t.initial_epoch, 0)
            for t in self.trials.values()
            if t.status != "running"
        )

    @property
    def goal(self) -> Objective:
        return Objective(self.objective, self.direction)

    @property
    def goals(self) -> Objectives:
        """Every objective (the primary is `goal`) and the constraints."""
        if self._goals is None:
            self._goals = from_journal(self.goal, self.objectives, self.constraints)
        return self._goals

    @property
    def best(self) -> TrialRecord | None:
        return self.trials.get(self.best_trial_id) if self.best_trial_id else None

    def vector(self, trial: TrialRecord) -> list[float] | None:
        """The trial's objectives as values to minimise (None: one is missing)."""
        return self.goals.vector(trial.score, trial.values)

    def front(self) -> Mapping[str, int]:
        """Each ranked trial's Pareto front (0: not dominated by any), several objectives
        ({} for one); read-only, shared by every caller until the trials change."""
        return self.ranking().fronts

    def leaderboard(self) -> list[TrialRecord]:
        """Completed trials best first (ties: earlier first), then the rest by number. With
        several objectives: by Pareto front, then the primary objective."""
        order = self.ranking().order
        scored = [self.trials[trial_id] for trial_id in order]
        ranked = set(order)
        rest = sorted(
            (t for t in self.trials.values() if t.trial_id not in ranked), key=lambda t: t.number
        )
        return scored + rest

    def ranking(self) -> Ranking:
        """The ranking as the trials stand now: kept until an event changes them."""
        key = (self._changes, len(self.trials))
        if self._ranking is None or self._ranking.key != key:
            self._ranking = self._rank(key)
        return self._ranking

    def kept_ranking(self, order: list[str], fronts: dict[str, int]) -> None:
        """Take a ranking computed earlier (the run's summary) as the current one."""
        if all(trial_id in self.trials for trial_id in order):
            key = (self._changes, len(self.trials))
            self._ranking = Ranking(key, tuple(order), MappingProxyType(dict(fronts)))

    def _rank(self, key: tuple[int, int]) -> Ranking:
        scored = [t for t in self.trials.values() if _ranked(t)]
        goal = self.goal
        scored.sort(key=lambda t: (goal.rank_key(t.score or 0.0), t.number))
        fronts: dict[str, int] = {}
        if self.goals.multi:
            pairs = [(t, v) for t in scored if (v := self.vector(t)) is not None]
            vectors = [v for _, v in pairs]
            ranks = front_ranks(vectors)
            fronts = {t.trial_id: rank for (t, _), rank in zip(pairs, ranks, strict=True)}
            scored = [pairs[i][0] for i in front_order(vectors, ranks)]
        order = tuple(t.trial_id for t in scored)
        return Ranking(key, order, MappingProxyType(fronts))

    def apply(self, event: ev.Event) -> None:
        """Fold one event into the results (the same code serves replay and live tailing)."""
        handler = _HANDLERS.get(type(event))
        if handler:
            handler(self, event)
            if handler in _RANKING:
                self._changes += 1
        self.latest = event.time


def _ranked(trial: TrialRecord) -> bool:
    """A result that competes: completed, scored, and in the run's space."""
    return (
        trial.status == TrialStatus.COMPLETED
        and trial.score is not None
        and not trial.outside
        and not trial.infeasible
    )


def _beats(r: RunResults, trial: TrialRecord, best: TrialRecord | None) -> bool:
    """The best of several objectives is the front's best in the primary one (ties: the
    others in order); with one objective, the best score (ties: the earlier trial)."""
    if best is None or best.score is None:
        return True
    if not r.goals.multi:
        return r.goal.better(trial.score or 0.0, best.score)
    mine, theirs = r.vector(trial), r.vector(best)
    return theirs is None or (mine is not None and mine < theirs)


def _started(r: RunResults, e: ev.SearchStarted) -> None:
    r.backend, r.algorithm, r.reason = e.backend, e.algorithm, e.reason
    r.planned, r.objective, r.settings, r.space = e.planned_trials, e.objective, e.settings, e.space
    r.direction = e.direction
    r.objectives, r.constraints, r._goals = list(e.objectives), list(e.constraints), None
    r.planned_epochs = e.planned_epochs
    if e.estimated_seconds is not None or not r.estimate.candidates:  # a resume times nothing
        r.estimate = Estimate(
            e.planned_trials, e.folds, e.estimated_seconds, e.params, e.checkpoint
        )
    r.state = RunState.RUNNING
    r.started = r.started or e.time
    r.ended = None
    changed = bool(e.excluded)
    for trial in r.trials.values():  # a resumed run: trials left running were interrupted
        if trial.status == TrialStatus.RUNNING:
            trial.curve.clear()
        changed |= trial.outside is not None
        trial.outside = e.excluded.get(trial.trial_id)
    if changed:  # the space changed: the best among the trials it holds
        best = None
        for trial in sorted(r.trials.values(), key=lambda t: t.number):
            if _ranked(trial) and _beats(r, trial, best):
                best = trial
        r.best_trial_id = best.trial_id if best is not None else None


def _trial_started(r: RunResults, e: ev.TrialStarted) -> None:
    known = e.trial_id in r.trials
    r.trials[e.trial_id] = TrialRecord(
        e.trial_id,
        e.number,
        dict(e.hyperparameters),
        e.worker,
        epochs_planned=e.epochs,
        started=e.time,
        continues=e.continues,
        initial_epoch=e.initial_epoch,
        gpu=e.gpu,
        enqueued=e.enqueued,
    )
    if e.enqueued and not known:  # one trial more than the plan the search started with
        r.planned += 1


def _epoch(r: RunResults, e: ev.EpochEnded) -> None:
    trial = r.trials.get(e.trial_id)
    if trial is not None:
        trial.curve.append({"epoch": e.epoch, "fold": e.fold, **e.logs})
        trial.epochs_planned = e.epochs or trial.epochs_planned


def _trial_ended(r: RunResults, e: ev.TrialEnded) -> None:
    trial = r.trials.get(e.trial_id)
    if trial is None:
        return
    trial.status, trial.score, trial.duration = e.status, e.score, e.duration
    trial.reason, trial.fold_scores, trial.epoch_score = e.reason, e.fold_scores, e.epoch_score
    trial.peak_memory, trial.peak_gpu_memory = e.peak_memory, e.peak_gpu_memory
    trial.values, trial.infeasible = dict(e.values), e.infeasible
    trial.pack()  # an ended trial's curve is read rarely: a run of many keeps little memory
    if _ranked(trial) and _beats(r, trial, r.best):
        r.best_trial_id = e.trial_id


def _finished(r: RunResults, e: ev.SearchFinished) -> None:
    r.state, r.ended = RunState.FINISHED, e.time
    r.best_trial_id = e.best_trial_id or r.best_trial_id
    r.test_score, r.test_metrics = e.test_score, dict(e.test_metrics)
    r.test_by_fit = e.test_by_fit


def _failed(r: RunResults, e: ev.SearchFailed) -> None:
    r.state, r.ended, r.failure = RunState.FAILED, e.time, e.reason


def _stopped(r: RunResults, e: ev.SearchStopped) -> None:
    r.state, r.ended, r.failure = RunState.STOPPED, e.time, e.reason


def _log(r: RunResults, e: ev.LogMessage) -> None:
    r.logs.append(e)


def _resources(r: RunResults, e: ev.ResourcesSampled) -> None:
    r.resources[e.worker] = e


_HANDLERS: dict[type, Any] = {
    ev.SearchStarted: _started,
    ev.TrialStarted: _trial_started,
    ev.EpochEnded: _epoch,
    ev.TrialEnded: _trial_ended,
    ev.SearchFinished: _finished,
    ev.SearchFailed: _failed,
    ev.SearchStopped: _stopped,
    ev.LogMessage: _log,
    ev.ResourcesSampled: _resources,
}


_RANKING = (_started, _trial_started, _trial_ended)  # what can move a trial in the ranking


def notices(results: RunResults) -> list[ev.Event]:
    """The events of a run that a reader is told of (its start, warnings, trials that did not
    complete, its end) rebuilt from its results, in time order: what a monitor that opens on
    a summary shows of the past."""
    out: list[ev.Event] = []
    if results.started is not None:
        out.append(
            ev.SearchStarted(
                time=results.started,
                space={},
                backend=results.backend,
                algorithm=results.algorithm,
                planned_trials=results.planned,
            )
        )
    out += results.logs
    for t in results.trials.values():
        if t.status not in (TrialStatus.RUNNING, TrialStatus.COMPLETED):
            out.append(
                ev.TrialEnded(
                    time=t.started + (t.duration or 0.0),
                    trial_id=t.trial_id,
                    status=t.status,
                    reason=t.reason,
                    worker=t.worker,
                )
            )
    end = results.ended if results.ended is not None else 0.0
    if results.state == RunState.FINISHED:
        out.append(
            ev.SearchFinished(
                time=end,
                best_trial_id=results.best_trial_id,
                best_score=results.best.score if results.best else None,
            )
        )
    elif results.state == RunState.FAILED:
        out.append(ev.SearchFailed(time=end, reason=results.failure or ""))
    elif results.state == RunState.STOPPED:
        out.append(ev.SearchStopped(time=end, reason=results.failure or ""))
    return sorted(out, key=lambda e: e.time)


def replay(events: list[ev.Event]) -> RunResults:
    results = RunResults()
    for event in events:
        results.apply(event)
    return results
