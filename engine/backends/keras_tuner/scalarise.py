"""What Keras Tuner's oracle learns from under several objectives or constraints.

Keras Tuner's own multi-objective mode sums its objectives, which finds one corner of the
front. Instead each trial is scored ParEGO's way: weights drawn at random on the simplex for
that trial (seeded by the search's seed and the trial's id), the objectives scaled to [0, 1]
by the range the search has seen so far, and the augmented Chebyshev value of the two
(`engine.objective.pareto.scalarised`) is what the oracle minimises. Trials drawn with different weights
pull Bayesian optimisation towards different parts of the front. A trial that breaks a
constraint gets a value above any feasible one. The oracle records every objective's value
beside it, so `rejournal` can restore them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import keras_tuner

from engine.objective.metric import Objective
from engine.objective.pareto import random_weights, scalarised
from engine.objective.several import Objectives

SCALAR = "tunedeck_front"  # the oracle's metric: lower is better
PENALTY = 2.0  # above any feasible value (a Chebyshev value of [0, 1] terms is at most 1.05)


def uses_scalar(goals: Objectives) -> bool:
    return not goals.plain


def oracle_objective(goals: Objectives | Objective) -> keras_tuner.Objective:
    """The scalar under several objectives or constraints, else the objective itself."""
    if isinstance(goals, Objectives) and uses_scalar(goals):
        return keras_tuner.Objective(SCALAR, "min")
    primary = goals.primary if isinstance(goals, Objectives) else goals
    return keras_tuner.Objective(primary.metric, primary.direction)


class Scalariser:
    """Turns each trial's objectives into the oracle's one number, remembering the ranges."""

    def __init__(self, goals: Objectives, seed: int, seen: list[list[float]]) -> None:
        self.goals, self.seed = goals, seed
        self.seen = list(seen)  # every vector scored so far (this search's earlier sessions too)

    def metrics(
        self, trial_id: str, score: float | None, values: Mapping[str, float | None]
    ) -> dict[str, float]:
        """The oracle's metrics for a trial: the scalar, and every objective's value (a trial
        pruned before it trained has no score: it scores worse than any feasible one)."""
        feasible = self.goals.infeasible(score, values) is None
        named = self.goals.values_of(score, values)
        out = {m: float(v) for m, v in named.items() if v is not None and math.isfinite(v)}
        vector = self.goals.vector(score, values)
        if vector is None:
            out[SCALAR] = PENALTY * 2
            return out
        self.seen.append(vector)
        low = [min(v[i] for v in self.seen) for i in range(len(vector))]
        high = [max(v[i] for v in self.seen) for i in range(len(vector))]
        weights = random_weights(len(vector), self.seed * 1_000_003 + _number(trial_id))
        out[SCALAR] = scalarised(vector, weights, low, high) + (0.0 if feasible else PENALTY)
        return out


def from_oracle(trial: Any, goals: Objectives) -> tuple[float, dict[str, float | None]]:
    """A trial's score and other objectives' values as the oracle's state holds them."""

    def value(metric: str) -> float | None:
        if not trial.metrics.exists(metric):
            return None
        return float(trial.metrics.get_last_value(metric))

    primary = value(goals.primary.metric)
    return math.nan if primary is None else primary, {m: value(m) for m in goals.extra_metrics}


def _number(trial_id: str) -> int:
    digits = "".join(c for c in trial_id if c.isdigit())
    return int(digits) if digits else 0
