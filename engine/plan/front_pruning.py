"""Pruning under several objectives: a trial dominated at the same epoch by enough completed
trials stops.

At epoch e (not before `MIN_EPOCH`), a running trial's objectives form one vector: each metric
objective's best value so far (its curve up to e, as the median rule reads one), and the
measured ones (`params`, `latency_ms`) as measured once on its model before it trained. Each
completed, feasible trial gives the same vector at e (its curve cut at e; a trial that ended
earlier with its final best; its measured values from the journal). The trial stops when at
least `MIN_DOMINATING` of them dominate its vector: better or equal in every objective and
better in one. A trial on the front of what has completed is never stopped, however many
trials there are, and fewer completed trials than `MIN_DOMINATING` never stop anything.

Why three: a trial dominated by one or two completed trials may be unlucky at that epoch, as
any single comparison may be; three is the median rule's warm-up, so both rules stop nothing
before three trials have completed, and a dominated trial is one no better in any objective
than each of three others. Dominance is stricter than trailing a median in one objective, so
no share of the completed trials is asked for as well.

A trial that breaks a constraint on a measured quantity (`params <= 200000`) breaks it for
good: `breach` says so before the trial trains, under either rule. Pure Python, no numpy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.objective.pareto import dominates
from engine.objective.several import MEASURED, Objectives
from engine.plan.pruning import MIN_EPOCH, MIN_TRIALS, Pruner, best_by_epoch, objective_curve
from engine.run.results import TrialRecord

MIN_DOMINATING = MIN_TRIALS  # completed trials that must dominate a trial to stop it
Curves = Mapping[str, Sequence[float | None]]  # a metric's value per epoch, epoch 1 first
Fixed = Mapping[str, float | None]  # the measured quantities, one value per trial


@dataclass(frozen=True)
class Breach:
    """A constraint on a measured quantity that the trial's model breaks before it trains."""

    broken: str  # as `Constraint.broken_by` says it: `params <= 200 (params = 2,435)`

    @property
    def reason(self) -> str:
        return f"breaks {self.broken} before training: stopped at once"


@dataclass(frozen=True)
class Dominated:
    """Why a trial is pruned under several objectives: its values at the epoch, and by how many
    of the completed trials they are dominated."""

    epoch: int
    values: tuple[tuple[str, float], ...]  # (metric, value) of each objective, in order
    dominating: int
    trials: int

    @property
    def reason(self) -> str:
        shown = ", ".join(f"{metric} {_shown(value)}" for metric, value in self.values)
        return (
            f"at epoch {self.epoch}: {shown} dominated by {self.dominating} of "
            f"{self.trials} completed trials at the same epoch"
        )


def breach(goals: Objectives, fixed: Fixed) -> Breach | None:
    """The first constraint on a measured quantity that `fixed` breaks (None: all hold, or
    none is measured)."""
    for constraint in goals.constraints:
        if constraint.metric in MEASURED and constraint.metric in fixed:
            value = fixed[constraint.metric]
            if not constraint.holds(value):
                return Breach(constraint.broken_by(value))
    return None


@dataclass(frozen=True)
class FrontRule:
    """The rule on plain curves and values: `judge` is all there is to it."""

    goals: Objectives
    min_dominating: int = MIN_DOMINATING
    min_epoch: int = MIN_EPOCH

    def values(self, curves: Curves, fixed: Fixed, epoch: int) -> list[float] | None:
        """Each objective's value at `epoch`, in order (None: one is unknown)."""
        out = []
        for objective in self.goals.items:
            if objective.metric in MEASURED:
                value = fixed.get(objective.metric)
            else:
                best = best_by_epoch(list(curves.get(objective.metric, ()))[:epoch], objective)
                value = best[-1] if best else None
            if value is None or not math.isfinite(value):
                return None
            out.append(value)
        return out

    def vector(self, curves: Curves, fixed: Fixed, epoch: int) -> list[float] | None:
        """The objectives at `epoch` as values to minimise (None: one is unknown)."""
        values = self.values(curves, fixed, epoch)
        if values is None:
            return None
        return [o.rank_key(v) for o, v in zip(self.goals.items, values, strict=True)]

    def judge(
        self, curves: Curves, fixed: Fixed, completed: Sequence[tuple[Curves, Fixed]]
    ) -> Dominated | None:
        """A verdict when the running trial (its metric `curves` so far, its measured values
        `fixed`) is dominated at its last epoch by `min_dominating` of the `completed`."""
        epoch = len(curves.get(self.goals.primary.metric, ()))
        if epoch < self.min_epoch:
            return None
        values = self.values(curves, fixed, epoch)
        if values is None:
            return None
        own = [o.rank_key(v) for o, v in zip(self.goals.items, values, strict=True)]
        theirs = [v for c, f in completed if (v := self.vector(c, f, epoch)) is not None]
        dominating = sum(dominates(other, own) for other in theirs)
        if dominating < self.min_dominating:
            return None
        named = tuple((o.metric, v) for o, v in zip(self.goals.items, values, strict=True))
        return Dominated(epoch, named, dominating, len(theirs))


def standing(trial: TrialRecord, goals: Objectives) -> tuple[Curves, Fixed]:
    """A completed trial as the rule reads it: its metric objectives' curves and its values."""
    curves = {
        o.metric: objective_curve(trial, o.metric) for o in goals.items if o.metric not in MEASURED
    }
    return curves, trial.values


class FrontPruner:
    """The rule fed from the run's journals (the median rule's `Pruner` reads them), asked at
    each epoch end with the running trial's curves and measured values."""

    def __init__(self, run_dir: str | Path, goals: Objectives, rule: FrontRule | None = None):
        self.goals = goals
        self.rule = rule or FrontRule(goals)
        self.feed = Pruner(run_dir, goals.primary)

    def completed(self) -> list[tuple[Curves, Fixed]]:
        """The completed trials that count (feasible ones: an infeasible trial is on no
        front), as the journals hold them now."""
        return [standing(t, self.goals) for t in self.feed.ended() if not t.infeasible]

    def at_epoch(self, curves: Curves, fixed: Fixed) -> Dominated | None:
        if len(curves.get(self.goals.primary.metric, ())) < self.rule.min_epoch:
            return None  # no journal read needed yet
        return self.rule.judge(curves, fixed, self.completed())


def _shown(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
