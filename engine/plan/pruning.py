"""The median stopping rule: a trial that trails the completed trials at the same epoch stops.

After a warm-up (`MIN_TRIALS` completed trials, and not before epoch `MIN_EPOCH`), a trial
whose best objective so far is worse than the median of the completed trials' best by the same
epoch is pruned. Best-so-far on both sides compares like with like (a trial is ranked by its
best epoch) and keeps one noisy epoch from pruning a good trial; a completed trial that ended
before that epoch (early stopping, fewer epochs) counts with its final best. Pruned trials never
enter the median, only completed ones do.

The completed trials' curves come from the journal (`Tail` over every journal of the run), so
the workers of a parallel search read each other's epoch rows as they are written. Pure Python:
no numpy, no Keras.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.objective.metric import Objective
from engine.run.journal import Tail
from engine.run.results import RunResults, TrialRecord
from engine.run.states import TrialStatus

MIN_TRIALS = 3  # completed trials before any trial is judged
MIN_EPOCH = 2  # no trial is judged on its first epoch (mostly tracing, and noisy)
PRUNABLE = ("random", "grid", "bayesian")  # Hyperband stops weak trials itself
PRUNED = "pruned "  # Keras Tuner's message of a pruned trial: this, then the verdict's reason


def prunes(backend: str, algorithm: str, prune: bool) -> bool:
    """Whether a search of this plan prunes: asked for, on Keras Tuner, not Hyperband."""
    return prune and backend == "keras-tuner" and algorithm in PRUNABLE


def best_by_epoch(values: Sequence[float | None], objective: Objective) -> list[float | None]:
    """The best value so far at each epoch (None until a finite value comes)."""
    out: list[float | None] = []
    best: float | None = None
    for value in values:
        if value is not None and (best is None or objective.better(value, best)):
            best = value
        out.append(best)
    return out


@dataclass(frozen=True)
class Verdict:
    """Why a trial is pruned: its best so far, the median it trails, and of how many trials."""

    epoch: int
    value: float
    median: float
    trials: int
    metric: str

    @property
    def reason(self) -> str:
        return (
            f"at epoch {self.epoch}: best {self.metric} {self.value:.4f} trails the "
            f"median {self.median:.4f} of {self.trials} completed trials"
        )


@dataclass(frozen=True)
class MedianRule:
    """The rule on plain curves: `judge` is all there is to it."""

    objective: Objective
    min_trials: int = MIN_TRIALS
    min_epoch: int = MIN_EPOCH

    def judge(
        self, curve: Sequence[float | None], completed: Sequence[Sequence[float | None]]
    ) -> Verdict | None:
        """A verdict when the running trial's `curve` (its objective per epoch so far, epoch 1
        first) trails the median of the `completed` trials' curves at its last epoch."""
        epoch = len(curve)
        own = best_by_epoch(curve, self.objective)[-1] if curve else None
        if epoch < self.min_epoch or own is None:
            return None
        at_epoch = []
        for other in completed:
            best = best_by_epoch(other[:epoch], self.objective)
            if best and best[-1] is not None:
                at_epoch.append(best[-1])
        if len(at_epoch) < self.min_trials:
            return None
        median = statistics.median(at_epoch)
        if not self.objective.better(median, own):
            return None
        return Verdict(epoch, own, median, len(at_epoch), self.objective.metric)


def objective_curve(trial: TrialRecord, metric: str) -> list[float | None]:
    """A trial's objective per epoch, from its journal rows (epoch 1 first)."""
    rows = sorted((r for r in trial.curve if r.get("fold") is None), key=lambda r: r["epoch"])
    return [r.get(metric) for r in rows]


class Pruner:
    """The rule fed from the run's journals, read incrementally at each epoch end."""

    def __init__(self, run_dir: str | Path, objective: Objective, rule: MedianRule | None = None):
        self.rule = rule or MedianRule(objective)
        self.objective = objective
        self.tail = Tail(run_dir)
        self.results = RunResults()

    def ended(self) -> list[TrialRecord]:
        """The completed trials, as the journals hold them now."""
        for event in self.tail.poll():
            self.results.apply(event)
        return [t for t in self.results.trials.values() if t.status == TrialStatus.COMPLETED]

    def completed(self) -> list[list[float | None]]:
        """The objective curves of the completed trials, as the journals hold them now."""
        return [objective_curve(t, self.objective.metric) for t in self.ended()]

    def judge(self, curve: Sequence[float | None]) -> Verdict | None:
        if len(curve) < self.rule.min_epoch:
            return None  # no journal read needed yet
        return self.rule.judge(curve, self.completed())

    def at_epoch(
        self, curves: Mapping[str, Sequence[float | None]], fixed: Mapping[str, float | None]
    ) -> Verdict | None:
        """`judge` on the objective's curve (a fit's check collects every metric it names)."""
        return self.judge(curves.get(self.objective.metric, []))
